/** `convkit visualize` sub-commands: receptive-field, erf, saliency. */
import type { Command } from 'commander';
import type { Print } from './visualize.js';

export function registerAnalysisPictures(visualize: Command, print: Print): void {
  void visualize;
  void print;
}
