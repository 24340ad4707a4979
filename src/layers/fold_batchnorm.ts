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
  key: string;
  kernel: Tensor;
  bias: Tensor;
}

const cache = new WeakMap<BaseConv2D, Folded>();

function stamp(vars: (Variable | null)[]): string {
  return vars.map((v) => (v ? `${v.version}` : '-')).join(',');
}

export function foldBatchNorm(conv: BaseConv2D, bn: BatchNormalization): { kernel: Tensor; bias: Tensor } {
  const vars = [conv.kernel, conv.bias, bn.gamma, bn.beta, bn.movingMean, bn.movingVariance];
  const key = `${bn.name}|${bn.epsilon}|${stamp(vars)}`;
  const hit = cache.get(conv);
  if (hit && hit.key === key) return hit;
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
  const folded: Folded = { key, kernel: new Tensor(kernel, conv.kernel.shape), bias: new Tensor(bias, [outC]) };
  cache.set(conv, folded);
  return folded;
}
