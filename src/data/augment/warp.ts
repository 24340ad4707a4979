/**
 * The affine image warp behind ImageDataGenerator and the random preprocessing layers: every output
 * pixel (r, c) samples the input at an affine function of (r, c), with bilinear (or nearest)
 * interpolation and a fill mode for samples outside the image. One channels-last image at a time.
 *
 * Two boundary conventions, because Keras has two implementations:
 *  - 'scipy' (legacy ImageDataGenerator → scipy.ndimage.affine_transform, order 1):
 *      nearest  clamp the coordinate to [0, n−1];
 *      constant a coordinate outside [0, n−1] gives cval for the whole pixel (no blending);
 *      reflect  the grid extended half-sample symmetrically (d c b a | a b c d | d c b a);
 *      wrap     scipy's 'wrap', whose period is n−1 (first and last pixel overlap), not n.
 *  - 'tf' (Keras 3 layers → ImageProjectiveTransformV3): nearest and reflect as above; wrap with
 *      period n; constant blends in-image neighbours with the fill value.
 * These were checked against scipy 1.17 sample by sample (test/data/augment_golden.ts).
 */

export type FillMode = 'nearest' | 'constant' | 'reflect' | 'wrap';
export type Boundary = 'scipy' | 'tf';
export type Interpolation = 'bilinear' | 'nearest';

export const FILL_MODES: readonly FillMode[] = ['nearest', 'constant', 'reflect', 'wrap'];

/**
 * Input coordinates of output pixel (r, c):
 *   inRow = m[0]·r + m[1]·c + m[2],   inCol = m[3]·r + m[4]·c + m[5].
 */
export type InverseAffine = readonly [number, number, number, number, number, number];

export interface WarpSpec {
  height: number;
  width: number;
  channels: number;
  fillMode: FillMode;
  cval: number;
  boundary: Boundary;
  interpolation: Interpolation;
}

export const IDENTITY: InverseAffine = [1, 0, 0, 0, 1, 0];

/** Reflect an integer index into [0, n) (half-sample symmetric, period 2n). */
function reflectIndex(i: number, n: number): number {
  const p = 2 * n;
  let m = i % p;
  if (m < 0) m += p;
  return m < n ? m : p - 1 - m;
}

/** scipy's map_coordinate for 'wrap': period n − 1, the result in [0, n − 1]. */
function wrapScipy(x: number, n: number): number {
  if (n <= 1) return 0;
  const sz = n - 1;
  if (x < 0) return x + sz * (Math.trunc(-x / sz) + 1);
  if (x > sz) return x - sz * Math.trunc(x / sz);
  return x;
}

/** TensorFlow's wrap: period n, then clamped to [0, n − 1]. */
function wrapTf(x: number, n: number): number {
  if (n <= 1) return 0;
  if (x < 0) x += n * (Math.trunc(-x / n) + 1);
  else if (x > n - 1) x -= n * Math.trunc(x / n);
  return x < 0 ? 0 : x > n - 1 ? n - 1 : x;
}

// One resolved axis: two sample indices (−1: outside, use cval) and the weight of the second.
const axisIdx = new Int32Array(2);
let axisT = 0;

/** Resolve coordinate x on an axis of n pixels. Returns false when the whole pixel is cval. */
function resolveAxis(x: number, n: number, mode: FillMode, boundary: Boundary): boolean {
  if (x !== x) return false; // NaN coordinates (degenerate transforms) sample nothing.
  switch (mode) {
    case 'nearest':
      x = x < 0 ? 0 : x > n - 1 ? n - 1 : x;
      break;
    case 'wrap':
      x = boundary === 'scipy' ? wrapScipy(x, n) : wrapTf(x, n);
      break;
    case 'reflect': {
      const f = Math.floor(x);
      axisT = x - f;
      axisIdx[0] = reflectIndex(f, n);
      axisIdx[1] = reflectIndex(f + 1, n);
      return true;
    }
    case 'constant':
      if (boundary === 'scipy') {
        if (x < 0 || x > n - 1) return false;
        break;
      }
      if (x <= -1 || x >= n) return false;
      {
        const f = Math.floor(x);
        axisT = x - f;
        axisIdx[0] = f >= 0 ? f : -1;
        axisIdx[1] = f + 1 < n ? f + 1 : -1;
        return true;
      }
  }
  const f = Math.floor(x);
  axisT = x - f;
  axisIdx[0] = f;
  axisIdx[1] = f + 1 < n ? f + 1 : f;
  return true;
}

/** Nearest-neighbour sampling (TensorFlow rounds half away from zero). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

function resolveNearest(x: number, n: number, mode: FillMode, boundary: Boundary): number {
  if (x !== x) return -1;
  if (mode === 'constant') {
    const i = roundHalfAway(x);
    return i >= 0 && i < n ? i : -1;
  }
  if (mode === 'reflect') return reflectIndex(roundHalfAway(x), n);
  if (mode === 'wrap') x = boundary === 'scipy' ? wrapScipy(x, n) : wrapTf(x, n);
  const i = roundHalfAway(x);
  return i < 0 ? 0 : i > n - 1 ? n - 1 : i;
}

/** Whether m maps every pixel onto a pixel (a flip/shift by whole pixels): a plain copy suffices. */
function integerMap(m: InverseAffine): boolean {
  return m[1] === 0 && m[3] === 0 && (m[0] === 1 || m[0] === -1) && (m[4] === 1 || m[4] === -1)
    && Number.isInteger(m[2]) && Number.isInteger(m[5]);
}

