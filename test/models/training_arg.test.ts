/**
 * Keras's `base(x, training=False)`: a layer or nested model called with a fixed training flag in
 * the functional API keeps that mode when the outer model trains — the fine-tuning recipe where
 * an unfrozen base keeps its batch-norm statistics — while its weights still get gradients.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random, setRandomSeed } from '../../src/tensor/random.js';

function data(): [Tensor, Tensor] {
  const r = new Random(4);
  return [new Tensor(Float32Array.from({ length: 16 * 6 * 6 }, () => r.normal() * 3 + 1), [16, 6, 6, 1]), new Tensor(Float32Array.from({ length: 16 }, () => r.int(2)), [16])];
}

function build(fixed: boolean | undefined): { outer: Model; base: Model } {
  setRandomSeed(9);
  const bi = Input({ shape: [6, 6, 1] });
  const bx = L.batchNormalization({ name: 'bn' }).apply(L.conv2d({ filters: 2, kernelSize: 3, name: 'conv' }).apply(bi));
  const base = new Model({ inputs: bi, outputs: bx, name: 'base' });
  const inp = Input({ shape: [6, 6, 1] });
  const feats = fixed === undefined ? base.apply(inp) : base.apply(inp, { training: fixed });
  const out = L.dense({ units: 2, activation: 'softmax' }).apply(L.flatten().apply(feats));
  const outer = new Model({ inputs: inp, outputs: out });
  outer.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
  return { outer, base };
}

describe('training fixed at a functional call', () => {
  it('base(x, {training: false}) keeps batch-norm statistics while its weights train; without it they update', async () => {
    const [x, y] = data();
    for (const fixed of [false, undefined]) {
      const { outer, base } = build(fixed);
      const bn = base.getLayer('bn');
      const statsBefore = bn.weights.filter((w) => !w.trainable).map((w) => Float32Array.from(w.values));
      const kernelBefore = Float32Array.from(base.getLayer('conv').weights[0].values);
      await outer.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
      const statsAfter = bn.weights.filter((w) => !w.trainable).map((w) => Float32Array.from(w.values));
      assert.notDeepEqual(Float32Array.from(base.getLayer('conv').weights[0].values), kernelBefore, 'the base\'s kernel trains in both cases');
      if (fixed === false) assert.deepEqual(statsAfter, statsBefore, 'moving statistics stay frozen with training: false');
      else assert.notDeepEqual(statsAfter, statsBefore, 'moving statistics update without it');
    }
  });
});

describe('trainable changes take effect at the next compile (Keras)', () => {
  it('fit keeps training what compile() saw until compile() runs again', async () => {
    const [x, y] = data();
    const { outer, base } = build(undefined);
    const conv = base.getLayer('conv');
    base.trainable = false; // after compile: not yet in effect
    const k0 = Float32Array.from(conv.weights[0].values);
    await outer.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const k1 = Float32Array.from(conv.weights[0].values);
    assert.notDeepEqual(k1, k0, 'compiled while trainable: still trains');
    outer.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await outer.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    assert.deepEqual(Float32Array.from(conv.weights[0].values), k1, 'frozen after compiling again');
  });
});
