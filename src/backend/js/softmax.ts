/**
 * Softmax and log-softmax over the last axis of a [rows, cols] view. The row maximum is subtracted
 * before exponentiating, so large logits (1000) cannot overflow and very negative ones cannot make
 * every term underflow to a 0/0.
 */
import type { FloatArray, SoftmaxCrossEntropyResult } from '../backend.js';
import { allocLike } from './util.js';

function rowMax(x: FloatArray, off: number, cols: number): number {
  let m = -Infinity;
  for (let j = 0; j < cols; j++) if (x[off + j] > m) m = x[off + j];
  return m;
}

export function softmax(x: FloatArray, rows: number, cols: number): FloatArray {
  const y = allocLike(x, rows * cols);
  const e = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const m = rowMax(x, off, cols);
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      e[j] = Math.exp(x[off + j] - m);
      sum += e[j];
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) y[off + j] = e[j] * inv;
  }
  return y;
}

export function logSoftmax(x: FloatArray, rows: number, cols: number): FloatArray {
  const y = allocLike(x, rows * cols);
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const m = rowMax(x, off, cols);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[off + j] - m);
    const lse = m + Math.log(sum);
    for (let j = 0; j < cols; j++) y[off + j] = x[off + j] - lse;
  }
  return y;
}

export function sparseSoftmaxCrossEntropy(logits: FloatArray, labels: Int32Array, rows: number, cols: number): SoftmaxCrossEntropyResult {
  const loss = allocLike(logits, rows);
  const dlogits = allocLike(logits, rows * cols);
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const m = rowMax(logits, off, cols);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(logits[off + j] - m);
    const lse = m + Math.log(sum);
    const label = labels[r];
    loss[r] = lse - logits[off + label];
    for (let j = 0; j < cols; j++) dlogits[off + j] = Math.exp(logits[off + j] - lse) - (j === label ? 1 : 0);
  }
  return { loss, dlogits };
}
