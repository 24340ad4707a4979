/**
 * Effective receptive field (Luo, Li, Urtasun & Zemel, "Understanding the Effective Receptive Field in
 * Deep Convolutional Neural Networks", NIPS 2016): how strongly each input pixel actually influences
 * one unit of a layer, as opposed to the theoretical field, which only says which pixels can.
 *
 * For a layer with a (1, h, w, c) output the unit is the centre position (floor((h−1)/2),
 * floor((w−1)/2)), summed over the c channels (Luo et al. seed the gradient with 1 at the centre of
 * every channel; the sum is what that seed differentiates). The map is |∂ unit / ∂ input| summed over
 * the input channels and averaged over N inputs: the embedded MNIST test digits (the first N) when the
 * model takes 28×28×1 digits, otherwise (or on request) uniform random images in [0, 1) from a fixed
 * seed. Seed 003 describes the result: the centre pixels weigh most, falling off roughly as a Gaussian.
 */
import { ValueError } from '../errors.js';
import { gradients, isRecording } from '../autograd/tape.js';
import type { Model } from '../models/model.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { embeddedMnistSplits } from '../data/datasets/mnist.js';
import { findLayer, imageInputShape, outputOf, shapeText } from './model_probe.js';
import { receptiveFields, type ReceptiveFieldRow } from './receptive_field.js';

export type ErfInputs = 'digits' | 'random';

export interface ErfOptions {
  /** Number of inputs averaged (default 32). */
  samples?: number;
  /** 'digits' (embedded MNIST test digits) or 'random'; default digits for 28×28×1 models, else random. */
  inputs?: ErfInputs;
  /** Seed of the random inputs (default 0). */
  seed?: number;
  /** Inputs differentiated per forward pass (default 16); only memory depends on it. */
  batchSize?: number;
}

