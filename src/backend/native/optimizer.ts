/** Native in-place optimizer steps; anything but all-float32 arrays goes to the js loop. */
import type { Backend, FloatArray } from '../backend.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

type AdamFn = (w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, alpha: number, c1: number, c2: number, eps: number) => void;

export function optimizerKernels(addon: NativeAddon): Pick<Backend, 'adamUpdate'> {
  const adam = addon.adamUpdate as AdamFn;
  return {
    adamUpdate(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, alpha: number, c1: number, c2: number, eps: number): void {
      if (w instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array) {
        adam(w, g, m, v, alpha, c1, c2, eps);
      } else {
        jsFallback.adamUpdate(w, g, m, v, alpha, c1, c2, eps);
      }
    },
  };
}
