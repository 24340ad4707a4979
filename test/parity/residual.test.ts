/**
 * End-to-end forward parity of a functional model with a residual block against the same tfjs
 * functional model (cpu backend):
 *
 *   Input(9,7,4) → Conv2D(4, 3, same) → BatchNormalization → ReLU → Conv2D(4, 3, same)
 *               → Add([·, input]) → GlobalAveragePooling2D → Dense(5, softmax)
 *
 * Weights are seeded random values (BN with non-trivial gamma/beta/moving statistics) copied layer
 * by layer into tfjs. Checked: `model.predict` (whole batch, and batchSize 3 so convkit splits and
 * concatenates batches), a training-mode call (BN on batch statistics, and the moving statistics it
 * leaves behind), at the FORWARD_TOL metric of test/helpers/tfjs.ts.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import type { Layer } from '../../src/layers/layer.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tf, initTfjs, toTf, randn, copyWeights, assertClose } from '../helpers/tfjs.js';

const SHAPE = [9, 7, 4];

function buildConvkit() {
  const layers = {
    conv1: L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    bn: L.batchNormalization({ momentum: 0.8 }),
    relu: L.reLU(),
    conv2: L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    add: L.add(),
    gap: L.globalAveragePooling2d(),
    dense: L.dense({ units: 5, activation: 'softmax' }),
  };
  const input = Input({ shape: SHAPE });
  let h = layers.conv1.apply(input);
  h = layers.bn.apply(h);
  h = layers.relu.apply(h);
  h = layers.conv2.apply(h);
  h = layers.add.apply([h, input]);
  h = layers.gap.apply(h);
  const out = layers.dense.apply(h);
  return { model: new Model({ inputs: input, outputs: out }), layers };
}

function buildTfjs() {
  const layers = {
    conv1: tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    bn: tf.layers.batchNormalization({ momentum: 0.8 }),
    relu: tf.layers.reLU(),
    conv2: tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }),
    add: tf.layers.add(),
    gap: tf.layers.globalAveragePooling2d({}),
    dense: tf.layers.dense({ units: 5, activation: 'softmax' }),
  };
  const input = tf.input({ shape: SHAPE });
  let h = layers.conv1.apply(input) as tf.SymbolicTensor;
  h = layers.bn.apply(h) as tf.SymbolicTensor;
  h = layers.relu.apply(h) as tf.SymbolicTensor;
  h = layers.conv2.apply(h) as tf.SymbolicTensor;
  h = layers.add.apply([h, input]) as tf.SymbolicTensor;
  h = layers.gap.apply(h) as tf.SymbolicTensor;
  const out = layers.dense.apply(h) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: out }), layers };
}

function randomize(layer: Layer, seed: number): void {
  layer.setWeights(layer.weights.map((w, i) => {
    const shape = [...w.shape];
    const name = w.name.split('/').pop();
    const s = seed * 31 + i;
    if (name === 'kernel' || name === 'depthwise_kernel') return randn(shape, s, 1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1)));
    if (name === 'gamma') return randn(shape, s, 0.3, 1);
    if (name === 'moving_variance') return new Tensor(Float32Array.from(randn(shape, s, 0.7).values, Math.exp), shape);
    return randn(shape, s, 0.5); // bias, beta, moving_mean
  }));
}

describe('functional residual model: convkit vs tfjs', () => {
  let ck: ReturnType<typeof buildConvkit>;
  let ref: ReturnType<typeof buildTfjs>;
  const x = randn([7, ...SHAPE], 31337);

  before(async () => {
    await initTfjs();
    ck = buildConvkit();
    ref = buildTfjs();
    assert.equal(ck.model.countParams(), ref.model.countParams(), 'parameter count');
    let seed = 1;
    for (const key of Object.keys(ck.layers) as (keyof typeof ck.layers)[]) {
      randomize(ck.layers[key], seed++);
      copyWeights(ck.layers[key], ref.layers[key] as tf.layers.Layer);
    }
  });

  it('predict (one batch) matches tfjs predict', () => {
    const want = ref.model.predict(toTf(x)) as tf.Tensor;
    const got = ck.model.predict(x);
    assertClose(got, want, 'residual model predict');
    // Rows are probability distributions.
    for (let i = 0; i < 7; i++) {
      const row = Array.from(got.values.subarray(i * 5, i * 5 + 5));
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} sums to 1`);
    }
  });

  it('predict with batchSize 3 (split and concatenated) matches tfjs', () => {
    const want = ref.model.predict(toTf(x), { batchSize: 3 }) as tf.Tensor;
    assertClose(ck.model.predict(x, { batchSize: 3 }), want, 'residual model predict, batchSize 3');
  });

  it('the residual branch matters: the pre-softmax features differ from a model without the Add', () => {
    // Guard against a silently ignored second Add input: GAP(conv2 + x) vs GAP(conv2).
    const h = ck.layers.conv2.apply(ck.layers.relu.apply(ck.layers.bn.apply(ck.layers.conv1.apply(x))));
    const withSkip = ck.layers.gap.apply(ck.layers.add.apply([h, x]));
    const withoutSkip = ck.layers.gap.apply(h);
    const tfWith = tf.tidy(() => tf.mean(tf.add(toTf(h), toTf(x)), [1, 2]));
    assertClose(withSkip, tfWith, 'GAP(conv2 + x)');
    assert.throws(() => assertClose(withoutSkip, tfWith, 'GAP(conv2)'), /max relative error/);
  });

  it('a training-mode call (BN on batch statistics) matches tfjs, including the moving statistics', () => {
    const before = ck.layers.bn.getWeights();
    const got = ck.model.apply(x, { training: true }) as Tensor;
    // The call must have moved both moving statistics (momentum 0.8).
    for (const i of [2, 3]) {
      const changed = Array.from(before[i].values).some((v, j) => Math.abs(v - ck.layers.bn.weights[i].values[j]) > 1e-3);
      assert.ok(changed, `BN ${ck.layers.bn.weights[i].name} was updated by the training call`);
    }
    const want = ref.model.apply(toTf(x), { training: true }) as tf.Tensor;
    assertClose(got, want, 'residual model, training=true');
    const tw = ref.layers.bn.getWeights();
    ck.layers.bn.getWeights().forEach((w, i) => assertClose(w, tw[i], `BN ${ck.layers.bn.weights[i].name} after the training call`));
    // And inference afterwards uses the updated statistics on both sides.
    assertClose(ck.model.predict(x), ref.model.predict(toTf(x)) as tf.Tensor, 'residual model predict after the training call');
  });
});
