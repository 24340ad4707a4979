/**
 * Depthwise convolution: each input channel c is convolved with its own M filters, giving output
 * channels c·M + m. There is no cross-channel sum, so a GEMM would be mostly zeros; instead the
 * loops run over filter taps and output pixels, with the innermost loop over channels, which is
 * contiguous in NHWC input, in the H×W×C×M filter and in the output.
 */
import type { ConvStage, Epilogue, FloatArray } from '../backend.js';
import { applyEpilogue } from './epilogue.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import { allocLike } from './util.js';
import { conv2d } from './conv.js';

/**
 * One filter tap (kh, kw) applied along one output row (n, oh): output pixels ow in [owLo, owHi)
 * read input pixel xRow + (ow·sw + iwOff)·C and write output pixel yRow + ow·C·M; the tap's C·M
 * filter values start at fOff. The range is clipped so every pixel read is inside the input.
 */
type TapRow = (xRow: number, iwOff: number, sw: number, fOff: number, yRow: number, owLo: number, owHi: number) => void;

/**
 * Drives a TapRow over every (n, oh, kh, kw). Calling back once per row rather than once per pixel
 * keeps the (unavoidably polymorphic) callback cost off the hot loops, which live in the callbacks.
 */
function forEachTapRow(info: Conv2DInfo, visit: TapRow): void {
  const { batch: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padTop, padLeft, channelMultiplier: M } = info;
  for (let kw = 0; kw < KW; kw++) {
    const iwOff = kw * dw - padLeft;
    // In-bounds output columns: 0 ≤ ow·sw + iwOff < W.
    const owLo = Math.min(OW, Math.max(0, Math.ceil(-iwOff / sw)));
    const owHi = Math.max(owLo, Math.min(OW, Math.ceil((W - iwOff) / sw)));
    if (owLo === owHi) continue;
    for (let n = 0; n < N; n++) {
      for (let oh = 0; oh < OH; oh++) {
        const yRow = (n * OH + oh) * OW * C * M;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - padTop + kh * dh;
          if (ih < 0 || ih >= H) continue;
          visit((n * H + ih) * W * C, iwOff, sw, (kh * KW + kw) * C * M, yRow, owLo, owHi);
        }
      }
    }
  }
}

export function depthwiseConv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue): FloatArray {
  const C = info.inChannels, M = info.channelMultiplier, CM = C * M;
  const y = allocLike(x, info.batch * info.outHeight * info.outWidth * CM);
  forEachTapRow(info, (xRow, iwOff, sw, fo, yRow, owLo, owHi) => {
    for (let ow = owLo; ow < owHi; ow++) {
      const xo = xRow + (ow * sw + iwOff) * C, yo = yRow + ow * CM;
      if (M === 1) {
        for (let c = 0; c < C; c++) y[yo + c] += x[xo + c] * filter[fo + c];
      } else {
        for (let c = 0; c < C; c++) {
          const v = x[xo + c], base = c * M;
          for (let m = 0; m < M; m++) y[yo + base + m] += v * filter[fo + base + m];
        }
      }
    }
  });
  return applyEpilogue(y, epilogue);
}

export function depthwiseConv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray {
  const C = info.inChannels, M = info.channelMultiplier, CM = C * M;
  const dx = allocLike(dy, info.batch * info.inHeight * info.inWidth * C);
  forEachTapRow(info, (xRow, iwOff, sw, fo, yRow, owLo, owHi) => {
    for (let ow = owLo; ow < owHi; ow++) {
      const xo = xRow + (ow * sw + iwOff) * C, yo = yRow + ow * CM;
      if (M === 1) {
        for (let c = 0; c < C; c++) dx[xo + c] += dy[yo + c] * filter[fo + c];
      } else {
        for (let c = 0; c < C; c++) {
          const base = c * M;
          let s = 0;
          for (let m = 0; m < M; m++) s += dy[yo + base + m] * filter[fo + base + m];
          dx[xo + c] += s;
        }
      }
    }
  });
  return dx;
}

export function depthwiseConv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray {
  const C = info.inChannels, M = info.channelMultiplier, CM = C * M;
  // Each filter value sums N·OH·OW products: accumulate in float64 so float32 training does not drift.
  const acc = new Float64Array(info.filterHeight * info.filterWidth * CM);
  forEachTapRow(info, (xRow, iwOff, sw, fo, yRow, owLo, owHi) => {
    for (let ow = owLo; ow < owHi; ow++) {
      const xo = xRow + (ow * sw + iwOff) * C, yo = yRow + ow * CM;
      if (M === 1) {
        for (let c = 0; c < C; c++) acc[fo + c] += x[xo + c] * dy[yo + c];
      } else {
        for (let c = 0; c < C; c++) {
          const v = x[xo + c], base = c * M;
          for (let m = 0; m < M; m++) acc[fo + base + m] += v * dy[yo + base + m];
        }
      }
    }
  });
  const df = allocLike(x, acc.length);
  df.set(acc);
  return df;
}

/** The reference for Backend.pointwiseDepthwiseConv2d: the convolutions one after the other. */
export function pointwiseDepthwiseConv2d(x: FloatArray, pwFilter: FloatArray | null, pwInfo: Conv2DInfo | null, pwEpilogue: Epilogue,
  dwFilter: FloatArray, dwInfo: Conv2DInfo, dwEpilogue: Epilogue, projection?: ConvStage): FloatArray {
  const mid = pwFilter && pwInfo ? conv2d(x, pwFilter, pwInfo, pwEpilogue) : x;
  const y = depthwiseConv2d(mid, dwFilter, dwInfo, dwEpilogue);
  return projection ? conv2d(y, projection.filter, projection.info, projection.epilogue) : y;
}
