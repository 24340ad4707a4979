/**
 * Keras 3 preprocessing layers: Rescaling (and its parity with tfjs), Normalization.adapt,
 * random layers identity at inference / random and seeded in training, exact flips and rotations,
 * contrast formula, config round trips through the layer registry.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { Rescaling, Normalization } from '../../src/layers/preprocessing.js';
import { RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast } from '../../src/layers/random_image.js';
import { Dense } from '../../src/layers/core.js';
import { Flatten } from '../../src/layers/reshaping.js';
import { Sequential } from '../../src/models/sequential.js';
import { modelFromConfig, modelToConfig } from '../../src/io/model_config.js';
import { randomUniform, tensor } from '../../src/ops/creation.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import * as ops from '../../src/ops/index.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { initTfjs, tf, toTf, fromTf } from '../helpers/tfjs.js';

const X = randomUniform([4, 6, 6, 3], 0, 255, { seed: 21 });
const same = (a: Tensor, b: Tensor) => Array.from(a.values).every((v, i) => v === b.values[i]);

describe('Rescaling and Normalization', () => {
  it('Rescaling(1/255, offset) matches tf.layers.rescaling and is differentiable', async () => {
    const ours = new Rescaling({ scale: 1 / 127.5, offset: -1 }).apply(X);
    await initTfjs();
    const theirs = fromTf(tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 }).apply(toTf(X)) as never);
    ours.values.forEach((v, i) => assert.ok(Math.abs(v - theirs.values[i]) < 1e-6));
    const v = new Variable(tensor([1, 2]), 'v');
    const { grads } = valueAndGrads(() => ops.sum(new Rescaling({ scale: 3 }).apply(v)), [v]);
    assert.deepEqual(Array.from(grads[0]!.values), [3, 3]);
  });

  it('Normalization.adapt gives mean 0 / variance 1 per channel; invert undoes it', () => {
    const norm = new Normalization();
    norm.adapt(X);
    const y = norm.apply(X);
    for (let k = 0; k < 3; k++) {
      const vals = Array.from(y.values).filter((_, i) => i % 3 === k);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      const s = vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length;
      assert.ok(Math.abs(m) < 1e-4 && Math.abs(s - 1) < 1e-3, `channel ${k}: ${m} ${s}`);
    }
    assert.deepEqual(norm.weights.map((w) => w.name.split('/').pop()), ['mean', 'variance', 'count']);
    const back = new Normalization({ mean: Array.from(norm.adaptMean!.values), variance: Array.from(norm.adaptVariance!.values), invert: true }).apply(y);
    back.values.forEach((v, i) => assert.ok(Math.abs(v - X.values[i]) < 1e-2));
  });

  it('Normalization with given mean/variance: (x − mean) / sqrt(variance)', () => {
    const y = new Normalization({ mean: 2, variance: 4 }).apply(tensor([[2, 4, 8]]));
    assert.deepEqual(Array.from(y.values), [0, 1, 3]);
    assert.throws(() => new Normalization({ mean: 1 }), /both mean and variance/);
  });
});

describe('random preprocessing layers', () => {
  const make = () => [
    new RandomFlip({ seed: 1 }), new RandomRotation({ factor: 0.2, seed: 1 }), new RandomZoom({ heightFactor: 0.3, seed: 1 }),
    new RandomTranslation({ heightFactor: 0.2, widthFactor: 0.2, seed: 1 }), new RandomContrast({ factor: 0.5, seed: 1 }),
  ];

  it('are the identity at inference and random in training', () => {
    for (const l of make()) {
      assert.equal(l.apply(X), X, `${l.className} at inference`);
      assert.ok(!same(l.apply(X, { training: true }), X), `${l.className} in training`);
    }
  });

  it('the same seed gives the same augmentation', () => {
    const a = make();
    const b = make();
    a.forEach((l, i) => assert.ok(same(l.apply(X, { training: true }), b[i].apply(X, { training: true })), l.className));
  });

  it('RandomFlip flips whole images exactly (both axes together in horizontal_and_vertical)', () => {
    const y = new RandomFlip({ mode: 'horizontal_and_vertical', seed: 6 }).apply(X, { training: true });
    let flipped = 0;
    for (let n = 0; n < 4; n++) {
      const at = (t: Tensor, r: number, c: number, k: number) => t.values[((n * 6 + r) * 6 + c) * 3 + k];
      const isFlip = at(y, 0, 0, 0) === at(X, 5, 5, 0);
      flipped += isFlip ? 1 : 0;
      for (let r = 0; r < 6; r++) for (let c = 0; c < 6; c++) for (let k = 0; k < 3; k++) {
        assert.equal(at(y, r, c, k), isFlip ? at(X, 5 - r, 5 - c, k) : at(X, r, c, k));
      }
    }
    assert.ok(flipped > 0 && flipped < 4, `flipped ${flipped} of 4`);
  });

  it('RandomRotation by exactly a quarter turn is np.rot90', () => {
    const img = tensor(Array.from({ length: 25 }, (_, i) => i), [1, 5, 5, 1]);
    const y = new RandomRotation({ factor: [0.25, 0.25], seed: 0 }).apply(img, { training: true });
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) assert.ok(Math.abs(y.values[r * 5 + c] - img.values[c * 5 + (4 - r)]) < 1e-4);
  });

  it('RandomZoom keeps a constant image constant (reflect fill); RandomContrast follows (x − mean)·f + mean, clipped', () => {
    const flat = tensor(new Float32Array(2 * 7 * 7).fill(9), [2, 7, 7, 1]);
    for (const v of new RandomZoom({ heightFactor: [-0.5, 0.5], seed: 3 }).apply(flat, { training: true }).values) assert.ok(Math.abs(v - 9) < 1e-5);
    const img = tensor([10, 20, 30, 40], [1, 2, 2, 1]);
    const y = new RandomContrast({ factor: [0.5, 0.5], seed: 2 }).apply(img, { training: true });
    const f = (y.values[3] - 25) / 15;
    assert.ok(f >= 0.5 && f <= 1.5);
    [10, 20, 30, 40].forEach((v, i) => assert.ok(Math.abs(y.values[i] - ((v - 25) * f + 25)) < 1e-4));
    const clipped = new RandomContrast({ factor: [0, 5], seed: 2, valueRange: [0, 50] }).apply(tensor([0, 0, 0, 100], [1, 2, 2, 1]), { training: true });
    for (const v of clipped.values) assert.ok(v >= 0 && v <= 50);
  });

  it('bad factors fail with the option named', () => {
    assert.throws(() => new RandomTranslation({ heightFactor: 2, widthFactor: 0 }), /height_factor/);
    assert.throws(() => new RandomRotation({ factor: [0.3, 0.1] }), /factor/);
    assert.throws(() => new RandomFlip({ mode: 'diagonal' as never }), /mode/);
    assert.throws(() => new RandomContrast({ factor: 2 }), /factor/);
  });
});

describe('preprocessing layers in saved configs', () => {
  it('a Sequential model with every preprocessing layer survives modelToConfig → modelFromConfig', () => {
    const norm = new Normalization({ mean: [1, 2, 3], variance: [4, 5, 6] });
    const model = new Sequential({ layers: [
      new Rescaling({ scale: 1 / 255, inputShape: [6, 6, 3] }), new RandomFlip({ mode: 'horizontal', seed: 3 }),
      new RandomRotation({ factor: 0.1, fillMode: 'constant', fillValue: 0.5, seed: 3 }), new RandomZoom({ heightFactor: [-0.2, 0.1], widthFactor: 0.1 }),
      new RandomTranslation({ heightFactor: 0.1, widthFactor: [-0.2, 0.2], fillMode: 'wrap', interpolation: 'nearest' }), new RandomContrast({ factor: 0.2 }),
      norm, new Flatten(), new Dense({ units: 2 }),
    ] });
    const cfg = modelToConfig(model);
    const layerCfgs = (cfg.config as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers;
    const rot = layerCfgs.find((l) => l.class_name === 'RandomRotation')!.config;
    assert.equal(rot.fill_mode, 'constant');
    assert.equal(rot.fill_value, 0.5);
    assert.deepEqual(layerCfgs.find((l) => l.class_name === 'RandomZoom')!.config.height_factor, [-0.2, 0.1]);
    const again = modelFromConfig(JSON.parse(JSON.stringify(cfg)));
    assert.deepEqual(JSON.parse(JSON.stringify(modelToConfig(again))).config.layers.map((l: { config: Record<string, unknown> }) => ({ ...l.config, name: undefined })),
      JSON.parse(JSON.stringify(cfg)).config.layers.map((l: { config: Record<string, unknown> }) => ({ ...l.config, name: undefined })));
    again.setWeights(model.getWeights());
    const x = randomUniform([2, 6, 6, 3], 0, 255, { seed: 5 });
    assert.deepEqual(Array.from(again.predict(x).values), Array.from(model.predict(x).values));
  });
});
