/** Native softmax, log-softmax and sparse softmax cross-entropy (float32); float64 goes to js. */
import { allocOutput } from './alloc.js';
import type { Backend, FloatArray, SoftmaxCrossEntropyResult } from '../backend.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

type RowwiseFn = (x: Float32Array, y: Float32Array, rows: number, cols: number) => void;
type SceFn = (logits: Float32Array, labels: Int32Array, loss: Float32Array, dlogits: Float32Array, rows: number,
  cols: number) => void;

export function softmaxKernels(addon: NativeAddon): Pick<Backend, 'softmax' | 'logSoftmax' | 'sparseSoftmaxCrossEntropy'> {
  const nSoftmax = addon.softmax as RowwiseFn;
  const nLogSoftmax = addon.logSoftmax as RowwiseFn;
  const nSce = addon.sparseSoftmaxCrossEntropy as SceFn;
  return {
    softmax(x: FloatArray, rows: number, cols: number): FloatArray {
      if (!(x instanceof Float32Array)) return jsFallback.softmax(x, rows, cols);
      const y = allocOutput(rows * cols, false);
      nSoftmax(x, y, rows, cols);
      return y;
    },
    logSoftmax(x: FloatArray, rows: number, cols: number): FloatArray {
      if (!(x instanceof Float32Array)) return jsFallback.logSoftmax(x, rows, cols);
      const y = allocOutput(rows * cols, false);
      nLogSoftmax(x, y, rows, cols);
      return y;
    },
    sparseSoftmaxCrossEntropy(logits: FloatArray, labels: Int32Array, rows: number, cols: number): SoftmaxCrossEntropyResult {
      if (!(logits instanceof Float32Array)) return jsFallback.sparseSoftmaxCrossEntropy(logits, labels, rows, cols);
      const loss = allocOutput(rows, true);
      const dlogits = allocOutput(rows * cols, false);
      nSce(logits, labels, loss, dlogits, rows, cols);
      return { loss, dlogits };
    },
  };
}
