/**
 * A model as a plain graph of layers — what Keras's plot_model draws and what the dashboard shows:
 * one node per layer (name, class, output shape as summary() prints it, parameter count) and one
 * edge per tensor passed between layers.
 *
 * - Sequential: a chain that starts with its InputLayer (as plot_model shows it), when the input
 *   shape is known.
 * - Functional: the layers of the graph between the model's inputs and outputs; each call of a
 *   layer adds edges from the layers that produced its inputs (a shared layer is one node).
 * - A model used as a layer (a pretrained base) is one node, as in the summary.
 * - Subclassed: the graph of call() is not recorded, so the picture is a chain of the layers in the
 *   order they ran on one forward pass over zeros of the built input shape (layers held but never
 *   called are left out; a layer called twice appears once, at its first call). The chain starts
 *   with an "input_layer" node carrying that shape. An unbuilt subclassed model has no shapes to
 *   run with, so it is refused with the way out (build() or call it).
 */
import { ValueError } from '../errors.js';
import { noGrad } from '../autograd/tape.js';
import { type Layer, isShapeList, withOutputProbe } from '../layers/layer.js';
import type { InputLayer } from '../layers/input.js';
import type { GraphNode, SymShape, SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import { executionOrder } from '../models/graph.js';
import { Sequential } from '../models/sequential.js';
import { zeros } from '../ops/creation.js';

/** A shape with null batch: `[null, 14, 14, 6]`; several for a multi-output layer; null when unknown. */
export type GraphShape = (number | null)[] | (number | null)[][] | null;

export interface ModelGraphNode {
  /** Unique within the graph (the layer's name, which Keras keeps unique within a model). */
  id: string;
  name: string;
  className: string;
  outputShape: GraphShape;
  params: number;
}

export interface ModelGraph {
  /** The model's name and class ('Sequential', 'Functional', or the subclass's name). */
  name: string;
  className: string;
  nodes: ModelGraphNode[];
  /** [fromId, toId]: the output of `from` is an input of `to`. */
  edges: [string, string][];
  inputs: string[];
  outputs: string[];
}

export function modelGraph(model: Model): ModelGraph {
  if (model instanceof Sequential) return sequentialGraph(model);
  if (model.isFunctional) return functionalGraph(model);
  return subclassedGraph(model);
}

function copyShape(s: SymShape | SymShape[] | null | undefined): GraphShape {
  if (s === null || s === undefined) return null;
  if (isShapeList(s)) return s.map((x) => [...x]);
  return [...(s as SymShape)];
}

/** Collects nodes with ids unique even if two layers share a name (a malformed or hand-built model). */
class GraphBuilder {
  readonly nodes: ModelGraphNode[] = [];
  readonly edges: [string, string][] = [];
  private readonly ids = new Map<object, string>();
  private readonly used = new Set<string>();
  private readonly edgeKeys = new Set<string>();

  /** `key` identifies the node (a layer, or a stand-in object for a subclassed model's input). */
  add(key: object, name: string, className: string, outputShape: GraphShape, params: number): string {
    const existing = this.ids.get(key);
    if (existing !== undefined) return existing;
    let id = name;
    for (let k = 2; this.used.has(id); k++) id = `${name}#${k}`;
    this.used.add(id);
    this.ids.set(key, id);
    this.nodes.push({ id, name, className, outputShape, params });
    return id;
  }

  addLayer(layer: Layer, outputShape: GraphShape): string {
    return this.add(layer, layer.name, layer.className, outputShape, layer.countParams());
  }

  idOf(layer: Layer): string | undefined {
    return this.ids.get(layer);
  }

  /** A tensor passed twice between the same two layers (add([x, x])) is drawn once. */
  connect(from: string, to: string): void {
    const key = `${from}\u0000${to}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push([from, to]);
  }
}

function sequentialGraph(model: Sequential): ModelGraph {
  const b = new GraphBuilder();
  // The InputLayer is private to Sequential (not in model.layers, as in Keras); plot_model draws it.
  const input = (model as unknown as { inputLayer: InputLayer | null }).inputLayer;
  let prev: string | null = input ? b.addLayer(input, copyShape(input.batchShape)) : null;
  const inputs = prev === null ? [] : [prev];
  for (const layer of model.layers) {
    const id = b.addLayer(layer, copyShape(model.layerOutputShape(layer)));
    if (prev !== null) b.connect(prev, id);
    prev = id;
    if (inputs.length === 0) inputs.push(id);
  }
  return { name: model.name, className: model.className, nodes: b.nodes, edges: b.edges, inputs, outputs: prev === null ? [] : [prev] };
}

/** The calls between the model's inputs and outputs, in execution order. */
function callsOf(model: Model): GraphNode[] {
  return executionOrder(model.outputs, model.name);
}

function functionalGraph(model: Model): ModelGraph {
  const b = new GraphBuilder();
  // Nodes in model.layers order (Keras's order, the summary's rows), then edges call by call.
  for (const layer of model.layers) b.addLayer(layer, copyShape(model.layerOutputShape(layer)));
  for (const call of callsOf(model)) {
    const to = b.idOf(call.layer) as string;
    for (const t of call.inputs) b.connect(b.idOf(t.node.layer) as string, to);
  }
  const idOfTensor = (t: SymbolicTensor) => b.idOf(t.node.layer) as string;
  return {
    name: model.name, className: model.className, nodes: b.nodes, edges: b.edges,
    inputs: unique(model.inputs.map(idOfTensor)), outputs: unique(model.outputs.map(idOfTensor)),
  };
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

/** Layers of a subclassed model in the order they finish on one inference pass over zeros. */
function callOrder(model: Model): Layer[] {
  const shape = model.builtInputShape;
  if (!model.built || shape === null) {
    throw new ValueError(`Model "${model.name}" (subclassed ${model.className}) has not been built, so the order of its layers is unknown: call model.build(inputShape) or run it on data first`);
  }
  const held = new Set(model.layers);
  const ran: Layer[] = [];
  const shapes = isShapeList(shape) ? shape : [shape as SymShape];
  noGrad(() => withOutputProbe((layer) => {
    if (held.has(layer) && !ran.includes(layer)) ran.push(layer);
  }, () => {
    const xs = shapes.map((s) => zeros(s.map((d, i) => (d === null && i === 0 ? 1 : (d ?? 1)))));
    model.apply(xs.length === 1 ? xs[0] : xs, { training: false });
  }));
  return ran;
}

function subclassedGraph(model: Model): ModelGraph {
  const ran = callOrder(model);
  const b = new GraphBuilder();
  const shape = model.builtInputShape as SymShape | SymShape[];
  const inputShapes = isShapeList(shape) ? shape : [shape as SymShape];
  // Stand-in input nodes: a subclassed model has no InputLayer of its own.
  const inputs = inputShapes.map((s, i) => {
    const name = inputShapes.length === 1 ? 'input_layer' : `input_layer_${i + 1}`;
    return b.add({ input: i }, name, 'InputLayer', [null, ...s.slice(1)], 0);
  });
  let prev = inputs;
  for (const layer of ran) {
    const id = b.addLayer(layer, copyShape(model.layerOutputShape(layer)));
    for (const p of prev) b.connect(p, id);
    prev = [id];
  }
  return { name: model.name, className: model.className, nodes: b.nodes, edges: b.edges, inputs, outputs: ran.length > 0 ? prev : [] };
}
