/**
 * Native element-wise kernels: unary (+grad), Keras relu (+grad), broadcasting binary, clip, where,
 * cast. Float32 (and int32 for binary/cast/where's condition) runs in the addon; anything involving
 * float64 goes to the js kernels.
 */
import { allocOutput } from './alloc.js';
import type { Backend, BinaryOp, DataArray, FloatArray, ReluAttrs, UnaryOp } from '../backend.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

/** Op codes: the index of each name is its number in native/src/kernels/elementwise.h. */
export const UNARY_OPS: readonly UnaryOp[] = [
  'neg', 'abs', 'sign', 'square', 'sqrt', 'rsqrt', 'exp', 'log', 'log1p', 'reciprocal', 'relu', 'relu6', 'sigmoid',
  'tanh', 'elu', 'selu', 'softplus', 'softsign', 'gelu', 'gelu_tanh', 'swish', 'hard_sigmoid', 'floor', 'ceil',
  'round', 'step', 'isnan',
];
export const BINARY_OPS: readonly BinaryOp[] = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less',
  'lessEqual',
];
const unaryCode = new Map(UNARY_OPS.map((op, i) => [op, i]));
const binaryCode = new Map(BINARY_OPS.map((op, i) => [op, i]));

function opCode<T extends string>(codes: Map<T, number>, op: T, kind: string): number {
  const c = codes.get(op);
  if (c === undefined) throw new Error(`native backend: unknown ${kind} op ${String(op)}`);
  return c;
}

type Data4 = Float32Array | Int32Array;
function isData4(x: DataArray): x is Data4 {
  return x instanceof Float32Array || x instanceof Int32Array;
}

type UnaryFn = (op: number, x: Float32Array, y: Float32Array, alpha: number) => void;
type UnaryGradFn = (op: number, dy: Float32Array, x: Float32Array, y: Float32Array, dx: Float32Array, alpha: number) => void;
type ReluFn = (x: Float32Array, y: Float32Array, slope: number, threshold: number, hasMax: boolean, maxValue: number) => void;
type ReluGradFn = (dy: Float32Array, x: Float32Array, dx: Float32Array, slope: number, threshold: number,
  hasMax: boolean, maxValue: number) => void;
type BinaryFn = (op: number, a: Data4, aShape: readonly number[], b: Data4, bShape: readonly number[], out: Data4,
  outShape: readonly number[]) => void;
type ClipFn = (x: Float32Array, y: Float32Array, lo: number, hi: number) => void;
type WhereFn = (cond: Data4, a: Float32Array, b: Float32Array, y: Float32Array) => void;
type CastFn = (x: Data4, y: Data4) => void;

type ElementwiseKernels = Pick<Backend, 'unary' | 'unaryGrad' | 'relu' | 'reluGrad' | 'binary' | 'clip' | 'where' | 'cast'>;

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function elementwiseKernels(addon: NativeAddon): ElementwiseKernels {
  const nUnary = addon.unary as UnaryFn;
  const nUnaryGrad = addon.unaryGrad as UnaryGradFn;
  const nRelu = addon.relu as ReluFn;
  const nReluGrad = addon.reluGrad as ReluGradFn;
  const nBinary = addon.binary as BinaryFn;
  const nClip = addon.clip as ClipFn;
  const nWhere = addon.where as WhereFn;
  const nCast = addon.cast as CastFn;
  return {
    unary(op: UnaryOp, x: FloatArray, alpha = 1): FloatArray {
      if (!(x instanceof Float32Array)) return jsFallback.unary(op, x, alpha);
      const y = allocOutput(x.length, false);
      nUnary(opCode(unaryCode, op, 'unary'), x, y, alpha);
      return y;
    },
    unaryGrad(op: UnaryOp, dy: FloatArray, x: FloatArray, y: FloatArray, alpha = 1): FloatArray {
      if (!(dy instanceof Float32Array) || !(x instanceof Float32Array) || !(y instanceof Float32Array)) {
        return jsFallback.unaryGrad(op, dy, x, y, alpha);
      }
      const dx = allocOutput(dy.length, false);
      nUnaryGrad(opCode(unaryCode, op, 'unary'), dy, x, y, dx, alpha);
      return dx;
    },
    relu(x: FloatArray, attrs: ReluAttrs): FloatArray {
      if (!(x instanceof Float32Array)) return jsFallback.relu(x, attrs);
      const y = allocOutput(x.length, false);
      nRelu(x, y, attrs.negativeSlope, attrs.threshold, attrs.maxValue !== undefined, attrs.maxValue ?? 0);
      return y;
    },
    reluGrad(dy: FloatArray, x: FloatArray, attrs: ReluAttrs): FloatArray {
      if (!(dy instanceof Float32Array) || !(x instanceof Float32Array)) return jsFallback.reluGrad(dy, x, attrs);
      const dx = allocOutput(dy.length, false);
      nReluGrad(dy, x, dx, attrs.negativeSlope, attrs.threshold, attrs.maxValue !== undefined, attrs.maxValue ?? 0);
      return dx;
    },
    binary(op: BinaryOp, a: DataArray, aShape: readonly number[], b: DataArray, bShape: readonly number[],
      outShape: readonly number[]): DataArray {
      if (!isData4(a) || !isData4(b)) return jsFallback.binary(op, a, aShape, b, bShape, outShape);
      const n = sizeOf(outShape);
      // As the js floatLike rule: int32 only when both operands are.
      const out = a instanceof Int32Array && b instanceof Int32Array ? new Int32Array(n) : allocOutput(n, false);
      nBinary(opCode(binaryCode, op, 'binary'), a, aShape, b, bShape, out, outShape);
      return out;
    },
    clip(x: FloatArray, lo: number, hi: number): FloatArray {
      if (!(x instanceof Float32Array)) return jsFallback.clip(x, lo, hi);
      const y = allocOutput(x.length, false);
      nClip(x, y, lo, hi);
      return y;
    },
    where(cond: DataArray, a: FloatArray, b: FloatArray): FloatArray {
      if (!isData4(cond) || !(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsFallback.where(cond, a, b);
      const y = allocOutput(a.length, false);
      nWhere(cond, a, b, y);
      return y;
    },
    cast(x: DataArray, dtype: 'float32' | 'float64' | 'int32'): DataArray {
      if (!isData4(x) || dtype === 'float64') return jsFallback.cast(x, dtype);
      const y = dtype === 'int32' ? new Int32Array(x.length) : allocOutput(x.length, false);
      nCast(x, y);
      return y;
    },
  };
}
