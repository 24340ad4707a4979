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

/**
 * Normalise with given statistics (inference mode, or a frozen layer); differentiable in x, gamma and
 * beta. One backend pass forward; the backward pass needs only the per-channel scale
 * gamma/√(variance + ε). Gradients for mean and variance (non-trainable moving statistics in every
 * Keras use) go through the composite form only when one of them actually requires a gradient.
 */
export function batchNormInference(x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor, beta: Tensor, epsilon: number): Tensor {
  const c = check(x, [mean, variance, gamma, beta], 'batchNorm');
  if (mean.requiresGrad || variance.requiresGrad) {
    const scale = mul(reshape(gamma, [c]), rsqrt(add(reshape(variance, [c]), epsilon)));
    return add(mul(sub(x, reshape(mean, [c])), scale), reshape(beta, [c]));
  }
  const xv = floats(x);
  const mv = floats(mean);
  const vv = floats(variance);
  const y = wrap(be().batchNormInference(xv, mv, vv, floats(gamma), floats(beta), c, epsilon), x.shape);
  return record('batchNormInference', y, [x, gamma, beta], (dy) => {
    const rows = x.size / c;
    const d = floats(dy);
    const inv = new Float64Array(c);
    for (let j = 0; j < c; j++) inv[j] = 1 / Math.sqrt(vv[j] + epsilon);
    const g = floats(gamma);
    const f64 = d instanceof Float64Array;
    const vec = (n: number): Float32Array | Float64Array => (f64 ? new Float64Array(n) : new Float32Array(n));
    const scale = vec(c);
    for (let j = 0; j < c; j++) scale[j] = inv[j] * g[j];
    const dx = x.requiresGrad ? wrap(be().binary('mul', d, [rows, c], scale, [c], [rows, c]), x.shape) : null;
    let dgamma: Tensor | null = null;
    if (gamma.requiresGrad) {
      // dγ_j = Σ_rows dy·(x − μ_j)/√(σ²_j + ε)
      const xhat = be().batchNormInference(xv, mv, vv, vec(c).fill(1), vec(c), c, epsilon);
      const prod = be().binary('mul', d, [rows, c], xhat, [rows, c], [rows, c]) as Float32Array;
      dgamma = wrap(be().reduce('sum', prod, [rows, c], [0]), gamma.shape);
    }
    const dbeta = beta.requiresGrad ? wrap(be().reduce('sum', d, [rows, c], [0]), beta.shape) : null;
    return [dx, dgamma, dbeta];
  });
}
