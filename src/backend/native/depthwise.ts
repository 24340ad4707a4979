/**
 * Native depthwise convolution: float32 through the addon's channel-vectorised direct loops, with the
 * bias/activation epilogue applied in registers; float64 stays in js.
 */
import type { Backend } from '../backend.js';
import type { NativeAddon } from './addon.js';
import { nativeConvForward, nativeConvGrad } from './conv.js';

export function depthwiseKernels(addon: NativeAddon):
  Pick<Backend, 'depthwiseConv2d' | 'depthwiseConv2dBackpropInput' | 'depthwiseConv2dBackpropFilter'> {
  return {
    depthwiseConv2d: nativeConvForward(addon, 'depthwiseConv2d',
      (i) => i.batch * i.outHeight * i.outWidth * i.inChannels * i.channelMultiplier),
    depthwiseConv2dBackpropInput: nativeConvGrad(addon, 'depthwiseConv2dBackpropInput',
      (i) => i.batch * i.inHeight * i.inWidth * i.inChannels, true),
    depthwiseConv2dBackpropFilter: nativeConvGrad(addon, 'depthwiseConv2dBackpropFilter',
      (i) => i.filterHeight * i.filterWidth * i.inChannels * i.channelMultiplier, true),
  };
}
