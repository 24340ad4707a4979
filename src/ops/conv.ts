/** 2-D convolution ops (NHWC input, HWIO filter) and their gradients. */
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { ShapeError } from '../errors.js';
import { type Conv2DInfo, conv2dInfo, pair, type Padding, checkPositiveInts } from '../shape/conv.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, shapeStr, wrap } from './util.js';

export interface Conv2DOptions {
  strides?: number | readonly number[];
  padding?: Padding;
  dilations?: number | readonly number[];
  /** Name used in error messages (the layer's name when called from a layer). */
  name?: string;
  /** The filter's values never change while its storage lives (see Epilogue.constantFilter). */
  constantFilter?: boolean;
}

export function convGeometry(x: Tensor, filter: Tensor, opts: Conv2DOptions, op: string, depthwise: boolean): Conv2DInfo {
  return convGeometryOf(x.shape, filter, opts, op, depthwise);
}

/** convGeometry for an input of shape `xShape` (a value a fused op never materialises). */
export function convGeometryOf(xShape: readonly number[], filter: Tensor, opts: Conv2DOptions, op: string, depthwise: boolean): Conv2DInfo {
  const name = opts.name ?? op;
  if (xShape.length !== 4) throw new ShapeError(`${name}: expected a 4-D input (batch, height, width, channels), got shape ${shapeStr(xShape)}`);
  if (filter.rank !== 4) throw new ShapeError(`${name}: expected a 4-D filter (height, width, ${depthwise ? 'channels, multiplier' : 'in_channels, out_channels'}), got shape ${shapeStr(filter.shape)}`);
  if (filter.shape[2] !== xShape[3]) {
    throw new ShapeError(`${name}: input has ${xShape[3]} channels (shape ${shapeStr(xShape)}) but the filter expects ${filter.shape[2]} (filter shape ${shapeStr(filter.shape)})`);
  }
  const strides = pair(opts.strides ?? 1, 'strides');
  const dilations = pair(opts.dilations ?? 1, 'dilation_rate');
  checkPositiveInts(strides, 'strides', name);
  checkPositiveInts(dilations, 'dilation_rate', name);
  const outChannels = depthwise ? filter.shape[2] * filter.shape[3] : filter.shape[3];
  return conv2dInfo({ inShape: xShape, filterSize: [filter.shape[0], filter.shape[1]], strides, dilations, padding: opts.padding ?? 'valid', name },
    outChannels, depthwise ? filter.shape[3] : 1);
}

export function convOutShape(info: Conv2DInfo): number[] {
  return [info.batch, info.outHeight, info.outWidth, info.outChannels];
}

export function widenPair(x: Tensor, f: Tensor): [Float32Array | Float64Array, Float32Array | Float64Array] {
  const xv = floats(x);
  const fv = floats(f);
  if (xv.constructor === fv.constructor) return [xv, fv];
  return [be().cast(xv, 'float64') as Float64Array, be().cast(fv, 'float64') as Float64Array];
}

export function conv2d(x: Tensor, filter: Tensor, opts: Conv2DOptions = {}): Tensor {
  const info = convGeometry(x, filter, opts, 'conv2d', false);
  const [xv, fv] = widenPair(x, filter);
  const y = wrap(be().conv2d(xv, fv, info), convOutShape(info));
  return record('conv2d', y, [x, filter], (dy) => {
    const d = floats(dy);
    return [
      x.requiresGrad ? wrap(be().conv2dBackpropInput(d, fv, info), x.shape) : null,
      filter.requiresGrad ? wrap(be().conv2dBackpropFilter(xv, d, info), filter.shape) : null,
    ];
  });
}

/** Depthwise convolution: filter (kh, kw, channels, multiplier); output channels = channels·multiplier. */
export function depthwiseConv2d(x: Tensor, filter: Tensor, opts: Conv2DOptions = {}): Tensor {
  const info = convGeometry(x, filter, opts, 'depthwiseConv2d', true);
  const [xv, fv] = widenPair(x, filter);
  const y = wrap(be().depthwiseConv2d(xv, fv, info), convOutShape(info));
  return record('depthwiseConv2d', y, [x, filter], (dy) => {
    const d = floats(dy);
    return [
      x.requiresGrad ? wrap(be().depthwiseConv2dBackpropInput(d, fv, info), x.shape) : null,
      filter.requiresGrad ? wrap(be().depthwiseConv2dBackpropFilter(xv, d, info), filter.shape) : null,
    ];
  });
}
