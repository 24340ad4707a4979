/** Reductions along axes, each with its gradient. */
import type { ReduceOp } from '../backend/backend.js';
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { normAxes, normAxis } from '../shape/broadcast.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, wrap } from './util.js';
import { broadcastTo, reshape } from './movement.js';
import { div, equal, mul } from './elementwise.js';

export type Axis = number | readonly number[] | null;

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], keepDims: boolean): Tensor {
  const out = be().reduce(op, floats(x), x.shape, axes);
  const shape = keepDims ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  return wrap(out, shape);
}

export function sum(x: Tensor, axis: Axis = null, keepDims = false): Tensor {
  const axes = normAxes(axis ?? undefined, x.rank, 'sum');
  const y = reduceRaw('sum', x, axes, keepDims);
  return record('sum', y, [x], (dy) => [broadcastTo(reshape(dy, keptShape(x.shape, axes)), x.shape)]);
}

export function mean(x: Tensor, axis: Axis = null, keepDims = false): Tensor {
  const axes = normAxes(axis ?? undefined, x.rank, 'mean');
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  const y = reduceRaw('mean', x, axes, keepDims);
  return record('mean', y, [x], (dy) => [div(broadcastTo(reshape(dy, keptShape(x.shape, axes)), x.shape), count)]);
}

function extreme(op: 'max' | 'min', x: Tensor, axis: Axis, keepDims: boolean): Tensor {
  const axes = normAxes(axis ?? undefined, x.rank, op);
  const y = reduceRaw(op, x, axes, keepDims);
  return record(op, y, [x], (dy) => {
    // Ties share the gradient equally, as TensorFlow's reduce_max gradient does.
    const kept = keptShape(x.shape, axes);
    const mask = equal(x, reshape(y, kept));
    const count = sum(mask, axes, true);
    return [mul(div(mask, count), reshape(dy, kept))];
  });
}

export const max = (x: Tensor, axis: Axis = null, keepDims = false) => extreme('max', x, axis, keepDims);
export const min = (x: Tensor, axis: Axis = null, keepDims = false) => extreme('min', x, axis, keepDims);

function argReduce(op: 'argmax' | 'argmin', x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank, op);
  return wrap(be().argReduce(op, x.values, x.shape, a), x.shape.filter((_, i) => i !== a));
}

/** Index of the largest value along `axis` (int32; first index on ties). */
export const argMax = (x: Tensor, axis = -1) => argReduce('argmax', x, axis);
export const argMin = (x: Tensor, axis = -1) => argReduce('argmin', x, axis);

/** No element is NaN or ±∞ (a check on data, not differentiable). */
export function allFinite(x: Tensor): boolean {
  return be().allFinite(x.values);
}
