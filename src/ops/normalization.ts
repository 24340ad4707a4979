/** Batch normalisation over the last axis (channels-last), training and inference forms. */
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, shapeStr, wrap } from './util.js';
import { add, mul, rsqrt, sub } from './elementwise.js';
import { reshape } from './movement.js';

function check(x: Tensor, params: Tensor[], op: string): number {
  const c = x.shape[x.rank - 1];
  for (const p of params) {
    if (p.size !== c) throw new ShapeError(`${op}: parameter of shape ${shapeStr(p.shape)} does not match ${c} channels of input ${shapeStr(x.shape)}`);
  }
  return c;
}

/**
 * Normalise with the batch's own statistics (training mode). Returns the output and the batch
 * mean and biased variance (for the caller's moving averages; they carry no gradient).
 */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): { y: Tensor; mean: Tensor; variance: Tensor } {
  const c = check(x, [gamma, beta], 'batchNorm');
  const xv = floats(x);
  const gv = floats(gamma);
  const r = be().batchNormTrain(xv, gv, floats(beta), c, epsilon);
  const y = wrap(r.y, x.shape);
  record('batchNorm', y, [x, gamma, beta], (dy) => {
    const g = be().batchNormTrainGrad(floats(dy), xv, gv, r.mean, r.variance, c, epsilon);
    return [wrap(g.dx, x.shape), wrap(g.dgamma, gamma.shape), wrap(g.dbeta, beta.shape)];
  });
  return { y, mean: wrap(r.mean, [c]), variance: wrap(r.variance, [c]) };
}

/** Normalise with given statistics (inference mode, or a frozen layer); differentiable in x, gamma, beta. */
export function batchNormInference(x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const c = check(x, [mean, variance, gamma, beta], 'batchNorm');
  if (!x.requiresGrad && !gamma.requiresGrad && !beta.requiresGrad) {
    return wrap(be().batchNormInference(floats(x), floats(mean), floats(variance), floats(gamma), floats(beta), c, epsilon), x.shape);
  }
  const scale = mul(reshape(gamma, [c]), rsqrt(add(reshape(variance, [c]), epsilon)));
  return add(mul(sub(x, reshape(mean, [c])), scale), reshape(beta, [c]));
}
