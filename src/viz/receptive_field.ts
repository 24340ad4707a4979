/**
 * Theoretical receptive fields of every layer of a model: how many input pixels can influence one
 * output unit (`size`), how far apart neighbouring units' fields are (`jump`) and where the first
 * unit's field is centred (`start`), per spatial axis [height, width]. The per-layer arithmetic is in
 * receptive_field_rules.ts. Functional graphs and Sequentials are read from their symbolic shapes
 * (nothing is computed); a subclassed model is run once on zeros to see which layer feeds which.
 */
import { ValueError } from '../errors.js';
import { isRecording } from '../autograd/tape.js';
import { Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import { formatShapeTuple, type GraphNode, type SymShape, type SymbolicTensor } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { executionOrder } from '../models/graph.js';
import { Sequential } from '../models/sequential.js';
import { zeros } from '../ops/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { traceLayerCalls } from './call_trace.js';
import { type Field, INPUT_FIELD, layerField } from './receptive_field_rules.js';

export interface ReceptiveFieldRow {
  /** Layer name; layers of a nested model are prefixed with the model's name ("stem/conv"). */
  name: string;
  className: string;
  /** Output shape with the batch dimension null. */
  outputShape: (number | null)[];
  /** Input pixels one output unit can see, [height, width] (the whole input when `global`). */
  size: [number, number];
  /** Input pixels between neighbouring output units (the input size when `global`). */
  jump: [number, number];
  /** Centre of output unit (0, 0)'s field in input pixel coordinates (pixel centres 0, 1, 2…). */
  start: [number, number];
  /** Every unit sees the whole input (after Flatten, Dense on vectors, global pooling…). */
  global: boolean;
  /** 2, 3… for the second, third… call of a layer used several times (a shared pooling layer). */
  call?: number;
  note?: string;
}

interface Walk {
  rows: ReceptiveFieldRow[];
  inputSize: [number, number];
  calls: Map<Layer, number>;
}

function batchless(shape: readonly (number | null)[]): (number | null)[] {
  return [null, ...shape.slice(1)];
}

function pushRow(walk: Walk, prefix: string, layer: Layer, outShape: SymShape, field: Field, note?: string): void {
  const n = (walk.calls.get(layer) ?? 0) + 1;
  walk.calls.set(layer, n);
  walk.rows.push({
    name: prefix + layer.name, className: layer.className, outputShape: batchless(outShape),
    size: [field.h.size, field.w.size], jump: [field.h.jump, field.w.jump], start: [field.h.start, field.w.start],
    global: field.global, ...(n > 1 ? { call: n } : {}), ...(note ? { note } : {}),
  });
}

function firstShape(s: SymShape | SymShape[] | null, layer: Layer): SymShape {
  if (s === null) throw new ValueError(`the output shape of layer "${layer.name}" is unknown; build the model (or call it once) first`);
  return (s.length > 0 && Array.isArray(s[0]) ? s[0] : s) as SymShape;
}

function walkSequential(model: Sequential, input: Field, walk: Walk, prefix: string): Field[] {
  let inShape = model.inputShape;
  if (!inShape) throw new ValueError(`Sequential "${model.name}" has no input shape yet; give its first layer an inputShape or build() it`);
  let f = input;
  for (const layer of model.layers) {
    const outShape = firstShape(model.layerOutputShape(layer), layer);
    if (layer instanceof Model) {
      f = walkModel(layer, [f], walk, `${prefix}${layer.name}/`)[0];
      pushRow(walk, prefix, layer, outShape, f);
    } else {
      const r = layerField(layer, [f], [inShape], outShape, walk.inputSize);
      f = r.field;
      pushRow(walk, prefix, layer, outShape, f, r.note);
    }
    inShape = outShape;
  }
  return [f];
}

/** Nodes reachable from the outputs, inputs first (the order the graph runs in). */
function graphNodes(model: Model): GraphNode[] {
  return executionOrder(model.outputs, model.name);
}

function walkFunctional(model: Model, inputs: Field[], walk: Walk, prefix: string): Field[] {
  const fields = new Map<SymbolicTensor, Field>();
  model.inputs.forEach((t, i) => fields.set(t, inputs[i]));
  for (const node of graphNodes(model)) {
    const layer = node.layer;
    if (layer instanceof InputLayer) {
      // Keras lists a functional model's inputs as rows; a nested model's input is its caller's tensor.
      if (prefix === '') pushRow(walk, prefix, layer, layer.batchShape, fields.get(node.outputs[0]) ?? INPUT_FIELD);
      continue;
    }
    const ins = node.inputs.map((t) => fields.get(t) as Field);
    if (layer instanceof Model) {
      const outs = walkModel(layer, ins, walk, `${prefix}${layer.name}/`);
      node.outputs.forEach((t, i) => fields.set(t, outs[i] ?? outs[0]));
      pushRow(walk, prefix, layer, node.outputs[0].shape, outs[0]);
      continue;
    }
    const r = layerField(layer, ins, node.inputs.map((t) => t.shape), node.outputs[0].shape, walk.inputSize);
    for (const t of node.outputs) fields.set(t, r.field);
    pushRow(walk, prefix, layer, node.outputs[0].shape, r.field, r.note);
  }
  return model.outputs.map((t) => fields.get(t) as Field);
}

/** Every non-model layer inside `model`, however deeply nested. */
function leafLayers(model: Model): Layer[] {
  return model.subLayers().flatMap((l) => (l instanceof Model ? leafLayers(l) : [l]));
}

/**
 * A subclassed model's data flow exists only in its call(): run it once on zeros and follow each
 * layer call's input tensors back to the calls that produced them.
 */
function walkSubclassed(model: Model, input: Field, walk: Walk, prefix: string): Field[] {
  const shape = model.builtInputShape;
  if (!shape || (shape.length > 0 && Array.isArray(shape[0]))) {
    throw new ValueError(`subclassed model "${model.name}" must be built (model.build(inputShape)) or called once on a single input before its receptive fields can be traced`);
  }
  if (!isRecording()) {
    throw new ValueError('receptiveFields() of a subclassed model cannot run inside noGrad(): inference fusion would hide layer calls from the trace');
  }
  const dims = (shape as SymShape).map((d, i) => (i === 0 ? 1 : d));
  if (dims.some((d) => d === null)) throw new ValueError(`receptive fields need the input's size; "${model.name}" was built for ${formatShapeTuple(shape as SymShape)}`);
  const x = zeros(dims as number[]);
  const { result, calls } = traceLayerCalls(leafLayers(model), () => model.apply(x, { training: false }) as Tensor | Tensor[]);
  const fields = new Map<Tensor, { field: Field; shape: SymShape }>([[x, { field: input, shape: batchless(x.shape) }]]);
  for (const c of calls) {
    const ins = c.inputs.map((t) => {
      const known = fields.get(t);
      if (!known) throw new ValueError(`cannot follow "${model.name}": an input of layer "${c.layer.name}" was computed in call() by code outside any layer; receptive fields follow layer calls only`);
      return known;
    });
    const outShape = batchless(c.outputs[0].shape);
    const r = layerField(c.layer, ins.map((k) => k.field), ins.map((k) => k.shape), outShape, walk.inputSize);
    for (const t of c.outputs) fields.set(t, { field: r.field, shape: batchless(t.shape) });
    pushRow(walk, prefix, c.layer, outShape, r.field, r.note);
  }
  const outs = Array.isArray(result) ? result : [result];
  return outs.map((t) => fields.get(t)?.field ?? input);
}

function walkModel(model: Model, inputs: Field[], walk: Walk, prefix: string): Field[] {
  if (model instanceof Sequential) return walkSequential(model, inputs[0], walk, prefix);
  if (model.isFunctional) return walkFunctional(model, inputs, walk, prefix);
  return walkSubclassed(model, inputs[0], walk, prefix);
}

function modelInputShape(model: Model): SymShape | null {
  if (model instanceof Sequential) return model.inputShape;
  if (model.isFunctional) return model.inputs[0].shape;
  const s = model.builtInputShape;
  return s && !(s.length > 0 && Array.isArray(s[0])) ? (s as SymShape) : null;
}

/** One row per layer call, in execution order (a functional model's InputLayer first, as in its summary). */
export function receptiveFields(model: Model): ReceptiveFieldRow[] {
  const shape = modelInputShape(model);
  if (!shape) throw new ValueError(`model "${model.name}" has no known input shape; build it (or call it once) first`);
  if (shape.length !== 3 && shape.length !== 4) {
    throw new ValueError(`receptive fields are defined for images (batch, height, width, channels) and sequences (batch, steps, channels); "${model.name}" takes ${formatShapeTuple(shape)}`);
  }
  const H = shape[1];
  const W = shape.length === 4 ? shape[2] : 1;
  if (H === null || W === null) {
    throw new ValueError(`receptive fields need a fixed input size; "${model.name}" takes ${formatShapeTuple(shape)}: rebuild it with a concrete inputShape`);
  }
  const walk: Walk = { rows: [], inputSize: [H, W], calls: new Map() };
  walkModel(model, model.isFunctional ? model.inputs.map(() => INPUT_FIELD) : [INPUT_FIELD], walk, '');
  return walk.rows;
}

/** The row of the (first call of the) layer named `name`, or a ValueError listing the names. */
export function receptiveFieldOf(rows: readonly ReceptiveFieldRow[], name: string): ReceptiveFieldRow {
  const row = rows.find((r) => r.name === name);
  if (!row) throw new ValueError(`No such layer: "${name}". Layers: ${[...new Set(rows.map((r) => r.name))].join(', ')}`);
  return row;
}

function num(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
}

function pairText(v: readonly [number, number]): string {
  return `${num(v[0])}x${num(v[1])}`;
}

/** A plain-text table: layer, output shape, receptive field, jump and start; notes underneath. */
export function receptiveFieldTable(rows: readonly ReceptiveFieldRow[]): string {
  const header = ['Layer (type)', 'Output shape', 'Receptive field', 'Jump', 'Start (y, x)'];
  const cells = rows.map((r) => [
    `${r.name}${r.call ? ` (call ${r.call})` : ''} (${r.className})`,
    formatShapeTuple(r.outputShape),
    r.global ? `global (${pairText(r.size)})` : pairText(r.size),
    r.global ? '-' : pairText(r.jump),
    r.global ? '-' : `(${num(r.start[0])}, ${num(r.start[1])})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`);
  return [
    line(header), rule, ...cells.map(line), rule,
    'Receptive field: input pixels one output unit can see (theoretical); jump: input pixels between neighbouring units;',
    'start: centre of unit (0, 0)\'s field in input pixels (negative: it reaches into padding).',
    ...(notes.length ? ['Notes:', ...notes] : []),
  ].join('\n');
}
