/**
 * Backward-pass parity on small functional models, for the layers the seed CIFAR model
 * (training.test.ts) does not train: BatchNormalization in training mode, Add, GlobalAveragePooling2D,
 * DepthwiseConv2D (stride 2, multiplier 2), ZeroPadding2D (asymmetric),
 * MaxPooling2D 'same', AveragePooling2D, Concatenate and 'same'/strided Conv2D. Each model takes STEPS trainOnBatch steps
 * in convkit and in tfjs from identical weights on identical batches (sparse categorical
 * cross-entropy), with SGD (lr 0.05) and with Adam (Keras defaults; tfjs given Keras's ε placement,
 * see kerasAdamForTfjs). Asserted: every step's loss within LOSS_TOL, and every weight (including BN
 * moving statistics) after the last step within WEIGHT_TOL of the metric in test/helpers/tfjs.ts.
 * These models are small enough that float32 noise stays ~1e-6 after a few steps.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import type { Layer } from '../../src/layers/layer.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';
import * as optimizers from '../../src/optimizers/index.js';
import { tf, initTfjs, toTf, randn, copyWeights, assertClose, kerasAdamForTfjs } from '../helpers/tfjs.js';

const STEPS = Number(process.env.PARITY_STEPS ?? 5);
const BATCH = 6;
const CLASSES = 4;
const LOSS_TOL = 1e-5;
const WEIGHT_TOL = 1e-4;

interface Pair {
  ck: Model;
  tfm: tf.LayersModel;
  /** convkit layer → tfjs layer, for copying weights. */
  layers: [Layer, tf.layers.Layer][];
}

type Sym = SymbolicTensor;
type TSym = tf.SymbolicTensor;

/**
 * Residual block: conv (no bias, as usual before BN) → BN → ReLU → conv → Add(input) → GAP → Dense
 * softmax. A bias before a training-mode BN has an exactly-zero gradient in theory and rounding noise in
 * practice, which Adam would blow up into ±lr steps that differ between any two implementations.
 */
function residualPair(): Pair {
  const shape = [8, 7, 3];
  const c = {
    conv1: L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false }), bn: L.batchNormalization({ momentum: 0.9 }), relu: L.reLU(),
    conv2: L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), add: L.add(), gap: L.globalAveragePooling2d(),
    dense: L.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const t = {
    conv1: tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', useBias: false }), bn: tf.layers.batchNormalization({ momentum: 0.9 }), relu: tf.layers.reLU(),
    conv2: tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), add: tf.layers.add(), gap: tf.layers.globalAveragePooling2d({}),
    dense: tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const ci = Input({ shape });
  let h: Sym = c.conv2.apply(c.relu.apply(c.bn.apply(c.conv1.apply(ci))));
  h = c.dense.apply(c.gap.apply(c.add.apply([h, ci])));
  const ti = tf.input({ shape });
  const f = (l: tf.layers.Layer, x: TSym | TSym[]) => l.apply(x) as TSym;
  let th = f(t.conv2, f(t.relu, f(t.bn, f(t.conv1, ti))));
  th = f(t.dense, f(t.gap, f(t.add, [th, ti])));
  const keys = Object.keys(c) as (keyof typeof c)[];
  return { ck: new Model({ inputs: ci, outputs: h }), tfm: tf.model({ inputs: ti, outputs: th }), layers: keys.map((k) => [c[k], t[k]]) };
}

/**
 * Two branches: ZeroPadding2D([[1,2],[0,1]]) → DepthwiseConv2D(3, s2, ×2, same, relu) → AvgPool([2,3], s[2,1], valid)
 * and Conv2D(4, 3, s3, same, tanh) → MaxPool(2, s1, same); Concatenate → Flatten → Dense softmax.
 * AvgPool is 'valid' here because tfjs 4.22's cpu AvgPoolGrad with 'same' padding divides border
 * windows by the full window size although its forward pass divides by the in-bounds count, so its
 * gradient disagrees with finite differences (by ~0.2 on random inputs); convkit's 'same' average
 * pooling gradient is checked against finite differences in test/autograd/gradients.test.ts.
 */
