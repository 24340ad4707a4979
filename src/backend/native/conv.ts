/**
 * Native 2-D convolution: float32 through the addon (im2col + blocked GEMM with the bias/activation
 * epilogue fused); float64 (gradient checks) and empty tensors stay in js.
 */
import { allocOutput } from './alloc.js';
import type { Backend, Epilogue, FloatArray, FusedActivation } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';
import { packedFilterCache } from './packed_filter.js';

/**
 * The 18 Conv2DInfo fields in declaration order, as the addon's `info` argument: an Int32Array, which
 * the addon reads in one step (every field is a validated size below 2³¹).
 */
export function convInfoArray(i: Conv2DInfo, a = new Int32Array(18)): Int32Array {
  a[0] = i.batch; a[1] = i.inHeight; a[2] = i.inWidth; a[3] = i.inChannels; a[4] = i.outHeight; a[5] = i.outWidth;
  a[6] = i.outChannels; a[7] = i.filterHeight; a[8] = i.filterWidth; a[9] = i.strideHeight; a[10] = i.strideWidth;
  a[11] = i.dilationHeight; a[12] = i.dilationWidth; a[13] = i.padTop; a[14] = i.padBottom; a[15] = i.padLeft;
  a[16] = i.padRight; a[17] = i.channelMultiplier;
  return a;
}

/**
 * Scratch `info` arguments for kernel calls: the addon reads them during the call and keeps nothing,
 * so one per argument position saves allocating a typed array on every call.
 */
export const INFO_SCRATCH = [new Int32Array(18), new Int32Array(18), new Int32Array(18)] as const;

/** True when the record describes no work (a zero size): the js kernels handle those. */
export function convIsEmpty(i: Conv2DInfo): boolean {
  return i.batch * i.inHeight * i.inWidth * i.inChannels * i.outHeight * i.outWidth * i.outChannels === 0;
}

/** Activation codes of native/src/common/activation.h. */
export const ACT_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, tanh: 4 };

type Conv2dFn = (x: Float32Array, filter: Float32Array, bias: Float32Array | null, out: Float32Array,
  info: Int32Array, act: number, packed: Float32Array | null, residual: Float32Array | null) => void;
type Conv2dGradFn = (a: Float32Array, b: Float32Array, out: Float32Array, info: Int32Array) => void;
type ConvForward = (x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue) => FloatArray;
type ConvGrad = (a: FloatArray, b: FloatArray, info: Conv2DInfo) => FloatArray;

/**
 * The forward conv kernel `name` (conv2d, depthwiseConv2d; the addon exports it under the Backend
 * method's name): float32 inputs (and bias) of a non-empty record go through the addon into an
 * uninitialised output of `outSize(info)` elements, the rest to jsFallback[name]. A constant conv2d
 * filter goes with its packed copy from `packed`.
 */
export function nativeConvForward(addon: NativeAddon, name: 'conv2d' | 'depthwiseConv2d',
  outSize: (i: Conv2DInfo) => number, packed?: ReturnType<typeof packedFilterCache>): ConvForward {
  const fn = addon[name] as Conv2dFn;
  return (x, filter, info, epilogue) => {
    const bias = epilogue?.bias;
    const residual = epilogue?.residual;
    if (!(x instanceof Float32Array) || !(filter instanceof Float32Array) ||
      (bias !== undefined && !(bias instanceof Float32Array)) || (residual !== undefined && !(residual instanceof Float32Array)) ||
      (residual !== undefined && name !== 'conv2d') || convIsEmpty(info)) {
      return jsFallback[name](x, filter, info, epilogue);
    }
    const out = residual && epilogue?.residualInPlace ? residual : allocOutput(outSize(info), false);
    const pf = packed && epilogue?.constantFilter
      ? packed(filter, info.filterHeight * info.filterWidth * info.inChannels, info.outChannels) : null;
    fn(x, filter, bias ?? null, out, convInfoArray(info, INFO_SCRATCH[0]), ACT_CODES[epilogue?.activation ?? 'linear'], pf, residual ?? null);
    return out;
  };
}

type ConvGradName = 'conv2dBackpropInput' | 'conv2dBackpropFilter' | 'depthwiseConv2dBackpropInput' |
  'depthwiseConv2dBackpropFilter';

/**
 * The conv gradient kernel `name` (a, b, info), as nativeConvForward; `zeroed` when the kernel
 * accumulates into its output rather than writing every element.
 */
export function nativeConvGrad(addon: NativeAddon, name: ConvGradName, outSize: (i: Conv2DInfo) => number,
  zeroed: boolean): ConvGrad {
  const fn = addon[name] as Conv2dGradFn;
  return (a, b, info) => {
    if (!(a instanceof Float32Array) || !(b instanceof Float32Array) || convIsEmpty(info)) {
      return jsFallback[name](a, b, info);
    }
    const out = allocOutput(outSize(info), zeroed);
    fn(a, b, out, convInfoArray(info, INFO_SCRATCH[0]));
    return out;
  };
}

export function convKernels(addon: NativeAddon, packed: ReturnType<typeof packedFilterCache>):
  Pick<Backend, 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter'> {
  return {
    conv2d: nativeConvForward(addon, 'conv2d', (i) => i.batch * i.outHeight * i.outWidth * i.outChannels, packed),
    // The kernel zero-fills dx itself (per image band, in parallel) before accumulating into it.
    conv2dBackpropInput: nativeConvGrad(addon, 'conv2dBackpropInput',
      (i) => i.batch * i.inHeight * i.inWidth * i.inChannels, false),
    conv2dBackpropFilter: nativeConvGrad(addon, 'conv2dBackpropFilter',
      (i) => i.filterHeight * i.filterWidth * i.inChannels * i.outChannels, true),
  };
}
