/**
 * Native depthwise convolution: float32 through the addon's channel-vectorised direct loops, with the
 * bias/activation epilogue applied in registers; float64 stays in js.
 */
import type { Backend, ConvStage, Epilogue, FloatArray } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import type { NativeAddon } from './addon.js';
import { allocOutput } from './alloc.js';
import { recycleArray } from '../../tensor/recycle.js';
import { ACT_CODES, INFO_SCRATCH, convInfoArray, convIsEmpty, nativeConvForward, nativeConvGrad } from './conv.js';
import type { packedFilterCache } from './packed_filter.js';

type PointwiseDepthwiseFn = (x: Float32Array, w1: Float32Array | null, b1: Float32Array | null, act1: number, w2: Float32Array,
  b2: Float32Array | null, act2: number, out: Float32Array, pwInfo: Int32Array | null, dwInfo: Int32Array, packedW1: Float32Array | null,
  w3: Float32Array | null, b3: Float32Array | null, act3: number, packedW3: Float32Array | null, residual: Float32Array | null,
  projInfo: Int32Array | null) => void;

/**
 * Rows narrower than this run as two separate convolutions: the one-pass kernel computes the 1×1
 * convolution a row at a time (a GEMM of `width` rows), which loses to one large GEMM once the
 * expanded activation fits in cache anyway (the 14×14 and 7×7 stages of MobileNet).
 */
const MIN_FUSED_WIDTH = 28;

/** The pair the one-pass kernel handles (kernels/pointwise_depthwise.h); anything else is composed. */
function fusable(pw: Conv2DInfo | null, dw: Conv2DInfo): boolean {
  return (pw === null || (pw.filterHeight === 1 && pw.filterWidth === 1 && pw.strideHeight === 1 && pw.strideWidth === 1 &&
    pw.padTop + pw.padBottom + pw.padLeft + pw.padRight === 0)) && dw.filterHeight === 3 && dw.filterWidth === 3 &&
    dw.dilationHeight === 1 && dw.dilationWidth === 1 && dw.channelMultiplier === 1 && dw.strideHeight === dw.strideWidth &&
    dw.strideHeight <= 2 && dw.padLeft <= 2 && dw.padRight <= 2 && dw.inWidth >= MIN_FUSED_WIDTH;
}

function overlaps(a: Float32Array, b: Float32Array): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** A 1×1 stride-1 unpadded convolution reading the depthwise output: the kernel's projection stage. */
function projectable(dw: Conv2DInfo, p: Conv2DInfo): boolean {
  return p.filterHeight === 1 && p.filterWidth === 1 && p.strideHeight === 1 && p.strideWidth === 1 &&
    p.padTop + p.padBottom + p.padLeft + p.padRight === 0 && p.batch === dw.batch && p.inHeight === dw.outHeight &&
    p.inWidth === dw.outWidth && p.inChannels === dw.outChannels;
}

export function depthwiseKernels(addon: NativeAddon, conv2d: Backend['conv2d'], packed: ReturnType<typeof packedFilterCache>):
  Pick<Backend, 'depthwiseConv2d' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter' | 'pointwiseDepthwiseConv2d'> {
  const depthwiseConv2d = nativeConvForward(addon, 'depthwiseConv2d',
    (i) => i.batch * i.outHeight * i.outWidth * i.inChannels * i.channelMultiplier);
  const fused = addon.pointwiseDepthwiseConv2d as PointwiseDepthwiseFn | undefined;
  const f32 = (a: FloatArray | undefined): boolean => a === undefined || a instanceof Float32Array;
  return {
    depthwiseConv2d,
    pointwiseDepthwiseConv2d: (x: FloatArray, w1: FloatArray | null, pwInfo: Conv2DInfo | null, pwEpi: Epilogue, w2: FloatArray,
      dwInfo: Conv2DInfo, dwEpi: Epilogue, proj?: ConvStage) => {
      const expand = w1 && pwInfo ? { w1, pwInfo } : null;
      if (!fused || !fusable(expand && pwInfo, dwInfo) || (expand && convIsEmpty(expand.pwInfo)) || convIsEmpty(dwInfo) ||
        ![x, w1 ?? undefined, w2, pwEpi.bias, dwEpi.bias, proj?.filter, proj?.epilogue.bias, proj?.epilogue.residual].every(f32) ||
        (proj && (!projectable(dwInfo, proj.info) || convIsEmpty(proj.info))) || (!expand && !proj)) {
        const mid = expand ? conv2d(x, expand.w1, expand.pwInfo, pwEpi) : x;
        const y = depthwiseConv2d(mid, w2, dwInfo, dwEpi);
        if (expand) recycleArray(mid);  // nothing else ever sees the expanded activation
        if (!proj) return y;
        const z = conv2d(y, proj.filter, proj.info, proj.epilogue);
        recycleArray(y);  // nor the depthwise output
        return z;
      }
      const pw1 = expand && pwEpi.constantFilter ? packed(expand.w1 as Float32Array, expand.pwInfo.inChannels, expand.pwInfo.outChannels) : null;
      const last = proj ? proj.info : dwInfo;
      const residual = (proj?.epilogue.residual as Float32Array | undefined) ?? null;
      // In place only when the shortcut is not the block's own input (which the kernel reads to the end).
      const out = residual && proj?.epilogue.residualInPlace && !overlaps(residual, x as Float32Array) ? residual
        : allocOutput(last.batch * last.outHeight * last.outWidth * last.outChannels, false);
      const pw3 = proj?.epilogue.constantFilter ? packed(proj.filter as Float32Array, proj.info.inChannels, proj.info.outChannels) : null;
      fused(x as Float32Array, (expand?.w1 as Float32Array | undefined) ?? null, expand ? (pwEpi.bias as Float32Array | undefined) ?? null : null,
        ACT_CODES[pwEpi.activation ?? 'linear'], w2 as Float32Array, (dwEpi.bias as Float32Array | undefined) ?? null,
        ACT_CODES[dwEpi.activation ?? 'linear'], out, expand ? convInfoArray(expand.pwInfo, INFO_SCRATCH[0]) : null,
        convInfoArray(dwInfo, INFO_SCRATCH[1]), pw1,
        (proj?.filter as Float32Array | undefined) ?? null, (proj?.epilogue.bias as Float32Array | undefined) ?? null,
        ACT_CODES[proj?.epilogue.activation ?? 'linear'], pw3, residual, proj ? convInfoArray(proj.info, INFO_SCRATCH[2]) : null);
      return out;
    },
    depthwiseConv2dBackpropInput: nativeConvGrad(addon, 'depthwiseConv2dBackpropInput',
      (i) => i.batch * i.inHeight * i.inWidth * i.inChannels, true),
    depthwiseConv2dBackpropFilter: nativeConvGrad(addon, 'depthwiseConv2dBackpropFilter',
      (i) => i.filterHeight * i.filterWidth * i.inChannels * i.channelMultiplier, true),
  };
}