/** The theoretical field of the chosen unit, in input pixel rows/columns (inclusive; may pass the image edge). */
export interface FieldBox {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface EffectiveReceptiveField {
  /** Mean |gradient|, row-major over the input's height × width. */
  map: Float32Array;
  height: number;
  width: number;
  layer: string;
  /** The layer's output shape, batch 1. */
  outputShape: number[];
  /** The unit differentiated: [row, column] in the layer's output. */
  unit: [number, number];
  samples: number;
  inputs: ErfInputs;
  /** The layer's theoretical receptive field (null when a layer of the model has no known field rule). */
  theoretical: ReceptiveFieldRow | null;
  /** Where the theoretical field of `unit` lies in the input (null with `theoretical`). */
  box: FieldBox | null;
}

function checkSamples(n: number | undefined, what: string, fallback: number): number {
  if (n === undefined) return fallback;
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${what} must be a positive integer, got ${n}`);
  return n;
}

/** N model inputs of the chosen kind, (N, H, W, C), values 0..1. */
export function erfInputs(kind: ErfInputs, n: number, shape: readonly [number, number, number], seed = 0): Tensor {
  const [H, W, C] = shape;
  if (kind === 'random') return ops.randomUniform([n, H, W, C], 0, 1, { seed });
  if (H !== 28 || W !== 28 || C !== 1) {
    throw new ValueError(`the embedded test digits are 28×28×1, but the model takes ${H}×${W}×${C} images; use random inputs`);
  }
  const [, [xTest]] = embeddedMnistSplits();
  if (n > xTest.shape[0]) throw new ValueError(`only ${xTest.shape[0]} embedded test digits exist; asked for ${n} samples`);
  return ops.reshape(ops.div(ops.slice(xTest, [0, 0, 0], [n, 28, 28]), 255), [n, 28, 28, 1]);
}

/**
 * ∂(Σ_c output[i, cy, cx, c]) / ∂x[i] for every sample i of `x` (samples are independent in inference
 * mode, so one backward pass seeded at every sample's centre unit gives each sample's own gradient).
 * Returns the gradient (same shape as x), the layer's output shape and the unit.
 */
export function centreUnitGradient(model: Model, layerName: string, x: Tensor): { grad: Tensor; outputShape: number[]; unit: [number, number] } {
  if (!isRecording()) throw new ValueError('the effective receptive field differentiates the model: do not compute it inside noGrad()');
  const layer = findLayer(model, layerName);
  const input = ops.add(x, 0);                  // a fresh leaf, so the caller's tensor is not marked
  input.requiresGrad = true;
  const out = outputOf(model, input, layer);
  if (out.shape.length !== 4) {
    throw new ValueError(`layer "${layerName}" outputs ${shapeText(out.shape)}: the effective receptive field needs a layer with a 4-D (batch, height, width, channels) output, such as a convolution or pooling layer`);
  }
  const [n, h, w, c] = out.shape;
  const unit: [number, number] = [Math.floor((h - 1) / 2), Math.floor((w - 1) / 2)];
  const seed = new Float32Array(n * h * w * c);
  for (let i = 0; i < n; i++) seed.fill(1, ((i * h + unit[0]) * w + unit[1]) * c, ((i * h + unit[0]) * w + unit[1] + 1) * c);
  const [grad] = gradients(out, [input], ops.tensor(seed, out.shape));
  return { grad: grad ?? ops.zeros(input.shape), outputShape: [1, h, w, c], unit };
}

/** Where the theoretical field of output unit (row, col) lies in the input, pixel rows and columns. */
export function fieldBox(row: ReceptiveFieldRow, unit: readonly [number, number]): FieldBox {
  const centre = (axis: 0 | 1) => row.start[axis] + unit[axis] * row.jump[axis];
  const lo = (axis: 0 | 1) => centre(axis) - (row.size[axis] - 1) / 2;
  return { top: lo(0), left: lo(1), bottom: lo(0) + row.size[0] - 1, right: lo(1) + row.size[1] - 1 };
}

function theoreticalField(model: Model, layerName: string): ReceptiveFieldRow | null {
  try {
    return receptiveFields(model).find((r) => r.name === layerName || r.name.endsWith(`/${layerName}`)) ?? null;
  } catch (e) {
    // A layer without a field rule elsewhere in the model must not prevent the measured map.
    if (e instanceof ValueError) return null;
    throw e;
  }
}

export function effectiveReceptiveField(model: Model, layerName: string, opts: ErfOptions = {}): EffectiveReceptiveField {
  const shape = imageInputShape(model);
  const [H, W, C] = shape;
  const samples = checkSamples(opts.samples, 'samples', 32);
  const batchSize = checkSamples(opts.batchSize, 'batchSize', 16);
  const isDigitModel = H === 28 && W === 28 && C === 1;
  const kind = opts.inputs ?? (isDigitModel ? 'digits' : 'random');
  if (kind !== 'digits' && kind !== 'random') throw new ValueError(`inputs must be 'digits' or 'random', got ${JSON.stringify(kind)}`);
  const all = erfInputs(kind, samples, shape, opts.seed ?? 0);
  const map = new Float32Array(H * W);
  let outputShape: number[] = [];
  let unit: [number, number] = [0, 0];
  for (let b0 = 0; b0 < samples; b0 += batchSize) {
    const n = Math.min(batchSize, samples - b0);
    const r = centreUnitGradient(model, layerName, ops.slice(all, [b0, 0, 0, 0], [n, H, W, C]));
    ({ outputShape, unit } = r);
    const g = r.grad.values;
    for (let i = 0; i < n * H * W; i++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.abs(g[i * C + c]);
      map[i % (H * W)] += s / samples;
    }
  }
  const theoretical = theoreticalField(model, layerName);
  return {
    map, height: H, width: W, layer: layerName, outputShape, unit, samples, inputs: kind,
    theoretical, box: theoretical && !theoretical.global ? fieldBox(theoretical, unit) : null,
  };
}

export { erfFigure, type ErfFigureOptions } from './erf_figure.js';
