/** Max and average pooling (NHWC) with gradients. */
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { checkPositiveInts, pair, type Padding, pool2dInfo, type Pool2DInfo } from '../shape/conv.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, wrap } from './util.js';

export interface Pool2DOptions {
  poolSize?: number | readonly number[];
  /** Defaults to poolSize, as in Keras. */
  strides?: number | readonly number[] | null;
  padding?: Padding;
  name?: string;
}

/** Geometry of a 2-D pooling window over x (also used by stochastic pooling). */
export function pool2dGeometry(x: Tensor, opts: Pool2DOptions, op: string): Pool2DInfo {
  const name = opts.name ?? op;
  const size = pair(opts.poolSize ?? 2, 'pool_size');
  const strides = pair(opts.strides ?? size, 'strides');
  checkPositiveInts(size, 'pool_size', name);
  checkPositiveInts(strides, 'strides', name);
  return pool2dInfo({ inShape: x.shape, filterSize: size, strides, padding: opts.padding ?? 'valid', name });
}

const outShape = (i: Pool2DInfo) => [i.batch, i.outHeight, i.outWidth, i.channels];

export function maxPool2d(x: Tensor, opts: Pool2DOptions = {}): Tensor {
  const p = pool2dGeometry(x, opts, 'maxPool2d');
  const xv = floats(x);
  const y = wrap(be().maxPool(xv, p), outShape(p));
  return record('maxPool2d', y, [x], (dy) => [wrap(be().maxPoolBackprop(floats(dy), xv, p), x.shape)]);
}

export function avgPool2d(x: Tensor, opts: Pool2DOptions = {}): Tensor {
  const p = pool2dGeometry(x, opts, 'avgPool2d');
  const y = wrap(be().avgPool(floats(x), p), outShape(p));
  return record('avgPool2d', y, [x], (dy) => [wrap(be().avgPoolBackprop(floats(dy), p), x.shape)]);
}
