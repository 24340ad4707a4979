/**
 * Separable 2-D convolution (Keras's `ops.separable_conv`, the SeparableConv2D layer): a depthwise
 * convolution (kernel (kh, kw, channels, depth_multiplier); strides, padding and dilation apply
 * here) followed by a pointwise 1×1 convolution (kernel (1, 1, channels·depth_multiplier,
 * filters)). Both steps are existing differentiable ops, so their gradients come with them.
 */
import type { FusedActivation } from '../backend/backend.js';
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Conv2DOptions, conv2d, depthwiseConv2d } from './conv.js';
import { fusedConv2d } from './fused.js';
import { shapeStr } from './util.js';

function checkPointwise(depthwiseKernel: Tensor, pointwiseKernel: Tensor, name: string): void {
  if (depthwiseKernel.rank !== 4) {
    throw new ShapeError(`${name}: expected a 4-D depthwise kernel (height, width, channels, depth_multiplier), got shape ${shapeStr(depthwiseKernel.shape)}`);
  }
  const mid = depthwiseKernel.shape[2] * depthwiseKernel.shape[3];
  const pw = pointwiseKernel.shape;
  if (pointwiseKernel.rank !== 4 || pw[0] !== 1 || pw[1] !== 1 || pw[2] !== mid) {
    throw new ShapeError(`${name}: the pointwise kernel must have shape (1, 1, ${mid}, filters) for the depthwise kernel ${shapeStr(depthwiseKernel.shape)} ` +
      `(channels ${depthwiseKernel.shape[2]} × depth_multiplier ${depthwiseKernel.shape[3]} = ${mid}), got ${shapeStr(pw)}`);
  }
}

/** pointwise(depthwise(x)); strides, padding and dilations apply to the depthwise step. */
export function separableConv2d(x: Tensor, depthwiseKernel: Tensor, pointwiseKernel: Tensor, opts: Conv2DOptions = {}): Tensor {
  const name = opts.name ?? 'separableConv2d';
  checkPointwise(depthwiseKernel, pointwiseKernel, name);
  return conv2d(depthwiseConv2d(x, depthwiseKernel, { ...opts, name }), pointwiseKernel, { name });
}

/** act(pointwise(depthwise(x)) + bias), bias and activation fused into the pointwise convolution. */
export function fusedSeparableConv2d(x: Tensor, depthwiseKernel: Tensor, pointwiseKernel: Tensor, bias: Tensor | null,
  activation: FusedActivation, opts: Conv2DOptions = {}): Tensor {
  const name = opts.name ?? 'fusedSeparableConv2d';
  checkPointwise(depthwiseKernel, pointwiseKernel, name);
  return fusedConv2d(depthwiseConv2d(x, depthwiseKernel, { ...opts, name }), pointwiseKernel, bias, activation, { name });
}
