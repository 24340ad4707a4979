/**
 * Seed 000's `convolve2D(image, kernel, padding, strides)` (true convolution: the kernel is
 * flipped, the image zero-padded, the window moved by `strides`) and its unflipped twin
 * `correlate2d` (what a CNN's Conv2D computes).
 *
 * The seed's own loop has two slips we do not copy: it stops at the unpadded image's edge (so with
 * padding the last rows and columns stay 0) and writes strided results at `output[x, y]` instead
 * of `output[x / s, y / s]`. We compute what it means: `out[i, j] = Σ K'[m, n] · P[i·sy + m, j·sx + n]`
 * with P the zero-padded image and K' the flipped kernel, output size ⌊(H + 2p − kh) / s⌋ + 1.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ArrayInput, asImage, asKernel2d, checkOptions, intPair, toTensor } from './input.js';

export interface Conv2dOptions {
  /**
   * 'valid' (default; no padding, as seed 000's padding=0), a number p (p zeros on every side, as
   * seed 000's `padding=p`; or [pRows, pCols]), or 'same': output size ⌈H / s⌉ × ⌈W / s⌉ with
   * zero fill, exactly `scipy.signal.convolve2d(image, kernel, 'same')[::sy, ::sx]` (resp.
   * `correlate2d`). For even kernels SciPy centres the two differently: convolve2d pads ⌊k/2⌋
   * zeros before, correlate2d pads ⌊(k−1)/2⌋ before (the latter is Keras's 'same' at stride 1; at
   * strides > 1 Keras shifts its padding differently, so use `layers.conv2d` for Keras's output).
   */
  padding?: 'valid' | 'same' | number | [number, number];
  /** The step of the window, number or [rows, cols], integers ≥ 1 (default 1). */
  strides?: number | [number, number];
}

/** Padding before (top/left) and after (bottom/right) for each axis. */
function resolvePadding(fn: string, padding: unknown, kh: number, kw: number, flip: boolean): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const before = (k: number) => (flip ? Math.floor(k / 2) : Math.floor((k - 1) / 2));
    return [before(kh), kh - 1 - before(kh), before(kw), kw - 1 - before(kw)];
  }
  if (typeof padding === 'number' || Array.isArray(padding)) {
    const [pr, pc] = intPair(fn, 'padding', padding, 0);
    return [pr, pr, pc, pc];
  }
  throw new ValueError(`${fn}: padding must be 'valid', 'same', an integer ≥ 0 or a pair [rows, cols] of them, got ${JSON.stringify(padding)}`);
}

function filter2d(fn: string, flip: boolean, image: ArrayInput, kernel: ArrayInput, options: Conv2dOptions): Tensor {
  checkOptions(fn, options, ['padding', 'strides']);
  const img = asImage(fn, 'image', image);
  const k = asKernel2d(fn, kernel);
  const [sy, sx] = intPair(fn, 'strides', options.strides ?? 1, 1);
  const [pt, pb, pl, pr] = resolvePadding(fn, options.padding ?? 'valid', k.kh, k.kw, flip);
  const { h, w } = img;
  const oh = Math.floor((h + pt + pb - k.kh) / sy) + 1;
  const ow = Math.floor((w + pl + pr - k.kw) / sx) + 1;
  if (h + pt + pb < k.kh || w + pl + pr < k.kw) {
    throw new ShapeError(
      `${fn}: kernel (${k.kh}, ${k.kw}) is larger than the padded image (${h + pt + pb}, ${w + pl + pr}); ` +
        `expected a kernel no larger than the image plus padding (use padding 'same' or a larger padding)`,
    );
  }
  // The kernel as it is applied (flipped for a true convolution), so the loop is a plain correlation.
  const kk = new Float64Array(k.kh * k.kw);
  for (let i = 0; i < kk.length; i++) kk[i] = flip ? k.data[kk.length - 1 - i] : k.data[i];
  const channels = Math.max(img.c, 1);
  const out = new Float64Array(oh * ow * channels);
  const src = img.data;
  for (let c = 0; c < channels; c++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sy - pt;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sx - pl;
        let acc = 0;
        for (let m = 0; m < k.kh; m++) {
          const y = y0 + m;
          if (y < 0 || y >= h) continue; // zero padding contributes nothing
          for (let n = 0; n < k.kw; n++) {
            const x = x0 + n;
            if (x < 0 || x >= w) continue;
            acc += kk[m * k.kw + n] * src[(y * w + x) * channels + c];
          }
        }
        out[(oy * ow + ox) * channels + c] = acc;
      }
    }
  }
  return toTensor(out, img.c ? [oh, ow, img.c] : [oh, ow]);
}

/**
 * True 2-D convolution (kernel flipped), seed 000's `convolve2D`. `image` is (h, w), or (h, w, c)
 * filtered channel by channel with the same (kh, kw) kernel. Returns a float32 Tensor
 * (oh, ow) or (oh, ow, c).
 */
export function convolve2d(image: ArrayInput, kernel: ArrayInput, options: Conv2dOptions = {}): Tensor {
  return filter2d('convolve2d', true, image, kernel, options);
}

/** Cross-correlation (no flip), the CNN convention; same arguments and shapes as `convolve2d`. */
export function correlate2d(image: ArrayInput, kernel: ArrayInput, options: Conv2dOptions = {}): Tensor {
  return filter2d('correlate2d', false, image, kernel, options);
}
