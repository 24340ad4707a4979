/**
 * Depthwise convolution: each input channel c is convolved with its own M filters, giving output
 * channels c·M + m. There is no cross-channel sum, so a GEMM would be mostly zeros; instead the
 * loops run over output positions and filter taps, with the innermost loop over channels, which is
 * contiguous in NHWC input, in the H×W×C×M filter and in the output.
 */
import type { FloatArray } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import { allocLike } from './util.js';

/**
 * Calls `tap(xOff, fOff, yOff)` for every output position and every filter tap that lands inside
 * the input: xOff is the start of the input pixel's C channels, fOff the start of the tap's C·M
 * filter values, yOff the start of the output pixel's C·M channels.
 */
function forEachTap(info: Conv2DInfo, tap: (xOff: number, fOff: number, yOff: number) => void): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padTop, padLeft, channelMultiplier: M } = info;
  const cm = C * M;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - padTop;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - padLeft;
        const yOff = ((n * OH + oh) * OW + ow) * cm;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * dw;
            if (iw < 0 || iw >= W) continue;
            tap(((n * H + ih) * W + iw) * C, (kh * KW + kw) * cm, yOff);
          }
        }
      }
    }
  }
}

export function depthwiseConv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray {
  const C = info.inChannels, M = info.channelMultiplier;
  const y = allocLike(x, info.batch * info.outHeight * info.outWidth * C * M);
  if (M === 1) {
    forEachTap(info, (xo, fo, yo) => {
      for (let c = 0; c < C; c++) y[yo + c] += x[xo + c] * filter[fo + c];
    });
  } else {
    forEachTap(info, (xo, fo, yo) => {
      for (let c = 0; c < C; c++) {
        const v = x[xo + c], base = c * M;
        for (let m = 0; m < M; m++) y[yo + base + m] += v * filter[fo + base + m];
      }
    });
  }
  return y;
}

export function depthwiseConv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray {
  const C = info.inChannels, M = info.channelMultiplier;
  const dx = allocLike(dy, info.batch * info.inHeight * info.inWidth * C);
  if (M === 1) {
    forEachTap(info, (xo, fo, yo) => {
      for (let c = 0; c < C; c++) dx[xo + c] += dy[yo + c] * filter[fo + c];
    });
  } else {
    forEachTap(info, (xo, fo, yo) => {
      for (let c = 0; c < C; c++) {
        const base = c * M;
        let s = 0;
        for (let m = 0; m < M; m++) s += dy[yo + base + m] * filter[fo + base + m];
        dx[xo + c] += s;
      }
    });
  }
  return dx;
}

export function depthwiseConv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray {
  const C = info.inChannels, M = info.channelMultiplier;
  // Each filter value sums N·OH·OW products: accumulate in float64 so float32 training does not drift.
  const acc = new Float64Array(info.filterHeight * info.filterWidth * C * M);
  if (M === 1) {
    forEachTap(info, (xo, fo, yo) => {
      for (let c = 0; c < C; c++) acc[fo + c] += x[xo + c] * dy[yo + c];
    });
  } else {
    forEachTap(info, (xo, fo, yo) => {
      for (let c = 0; c < C; c++) {
        const v = x[xo + c], base = c * M;
        for (let m = 0; m < M; m++) acc[fo + base + m] += v * dy[yo + base + m];
      }
    });
  }
  const df = allocLike(x, acc.length);
  df.set(acc);
  return df;
}
