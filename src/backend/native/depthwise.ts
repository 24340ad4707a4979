/**
 * Native depthwise convolution: float32 through the addon's channel-vectorised direct loops, with the
 * bias/activation epilogue applied in registers; float64 stays in js.
 */
import { allocOutput } from './alloc.js';
import type { Backend, Epilogue, FloatArray, FusedActivation } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import { jsBackend } from '../js/index.js';
import type { NativeAddon } from './addon.js';
import { convInfoArray, convIsEmpty } from './conv.js';

/** Activation codes of native/src/common/activation.h. */
const ACT_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, tanh: 4 };

type DepthwiseFn = (x: Float32Array, filter: Float32Array, bias: Float32Array | null, out: Float32Array,
  info: number[], act: number) => void;
type DepthwiseGradFn = (a: Float32Array, b: Float32Array, out: Float32Array, info: number[]) => void;

export function depthwiseKernels(addon: NativeAddon):
  Pick<Backend, 'depthwiseConv2d' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter'> {
  const forward = addon.depthwiseConv2d as DepthwiseFn;
  const backpropInput = addon.depthwiseConv2dBackpropInput as DepthwiseGradFn;
  const backpropFilter = addon.depthwiseConv2dBackpropFilter as DepthwiseGradFn;
  const outSize = (i: Conv2DInfo) => i.batch * i.outHeight * i.outWidth * i.inChannels * i.channelMultiplier;
  return {
    depthwiseConv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue): FloatArray {
      const bias = epilogue?.bias;
      if (!(x instanceof Float32Array) || !(filter instanceof Float32Array) ||
        (bias !== undefined && !(bias instanceof Float32Array)) || convIsEmpty(info)) {
        return jsBackend.depthwiseConv2d(x, filter, info, epilogue);
      }
      const out = allocOutput(outSize(info), false);
      forward(x, filter, bias ?? null, out, convInfoArray(info), ACT_CODES[epilogue?.activation ?? 'linear']);
      return out;
    },
    depthwiseConv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray {
      if (!(dy instanceof Float32Array) || !(filter instanceof Float32Array) || convIsEmpty(info)) {
        return jsBackend.depthwiseConv2dBackpropInput(dy, filter, info);
      }
      const out = new Float32Array(info.batch * info.inHeight * info.inWidth * info.inChannels);
      backpropInput(dy, filter, out, convInfoArray(info));
      return out;
    },
    depthwiseConv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray {
      if (!(x instanceof Float32Array) || !(dy instanceof Float32Array) || convIsEmpty(info)) {
        return jsBackend.depthwiseConv2dBackpropFilter(x, dy, info);
      }
      const out = new Float32Array(info.filterHeight * info.filterWidth * info.inChannels * info.channelMultiplier);
      backpropFilter(x, dy, out, convInfoArray(info));
      return out;
    },
  };
}
