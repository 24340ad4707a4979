/** ImageDataGenerator: standardisation, fit(), seeded flow() batches, and training from flow(). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { ImageDataGenerator } from '../../src/data/augment/image_data_generator.js';
import { randomUniform, tensor } from '../../src/ops/creation.js';
import { Conv2D } from '../../src/layers/convolutional.js';
import { Dense } from '../../src/layers/core.js';
import { Flatten } from '../../src/layers/reshaping.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { ValueError } from '../../src/errors.js';

const X = randomUniform([20, 8, 8, 3], 0, 255, { seed: 3 });
const Y = tensor(Array.from({ length: 20 }, (_, i) => i % 4));
/** Seed 003's Fashion-MNIST options. */
const SEED003 = { rotationRange: 10, zoomRange: 0.2, shearRange: 0.7, widthShiftRange: 0.1, heightShiftRange: 0.1, horizontalFlip: true, verticalFlip: false };

function channelMoments(t: Tensor): { mean: number[]; std: number[] } {
  const c = t.shape[t.rank - 1];
  const n = t.size / c;
  const mean = Array(c).fill(0);
  const sq = Array(c).fill(0);
  t.values.forEach((v, i) => { mean[i % c] += v / n; });
  t.values.forEach((v, i) => { sq[i % c] += (v - mean[i % c]) ** 2 / n; });
  return { mean, std: sq.map(Math.sqrt) };
}

describe('ImageDataGenerator standardisation', () => {
  it('rescale multiplies after augmentation', () => {
    const g = new ImageDataGenerator({ rescale: 1 / 255 });
    const out = g.standardize(X);
    X.values.forEach((v, i) => assert.ok(Math.abs(out.values[i] - v / 255) < 1e-6));
  });

  it('featurewise centre + std after fit give per-channel mean 0 and std 1', () => {
    const g = new ImageDataGenerator({ featurewiseCenter: true, featurewiseStdNormalization: true }).fit(X);
    assert.equal(g.mean?.length, 3);
    const { mean, std } = channelMoments(g.standardize(X));
    mean.forEach((m) => assert.ok(Math.abs(m) < 1e-4, `mean ${m}`));
    std.forEach((s) => assert.ok(Math.abs(s - 1) < 1e-4, `std ${s}`));
  });

  it('fit statistics are taken after rescaling (Keras)', () => {
    const g = new ImageDataGenerator({ rescale: 0.5, featurewiseCenter: true }).fit(X);
    const plain = new ImageDataGenerator({ featurewiseCenter: true }).fit(X);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs((g.mean as Float32Array)[k] - 0.5 * (plain.mean as Float32Array)[k]) < 1e-3);
  });

  it('samplewise centre + std normalise each image over all its pixels and channels', () => {
    const g = new ImageDataGenerator({ samplewiseCenter: true, samplewiseStdNormalization: true });
    const out = g.standardize(X);
    const size = 8 * 8 * 3;
    for (let i = 0; i < 20; i++) {
      const img = Array.from(out.values.subarray(i * size, (i + 1) * size));
      const m = img.reduce((a, b) => a + b, 0) / size;
      const s = Math.sqrt(img.reduce((a, b) => a + (b - m) ** 2, 0) / size);
      assert.ok(Math.abs(m) < 1e-4 && Math.abs(s - 1) < 1e-4, `image ${i}: mean ${m} std ${s}`);
    }
  });

  it('preprocessingFunction runs on each augmented image before rescale', () => {
    const seen: number[][] = [];
    const g = new ImageDataGenerator({ rescale: 2, preprocessingFunction: (img) => { seen.push([...img.shape]); return new Tensor(img.values.map((v) => v + 1) as Float32Array, img.shape); } });
    const out = g.flow(X, Y, { batchSize: 5, shuffle: false }).batchX(0);
    assert.equal(seen.length, 5);
    assert.deepEqual(seen[0], [8, 8, 3]);
    assert.ok(Math.abs(out.values[0] - (X.values[0] + 1) * 2) < 1e-3);
  });

  it('bad options fail with the option named', () => {
    assert.throws(() => new ImageDataGenerator({ fillMode: 'mirror' as never }), /fillMode/);
    assert.throws(() => new ImageDataGenerator({ zoomRange: [1] as never }), /zoomRange/);
    assert.throws(() => new ImageDataGenerator({ rotationRange: -1 }), /rotationRange/);
    assert.throws(() => new ImageDataGenerator().fit(tensor([1, 2, 3])), /rank 4/);
  });
});

describe('ImageDataGenerator.flow', () => {
  it('batches cover every sample once per epoch, with the last batch short', () => {
    const it = new ImageDataGenerator(SEED003).flow(X, Y, { batchSize: 6, seed: 1 });
    assert.equal(it.length, 4);
    const seen = [0, 1, 2, 3].flatMap((i) => Array.from(it.indices(i)));
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
    const [bx, by] = it.batch(3);
    assert.deepEqual(bx.shape, [2, 8, 8, 3]);
    assert.deepEqual(Array.from(by.values), Array.from(it.indices(3), (j) => j % 4));
  });

  it('the same seed reproduces every batch; another seed or epoch differs', () => {
    const g = new ImageDataGenerator(SEED003);
    const a = g.flow(X, Y, { batchSize: 5, seed: 7 });
    const b = g.flow(X, Y, { batchSize: 5, seed: 7 });
    const c = g.flow(X, Y, { batchSize: 5, seed: 8 });
    assert.deepEqual(Array.from(a.batchX(2).values), Array.from(b.batchX(2).values));
    assert.notDeepEqual(Array.from(a.batchX(2).values), Array.from(c.batchX(2).values));
    const first = Array.from(a.batchX(0).values);
    a.onEpochEnd();
    assert.notDeepEqual(Array.from(a.batchX(0).values), first);
  });

  it('shuffle: false keeps the order and augments every image differently', () => {
    const it = new ImageDataGenerator({ rotationRange: 30, fillMode: 'constant' }).flow(X, null, { batchSize: 20, shuffle: false, seed: 2 });
    assert.deepEqual(Array.from(it.indices(0)), Array.from({ length: 20 }, (_, i) => i));
    const out = it.next() as Tensor;
    assert.deepEqual(out.shape, [20, 8, 8, 3]);
    assert.notDeepEqual(Array.from(out.values), Array.from(X.values));
    assert.throws(() => it.batch(0), ValueError);   // no labels: not a training source
  });

  it('flow errors: mismatched lengths, bad batch index', () => {
    const g = new ImageDataGenerator();
    assert.throws(() => g.flow(X, tensor([1, 2, 3])), /same length/);
    assert.throws(() => g.flow(X, Y).batch(99), /length/);
  });

  it('model.fit trains one epoch from flow() with a finite, decreasing-capable loss', async () => {
    const model = new Sequential({ layers: [
      new Conv2D({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 3] }), new Flatten(), new Dense({ units: 4, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const before = model.getWeights().map((w) => Array.from(w.values));
    const gen = new ImageDataGenerator({ ...SEED003, rescale: 1 / 255 });
    const hist = await model.fit(gen.flow(X, Y, { batchSize: 8, seed: 5 }), { epochs: 1, verbose: 0 });
    const loss = hist.history.loss[0] as number;
    assert.ok(Number.isFinite(loss) && loss > 0, `loss ${loss}`);
    assert.notDeepEqual(model.getWeights().map((w) => Array.from(w.values)), before);
  });
});
