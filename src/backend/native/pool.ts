/** Native max/average pooling: float32 through the addon's channel-vectorised loops; float64 stays in js. */
import { allocOutput } from './alloc.js';
import type { Backend, FloatArray } from '../backend.js';
import type { Pool2DInfo } from '../../shape/conv.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

/** The 14 Pool2DInfo fields in declaration order, as the addon's `info` argument. */
export function poolInfoArray(i: Pool2DInfo): number[] {
  return [i.batch, i.inHeight, i.inWidth, i.channels, i.outHeight, i.outWidth, i.poolHeight, i.poolWidth,
    i.strideHeight, i.strideWidth, i.padTop, i.padBottom, i.padLeft, i.padRight];
}

function isEmpty(i: Pool2DInfo): boolean {
  return i.batch * i.inHeight * i.inWidth * i.channels * i.outHeight * i.outWidth === 0;
}

/** The addon encodes a window cell index in a float lane, exact up to 2^24 cells. */
function hugeWindow(i: Pool2DInfo): boolean {
  return Math.min(i.poolHeight, i.inHeight) * Math.min(i.poolWidth, i.inWidth) > 2 ** 24;
}

type PoolFn = (x: Float32Array, out: Float32Array, info: number[]) => void;
type MaxPoolGradFn = (dy: Float32Array, x: Float32Array, out: Float32Array, info: number[]) => void;

export function poolKernels(addon: NativeAddon): Pick<Backend, 'maxPool' | 'maxPoolBackprop' | 'avgPool' | 'avgPoolBackprop'> {
  const maxPool = addon.maxPool as PoolFn;
  const maxPoolBackprop = addon.maxPoolBackprop as MaxPoolGradFn;
  const avgPool = addon.avgPool as PoolFn;
  const avgPoolBackprop = addon.avgPoolBackprop as PoolFn;
  const outSize = (i: Pool2DInfo) => i.batch * i.outHeight * i.outWidth * i.channels;
  const inSize = (i: Pool2DInfo) => i.batch * i.inHeight * i.inWidth * i.channels;
  return {
    maxPool(x: FloatArray, info: Pool2DInfo): FloatArray {
      if (!(x instanceof Float32Array) || isEmpty(info)) return jsFallback.maxPool(x, info);
      const out = allocOutput(outSize(info), false);
      maxPool(x, out, poolInfoArray(info));
      return out;
    },
    maxPoolBackprop(dy: FloatArray, x: FloatArray, info: Pool2DInfo): FloatArray {
      if (!(dy instanceof Float32Array) || !(x instanceof Float32Array) || isEmpty(info) || hugeWindow(info)) {
        return jsFallback.maxPoolBackprop(dy, x, info);
      }
      const out = allocOutput(inSize(info), false);
      maxPoolBackprop(dy, x, out, poolInfoArray(info));
      return out;
    },
    avgPool(x: FloatArray, info: Pool2DInfo): FloatArray {
      if (!(x instanceof Float32Array) || isEmpty(info)) return jsFallback.avgPool(x, info);
      const out = allocOutput(outSize(info), false);
      avgPool(x, out, poolInfoArray(info));
      return out;
    },
    avgPoolBackprop(dy: FloatArray, info: Pool2DInfo): FloatArray {
      if (!(dy instanceof Float32Array) || isEmpty(info)) return jsFallback.avgPoolBackprop(dy, info);
      const out = allocOutput(inSize(info), true);
      avgPoolBackprop(dy, out, poolInfoArray(info));
      return out;
    },
  };
}