function branchesPair(): Pair {
  const shape = [9, 8, 2];
  const c = {
    pad: L.zeroPadding2d({ padding: [[1, 2], [0, 1]] }),
    dw: L.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same', activation: 'relu' }),
    avg: L.averagePooling2d({ poolSize: [2, 3], strides: [2, 1], padding: 'valid' }),
    conv: L.conv2d({ filters: 4, kernelSize: 3, strides: 3, padding: 'same', activation: 'tanh' }),
    max: L.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
    cat: L.concatenate({ axis: -1 }), flat: L.flatten(), dense: L.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const t = {
    pad: tf.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]] }),
    dw: tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'same', activation: 'relu' }),
    avg: tf.layers.averagePooling2d({ poolSize: [2, 3], strides: [2, 1], padding: 'valid' }),
    conv: tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 3, padding: 'same', activation: 'tanh' }),
    max: tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
    cat: tf.layers.concatenate({ axis: -1 }), flat: tf.layers.flatten(), dense: tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const ci = Input({ shape });
  const ca: Sym = c.avg.apply(c.dw.apply(c.pad.apply(ci)));
  const cb: Sym = c.max.apply(c.conv.apply(ci));
  const co: Sym = c.dense.apply(c.flat.apply(c.cat.apply([ca, cb])));
  const ti = tf.input({ shape });
  const f = (l: tf.layers.Layer, x: TSym | TSym[]) => l.apply(x) as TSym;
  const ta = f(t.avg, f(t.dw, f(t.pad, ti)));
  const tb = f(t.max, f(t.conv, ti));
  const to = f(t.dense, f(t.flat, f(t.cat, [ta, tb])));
  const keys = Object.keys(c) as (keyof typeof c)[];
  return { ck: new Model({ inputs: ci, outputs: co }), tfm: tf.model({ inputs: ti, outputs: to }), layers: keys.map((k) => [c[k], t[k]]) };
}

function seedWeights(pair: Pair, seed: number): void {
  let s = seed;
  for (const [ckl, tfl] of pair.layers) {
    ckl.setWeights(ckl.weights.map((w) => {
      const shape = [...w.shape];
      const name = w.name.split('/').pop();
      s += 1;
      if (name === 'kernel' || name === 'depthwise_kernel') return randn(shape, s, 1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1)));
      if (name === 'gamma') return randn(shape, s, 0.2, 1);
      if (name === 'moving_variance') return new Tensor(Float32Array.from(randn(shape, s, 0.5).values, Math.exp), shape);
      return randn(shape, s, 0.3);
    }));
    copyWeights(ckl, tfl);
  }
}

const ADAM = { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

async function runPair(make: () => Pair, kind: 'sgd' | 'adam', seed: number): Promise<void> {
  const pair = make();
  seedWeights(pair, seed);
  pair.ck.compile({
    optimizer: kind === 'sgd' ? optimizers.sgd({ learningRate: 0.05 }) : optimizers.adam({ learningRate: ADAM.lr, beta1: ADAM.beta1, beta2: ADAM.beta2, epsilon: ADAM.epsilon }),
    loss: 'sparse_categorical_crossentropy',
  });
  pair.tfm.compile({ optimizer: kind === 'sgd' ? tf.train.sgd(0.05) : kerasAdamForTfjs(ADAM), loss: 'sparseCategoricalCrossentropy' });
  const shape = pair.ck.inputs[0].shape.slice(1) as number[];
  const r = new Random(seed);
  const before = pair.ck.getWeights();
  for (let step = 0; step < STEPS; step++) {
    const x = randn([BATCH, ...shape], seed * 100 + step);
    const y = new Tensor(Float32Array.from({ length: BATCH }, () => r.int(CLASSES)), [BATCH]);
    const [ckLoss] = pair.ck.trainOnBatch(x, y);
    const tx = toTf(x);
    const ty = tf.reshape(toTf(y), [BATCH, 1]);
    const tfOut = await pair.tfm.trainOnBatch(tx, ty);
    const tfLoss = Array.isArray(tfOut) ? tfOut[0] : tfOut;
    tf.dispose([tx, ty]);
    assert.ok(Math.abs(ckLoss - tfLoss) <= LOSS_TOL, `${kind} step ${step + 1}: loss convkit ${ckLoss} vs tfjs ${tfLoss} (|Δ| ${Math.abs(ckLoss - tfLoss).toExponential(3)} > ${LOSS_TOL})`);
  }
  for (const [ckl, tfl] of pair.layers) {
    const tw = tfl.getWeights();
    ckl.getWeights().forEach((w, i) => assertClose(w, tw[i], `${kind}: ${ckl.weights[i].name} after ${STEPS} steps`, WEIGHT_TOL));
  }
  // Training must have changed every trainable weight (else the comparison proves little).
  const after = pair.ck.getWeights();
  pair.ck.weights.forEach((v, i) => {
    if (!v.trainable) return;
    assert.ok(Array.from(after[i].values).some((a, j) => a !== before[i].values[j]), `${kind}: ${v.name} did not change`);
  });
}

describe('training parity with tfjs on small functional models (backward passes)', () => {
  before(async () => {
    await initTfjs();
  });
  it('residual block with BatchNormalization (training mode), SGD', () => runPair(residualPair, 'sgd', 11));
  it('residual block with BatchNormalization (training mode), Adam', () => runPair(residualPair, 'adam', 12));
  it('depthwise/padding/pooling/concatenate branches, SGD', () => runPair(branchesPair, 'sgd', 13));
  it('depthwise/padding/pooling/concatenate branches, Adam', () => runPair(branchesPair, 'adam', 14));
});
