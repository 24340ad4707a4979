/**
 * Folding an inference-mode BatchNormalization into the convolution before it:
 *   BN(conv(x, w) + b) = conv(x, w·s) + (b − mean)·s + beta,  s = gamma / √(moving_variance + ε),
 * with s applied per output channel (the last axis of a Conv2D kernel; the flattened channel ×
 * multiplier axes of a depthwise kernel, whose output channel is c·M + m). Computed in float64.
 */
import { Tensor, type Variable } from '../tensor/tensor.js';
import type { BaseConv2D } from './convolutional.js';
import type { BatchNormalization } from './normalization.js';

interface Folded {
  /** What the fold was computed from: the BN layer, its epsilon, and each variable and its version. */
  bn: BatchNormalization;
  epsilon: number;
  vars: (Variable | null)[];
  versions: number[];
  kernel: Tensor;
  bias: Tensor;
}

const cache = new WeakMap<BaseConv2D, Folded>();

function same(v: Variable | null, hit: Folded, i: number): boolean {
  return v === hit.vars[i] && (v ? v.version : -1) === hit.versions[i];
}

/** The cached fold is current (checked on every predict, so no allocation here). */
function fresh(hit: Folded, conv: BaseConv2D, bn: BatchNormalization): boolean {
  return hit.bn === bn && hit.epsilon === bn.epsilon && same(conv.kernel, hit, 0) && same(conv.bias, hit, 1) &&
    same(bn.gamma, hit, 2) && same(bn.beta, hit, 3) && same(bn.movingMean, hit, 4) && same(bn.movingVariance, hit, 5);
}

export function foldBatchNorm(conv: BaseConv2D, bn: BatchNormalization): { kernel: Tensor; bias: Tensor } {
  const hit = cache.get(conv);
  if (hit && fresh(hit, conv, bn)) return hit;
  const vars = [conv.kernel, conv.bias, bn.gamma, bn.beta, bn.movingMean, bn.movingVariance];
  const outC = bn.movingMean.size;
  const w = conv.kernel.values;
  if (w.length % outC !== 0) throw new Error(`convkit internal error: cannot fold ${bn.name} (${outC} channels) into ${conv.name}`);
  const mean = bn.movingMean.values;
  const variance = bn.movingVariance.values;
  const scale = new Float64Array(outC);
  const bias = new Float32Array(outC);
  for (let j = 0; j < outC; j++) {
    scale[j] = (bn.gamma ? bn.gamma.values[j] : 1) / Math.sqrt(variance[j] + bn.epsilon);
    bias[j] = ((conv.bias ? conv.bias.values[j] : 0) - mean[j]) * scale[j] + (bn.beta ? bn.beta.values[j] : 0);
  }
  const kernel = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) kernel[i] = w[i] * scale[i % outC];
  const folded: Folded = {
    bn, epsilon: bn.epsilon, vars, versions: vars.map((v) => (v ? v.version : -1)),
    kernel: new Tensor(kernel, conv.kernel.shape), bias: new Tensor(bias, [outC]),
  };
  cache.set(conv, folded);
  return folded;
}
