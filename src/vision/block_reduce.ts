/**
 * `skimage.measure.block_reduce`, the pooling seed 000 does by hand
 * (`block_reduce(combined, (2, 2), np.max)`) before it introduces MaxPooling2D.
 */
import type { Tensor } from '../tensor/tensor.js';
import { type ArrayInput, asImage, checkChoice, checkFinite, checkOptions, intPair, toTensor } from './input.js';

export type BlockReduceFunc = 'max' | 'mean' | 'sum' | 'min' | 'median';
const FUNCS: readonly BlockReduceFunc[] = ['max', 'mean', 'sum', 'min', 'median'];

export interface BlockReduceOptions {
  /** The value the bottom/right edge is padded with when a size does not divide the block (default 0). */
  cval?: number;
}

function reduce(func: BlockReduceFunc, v: Float64Array): number {
  switch (func) {
    case 'sum':
    case 'mean': {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i];
      return func === 'sum' ? s : s / v.length;
    }
    case 'max': {
      let m = -Infinity;
      for (let i = 0; i < v.length; i++) if (v[i] > m) m = v[i];
      return m;
    }
    case 'min': {
      let m = Infinity;
      for (let i = 0; i < v.length; i++) if (v[i] < m) m = v[i];
      return m;
    }
    case 'median': {
      const s = Float64Array.from(v).sort();
      const mid = s.length >> 1;
      return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }
  }
}

/**
 * Applies `func` to each (bh, bw) block of `x` (h, w), or of each channel of (h, w, c) (skimage
 * with block_size (bh, bw, 1)). Like skimage, when h or w is not a multiple of the block the
 * bottom/right edge is padded with `cval` first, and the padding takes part in the reduction (a
 * 'mean' of a partial block counts the cval entries). Output (⌈h/bh⌉, ⌈w/bw⌉[, c]), float32.
 * `func` defaults to 'sum' (skimage's np.sum).
 */
export function blockReduce(x: ArrayInput, blockSize: number | [number, number], func: BlockReduceFunc = 'sum', options: BlockReduceOptions = {}): Tensor {
  const fn = 'blockReduce';
  checkOptions(fn, options, ['cval']);
  const img = asImage(fn, 'x', x);
  const [bh, bw] = intPair(fn, 'blockSize', blockSize, 1);
  const f = checkChoice(fn, 'func', func, FUNCS);
  const cval = checkFinite(fn, 'cval', options.cval ?? 0);
  const { h, w } = img;
  const channels = Math.max(img.c, 1);
  const oh = Math.ceil(h / bh);
  const ow = Math.ceil(w / bw);
  const out = new Float64Array(oh * ow * channels);
  const block = new Float64Array(bh * bw);
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let t = 0;
        for (let a = 0; a < bh; a++) {
          const y = oy * bh + a;
          for (let b = 0; b < bw; b++) {
            const xx = ox * bw + b;
            block[t++] = y < h && xx < w ? img.data[(y * w + xx) * channels + c] : cval;
          }
        }
        out[(oy * ow + ox) * channels + c] = reduce(f, block);
      }
    }
  }
  return toTensor(out, img.c ? [oh, ow, img.c] : [oh, ow]);
}
