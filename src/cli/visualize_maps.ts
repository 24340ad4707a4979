/** `convkit visualize` sub-commands: feature-maps, filters, samples. */
import type { Command } from 'commander';
import type { Print } from './visualize.js';

export function registerMapPictures(visualize: Command, print: Print): void {
  void visualize;
  void print;
}
