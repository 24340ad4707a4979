/**
 * Keras's `keras.utils.plot_model(model, to_file, show_shapes, rankdir)`: the layer graph written
 * as a picture (.png or .svg by the file name). A seed's `plot_model(model, show_shapes=True)` line
 * ports to `utils.plotModel(model, { toFile: 'model.png', showShapes: true })`.
 */
import type { Model } from '../models/model.js';
import { ValueError } from '../errors.js';
import { graphFigure } from './graph.js';
import { modelGraph } from './model_graph.js';
import type { Figure } from './figure.js';

export interface PlotModelOptions {
  /** Keras's default is 'model.png'. */
  toFile?: string;
  showShapes?: boolean;
  /** 'TB' (top to bottom, Keras's default) or 'LR'. */
  rankdir?: 'TB' | 'LR';
}

/** Writes the picture and returns the figure (Keras returns an IPython image). */
export async function plotModel(model: Model, opts: PlotModelOptions = {}): Promise<Figure> {
  const rankdir = opts.rankdir ?? 'TB';
  if (rankdir !== 'TB' && rankdir !== 'LR') throw new ValueError(`plotModel: rankdir must be 'TB' or 'LR', got ${JSON.stringify(rankdir)}`);
  const fig = graphFigure(modelGraph(model), { showShapes: opts.showShapes ?? false, direction: rankdir });
  await fig.save(opts.toFile ?? 'model.png');
  return fig;
}
