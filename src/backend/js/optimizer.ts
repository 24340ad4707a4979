/** In-place optimizer updates (Backend.adamUpdate); arithmetic in double, stored in the arrays' type. */
import type { FloatArray } from '../backend.js';

export function adamUpdate(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, alpha: number, c1: number, c2: number, eps: number): void {
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    m[i] = m[i] + (gi - m[i]) * c1;
    v[i] = v[i] + (gi * gi - v[i]) * c2;
    w[i] = w[i] - (m[i] * alpha) / (Math.sqrt(v[i]) + eps);
  }
}
