/** utils.toCategorical, trainTestSplit (sklearn semantics) and seed 003's per-channel normalisation. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { toCategorical, trainTestSplit, normalizePerChannel } from '../../src/data/utils.js';
import { randomUniform, tensor } from '../../src/ops/creation.js';
import { ValueError } from '../../src/errors.js';

describe('toCategorical', () => {
  it('one-hot float32, numClasses inferred or given, (n, 1) labels flattened', () => {
    const a = toCategorical([0, 2, 1]);
    assert.equal(a.dtype, 'float32');
    assert.deepEqual(a.shape, [3, 3]);
    assert.deepEqual(Array.from(a.values), [1, 0, 0, 0, 0, 1, 0, 1, 0]);
    const b = toCategorical(tensor([[3], [0]], [2, 1], 'int32'), 5);
    assert.deepEqual(b.shape, [2, 5]);
    assert.deepEqual(Array.from(b.values), [0, 0, 0, 1, 0, 1, 0, 0, 0, 0]);
  });

  it('rejects labels out of range and non-integers', () => {
    assert.throws(() => toCategorical([0, 3], 3), ValueError);
    assert.throws(() => toCategorical([-1, 0]), ValueError);
    assert.throws(() => toCategorical([0.5]), /integers/);
  });
});

describe('trainTestSplit', () => {
  const x = tensor(Array.from({ length: 50 }, (_, i) => [i, i * 10]), [50, 2]);
  const y = tensor(Array.from({ length: 50 }, (_, i) => (i < 40 ? 0 : 1)));

  it('sizes follow sklearn: ceil for a test fraction, ints as counts; rows stay paired', () => {
    const [xtr, xte, ytr, yte] = trainTestSplit(x, y, { testSize: 0.15, seed: 1 });
    assert.equal(xte.shape[0], 8);             // ceil(7.5)
    assert.equal(xtr.shape[0], 42);
    assert.equal(ytr.shape[0], 42);
    const rows = [...Array.from({ length: 42 }, (_, i) => xtr.values[2 * i]), ...Array.from({ length: 8 }, (_, i) => xte.values[2 * i])];
    assert.deepEqual([...rows].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    for (let i = 0; i < 8; i++) assert.equal(yte.values[i], xte.values[2 * i] < 40 ? 0 : 1);
    assert.equal(trainTestSplit(x, y, { testSize: 10, seed: 1 })[1].shape[0], 10);
    assert.equal(trainTestSplit(x)[1].shape[0], 13);   // default 0.25
  });

  it('the same seed gives the same split; another seed another', () => {
    const a = trainTestSplit(x, y, { testSize: 0.2, seed: 42 });
    const b = trainTestSplit(x, y, { testSize: 0.2, seed: 42 });
    const c = trainTestSplit(x, y, { testSize: 0.2, seed: 43 });
    assert.deepEqual(Array.from(a[1].values), Array.from(b[1].values));
    assert.notDeepEqual(Array.from(a[1].values), Array.from(c[1].values));
  });

  it('stratify keeps the class proportions in both sets', () => {
    for (const seed of [1, 2, 3]) {
      const [, , ytr, yte] = trainTestSplit(x, y, { testSize: 0.2, seed, stratify: y });
      const ones = (t: typeof y) => Array.from(t.values).filter((v) => v === 1).length;
      assert.equal(yte.shape[0], 10);
      assert.equal(ones(yte), 2);              // 20% of the 10 class-1 samples
      assert.equal(ones(ytr), 8);
    }
    // Unstratified splits of the same data do not always keep it.
    const counts = [1, 2, 3, 4, 5, 6].map((seed) => Array.from(trainTestSplit(x, y, { testSize: 0.2, seed })[3].values).filter((v) => v === 1).length);
    assert.ok(counts.some((n) => n !== 2));
  });

  it('shuffle: false takes the first rows for training', () => {
    const [xtr, xte] = trainTestSplit(x, null, { testSize: 5, shuffle: false });
    assert.equal(xtr.values[0], 0);
    assert.equal(xte.values[0], 45);
  });

  it('errors: bad sizes, mismatched lengths, stratify without shuffle or with singleton classes', () => {
    assert.throws(() => trainTestSplit(x, y, { testSize: 1.5 }), ValueError);
    assert.throws(() => trainTestSplit(x, y, { testSize: 50 }), ValueError);
    assert.throws(() => trainTestSplit(x, y, { testSize: 0 }), ValueError);
    assert.throws(() => trainTestSplit(x, tensor([1, 2]), {}), /inconsistent/);
    assert.throws(() => trainTestSplit(x, y, { shuffle: false, stratify: y }), /shuffle/);
    assert.throws(() => trainTestSplit(x, y, { stratify: tensor([...Array(49).fill(0), 1]) }), /least populated/);
  });
});

describe('normalizePerChannel (seed 003, CIFAR-10)', () => {
  it('training statistics give the training set mean 0 / std 1 per channel and are applied to the test set', () => {
    const xTrain = randomUniform([30, 4, 4, 3], 0, 255, { seed: 9 });
    const xTest = randomUniform([5, 4, 4, 3], 0, 255, { seed: 10 });
    const r = normalizePerChannel(xTrain, xTest);
    assert.equal(r.mean.length, 3);
    const c = 3;
    const n = r.xTrain.size / c;
    for (let k = 0; k < c; k++) {
      let m = 0;
      let s = 0;
      for (let i = k; i < r.xTrain.size; i += c) m += r.xTrain.values[i] / n;
      for (let i = k; i < r.xTrain.size; i += c) s += (r.xTrain.values[i] - m) ** 2 / n;
      assert.ok(Math.abs(m) < 1e-4 && Math.abs(Math.sqrt(s) - 1) < 1e-4);
    }
    const t0 = xTest.values[1];
    assert.ok(Math.abs((r.xTest as typeof xTest).values[1] - (t0 - r.mean[1]) / r.std[1]) < 1e-5);
  });
});
