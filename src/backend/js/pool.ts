/**
 * 2-D max and average pooling (NHWC) and their gradients. Windows are clipped to the input, which
 * gives both TensorFlow rules at once: padding cells never win a max, and averages divide by the
 * number of in-bounds cells only.
 */
import type { FloatArray } from '../backend.js';
import type { Pool2DInfo } from '../../shape/conv.js';
import { allocLike } from './util.js';

/** In-bounds window of one output position along one axis: [start, end) in input coordinates. */
interface Window {
  start: number;
  end: number;
}

function windows(out: number, inSize: number, k: number, s: number, padBefore: number): Window[] {
  const ws: Window[] = [];
  for (let o = 0; o < out; o++) {
    const lo = o * s - padBefore;
    const start = Math.max(lo, 0);
    // end ≥ start even for a window wholly in the padding, so cell counts are never negative.
    ws.push({ start, end: Math.max(start, Math.min(lo + k, inSize)) });
  }
  return ws;
}

/**
 * Calls `visit(yOff, xBase, hw)` for each output pixel: yOff is its offset in the output, xBase the
 * offset of image n, and hw the window (rows h0..h1, cols w0..w1) in input pixel coordinates.
 */
function forEachWindow(info: Pool2DInfo,
  visit: (yOff: number, xBase: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  const { batch: N, inHeight: H, inWidth: W, channels: C, outHeight: OH, outWidth: OW } = info;
  const rows = windows(OH, H, info.poolHeight, info.strideHeight, info.padTop);
  const cols = windows(OW, W, info.poolWidth, info.strideWidth, info.padLeft);
  for (let n = 0; n < N; n++) {
    const xBase = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const r = rows[oh];
      for (let ow = 0; ow < OW; ow++) {
        const c = cols[ow];
        visit(((n * OH + oh) * OW + ow) * C, xBase, r.start, r.end, c.start, c.end);
      }
    }
  }
}

/** A window entirely in the padding (possible only with explicit pads) yields −∞, the max of nothing. */
export function maxPool(x: FloatArray, info: Pool2DInfo): FloatArray {
  const { inWidth: W, channels: C } = info;
  const y = allocLike(x, info.batch * info.outHeight * info.outWidth * C);
  y.fill(-Infinity);
  forEachWindow(info, (yo, xb, h0, h1, w0, w1) => {
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const xo = xb + (h * W + w) * C;
        for (let c = 0; c < C; c++) {
          const v = x[xo + c];
          // NaN propagates (once held, `v > NaN` is false and only another NaN replaces it).
          if (v > y[yo + c] || v !== v) y[yo + c] = v;
        }
      }
    }
  });
  return y;
}

/**
 * Each window's dy goes to the first maximal input in row-major (h, w) scan order, as TensorFlow
 * does; overlapping windows accumulate.
 */
export function maxPoolBackprop(dy: FloatArray, x: FloatArray, info: Pool2DInfo): FloatArray {
  const { inWidth: W, channels: C } = info;
  const dx = allocLike(dy, info.batch * info.inHeight * W * C);
  const best = new Float64Array(C);
  const where = new Int32Array(C);
  forEachWindow(info, (yo, xb, h0, h1, w0, w1) => {
    best.fill(-Infinity);
    where.fill(-1);
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const xo = xb + (h * W + w) * C;
        for (let c = 0; c < C; c++) {
          const v = x[xo + c], b = best[c];
          // Strict > keeps the first maximum; the first NaN wins and is kept, matching maxPool.
          if (v > b || (v !== v && b === b) || where[c] < 0) {
            best[c] = v;
            where[c] = xo + c;
          }
        }
      }
    }
    for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += dy[yo + c];
  });
  return dx;
}

export function avgPool(x: FloatArray, info: Pool2DInfo): FloatArray {
  const { inWidth: W, channels: C } = info;
  const y = allocLike(x, info.batch * info.outHeight * info.outWidth * C);
  const sum = new Float64Array(C);
  forEachWindow(info, (yo, xb, h0, h1, w0, w1) => {
    const count = (h1 - h0) * (w1 - w0);
    if (count <= 0) return; // window wholly in padding: average of nothing, left 0
    sum.fill(0);
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const xo = xb + (h * W + w) * C;
        for (let c = 0; c < C; c++) sum[c] += x[xo + c];
      }
    }
    for (let c = 0; c < C; c++) y[yo + c] = sum[c] / count;
  });
  return y;
}

export function avgPoolBackprop(dy: FloatArray, info: Pool2DInfo): FloatArray {
  const { inWidth: W, channels: C } = info;
  const dx = allocLike(dy, info.batch * info.inHeight * W * C);
  forEachWindow(info, (yo, xb, h0, h1, w0, w1) => {
    const count = (h1 - h0) * (w1 - w0);
    if (count <= 0) return;
    const inv = 1 / count;
    for (let h = h0; h < h1; h++) {
      for (let w = w0; w < w1; w++) {
        const xo = xb + (h * W + w) * C;
        for (let c = 0; c < C; c++) dx[xo + c] += dy[yo + c] * inv;
      }
    }
  });
  return dx;
}
