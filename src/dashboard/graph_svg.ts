/** The model graph of model.json drawn as SVG by the picture code of `convkit visualize graph`. */
import { graphFigure } from '../viz/graph.js';
import type { ModelGraphInfo } from './logdir_format.js';
import type { ModelGraph } from '../viz/model_graph.js';

export function graphSvg(graph: ModelGraphInfo, name = '', className = ''): string {
  // model.json stores the graph without the model's own name and class; the figure does not need them.
  return graphFigure({ name, className, ...graph } as ModelGraph).toSVG();
}
