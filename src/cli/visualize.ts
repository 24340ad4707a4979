/** `convkit visualize …`: one sub-command per kind of picture; each family registers its own. */
import type { Command } from 'commander';
import { registerMapPictures } from './visualize_maps.js';
import { registerPlotPictures } from './visualize_plots.js';
import { registerAnalysisPictures } from './visualize_analysis.js';

export type Print = (line: string) => void;

export function registerVisualize(program: Command, print: Print): Command {
  const visualize = program.command('visualize')
    .description('pictures of what a CNN sees and does, written as PNG or SVG (by the --out name)');
  registerMapPictures(visualize, print);
  registerPlotPictures(visualize, print);
  registerAnalysisPictures(visualize, print);
  return visualize;
}
