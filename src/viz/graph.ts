/**
 * `convkit visualize graph`: a model drawn as Keras's plot_model draws it — one box per layer
 * ("name: ClassName" and, with shapes, "output: (None, 14, 14, 6)"), arrows for the tensors
 * between them — laid out in ranks by graph_layout.ts so branches sit side by side and skip
 * connections run around the boxes they jump.
 */
import { ValueError } from '../errors.js';
import { formatShape } from '../models/summary_format.js';
import { Figure } from './figure.js';
import { textWidth } from './font.js';
import { type Direction, type GraphLayout, layoutGraph } from './graph_layout.js';
import type { ModelGraph, ModelGraphNode } from './model_graph.js';

export interface GraphFigureOptions {
  /** Second line with the output shape in each box (default true). */
  showShapes?: boolean;
  /** 'TB' (default): inputs at the top; 'LR': inputs on the left. */
  direction?: Direction;
  /**
   * Largest area in pixels (default: no limit but the 32768-pixel side). A raster of a very wide
   * graph (NASNet) would otherwise need gigabytes: the drawing is scaled down to fit.
   */
  maxPixels?: number;
}

/** Sizes in pixels at scale 1; a graph too deep for one picture is drawn smaller (see graphLayout). */
const STYLE = {
  nameSize: 11,
  shapeSize: 9,
  padX: 10,
  padY: 8,
  lineGap: 7,
  minWidth: 110,
  nodeGap: 28,
  rankGap: 34,
  edgeGap: 10,
  margin: 16,
};

/** Largest side a figure may have (Figure's limit). */
const MAX_SIDE = 32768;

/** Box fill by the kind of layer, so the eye finds convolutions, pooling, merges… in a big graph. */
function fillFor(className: string): string {
  if (className === 'InputLayer') return '#e8e8e8';
  if (/Conv/.test(className)) return '#dbe9f8';
  if (/Pool/.test(className)) return '#dff2df';
  if (/^(Dense|Flatten|Reshape)$/.test(className)) return '#fde8d2';
  if (/^(Add|Concatenate|Multiply|Average|Maximum|Minimum|Subtract)$/.test(className)) return '#ece2f5';
  if (/Normalization/.test(className)) return '#fbf5d0';
  if (className === 'Sequential' || className === 'Functional') return '#f6dede';
  return '#ffffff';
}

export function nodeTitle(n: ModelGraphNode): string {
  return `${n.name}: ${n.className}`;
}

export function nodeShapeText(n: ModelGraphNode): string {
  return `output: ${formatShape(n.outputShape)}`;
}

export interface ModelGraphLayout extends GraphLayout {
  /** Scale of text and spacing (1 unless the graph had to shrink to fit MAX_SIDE). */
  scale: number;
  showShapes: boolean;
  direction: Direction;
}

function sizesAt(graph: ModelGraph, scale: number, showShapes: boolean): { width: number; height: number }[] {
  const s = (v: number) => v * scale;
  return graph.nodes.map((n) => {
    const textW = Math.max(textWidth(nodeTitle(n), s(STYLE.nameSize)), showShapes ? textWidth(nodeShapeText(n), s(STYLE.shapeSize)) : 0);
    const height = s(STYLE.padY * 2 + STYLE.nameSize + (showShapes ? STYLE.lineGap + STYLE.shapeSize : 0) + 3);
    return { width: Math.ceil(Math.max(s(STYLE.minWidth), textW + s(2 * STYLE.padX))), height: Math.ceil(height) };
  });
}

/** Box and edge positions of the graph figure, for drawing and for tests; boxes are in graph.nodes order. */
export function graphLayout(graph: ModelGraph, opts: GraphFigureOptions = {}): ModelGraphLayout {
  const showShapes = opts.showShapes ?? true;
  const direction = opts.direction ?? 'TB';
  const maxPixels = opts.maxPixels ?? Infinity;
  if (!(maxPixels > 0)) throw new ValueError(`graph: maxPixels must be a positive number, got ${maxPixels}`);
  const index = new Map(graph.nodes.map((n, i) => [n.id, i]));
  const edges = graph.edges.map(([a, b]): [number, number] => {
    const ia = index.get(a);
    const ib = index.get(b);
    if (ia === undefined || ib === undefined) throw new ValueError(`graph: edge [${JSON.stringify(a)}, ${JSON.stringify(b)}] names a node that is not in the graph`);
    return [ia, ib];
  });
  let scale = 1;
  for (;;) {
    const s = (v: number) => v * scale;
    const layout = layoutGraph(sizesAt(graph, scale, showShapes), edges, {
      direction, nodeGap: s(STYLE.nodeGap), rankGap: s(STYLE.rankGap), edgeGap: s(STYLE.edgeGap), margin: s(STYLE.margin),
    });
    const longest = Math.max(layout.width, layout.height);
    const area = layout.width * layout.height;
    const fits = Math.min(MAX_SIDE / longest, Math.sqrt(maxPixels / area));
    if (fits >= 1) return { ...layout, scale, showShapes, direction };
    // Text below a 4-px cap height is unreadable: past that the graph is refused rather than drawn as noise.
    const next = scale * fits * 0.98;
    if (next * STYLE.shapeSize < 4) {
      const limit = Number.isFinite(maxPixels) ? `${MAX_SIDE}-pixel sides and ${Math.round(maxPixels / 1e6)} megapixels` : `${MAX_SIDE}-pixel sides`;
      throw new ValueError(`graph: ${graph.nodes.length} layers in ${layout.rankCount} ranks do not fit in a picture of at most ${limit} with readable text; try an .svg output, --no-shapes or --direction LR`);
    }
    scale = next;
  }
}

/** The model graph as a Figure (save it as .svg for a zoomable picture of a big model). */
export function graphFigure(graph: ModelGraph, opts: GraphFigureOptions = {}): Figure {
  const layout = graphLayout(graph, opts);
  const { scale, showShapes } = layout;
  const s = (v: number) => v * scale;
  const fig = new Figure(Math.max(1, layout.width), Math.max(1, layout.height), { background: '#ffffff' });
  // Edges first, so arrowheads meet box borders drawn on top of the line ends.
  for (const e of layout.edges) fig.line(e.points, { stroke: '#4d4d4d', strokeWidth: Math.max(0.75, s(1.2)), arrow: 'end' });
  graph.nodes.forEach((n, i) => {
    const b = layout.boxes[i];
    fig.rect(b.x, b.y, b.width, b.height, { fill: fillFor(n.className), stroke: '#333333', strokeWidth: Math.max(0.75, s(1)) });
    const cx = b.x + b.width / 2;
    const titleBase = b.y + s(STYLE.padY + STYLE.nameSize);
    fig.text(nodeTitle(n), cx, titleBase, { size: s(STYLE.nameSize), anchor: 'middle', color: '#111111' });
    if (showShapes) fig.text(nodeShapeText(n), cx, titleBase + s(STYLE.lineGap + STYLE.shapeSize), { size: s(STYLE.shapeSize), anchor: 'middle', color: '#444444' });
  });
  return fig;
}
