/**
 * Native data movement. Float32 and int32 both move natively (4-byte elements: activations as well
 * as labels and indices); float64 goes to the js kernels. gatherGrad is float32 only.
 */
import { allocOutput } from './alloc.js';
import type { Backend, DataArray, FloatArray } from '../backend.js';
import { jsFallback, nativeRecorder } from './recording.js';
import type { NativeAddon } from './addon.js';

type Data4 = Float32Array | Int32Array;
type Shape = readonly number[];
type TransposeFn = (x: Data4, shape: Shape, perm: Shape, out: Data4) => void;
type SliceFn = (x: Data4, shape: Shape, begin: Shape, size: Shape, out: Data4) => void;
type ConcatFn = (xs: readonly Data4[], shapes: readonly Shape[], axis: number, out: Data4) => void;
type PadFn = (x: Data4, shape: Shape, before: Shape, after: Shape, value: number, out: Data4) => void;
type GatherFn = (x: Data4, shape: Shape, indices: Int32Array, axis: number, out: Data4) => void;
type GatherGradFn = (dy: Float32Array, shape: Shape, indices: Int32Array, axis: number, dx: Float32Array) => void;
type BroadcastToFn = (x: Data4, shape: Shape, outShape: Shape, out: Data4) => void;

function isData4(x: DataArray): x is Data4 {
  return x instanceof Float32Array || x instanceof Int32Array;
}

function like(x: Data4, n: number): Data4 {
  return x instanceof Int32Array ? new Int32Array(n) : allocOutput(n, false);
}

function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

type MovementKernels = Pick<Backend, 'transpose' | 'slice' | 'concat' | 'pad' | 'gather' | 'gatherGrad' | 'broadcastTo'>;

export function movementKernels(addon: NativeAddon): MovementKernels {
  const nTranspose = addon.transpose as TransposeFn;
  const nSlice = addon.slice as SliceFn;
  const nConcat = addon.concat as ConcatFn;
  const nPad = addon.pad as PadFn;
  const nGather = addon.gather as GatherFn;
  const nGatherGrad = addon.gatherGrad as GatherGradFn;
  const nBroadcastTo = addon.broadcastTo as BroadcastToFn;
  return {
    transpose(x: DataArray, shape: Shape, perm: Shape): DataArray {
      if (!isData4(x)) return jsFallback.transpose(x, shape, perm);
      const out = like(x, x.length);
      nTranspose(x, shape, perm, out);
      return out;
    },
    slice(x: DataArray, shape: Shape, begin: Shape, size: Shape): DataArray {
      if (!isData4(x)) return jsFallback.slice(x, shape, begin, size);
      const out = like(x, sizeOf(size));
      nSlice(x, shape, begin, size, out);
      return out;
    },
    concat(xs: readonly DataArray[], shapes: readonly Shape[], axis: number): DataArray {
      if (xs.length === 0 || !xs.every(isData4)) return jsFallback.concat(xs, shapes, axis);
      const ins = xs as readonly Data4[];
      // A float input decides the element type (as the js): int32 inputs are converted first.
      const anyFloat = ins.some((x) => x instanceof Float32Array);
      const converts = anyFloat && ins.some((x) => x instanceof Int32Array);
      if (converts) nativeRecorder.taint('concat converting int32 inputs in JavaScript');
      const same = converts ? ins.map((x) => (x instanceof Int32Array ? new Float32Array(x) : x)) : ins;
      let n = 0;
      for (const s of shapes) n += sizeOf(s);
      const out = anyFloat ? allocOutput(n, false) : new Int32Array(n);
      nConcat(same, shapes, axis, out);
      return out;
    },
    pad(x: DataArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): DataArray {
      if (!isData4(x)) return jsFallback.pad(x, shape, paddings, value);
      const before = paddings.map((p) => p[0]), after = paddings.map((p) => p[1]);
      const out = like(x, sizeOf(shape.map((d, i) => d + before[i] + after[i])));
      nPad(x, shape, before, after, value, out);
      return out;
    },
    gather(x: DataArray, shape: Shape, indices: Int32Array, axis: number): DataArray {
      if (!isData4(x)) return jsFallback.gather(x, shape, indices, axis);
      let n = indices.length;
      for (let i = 0; i < shape.length; i++) if (i !== axis) n *= shape[i];
      const out = like(x, n);
      nGather(x, shape, indices, axis, out);
      return out;
    },
    gatherGrad(dy: FloatArray, shape: Shape, indices: Int32Array, axis: number): FloatArray {
      if (!(dy instanceof Float32Array)) return jsFallback.gatherGrad(dy, shape, indices, axis);
      const dx = allocOutput(sizeOf(shape), true);
      nGatherGrad(dy, shape, indices, axis, dx);
      return dx;
    },
    broadcastTo(x: DataArray, shape: Shape, outShape: Shape): DataArray {
      if (!isData4(x)) return jsFallback.broadcastTo(x, shape, outShape);
      const out = like(x, sizeOf(outShape));
      nBroadcastTo(x, shape, outShape, out);
      return out;
    },
  };
}
