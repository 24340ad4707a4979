/** Reductions over a set of axes, and argmax/argmin along one axis. */
import type { DataArray, FloatArray, ReduceOp } from '../backend.js';
import { coalesce, forEachRow } from './broadcast.js';
import { allocLike, prodRange, sizeOf, stridesOf } from './util.js';

/** No element is NaN or ±∞: v·0 is 0 for finite v and NaN otherwise, so the sums stay 0 exactly then. */
export function allFinite(x: DataArray): boolean {
  if (x instanceof Int32Array) return true;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = x.length - (x.length % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += x[i] * 0; s1 += x[i + 1] * 0; s2 += x[i + 2] * 0; s3 += x[i + 3] * 0;
  }
  for (let i = n4; i < x.length; i++) s0 += x[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * Walks the input in memory order and folds each element into its output cell (the output is the
 * input with reduced axes given stride 0). Partial results are kept in float64 so long float32 sums
 * do not drift. NaN propagates through max/min, as in numpy and TensorFlow.
 */
export function reduce(op: ReduceOp, x: FloatArray, shape: readonly number[], axes: readonly number[]): FloatArray {
  const reduced = new Set(axes);
  const outShape = shape.filter((_, i) => !reduced.has(i));
  const outSize = sizeOf(outShape);
  const outStridesKept = stridesOf(outShape);
  const outStrides: number[] = [];
  let kept = 0;
  for (let i = 0; i < shape.length; i++) outStrides.push(reduced.has(i) ? 0 : outStridesKept[kept++]);

  const acc = new Float64Array(outSize).fill(op === 'max' ? -Infinity : op === 'min' ? Infinity : op === 'prod' ? 1 : 0);
  const loop = coalesce(shape, [stridesOf(shape), outStrides]);
  const so = loop.strides[1][loop.dims.length - 1];
  forEachRow(loop, (xi, offs, len) => foldRow(op, x, xi, acc, offs[1], so, len));

  if (op === 'mean') {
    const count = sizeOf(shape) / Math.max(outSize, 1);
    for (let i = 0; i < outSize; i++) acc[i] /= count;
  }
  const out = allocLike(x, outSize);
  out.set(acc);
  return out;
}

/** Folds x[xi..xi+len) into acc[ai + j·sa]; sa is 0 when the whole row lands in one cell. */
function foldRow(op: ReduceOp, x: FloatArray, xi: number, acc: Float64Array, ai: number, sa: number, len: number): void {
  switch (op) {
    case 'sum': case 'mean':
      if (sa === 0) {
        let s = 0;
        for (let j = 0; j < len; j++) s += x[xi + j];
        acc[ai] += s;
      } else {
        for (let j = 0; j < len; j++) acc[ai + j * sa] += x[xi + j];
      }
      break;
    case 'prod':
      for (let j = 0; j < len; j++) acc[ai + j * sa] *= x[xi + j];
      break;
    case 'max':
      for (let j = 0; j < len; j++) {
        const v = x[xi + j], k = ai + j * sa;
        if (v > acc[k] || v !== v) acc[k] = v;
      }
      break;
    case 'min':
      for (let j = 0; j < len; j++) {
        const v = x[xi + j], k = ai + j * sa;
        if (v < acc[k] || v !== v) acc[k] = v;
      }
      break;
    default: throw new Error(`js backend: unknown reduce op ${String(op satisfies never)}`);
  }
}

/** First index of the max (min) along `axis`; a NaN counts as the extreme, as numpy's argmax. */
export function argReduce(op: 'argmax' | 'argmin', x: DataArray, shape: readonly number[], axis: number): Int32Array {
  const outer = prodRange(shape, 0, axis), len = shape[axis], inner = prodRange(shape, axis + 1, shape.length);
  const out = new Int32Array(outer * inner);
  if (len === 0) return out;
  const best = new Float64Array(inner);
  const sign = op === 'argmax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    const base = o * len * inner;
    for (let q = 0; q < inner; q++) best[q] = sign * x[base + q];
    for (let p = 1; p < len; p++) {
      const row = base + p * inner;
      for (let q = 0; q < inner; q++) {
        const v = sign * x[row + q], cur = best[q];
        // Strict comparison keeps the first index on ties; once a NaN is held, nothing replaces it.
        if (v > cur || (v !== v && cur === cur)) {
          best[q] = v;
          out[o * inner + q] = p;
        }
      }
    }
  }
  return out;
}
