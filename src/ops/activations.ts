/** Activation functions as differentiable ops (Keras definitions). */
import type { ReluAttrs } from '../backend/backend.js';
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { normAxis } from '../shape/broadcast.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, wrap } from './util.js';
import { exp, mul, sub, unary } from './elementwise.js';
import { sum } from './reduce.js';
import { transpose } from './movement.js';

export const sigmoid = (x: Tensor) => unary('sigmoid', x);
export const tanh = (x: Tensor) => unary('tanh', x);
export const elu = (x: Tensor, alpha = 1) => unary('elu', x, alpha);
export const selu = (x: Tensor) => unary('selu', x);
export const softplus = (x: Tensor) => unary('softplus', x);
export const softsign = (x: Tensor) => unary('softsign', x);
/** GELU; `approximate` selects the tanh form (Keras's gelu(approximate=True)). */
export const gelu = (x: Tensor, approximate = false) => unary(approximate ? 'gelu_tanh' : 'gelu', x);
export const swish = (x: Tensor) => unary('swish', x);
export const silu = swish;
export const hardSigmoid = (x: Tensor) => unary('hard_sigmoid', x);

/** Keras ReLU: max_value clip, negative_slope below threshold, threshold. */
export function relu(x: Tensor, attrs: Partial<ReluAttrs> = {}): Tensor {
  const a: ReluAttrs = { negativeSlope: attrs.negativeSlope ?? 0, threshold: attrs.threshold ?? 0, maxValue: attrs.maxValue };
  if (a.negativeSlope === 0 && a.threshold === 0 && a.maxValue === undefined) return unary('relu', x);
  const xv = floats(x);
  const y = wrap(be().relu(xv, a), x.shape);
  return record('relu', y, [x], (dy) => [wrap(be().reluGrad(floats(dy), xv, a), x.shape)]);
}

export const relu6 = (x: Tensor) => unary('relu6', x);
/** Keras 3 leaky_relu default negative_slope = 0.2. */
export const leakyRelu = (x: Tensor, negativeSlope = 0.2) => relu(x, { negativeSlope });

function lastAxis(x: Tensor, axis: number, op: string, f: (t: Tensor) => Tensor): Tensor {
  const a = normAxis(axis, x.rank, op);
  if (a === x.rank - 1) return f(x);
  const perm = x.shape.map((_, i) => i);
  perm[a] = x.rank - 1;
  perm[x.rank - 1] = a;
  return transpose(f(transpose(x, perm)), perm);
}

function softmaxLast(x: Tensor): Tensor {
  const cols = x.shape[x.rank - 1];
  const xv = floats(x);
  const y = wrap(be().softmax(xv, xv.length / cols, cols), x.shape);
  return record('softmax', y, [x], (dy) => [mul(y, sub(dy, sum(mul(dy, y), -1, true)))]);
}

function logSoftmaxLast(x: Tensor): Tensor {
  const cols = x.shape[x.rank - 1];
  const xv = floats(x);
  const y = wrap(be().logSoftmax(xv, xv.length / cols, cols), x.shape);
  return record('logSoftmax', y, [x], (dy) => [sub(dy, mul(exp(y), sum(dy, -1, true)))]);
}

export const softmax = (x: Tensor, axis = -1) => lastAxis(x, axis, 'softmax', softmaxLast);
export const logSoftmax = (x: Tensor, axis = -1) => lastAxis(x, axis, 'logSoftmax', logSoftmaxLast);
