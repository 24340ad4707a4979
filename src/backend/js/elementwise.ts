/** Parameterised ReLU (Keras ReLU layer), clip, where and cast. */
import type { DataArray, FloatArray, ReluAttrs } from '../backend.js';
import { allocLike } from './util.js';

/**
 * Keras ReLU: x ≥ maxValue → maxValue; threshold ≤ x < maxValue → x; below the threshold
 * negativeSlope·(x − threshold).
 */
export function relu(x: FloatArray, attrs: ReluAttrs): FloatArray {
  const { negativeSlope: slope, threshold: t } = attrs;
  const max = attrs.maxValue ?? Infinity;
  const n = x.length;
  const y = allocLike(x, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    // `+ 0` turns the −0 of 0·(negative) into +0, so plain relu gives 0 like max(x, 0).
    y[i] = v >= t ? (v < max ? v : max) : slope * (v - t) + 0;
  }
  return y;
}

/**
 * Derivative of `relu`: 1 strictly between threshold and maxValue, negativeSlope at and below the
 * threshold (so plain relu has gradient 0 at 0, as TensorFlow), 0 from maxValue up. NaN gives NaN.
 */
export function reluGrad(dy: FloatArray, x: FloatArray, attrs: ReluAttrs): FloatArray {
  const { negativeSlope: slope, threshold: t } = attrs;
  const max = attrs.maxValue ?? Infinity;
  const n = dy.length;
  const dx = allocLike(dy, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v > t) dx[i] = v < max ? dy[i] : 0;
    else if (v <= t) dx[i] = slope * dy[i] + 0;
    else dx[i] = NaN;
  }
  return dx;
}

/** Clamp into [lo, hi]; NaN stays NaN. */
export function clip(x: FloatArray, lo: number, hi: number): FloatArray {
  const n = x.length;
  const y = allocLike(x, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return y;
}

/** cond ? a : b element by element; any non-zero condition counts as true. */
export function where(cond: DataArray, a: FloatArray, b: FloatArray): FloatArray {
  const n = a.length;
  const y = allocLike(a, n);
  for (let i = 0; i < n; i++) y[i] = cond[i] !== 0 ? a[i] : b[i];
  return y;
}

/**
 * Always a fresh copy. Float → int32 truncates toward zero (TensorFlow's cast); NaN becomes 0
 * and out-of-range values wrap, which is what Int32Array assignment does.
 */
export function cast(x: DataArray, dtype: 'float32' | 'float64' | 'int32'): DataArray {
  switch (dtype) {
    case 'float32': return new Float32Array(x);
    case 'float64': return new Float64Array(x);
    case 'int32': return new Int32Array(x);
  }
}
