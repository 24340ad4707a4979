/**
 * Repeating and resizing images (NHWC), with Keras 3's semantics:
 *
 *  - `repeat(x, n, axis)`: every entry along `axis` n times in a row (np.repeat / keras.ops.repeat);
 *    UpSampling2D's 'nearest' is a repeat along height then width, as in Keras 3.
 *  - `resize(images, [h, w], {interpolation})`: keras.ops.image.resize on the TensorFlow backend
 *    without antialiasing, i.e. TF 2's tf.image.resize: half-pixel centres (not align_corners).
 *    An output index i samples the input at  s = (i + ½)·(in/out) − ½ ('bilinear', clamped to the
 *    edges: lower = max(⌊s⌋, 0), upper = min(⌈s⌉, in − 1), weight s − ⌊s⌋) or at
 *    min(⌊(i + ½)·(in/out)⌋, in − 1) ('nearest'). Positions are computed in float32 as TF does, and
 *    the interpolation runs along the width first, then the height, with TF's formula
 *    top + (bottom − top)·t, so float32 results match TensorFlow's kernel to rounding.
 *    (TensorFlow.js's resizeBilinear defaults to the TF 1 mapping s = i·in/out; with
 *    halfPixelCenters = true its forward pass equals this one.)
 *
 * Both are written with gather and broadcasting arithmetic, so their gradients come from those
 * ops' gradients (gather's is a scatter-add): no new kernels.
 */
import { ShapeError, ValueError } from '../errors.js';
import { normAxis } from '../shape/broadcast.js';
import { Tensor } from '../tensor/tensor.js';
import { add, mul, sub } from './elementwise.js';
import { expandDims, gather, squeeze } from './movement.js';
import { shapeStr } from './util.js';

/** Repeat each entry along `axis` `repeats` times (np.repeat with an integer count). */
export function repeat(x: Tensor, repeats: number, axis: number): Tensor {
  const a = normAxis(axis, x.rank, 'repeat');
  if (!Number.isInteger(repeats) || repeats < 1) throw new ValueError(`repeat: repeats must be a positive integer, got ${repeats}`);
  if (repeats === 1) return x;
  const n = x.shape[a];
  const idx = new Int32Array(n * repeats);
  for (let i = 0; i < idx.length; i++) idx[i] = Math.floor(i / repeats);
  return gather(x, indices(idx), a);
}

export type ResizeInterpolation = 'bilinear' | 'nearest';
export const RESIZE_INTERPOLATIONS: readonly ResizeInterpolation[] = ['bilinear', 'nearest'];

export interface ResizeOptions {
  /** 'bilinear' (Keras's default) or 'nearest'. */
  interpolation?: ResizeInterpolation;
}

const f32 = Math.fround;

/** An int32 index vector for gather. */
function indices(idx: Int32Array): Tensor {
  return new Tensor(idx, [idx.length]);
}

/** Sampling positions along one axis: TF's half-pixel centres in float32. */
function bilinearAxis(inSize: number, outSize: number): { lower: Int32Array; upper: Int32Array; lerp: Float64Array } {
  const scale = f32(inSize / outSize);
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const lerp = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const s = f32(f32(f32(i + 0.5) * scale) - 0.5);
    const fl = Math.floor(s);
    lower[i] = Math.max(fl, 0);
    upper[i] = Math.min(Math.ceil(s), inSize - 1);
    lerp[i] = f32(s - fl);
  }
  return { lower, upper, lerp };
}

function nearestAxis(inSize: number, outSize: number): Int32Array {
  const scale = f32(inSize / outSize);
  const idx = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) idx[i] = Math.max(0, Math.min(Math.floor(f32(f32(i + 0.5) * scale)), inSize - 1));
  return idx;
}

/** Linear interpolation of rank-4 `x` along `axis` (1 or 2) to `outSize` entries. */
function lerpAxis(x: Tensor, axis: 1 | 2, outSize: number): Tensor {
  const inSize = x.shape[axis];
  if (inSize === outSize) return x; // half-pixel positions are then exactly the input's
  const { lower, upper, lerp } = bilinearAxis(inSize, outSize);
  const lo = gather(x, indices(lower), axis);
  const hi = gather(x, indices(upper), axis);
  const wShape = [1, 1, 1, 1];
  wShape[axis] = outSize;
  const w = new Tensor(x.dtype === 'float64' ? lerp : Float32Array.from(lerp), wShape);
  return add(lo, mul(sub(hi, lo), w));
}

/**
 * Resize images to `size` = [height, width] (keras.ops.image.resize, TF backend, antialias off).
 * `images` is (batch, height, width, channels) or one (height, width, channels) image.
 */
export function resize(images: Tensor, size: readonly [number, number] | readonly number[], opts: ResizeOptions = {}): Tensor {
  const interpolation = opts.interpolation ?? 'bilinear';
  if (!RESIZE_INTERPOLATIONS.includes(interpolation)) {
    throw new ValueError(`resize: interpolation must be one of ${RESIZE_INTERPOLATIONS.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(interpolation)}`);
  }
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(`resize: size must be [height, width] with positive integers, got ${JSON.stringify(size)}`);
  }
  if (images.rank !== 3 && images.rank !== 4) {
    throw new ShapeError(`resize: images must have rank 4 (batch, height, width, channels) or 3 (height, width, channels), got shape ${shapeStr(images.shape)}`);
  }
  const x = images.rank === 3 ? expandDims(images, 0) : images;
  const [, h, w] = x.shape;
  if (h === 0 || w === 0) throw new ShapeError(`resize: cannot resize images with an empty spatial dimension, got shape ${shapeStr(images.shape)}`);
  let y: Tensor;
  if (interpolation === 'nearest') {
    y = size[1] === w ? x : gather(x, indices(nearestAxis(w, size[1])), 2);
    y = size[0] === h ? y : gather(y, indices(nearestAxis(h, size[0])), 1);
  } else {
    y = lerpAxis(lerpAxis(x, 2, size[1]), 1, size[0]);
  }
  return images.rank === 3 ? squeeze(y, [0]) : y;
}
