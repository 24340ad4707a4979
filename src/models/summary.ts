/** The figures behind model.summary(): rows per layer and parameter totals (text via summary_format). */
import type { Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import type { SymShape } from '../layers/symbolic.js';
import { renderSummary, type SummaryRow } from './summary_format.js';
import type { Model } from './model.js';

export interface SummaryLayerInfo {
  name: string;
  className: string;
  /** Output shape with null batch, or null when unknown (subclassed model not yet called). */
  outputShape: (number | null)[] | (number | null)[][] | null;
  params: number;
  connectedTo?: string[];
}

export interface SummaryInfo {
  name: string;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  layers: SummaryLayerInfo[];
  /** The printed table. */
  text: string;
}

function rowsFor(model: Model): Layer[] {
  // Keras lists InputLayers for functional models but not for Sequential ones.
  return model.className === 'Sequential' ? model.layers.filter((l) => !(l instanceof InputLayer)) : model.layers;
}

/** Keras's rule: a functional model is "sequential-like" when it is a single chain of single-input nodes. */
function isSequentialLike(model: Model): boolean {
  if (!model.isFunctional) return true;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return false;
  let prev = model.inputs[0];
  const chain = model.layers.slice(1);
  for (const layer of chain) {
    const node = layer.inboundNodes.find((n) => n.inputs.length === 1 && n.inputs[0] === prev);
    if (!node) return false;
    prev = node.outputs[0];
  }
  return prev === model.outputs[0];
}

function connections(model: Model, layer: Layer): string[] {
  const node = model.nodeOf(layer);
  return (node?.inputs ?? []).map((t) => {
    const src = t.node.layer;
    return `${src.name}[${src.inboundNodes.indexOf(t.node)}][${t.outputIndex}]`;
  });
}

export function summarizeModel(model: Model, lineLength?: number): SummaryInfo {
  const layers = rowsFor(model);
  const seqLike = isSequentialLike(model);
  const info: SummaryLayerInfo[] = layers.map((l) => ({
    name: l.name,
    className: l.className,
    outputShape: cloneShape(model.layerOutputShape(l)),
    params: l.countParams(),
    ...(seqLike ? {} : { connectedTo: connections(model, l) }),
  }));
  const weights = model.weights;
  const trainable = weights.filter((w) => w.trainable).reduce((n, w) => n + w.size, 0);
  const total = weights.reduce((n, w) => n + w.size, 0);
  const rows: SummaryRow[] = info.map((r) => ({ name: r.name, className: r.className, outputShape: r.outputShape, params: r.params, connectedTo: r.connectedTo }));
  const text = renderSummary({
    modelName: model.name, rows, totalParams: total, trainableParams: trainable, nonTrainableParams: total - trainable,
    showConnectedTo: !seqLike,
  }, lineLength);
  return { name: model.name, totalParams: total, trainableParams: trainable, nonTrainableParams: total - trainable, layers: info, text };
}

function cloneShape(s: SymShape | SymShape[] | null): (number | null)[] | (number | null)[][] | null {
  if (s === null) return null;
  if (s.length > 0 && Array.isArray(s[0])) return (s as SymShape[]).map((x) => [...x]);
  return [...(s as SymShape)];
}
