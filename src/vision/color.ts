/**
 * The two skimage calls seed 000 uses to prepare its picture before filtering it:
 * `rescale_intensity(color.rgb2gray(img))`.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ArrayInput, checkOptions, fmtShape, toArray64, toTensor } from './input.js';

/**
 * `skimage.color.rgb2gray` for float input: Y = 0.2125 R + 0.7154 G + 0.0721 B over the last axis
 * (3 channels), shape (..., 3) → (...). The values are used as they are: skimage first converts
 * uint8 images to floats in [0, 1], so divide 0–255 pixels by 255 to get skimage's numbers.
 */
export function rgbToGray(image: ArrayInput): Tensor {
  const fn = 'rgbToGray';
  const a = toArray64(fn, 'image', image);
  if (a.shape.length < 2 || a.shape[a.shape.length - 1] !== 3) {
    throw new ShapeError(`${fn}: image must have at least 2 dimensions with 3 (RGB) channels last, e.g. (h, w, 3), got shape ${fmtShape(a.shape)}`);
  }
  const n = a.data.length / 3;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.2125 * a.data[3 * i] + 0.7154 * a.data[3 * i + 1] + 0.0721 * a.data[3 * i + 2];
  return toTensor(out, a.shape.slice(0, -1));
}

export type IntensityRange = 'image' | 'dtype' | [number, number];

export interface RescaleIntensityOptions {
  /** The input levels mapped to the output's ends: 'image' (default; the image's min and max), 'dtype' (float's [−1, 1]) or [lo, hi]. Values outside are clipped. */
  inRange?: IntensityRange;
  /**
   * The output levels: 'dtype' (default; float's range, [0, 1] when the input range's minimum is ≥ 0 and [−1, 1]
   * otherwise, as skimage), 'image' or [lo, hi] (lo > hi inverts).
   */
  outRange?: IntensityRange;
}

function resolveRange(fn: string, what: string, r: unknown, min: number, max: number, clipNegative: boolean): [number, number] {
  if (r === 'image') return [min, max];
  if (r === 'dtype') return [clipNegative ? 0 : -1, 1];
  if (Array.isArray(r) && r.length === 2 && r.every((v) => typeof v === 'number' && Number.isFinite(v))) return [r[0], r[1]];
  throw new ValueError(`${fn}: ${what} must be 'image', 'dtype' or a pair [lo, hi] of finite numbers, got ${JSON.stringify(r)}`);
}

/**
 * `skimage.exposure.rescale_intensity(image, in_range, out_range)` for float images: clip to the
 * input range, then map it linearly onto the output range. A constant image (input range empty) is
 * clipped to the output range instead, as skimage does. Any shape; float32 result.
 */
export function rescaleIntensity(x: ArrayInput, options: RescaleIntensityOptions = {}): Tensor {
  const fn = 'rescaleIntensity';
  checkOptions(fn, options, ['inRange', 'outRange']);
  const a = toArray64(fn, 'x', x);
  if (a.data.length === 0) throw new ShapeError(`${fn}: x is empty (shape ${fmtShape(a.shape)}); expected at least one value`);
  let min = Infinity;
  let max = -Infinity;
  for (const v of a.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const [imin, imax] = resolveRange(fn, 'inRange', options.inRange ?? 'image', min, max, false);
  if (imin > imax) throw new ValueError(`${fn}: inRange [${imin}, ${imax}] is reversed; expected lo ≤ hi`);
  const [omin, omax] = resolveRange(fn, 'outRange', options.outRange ?? 'dtype', min, max, imin >= 0);
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.min(Math.max(a.data[i], imin), imax);
    out[i] = imin !== imax ? ((v - imin) / (imax - imin)) * (omax - omin) + omin : Math.min(Math.max(v, omin), omax);
  }
  return toTensor(out, a.shape);
}
