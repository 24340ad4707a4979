/** Parameterised ReLU (Keras ReLU layer), clip, where and cast. */
import type { DataArray, FloatArray, ReluAttrs } from '../backend.js';
import { allocLike } from './util.js';

/**
 * Keras ReLU, term for term as Keras computes it: the positive part (x where x > threshold, else 0),
 * clipped to [0, maxValue] when maxValue is set, minus negativeSlope·max(threshold − x, 0).
 * With threshold 0 and no maxValue this is plain/leaky ReLU; a negative threshold lets values in
 * (threshold, 0) through unless maxValue clips them, exactly as Keras does.
 */
export function relu(x: FloatArray, attrs: ReluAttrs): FloatArray {
  const { negativeSlope: slope, threshold: t } = attrs;
  const max = attrs.maxValue;
  const n = x.length;
  const y = allocLike(x, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    let p = v > t ? v : 0;
    if (max !== undefined) p = p > max ? max : p < 0 ? 0 : p;
    // `+ 0` turns the −0 of 0·(negative) into +0, so plain relu gives 0 like max(x, 0).
    y[i] = (t > v ? p - slope * (t - v) : p) + 0;
    if (v !== v) y[i] = NaN;
  }
  return y;
}

/**
 * Derivative of `relu`: the positive part passes where threshold < x and the clip is inactive;
 * the negative part adds negativeSlope where x < threshold (so plain relu has gradient 0 at 0).
 */
export function reluGrad(dy: FloatArray, x: FloatArray, attrs: ReluAttrs): FloatArray {
  const { negativeSlope: slope, threshold: t } = attrs;
  const max = attrs.maxValue;
  const n = dy.length;
  const dx = allocLike(dy, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v !== v) {
      dx[i] = NaN;
      continue;
    }
    let pass = v > t;
    if (pass && max !== undefined && (v >= max || v <= 0)) pass = false;
    dx[i] = (pass ? dy[i] : 0) + (v < t ? slope * dy[i] : 0) + 0;
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
