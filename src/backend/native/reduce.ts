/** Native reductions (float32) and argmax/argmin (float32 or int32); float64 goes to the js kernels. */
import { allocOutput } from './alloc.js';
import type { Backend, DataArray, FloatArray, ReduceOp } from '../backend.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

/** Op codes of native/src/kernels/reduce.h. */
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max', 'min', 'prod'];
const reduceCode = new Map(REDUCE_OPS.map((op, i) => [op, i]));

type ReduceFn = (op: number, x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array) => void;
type ArgReduceFn = (isArgmax: boolean, x: Float32Array | Int32Array, shape: readonly number[], axis: number,
  out: Int32Array) => void;
type AllFiniteFn = (x: Float32Array) => boolean;

export function reduceKernels(addon: NativeAddon): Pick<Backend, 'reduce' | 'argReduce' | 'allFinite'> {
  const nReduce = addon.reduce as ReduceFn;
  const nArgReduce = addon.argReduce as ArgReduceFn;
  const nAllFinite = addon.allFinite as AllFiniteFn;
  return {
    allFinite(x: DataArray): boolean {
      return x instanceof Float32Array ? nAllFinite(x) : jsFallback.allFinite(x);
    },
    reduce(op: ReduceOp, x: FloatArray, shape: readonly number[], axes: readonly number[]): FloatArray {
      if (!(x instanceof Float32Array)) return jsFallback.reduce(op, x, shape, axes);
      const code = reduceCode.get(op);
      if (code === undefined) throw new Error(`native backend: unknown reduce op ${String(op)}`);
      let n = 1;
      for (let i = 0; i < shape.length; i++) if (!axes.includes(i)) n *= shape[i];
      const out = allocOutput(n, false);
      nReduce(code, x, shape, axes, out);
      return out;
    },
    argReduce(op: 'argmax' | 'argmin', x: DataArray, shape: readonly number[], axis: number): Int32Array {
      if (x instanceof Float64Array) return jsFallback.argReduce(op, x, shape, axis);
      let n = 1;
      for (let i = 0; i < shape.length; i++) if (i !== axis) n *= shape[i];
      const out = new Int32Array(n);
      nArgReduce(op === 'argmax', x, shape, axis, out);
      return out;
    },
  };
}
