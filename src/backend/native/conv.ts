/**
 * Native 2-D convolution: float32 through the addon (im2col + blocked GEMM with the bias/activation
 * epilogue fused); float64 (gradient checks) and empty tensors stay in js.
 */
import { allocOutput } from './alloc.js';
import type { Backend, Epilogue, FloatArray, FusedActivation } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import { jsBackend } from '../js/index.js';
import type { NativeAddon } from './addon.js';

/** The 18 Conv2DInfo fields in declaration order, as the addon's `info` argument. */
export function convInfoArray(i: Conv2DInfo): number[] {
  return [i.batch, i.inHeight, i.inWidth, i.inChannels, i.outHeight, i.outWidth, i.outChannels,
    i.filterHeight, i.filterWidth, i.strideHeight, i.strideWidth, i.dilationHeight, i.dilationWidth,
    i.padTop, i.padBottom, i.padLeft, i.padRight, i.channelMultiplier];
}

/** True when the record describes no work (a zero size): the js kernels handle those. */
export function convIsEmpty(i: Conv2DInfo): boolean {
  return i.batch * i.inHeight * i.inWidth * i.inChannels * i.outHeight * i.outWidth * i.outChannels === 0;
}

/** Activation codes of native/src/common/activation.h. */
const ACT_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, tanh: 4 };

type Conv2dFn = (x: Float32Array, filter: Float32Array, bias: Float32Array | null, out: Float32Array,
  info: number[], act: number) => void;
type Conv2dGradFn = (a: Float32Array, b: Float32Array, out: Float32Array, info: number[]) => void;

export function convKernels(addon: NativeAddon): Pick<Backend, 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter'> {
  const forward = addon.conv2d as Conv2dFn;
  const backpropInput = addon.conv2dBackpropInput as Conv2dGradFn;
  const backpropFilter = addon.conv2dBackpropFilter as Conv2dGradFn;
  return {
    conv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue): FloatArray {
      const bias = epilogue?.bias;
      if (!(x instanceof Float32Array) || !(filter instanceof Float32Array) ||
        (bias !== undefined && !(bias instanceof Float32Array)) || convIsEmpty(info)) {
        return jsBackend.conv2d(x, filter, info, epilogue);
      }
      const out = allocOutput(info.batch * info.outHeight * info.outWidth * info.outChannels, false);
      forward(x, filter, bias ?? null, out, convInfoArray(info), ACT_CODES[epilogue?.activation ?? 'linear']);
      return out;
    },
    conv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray {
      if (!(dy instanceof Float32Array) || !(filter instanceof Float32Array) || convIsEmpty(info)) {
        return jsBackend.conv2dBackpropInput(dy, filter, info);
      }
      // The kernel zero-fills dx itself (per image band, in parallel) before accumulating into it.
      const out = allocOutput(info.batch * info.inHeight * info.inWidth * info.inChannels, false);
      backpropInput(dy, filter, out, convInfoArray(info));
      return out;
    },
    conv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray {
      if (!(x instanceof Float32Array) || !(dy instanceof Float32Array) || convIsEmpty(info)) {
        return jsBackend.conv2dBackpropFilter(x, dy, info);
      }
      const out = new Float32Array(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels);
      backpropFilter(x, dy, out, convInfoArray(info));
      return out;
    },
  };
}
