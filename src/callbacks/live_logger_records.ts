/**
 * The records LiveLogger writes besides scalars: feature-map snapshots of one sample, the first
 * convolution's kernel, the validation confusion matrix and the model description. Pure functions
 * of the model and data (no files), in the shapes src/dashboard/logdir_format.ts documents.
 */
import { argmaxRow } from '../metrics/argmax.js';
import { flatLayers } from '../layers/layer_tree.js';
import { ValueError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { Model } from '../models/model.js';
import { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { type BatchSource, isBatchSource } from '../data/batch_source.js';
import { modelGraph } from '../viz/model_graph.js';
import { layerActivations } from '../viz/feature_maps.js';
import {
  type ConfusionInfo, type FilterRecord, type ModelInfo, type SnapshotImage, type SnapshotLayer, encodeFloat32LE, encodeUint8,
} from '../dashboard/logdir_format.js';

/** Validation data as fit() takes it: in-memory [x, y] or a batch source. */
export type ValidationData = [Tensor, Tensor] | BatchSource;

/** A [1, h, w, c] sample (a [h, w, c] one gets its batch axis). */
export function asSampleBatch(x: Tensor, what: string): Tensor {
  if (x.rank === 3) return ops.reshape(x, [1, ...x.shape]);
  if (x.rank === 4 && x.shape[0] === 1) return x;
  throw new ValueError(`${what} must be one image of shape [1, h, w, c] or [h, w, c], got [${x.shape.join(', ')}]`);
}

/** Sample `i` of x as a [1, …] batch. */
export function sampleAt(x: Tensor, i: number): Tensor {
  return ops.slice(x, [i, ...x.shape.slice(1).map(() => 0)], [1, ...x.shape.slice(1)]);
}

/** The class index of each target: sparse labels ([n] or [n, 1]) or one-hot rows ([n, C]). */
export function classIndices(y: Tensor): Int32Array {
  const n = y.shape[0];
  const out = new Int32Array(n);
  const v = y.values;
  if (y.rank === 1 || (y.rank === 2 && y.shape[1] === 1)) {
    for (let i = 0; i < n; i++) out[i] = Math.round(v[i]);
    return out;
  }
  const c = y.size / n;
  for (let i = 0; i < n; i++) out[i] = argmaxRow(v, i * c, c);
  return out;
}

/** Values scaled to bytes: min..max → 0..255 (all 0 when the values are constant). */
function scaledBytes(values: ArrayLike<number>, min: number, max: number): Uint8Array {
  const out = new Uint8Array(values.length);
  const range = max - min;
  if (!(range > 0) || !Number.isFinite(range)) return out;
  for (let i = 0; i < values.length; i++) {
    const t = (values[i] - min) / range;
    out[i] = Number.isFinite(t) ? Math.round(Math.min(1, Math.max(0, t)) * 255) : 0;
  }
  return out;
}

function finiteRange(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/**
 * The sample as displayable bytes: values in [0, 1] are scaled by 255 (images divided by 255),
 * values in [0, 255] kept, anything else (standardised inputs) mapped min..max → 0..255.
 */
export function sampleImage(sample: Tensor, label: number | undefined): SnapshotImage {
  const [, h, w, c] = sample.shape;
  const v = sample.values;
  const { min, max } = finiteRange(v);
  const bytes = min >= 0 && max <= 1 ? scaledBytes(v, 0, 1) : min >= 0 && max <= 255 ? scaledBytes(v, 0, 255) : scaledBytes(v, min, max);
  const image: SnapshotImage = { shape: [h, w, c], data: encodeUint8(bytes) };
  if (label !== undefined) image.label = label;
  return image;
}

/** The first `keep` channels of an [h, w, c] array, still HWC. */
function firstChannels(v: ArrayLike<number>, hw: number, c: number, keep: number): Float32Array {
  const out = new Float32Array(hw * keep);
  for (let p = 0; p < hw; p++) for (let k = 0; k < keep; k++) out[p * keep + k] = v[p * c + k];
  return out;
}

/** The feature maps of the layers with a 4-D output on one sample, each cut to `maxChannels`. */
export function snapshotLayers(model: Model, sample: Tensor, maxChannels: number): SnapshotLayer[] {
  const layers: SnapshotLayer[] = [];
  const seen = new Set<Layer>();
  for (const { layer, output } of layerActivations(model, sample)) {
    // A layer called twice (shared) is shown at its first call.
    if (seen.has(layer)) continue;
    seen.add(layer);
    // Inputs repeat the sample; a nested model's output repeats its last layer's.
    if (output.rank !== 4 || output.shape[0] !== 1 || layer.className === 'InputLayer' || layer.subLayers().length > 0) continue;
    const [, h, w, c] = output.shape;
    const keep = Math.min(c, maxChannels);
    const values = keep === c ? output.values : firstChannels(output.values, h * w, c, keep);
    const { min, max } = finiteRange(values);
    layers.push({ name: layer.name, className: layer.className, shape: [h, w, keep], min, max, data: encodeUint8(scaledBytes(values, min, max)) });
  }
  return layers;
}

/** The first layer with a 4-D `kernel` (Conv2D, DepthwiseConv2D, Conv2DTranspose…), or null. */
export function firstConvolution(model: Model): { layer: Layer; kernel: Tensor } | null {
  for (const layer of flatLayers(model)) {
    const kernel = (layer as { kernel?: unknown }).kernel;
    if (kernel instanceof Tensor && kernel.rank === 4) return { layer, kernel };
  }
  return null;
}

export function filterRecord(model: Model, epoch: number, step: number): FilterRecord | null {
  const conv = firstConvolution(model);
  if (conv === null) return null;
  const [kh, kw, cin, cout] = conv.kernel.shape;
  return { epoch, step, layer: conv.layer.name, shape: [kh, kw, cin, cout], data: encodeFloat32LE(conv.kernel.values) };
}

/** The first `n` samples of in-memory data, or batches of a source until `n` samples. */
async function* validationBatches(data: ValidationData, n: number): AsyncGenerator<[Tensor, Tensor]> {
  if (!isBatchSource(data)) {
    const [x, y] = data;
    const m = Math.min(n, x.shape[0]);
    const head = (t: Tensor) => (m === t.shape[0] ? t : ops.slice(t, t.shape.map(() => 0), [m, ...t.shape.slice(1)]));
    yield [head(x), head(y)];
    return;
  }
  let taken = 0;
  for (let i = 0; i < data.length && taken < n; i++) {
    const [x, y] = await data.batch(i);
    const m = Math.min(n - taken, x.shape[0]);
    const head = (t: Tensor) => (m === t.shape[0] ? t : ops.slice(t, t.shape.map(() => 0), [m, ...t.shape.slice(1)]));
    taken += m;
    yield [head(x), head(y)];
  }
}

/**
 * matrix[true][predicted] over up to `maxSamples` validation samples; classes = the model's
 * output width (labels outside it are not counted). Null for a model without a class output.
 */
export async function confusionMatrix(
  model: Model, data: ValidationData, maxSamples: number, classNames: readonly string[] | undefined, epoch: number,
): Promise<ConfusionInfo | null> {
  let matrix: number[][] | null = null;
  for await (const [x, y] of validationBatches(data, maxSamples)) {
    const pred = model.predict(x, { batchSize: 256 });
    if (!(pred instanceof Tensor) || pred.rank !== 2) return null;
    // One sigmoid unit is a two-class classifier (class 1 when p > 0.5, as binary accuracy counts).
    const sigmoid = pred.shape[1] === 1;
    const classes = sigmoid ? 2 : pred.shape[1];
    matrix ??= Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    const truth = classIndices(y);
    for (let i = 0; i < truth.length; i++) {
      const t = truth[i];
      if (t < 0 || t >= classes) continue;
      const p = sigmoid ? (pred.values[i] > 0.5 ? 1 : 0) : argmaxRow(pred.values, i * classes, classes);
      matrix[t][p] += 1;
    }
  }
  if (matrix === null) return null;
  const labels = matrix.map((_, k) => classNames?.[k] ?? String(k));
  return { epoch, labels, matrix };
}

/** model.json: the summary table's numbers and the layer graph. */
export function modelInfo(model: Model): ModelInfo {
  const s = model.summary({ printFn: null });
  return {
    summary: {
      totalParams: s.totalParams, trainableParams: s.trainableParams, nonTrainableParams: s.nonTrainableParams,
      layers: s.layers.map((l) => ({ name: l.name, className: l.className, outputShape: l.outputShape, params: l.params })),
    },
    graph: modelGraph(model),
  };
}
