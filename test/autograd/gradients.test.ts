import { describe, it } from 'node:test';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';
import { SparseCategoricalCrossentropy, CategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError } from '../../src/losses/index.js';

/** Values kept away from 0 so kinks (relu, abs, max) are never straddled by the finite step. */
function awayFromZero(shape: number[], seed: number): Tensor {
  const t = rand64(shape, seed);
  const v = t.values;
  for (let i = 0; i < v.length; i++) v[i] = Math.sign(v[i] || 1) * (0.1 + Math.abs(v[i]));
  return t;
}

describe('gradients match central finite differences (float64)', () => {
  it('broadcasting arithmetic', () => {
    const a = rand64([2, 3, 4], 1);
    const b = rand64([3, 1], 2, 1, 2);
    checkGradients('add', ops.add, [a, b]);
    checkGradients('sub', ops.sub, [a, b]);
    checkGradients('mul', ops.mul, [a, b]);
    checkGradients('div', ops.div, [a, b]);
    checkGradients('pow', ops.pow, [rand64([3, 4], 3, 0.5, 1.5), rand64([4], 4, 0.5, 1)]);
    checkGradients('maximum', ops.maximum, [a, rand64([4], 5)]);
    checkGradients('minimum', ops.minimum, [a, rand64([4], 6)]);
  });

  it('element-wise math', () => {
    const x = awayFromZero([3, 5], 7);
    const pos = rand64([3, 5], 8, 0.5, 1.5);
    for (const [name, f] of Object.entries({ neg: ops.neg, abs: ops.abs, square: ops.square, exp: ops.exp })) checkGradients(name, f, [x]);
    for (const [name, f] of Object.entries({ sqrt: ops.sqrt, rsqrt: ops.rsqrt, log: ops.log, log1p: ops.log1p, reciprocal: ops.reciprocal })) checkGradients(name, f, [pos]);
    checkGradients('clipByValue', (t) => ops.clipByValue(t, -0.5, 0.5), [x]);
    checkGradients('where', (p, q) => ops.where(ops.greater(x, 0), p, q), [rand64([3, 5], 9), rand64([5], 10)]);
  });

  it('activations', () => {
    const x = awayFromZero([4, 6], 11);
    const acts: Record<string, (t: Tensor) => Tensor> = {
      relu: (t) => ops.relu(t), relu6: (t) => ops.relu6(ops.mul(t, 5)), sigmoid: ops.sigmoid, tanh: ops.tanh,
      elu: (t) => ops.elu(t), selu: ops.selu, softplus: ops.softplus, softsign: ops.softsign, gelu: (t) => ops.gelu(t),
      geluTanh: (t) => ops.gelu(t, true), swish: ops.swish, hardSigmoid: (t) => ops.hardSigmoid(ops.mul(t, 2)),
      leakyRelu: (t) => ops.leakyRelu(t), reluAttrs: (t) => ops.relu(t, { maxValue: 0.8, negativeSlope: 0.1, threshold: 0.05 }),
      softmax: (t) => ops.softmax(t), softmaxAxis0: (t) => ops.softmax(t, 0), logSoftmax: (t) => ops.logSoftmax(t),
    };
    for (const [name, f] of Object.entries(acts)) checkGradients(name, f, [x]);
  });

  it('reductions', () => {
    const x = rand64([3, 4, 5], 12);
    checkGradients('sum', (t) => ops.sum(t, [0, 2]), [x]);
    checkGradients('sumKeep', (t) => ops.sum(t, 1, true), [x]);
    checkGradients('mean', (t) => ops.mean(t, [1]), [x]);
    checkGradients('meanAll', (t) => ops.mean(t), [x]);
    checkGradients('max', (t) => ops.max(t, [2]), [x]);
    checkGradients('min', (t) => ops.min(t, [0, 1]), [x]);
  });

  it('movement ops', () => {
    const x = rand64([2, 3, 4], 13);
    checkGradients('reshape', (t) => ops.reshape(t, [4, -1]), [x]);
    checkGradients('transpose', (t) => ops.transpose(t, [2, 0, 1]), [x]);
    checkGradients('slice', (t) => ops.slice(t, [0, 1, 1], [2, 2, -1]), [x]);
    checkGradients('concat', (a, b) => ops.concat([a, b], 1), [x, rand64([2, 2, 4], 14)]);
    checkGradients('stack', (a, b) => ops.stack([a, b], 0), [x, rand64([2, 3, 4], 15)]);
    checkGradients('pad', (t) => ops.pad(t, [[1, 0], [0, 2], [1, 1]]), [x]);
    checkGradients('gather', (t) => ops.gather(t, [2, 0, 2], 1), [x]);
    checkGradients('broadcastTo', (t) => ops.broadcastTo(t, [2, 3, 4]), [rand64([3, 1], 16)]);
  });

  it('matMul: transposes, batched and shared operands', () => {
    checkGradients('mm', (a, b) => ops.matMul(a, b), [rand64([3, 4], 17), rand64([4, 5], 18)]);
    checkGradients('mmTA', (a, b) => ops.matMul(a, b, true, false), [rand64([4, 3], 19), rand64([4, 5], 20)]);
    checkGradients('mmTB', (a, b) => ops.matMul(a, b, false, true), [rand64([3, 4], 21), rand64([5, 4], 22)]);
    checkGradients('mmTT', (a, b) => ops.matMul(a, b, true, true), [rand64([4, 3], 23), rand64([5, 4], 24)]);
    checkGradients('batched', (a, b) => ops.matMul(a, b), [rand64([2, 3, 4], 25), rand64([2, 4, 2], 26)]);
    checkGradients('shared', (a, b) => ops.matMul(a, b), [rand64([2, 3, 4], 27), rand64([4, 2], 28)]);
    checkGradients('sharedTA', (a, b) => ops.matMul(a, b, true, true), [rand64([2, 4, 3], 29), rand64([2, 4], 30)]);
  });

  it('conv2d: stride 2 + same + dilation 2, and valid/explicit padding', () => {
    const x = rand64([2, 7, 6, 3], 31);
    checkGradients('conv-s2-same-d2', (a, w) => ops.conv2d(a, w, { strides: 2, padding: 'same', dilations: 2 }), [x, rand64([3, 3, 3, 4], 32)], { maxPoints: 30 });
    checkGradients('conv-valid', (a, w) => ops.conv2d(a, w, { strides: [1, 2], padding: 'valid' }), [x, rand64([2, 3, 3, 2], 33)], { maxPoints: 30 });
    checkGradients('conv-explicit', (a, w) => ops.conv2d(a, w, { padding: [[1, 0], [2, 1]], dilations: [2, 1] }), [x, rand64([3, 2, 3, 2], 34)], { maxPoints: 30 });
  });

  it('depthwise conv2d', () => {
    const x = rand64([2, 6, 5, 3], 35);
    checkGradients('dw-same-s2', (a, w) => ops.depthwiseConv2d(a, w, { strides: 2, padding: 'same' }), [x, rand64([3, 3, 3, 2], 36)], { maxPoints: 30 });
    checkGradients('dw-valid-d2', (a, w) => ops.depthwiseConv2d(a, w, { dilations: 2 }), [x, rand64([2, 2, 3, 1], 37)], { maxPoints: 30 });
  });

  it('pooling with same padding', () => {
    const x = rand64([2, 5, 7, 3], 38);
    checkGradients('maxPool-same', (t) => ops.maxPool2d(t, { poolSize: 3, strides: 2, padding: 'same' }), [x]);
    checkGradients('avgPool-same', (t) => ops.avgPool2d(t, { poolSize: 3, strides: 2, padding: 'same' }), [x]);
    checkGradients('maxPool-valid', (t) => ops.maxPool2d(t, { poolSize: 2 }), [x]);
  });

  it('batch normalisation in training and inference mode', () => {
    const x = rand64([4, 3, 2, 5], 39, 2, 0.5);
    checkGradients('bn-train', (a, g, b) => ops.batchNormTrain(a, g, b, 1e-3).y, [x, rand64([5], 40, 0.5, 1), rand64([5], 41)], { tol: 1e-5 });
    const mean = rand64([5], 42);
    const variance = rand64([5], 43, 0.3, 1);
    checkGradients('bn-infer', (a, g, b) => ops.batchNormInference(a, mean, variance, g, b, 1e-3), [x, rand64([5], 44), rand64([5], 45)]);
  });

  it('losses, including softmax cross-entropy', () => {
    const logits = rand64([5, 4], 46, 3);
    const labels = new Tensor(Int32Array.from([0, 3, 1, 2, 3]), [5]);
    const r = new Random(1);
    const oneHot = ops.oneHot([0, 3, 1, 2, 3], 4, 'float64');
    const binary = new Tensor(Float64Array.from({ length: 10 }, () => (r.uniform() > 0.5 ? 1 : 0)), [5, 2]);
    checkGradients('sparseCE-logits', (z) => new SparseCategoricalCrossentropy({ fromLogits: true }).call(labels, z), [logits]);
    checkGradients('sparseCE-softmax', (z) => new SparseCategoricalCrossentropy().call(labels, ops.softmax(z)), [logits]);
    checkGradients('sparseCE-probs', (p) => new SparseCategoricalCrossentropy().call(labels, p), [rand64([5, 4], 47, 0.4, 0.5)]);
    checkGradients('CE-logits', (z) => new CategoricalCrossentropy({ fromLogits: true }).call(oneHot, z), [logits]);
    checkGradients('CE-probs', (p) => new CategoricalCrossentropy().call(oneHot, p), [rand64([5, 4], 48, 0.4, 0.5)]);
    checkGradients('BCE-logits', (z) => new BinaryCrossentropy({ fromLogits: true }).call(binary, z), [rand64([5, 2], 49, 3)]);
    checkGradients('BCE-probs', (p) => new BinaryCrossentropy().call(binary, p), [rand64([5, 2], 50, 0.4, 0.5)]);
    checkGradients('MSE', (p) => new MeanSquaredError().call(oneHot, p), [logits]);
    checkGradients('MAE', (p) => new MeanAbsoluteError().call(oneHot, p), [awayFromZero([5, 4], 51)]);
  });
});
