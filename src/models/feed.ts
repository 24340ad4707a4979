/**
 * Where fit/evaluate/predict get their batches: slices of in-memory tensors (shuffled per epoch)
 * or a BatchSource (generators, image folders), behind one interface so the training loop is
 * written once.
 */
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Batch, BatchSource } from '../data/batch_source.js';

/** One batch as training uses it: inputs, one target per model output, optional sample weights. */
export interface FeedBatch {
  x: Tensor;
  ys: Tensor[];
  w?: Tensor;
}

export interface Feed {
  /** Batches per epoch. */
  readonly steps: number;
  /** Samples per epoch when known up front (for progress), else null. */
  readonly samples: number | null;
  beginEpoch(): void;
  get(b: number): FeedBatch | Promise<FeedBatch>;
  endEpoch(): void;
}

export function checkFinite(t: Tensor, what: string): void {
  if (ops.allFinite(t)) return;
  const v = t.values;
  const per = t.size / Math.max(1, t.shape[0]);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new ValueError(`${what} contains ${Number.isNaN(v[i]) ? 'NaN' : 'an infinite value'} at sample ${Math.floor(i / per)} (flat index ${i}); clean or impute the data before training`);
    }
  }
}

export function checkSamples(x: Tensor, y: Tensor): void {
  if (x.rank === 0 || y.rank === 0) throw new ShapeError('x and y must have a leading batch dimension');
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`x and y must have the same number of samples: x has ${x.shape[0]} (shape (${x.shape.join(', ')})), y has ${y.shape[0]} (shape (${y.shape.join(', ')}))`);
  }
}

/** One finite, non-negative weight per sample: shape [n] or [n, 1]. */
export function checkSampleWeights(w: Tensor, n: number, what: string): void {
  if (!(w instanceof Tensor)) throw new ValueError(`${what} must be a tensor or an array of numbers, one per sample`);
  if (w.size !== n || w.shape[0] !== n || w.rank > 2) {
    throw new ShapeError(`${what}: expected one weight per sample, shape (${n},) or (${n}, 1); got shape (${w.shape.join(', ')})`);
  }
  const v = w.values;
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0) || !Number.isFinite(v[i])) throw new ValueError(`${what}: weight ${v[i]} at sample ${i} is not a finite number >= 0`);
  }
}

function batches(n: number, batchSize: number, order: Int32Array | null): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < n; s += batchSize) {
    const idx: number[] = [];
    for (let i = s; i < Math.min(n, s + batchSize); i++) idx.push(order ? order[i] : i);
    out.push(idx);
  }
  return out;
}

function take(t: Tensor, idx: number[], contiguousFrom: number | null): Tensor {
  if (contiguousFrom !== null) return ops.slice(t, [contiguousFrom, ...t.shape.slice(1).map(() => 0)], [idx.length, ...t.shape.slice(1)]);
  return ops.gather(t, idx, 0);
}

/** Batches of in-memory tensors (targets of every output, per-sample weights), reshuffled at every epoch when `rng` is given. */
export function tensorFeed(x: Tensor, ys: Tensor[], batchSize: number, rng: Random | null, w: Tensor | null = null): Feed {
  const n = x.shape[0];
  let order: Int32Array | null = null;
  let plan = batches(n, batchSize, null);
  return {
    steps: plan.length,
    samples: n,
    beginEpoch() {
      if (!rng) return;
      order = rng.shuffle(Int32Array.from({ length: n }, (_, i) => i));
      plan = batches(n, batchSize, order);
    },
    get(b) {
      const idx = plan[b];
      const from = order ? null : idx[0];
      return { x: take(x, idx, from), ys: ys.map((y) => take(y, idx, from)), ...(w ? { w: take(w, idx, from) } : {}) };
    },
    endEpoch() {},
  };
}

/** A BatchSource, with every batch checked as in-memory data is (same sample count, finite x). */
export function sourceFeed(source: BatchSource, what: string): Feed {
  const steps = source.length;
  if (!Number.isInteger(steps) || steps <= 0) throw new ValueError(`${what}: the batch source has ${steps} batches per epoch; expected a positive integer`);
  const check = (batch: Batch, b: number): FeedBatch => {
    if (!Array.isArray(batch) || !(batch[0] instanceof Tensor) || !(batch[1] instanceof Tensor)) {
      throw new ValueError(`${what}: batch ${b} of the source is not an [x, y] pair of tensors`);
    }
    checkSamples(batch[0], batch[1]);
    checkFinite(batch[0], `${what} (batch ${b})`);
    if (batch[2] !== undefined) checkSampleWeights(batch[2], batch[0].shape[0], `${what} (batch ${b}) sample weights`);
    return { x: batch[0], ys: [batch[1]], ...(batch[2] !== undefined ? { w: batch[2] } : {}) };
  };
  return {
    steps,
    samples: null,
    beginEpoch() {},
    get(b) {
      const batch = source.batch(b);
      return batch instanceof Promise ? batch.then((v) => check(v, b)) : check(batch, b);
    },
    endEpoch() {
      source.onEpochEnd?.();
    },
  };
}