/** Warp one image: src[srcOff …] (h × w × channels) → dst[dstOff …], same shape. */
export function warpImage(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, spec: WarpSpec, m: InverseAffine): void {
  const { height: h, width: w, channels: ch, fillMode, cval, boundary } = spec;
  if (integerMap(m)) return copyIntegerMap(src, srcOff, dst, dstOff, spec, m);
  if (spec.interpolation === 'nearest') return warpNearest(src, srcOff, dst, dstOff, spec, m);
  const [a, b, c0, d, e, f0] = m;
  const hm1 = h - 1;
  const wm1 = w - 1;
  const rowStride = w * ch;
  let o = dstOff;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++, o += ch) {
      // Same arithmetic order as scipy (products summed, then the offset), so knife-edge
      // coordinates (exactly n − 1 after a 90° rotation) fall on the same side.
      const y = a * r + b * c + c0;
      const x = d * r + e * c + f0;
      if (y >= 0 && y <= hm1 && x >= 0 && x <= wm1) {
        // Inside the image: no boundary handling (the common case).
        const y0 = y | 0;
        const x0 = x | 0;
        const ty = y - y0;
        const tx = x - x0;
        const p00 = srcOff + y0 * rowStride + x0 * ch;
        const p01 = x0 < wm1 ? p00 + ch : p00;
        const p10 = y0 < hm1 ? p00 + rowStride : p00;
        const p11 = x0 < wm1 ? p10 + ch : p10;
        const w00 = (1 - ty) * (1 - tx);
        const w01 = (1 - ty) * tx;
        const w10 = ty * (1 - tx);
        const w11 = ty * tx;
        for (let k = 0; k < ch; k++) dst[o + k] = w00 * src[p00 + k] + w01 * src[p01 + k] + w10 * src[p10 + k] + w11 * src[p11 + k];
        continue;
      }
      if (!resolveAxis(y, h, fillMode, boundary)) {
        for (let k = 0; k < ch; k++) dst[o + k] = cval;
        continue;
      }
      const ry0 = axisIdx[0];
      const ry1 = axisIdx[1];
      const ty = axisT;
      if (!resolveAxis(x, w, fillMode, boundary)) {
        for (let k = 0; k < ch; k++) dst[o + k] = cval;
        continue;
      }
      const rx0 = axisIdx[0];
      const rx1 = axisIdx[1];
      const tx = axisT;
      const w00 = (1 - ty) * (1 - tx);
      const w01 = (1 - ty) * tx;
      const w10 = ty * (1 - tx);
      const w11 = ty * tx;
      // −1 marks a neighbour outside the image (tf 'constant' only): it contributes cval.
      const p00 = ry0 < 0 || rx0 < 0 ? -1 : srcOff + ry0 * rowStride + rx0 * ch;
      const p01 = ry0 < 0 || rx1 < 0 ? -1 : srcOff + ry0 * rowStride + rx1 * ch;
      const p10 = ry1 < 0 || rx0 < 0 ? -1 : srcOff + ry1 * rowStride + rx0 * ch;
      const p11 = ry1 < 0 || rx1 < 0 ? -1 : srcOff + ry1 * rowStride + rx1 * ch;
      for (let k = 0; k < ch; k++) {
        dst[o + k] = w00 * (p00 < 0 ? cval : src[p00 + k]) + w01 * (p01 < 0 ? cval : src[p01 + k])
          + w10 * (p10 < 0 ? cval : src[p10 + k]) + w11 * (p11 < 0 ? cval : src[p11 + k]);
      }
    }
  }
}

function warpNearest(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, spec: WarpSpec, m: InverseAffine): void {
  const { height: h, width: w, channels: ch, fillMode, cval, boundary } = spec;
  const [a, b, c0, d, e, f0] = m;
  let o = dstOff;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++, o += ch) {
      const yi = resolveNearest(a * r + b * c + c0, h, fillMode, boundary);
      const xi = resolveNearest(d * r + e * c + f0, w, fillMode, boundary);
      if (yi < 0 || xi < 0) {
        for (let k = 0; k < ch; k++) dst[o + k] = cval;
        continue;
      }
      const p = srcOff + (yi * w + xi) * ch;
      for (let k = 0; k < ch; k++) dst[o + k] = src[p + k];
    }
  }
}

/** Flips and whole-pixel shifts: each output row copies (or reverses) a resolved input row. */
function copyIntegerMap(src: Float32Array, srcOff: number, dst: Float32Array, dstOff: number, spec: WarpSpec, m: InverseAffine): void {
  const { height: h, width: w, channels: ch, fillMode, cval, boundary } = spec;
  const colIdx = new Int32Array(w);
  for (let c = 0; c < w; c++) colIdx[c] = resolveAxis(m[4] * c + m[5], w, fillMode, boundary) ? axisIdx[0] : -1;
  const rowStride = w * ch;
  let o = dstOff;
  for (let r = 0; r < h; r++) {
    const yi = resolveAxis(m[0] * r + m[2], h, fillMode, boundary) ? axisIdx[0] : -1;
    if (yi < 0) {
      dst.fill(cval, o, o + rowStride);
      o += rowStride;
      continue;
    }
    const base = srcOff + yi * rowStride;
    if (m[4] === 1 && m[5] === 0) {
      dst.set(src.subarray(base, base + rowStride), o);
      o += rowStride;
      continue;
    }
    for (let c = 0; c < w; c++, o += ch) {
      const xi = colIdx[c];
      if (xi < 0) for (let k = 0; k < ch; k++) dst[o + k] = cval;
      else for (let k = 0; k < ch; k++) dst[o + k] = src[base + xi * ch + k];
    }
  }
}
