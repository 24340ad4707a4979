/**
 * Stateful metrics (Keras semantics): update per batch, result() is the running value over the
 * epoch weighted by sample count. 'accuracy' resolves to the sparse/categorical/binary form from
 * the loss or the shapes, as Keras does.
 */
import { argmaxRow } from './argmax.js';
import { unknownName } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Loss } from '../losses/index.js';

export abstract class Metric {
  abstract readonly name: string;
  private total = 0;
  private count = 0;

  /** Per-sample values for a batch; the running mean is kept by update(). */
  protected abstract values(yTrue: Tensor, yPred: Tensor): Float64Array;

  update(yTrue: Tensor, yPred: Tensor): void {
    const v = this.values(yTrue, yPred);
    for (let i = 0; i < v.length; i++) this.total += v[i];
    this.count += v.length;
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  /** The running sums, so a resumed epoch reports what an uninterrupted one would. */
  getState(): { total: number; count: number } {
    return { total: this.total, count: this.count };
  }

  setState(state: { total: number; count: number }): void {
    this.total = state.total;
    this.count = state.count;
  }
}

function rowsOf(yPred: Tensor): { n: number; c: number } {
  const c = yPred.rank > 1 ? yPred.shape[yPred.rank - 1] : 1;
  return { n: yPred.size / c, c };
}

/** Rank of the true class among the predictions of a row (0 = top). */
function rankOf(p: ArrayLike<number>, off: number, c: number, label: number): number {
  let r = 0;
  const v = p[off + label];
  for (let j = 0; j < c; j++) if (p[off + j] > v) r++;
  return r;
}

export class SparseCategoricalAccuracy extends Metric {
  constructor(readonly name = 'sparse_categorical_accuracy') { super(); }
  protected values(yTrue: Tensor, yPred: Tensor): Float64Array {
    const { n, c } = rowsOf(yPred);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = argmaxRow(yPred.values, i * c, c) === yTrue.values[i] ? 1 : 0;
    return out;
  }
}

export class CategoricalAccuracy extends Metric {
  constructor(readonly name = 'categorical_accuracy') { super(); }
  protected values(yTrue: Tensor, yPred: Tensor): Float64Array {
    const { n, c } = rowsOf(yPred);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = argmaxRow(yPred.values, i * c, c) === argmaxRow(yTrue.values, i * c, c) ? 1 : 0;
    return out;
  }
}

export class BinaryAccuracy extends Metric {
  constructor(readonly name = 'binary_accuracy', readonly threshold = 0.5) { super(); }
  protected values(yTrue: Tensor, yPred: Tensor): Float64Array {
    const { n, c } = rowsOf(yPred);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += (yPred.values[i * c + j] > this.threshold ? 1 : 0) === yTrue.values[i * c + j] ? 1 : 0;
      out[i] = s / c;
    }
    return out;
  }
}

export class TopKCategoricalAccuracy extends Metric {
  constructor(readonly k = 5, readonly name = 'top_k_categorical_accuracy') { super(); }
  protected values(yTrue: Tensor, yPred: Tensor): Float64Array {
    const { n, c } = rowsOf(yPred);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = rankOf(yPred.values, i * c, c, argmaxRow(yTrue.values, i * c, c)) < this.k ? 1 : 0;
    return out;
  }
}

export class SparseTopKCategoricalAccuracy extends Metric {
  constructor(readonly k = 5, readonly name = 'sparse_top_k_categorical_accuracy') { super(); }
  protected values(yTrue: Tensor, yPred: Tensor): Float64Array {
    const { n, c } = rowsOf(yPred);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = rankOf(yPred.values, i * c, c, yTrue.values[i]) < this.k ? 1 : 0;
    return out;
  }
}

/** Mean of a per-sample function, e.g. a loss used as a metric. */
export class MeanMetricWrapper extends Metric {
  constructor(readonly name: string, private readonly fn: (t: Tensor, p: Tensor) => Tensor) { super(); }
  protected values(yTrue: Tensor, yPred: Tensor): Float64Array {
    return Float64Array.from(this.fn(yTrue, yPred).values);
  }
}

export const METRIC_NAMES = ['accuracy', 'acc', 'sparse_categorical_accuracy', 'categorical_accuracy', 'binary_accuracy',
  'top_k_categorical_accuracy', 'sparse_top_k_categorical_accuracy'];

export type MetricSpec = string | Metric;

/** Resolve a metric; 'accuracy'/'acc' pick the variant matching the loss (or, failing that, the shapes). */
export function getMetric(spec: MetricSpec, loss: Loss | null, shapes?: { yTrue: readonly number[]; yPred: readonly number[] }): Metric {
  if (spec instanceof Metric) return spec;
  const key = String(spec).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (key === 'accuracy' || key === 'acc') {
    const lname = loss?.name ?? '';
    if (lname === 'sparse_categorical_crossentropy') return new SparseCategoricalAccuracy(spec);
    if (lname === 'categorical_crossentropy') return new CategoricalAccuracy(spec);
    if (lname === 'binary_crossentropy') return new BinaryAccuracy(spec);
    if (shapes) {
      const last = shapes.yPred[shapes.yPred.length - 1];
      if (last === 1) return new BinaryAccuracy(spec);
      if (shapes.yTrue.length < shapes.yPred.length || shapes.yTrue[shapes.yTrue.length - 1] === 1) return new SparseCategoricalAccuracy(spec);
    }
    return new CategoricalAccuracy(spec);
  }
  switch (key) {
    case 'sparse_categorical_accuracy': return new SparseCategoricalAccuracy();
    case 'categorical_accuracy': return new CategoricalAccuracy();
    case 'binary_accuracy': return new BinaryAccuracy();
    case 'top_k_categorical_accuracy': return new TopKCategoricalAccuracy();
    case 'sparse_top_k_categorical_accuracy': return new SparseTopKCategoricalAccuracy();
  }
  throw unknownName('metric', spec, METRIC_NAMES);
}

export const topKCategoricalAccuracy = (k = 5) => new TopKCategoricalAccuracy(k);
export const sparseTopKCategoricalAccuracy = (k = 5) => new SparseTopKCategoricalAccuracy(k);
