/**
 * Native depthwise convolution: float32 through the addon's channel-vectorised direct loops, with the
 * bias/activation epilogue applied in registers; float64 stays in js.
 */
import type { Backend, Epilogue, FloatArray } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import type { NativeAddon } from './addon.js';
import { allocOutput } from './alloc.js';
import { recycleArray } from '../../tensor/recycle.js';
import { ACT_CODES, INFO_SCRATCH, convInfoArray, convIsEmpty, nativeConvForward, nativeConvGrad } from './conv.js';
import type { packedFilterCache } from './packed_filter.js';

type PointwiseDepthwiseFn = (x: Float32Array, w1: Float32Array, b1: Float32Array | null, act1: number, w2: Float32Array,
  b2: Float32Array | null, act2: number, out: Float32Array, pwInfo: Int32Array, dwInfo: Int32Array, packedW1: Float32Array | null) => void;

/**
 * Rows narrower than this run as two separate convolutions: the one-pass kernel computes the 1×1
 * convolution a row at a time (a GEMM of `width` rows), which loses to one large GEMM once the
 * expanded activation fits in cache anyway (the 14×14 and 7×7 stages of MobileNet).
 */
const MIN_FUSED_WIDTH = 28;

/** The pair the one-pass kernel handles (kernels/pointwise_depthwise.h); anything else is composed. */
function fusable(pw: Conv2DInfo, dw: Conv2DInfo): boolean {
  return pw.filterHeight === 1 && pw.filterWidth === 1 && pw.strideHeight === 1 && pw.strideWidth === 1 &&
    pw.padTop + pw.padBottom + pw.padLeft + pw.padRight === 0 && dw.filterHeight === 3 && dw.filterWidth === 3 &&
    dw.dilationHeight === 1 && dw.dilationWidth === 1 && dw.channelMultiplier === 1 && dw.strideHeight === dw.strideWidth &&
    dw.strideHeight <= 2 && dw.padLeft <= 2 && dw.padRight <= 2 && dw.inWidth >= MIN_FUSED_WIDTH;
}

export function depthwiseKernels(addon: NativeAddon, conv2d: Backend['conv2d'], packed: ReturnType<typeof packedFilterCache>):
  Pick<Backend, 'depthwiseConv2d' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter' | 'pointwiseDepthwiseConv2d'> {
  const depthwiseConv2d = nativeConvForward(addon, 'depthwiseConv2d',
    (i) => i.batch * i.outHeight * i.outWidth * i.inChannels * i.channelMultiplier);
  const fused = addon.pointwiseDepthwiseConv2d as PointwiseDepthwiseFn | undefined;
  const f32 = (a: FloatArray | undefined): boolean => a === undefined || a instanceof Float32Array;
  return {
    depthwiseConv2d,
    pointwiseDepthwiseConv2d: (x: FloatArray, w1: FloatArray, pwInfo: Conv2DInfo, pwEpi: Epilogue, w2: FloatArray, dwInfo: Conv2DInfo, dwEpi: Epilogue) => {
      if (!fused || !fusable(pwInfo, dwInfo) || convIsEmpty(pwInfo) || convIsEmpty(dwInfo) ||
        ![x, w1, w2, pwEpi.bias, dwEpi.bias].every(f32)) {
        const mid = conv2d(x, w1, pwInfo, pwEpi);
        const y = depthwiseConv2d(mid, w2, dwInfo, dwEpi);
        recycleArray(mid);  // nothing else ever sees the expanded activation
        return y;
      }
      const out = allocOutput(dwInfo.batch * dwInfo.outHeight * dwInfo.outWidth * dwInfo.outChannels, false);
      const pw1 = pwEpi.constantFilter ? packed(w1 as Float32Array, pwInfo.inChannels, pwInfo.outChannels) : null;
      fused(x as Float32Array, w1 as Float32Array, (pwEpi.bias as Float32Array | undefined) ?? null, ACT_CODES[pwEpi.activation ?? 'linear'],
        w2 as Float32Array, (dwEpi.bias as Float32Array | undefined) ?? null, ACT_CODES[dwEpi.activation ?? 'linear'],
        out, convInfoArray(pwInfo, INFO_SCRATCH[0]), convInfoArray(dwInfo, INFO_SCRATCH[1]), pw1);
      return out;
    },
    depthwiseConv2dBackpropInput: nativeConvGrad(addon, 'depthwiseConv2dBackpropInput',
      (i) => i.batch * i.inHeight * i.inWidth * i.inChannels, true),
    depthwiseConv2dBackpropFilter: nativeConvGrad(addon, 'depthwiseConv2dBackpropFilter',
      (i) => i.filterHeight * i.filterWidth * i.inChannels * i.channelMultiplier, true),
  };
}
