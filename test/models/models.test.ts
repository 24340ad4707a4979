import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { Input } from '../../src/layers/input.js';
import * as ops from '../../src/ops/index.js';
import { tensor } from '../../src/ops/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { loadModel } from '../../src/io/model_io.js';
import { EarlyStopping, TerminateOnNaN } from '../../src/callbacks/early_stopping.js';
import { Callback, type Logs } from '../../src/callbacks/callback.js';
import { fashionBnModel, lenet5 } from '../../src/applications/seed_models.js';
import { setRandomSeed } from '../../src/tensor/random.js';
import { FormatError } from '../../src/errors.js';

class LeNet5 extends Model {
  conv1 = L.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' });
  pool1 = L.maxPooling2d({ poolSize: 2 });
  conv2 = L.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' });
  flatten = L.flatten();
  fc1 = L.dense({ units: 120, activation: 'relu' });
  fc2 = L.dense({ units: 84, activation: 'relu' });
  fc3: L.Dense;
  constructor(numClasses = 10) {
    super();
    this.fc3 = L.dense({ units: numClasses, activation: 'softmax' });
  }
  override call(x: Tensor): Tensor {
    x = this.conv1.apply(x);
    x = this.pool1.apply(x);
    x = this.conv2.apply(x);
    x = this.pool1.apply(x); // the seed reuses the pooling layer
    x = this.flatten.apply(x);
    return this.fc3.apply(this.fc2.apply(this.fc1.apply(x)));
  }
}

function toyData(n: number, seed: number): [Tensor, Tensor] {
  // Two classes separable by mean brightness of the left vs right half.
  setRandomSeed(seed);
  const x = ops.randomUniform([n, 8, 8, 1], 0, 0.5, { seed });
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 4; c++) x.values[i * 64 + r * 8 + c + (y[i] ? 4 : 0)] += 0.5;
  }
  return [x, tensor(y, [n], 'int32')];
}

describe('models', () => {
  it('a subclassed LeNet5 (seed 003) builds, trains and summarises', async () => {
    const model = new LeNet5();
    assert.equal(model.name.startsWith('le_net5'), true);
    model.build([null, 28, 28, 1]);
    const info = model.summary({ printFn: null });
    assert.equal(info.totalParams, 107786);
    assert.deepEqual(info.layers.map((l) => l.name).slice(0, 2), [model.conv1.name, model.pool1.name]);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const x = ops.randomUniform([8, 28, 28, 1], 0, 1, { seed: 1 });
    const [loss0] = model.evaluate(x, tensor([0, 1, 2, 3, 4, 5, 6, 7]));
    for (let i = 0; i < 10; i++) model.trainOnBatch(x, tensor([0, 1, 2, 3, 4, 5, 6, 7]));
    const [loss1] = model.evaluate(x, tensor([0, 1, 2, 3, 4, 5, 6, 7]));
    assert.ok(loss1 < loss0, `loss should fall: ${loss0} -> ${loss1}`);
  });

  it('a functional residual block works and learns', async () => {
    const input = Input({ shape: [8, 8, 1] });
    const stem = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
    let y = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(stem);
    y = L.batchNormalization().apply(y);
    y = L.reLU().apply(y);
    y = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(y);
    const merged = L.add().apply([stem, y]);
    const branch = L.concatenate().apply([merged, stem]);
    const out = L.dense({ units: 2, activation: 'softmax' }).apply(L.globalAveragePooling2d().apply(branch));
    const model = new Model({ inputs: input, outputs: out });
    const info = model.summary({ printFn: null });
    assert.ok(info.layers.some((l) => l.className === 'Add' && l.connectedTo?.length === 2), 'Add is connected to two layers');
    assert.ok(info.text.includes('Connected to'), 'non-sequential functional summary has the Connected to column');
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const [x, labels] = toyData(64, 5);
    const h = await model.fit(x, labels, { epochs: 15, batchSize: 16, verbose: 0, seed: 1 });
    assert.equal(h.loss?.length, 15);
    assert.ok((h.accuracy as number[])[14] > 0.9, `accuracy ${h.accuracy}`);
  });

  it('fit returns a History with val_ metrics; validationSplit takes the last samples', async () => {
    const model = new Sequential([L.flatten({ inputShape: [8, 8, 1] }), L.dense({ units: 2, activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const [x, y] = toyData(40, 2);
    let seen = 0;
    class Count extends Callback {
      override onBatchEnd(_b: number, logs?: Logs) { seen++; assert.ok(Number.isFinite(logs?.loss)); }
    }
    const h = await model.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.25, verbose: 0, callbacks: [new Count()] });
    assert.deepEqual(Object.keys(h.history), ['loss', 'accuracy', 'val_loss', 'val_accuracy']);
    assert.equal(h.val_loss?.length, 3);
    assert.equal(seen, 3 * Math.ceil(30 / 8));
  });

  it('EarlyStopping stops on a stalled monitor and restores the best weights', async () => {
    const model = new Sequential([L.flatten({ inputShape: [8, 8, 1] }), L.dense({ units: 2, activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const [x, y] = toyData(16, 3);
    const es = new EarlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e9, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 20, verbose: 0, callbacks: [es] });
    assert.equal(h.epoch.length, 3, 'no epoch improves by 1e9, so training stops after patience + 1 epochs');
    assert.equal(es.stoppedEpoch, 2);
  });

  it('TerminateOnNaN stops at the first non-finite batch loss', async () => {
    const model = new Sequential([L.flatten({ inputShape: [8, 8, 1] }), L.dense({ units: 2, activation: 'softmax' })]);
    let calls = 0;
    // A loss that turns NaN from its third evaluation on.
    const loss = (t: Tensor, p: Tensor) => { calls++; return ops.mul(ops.mean(ops.square(ops.sub(p, ops.oneHot(t, 2))), -1), calls >= 3 ? NaN : 1); };
    model.compile({ optimizer: 'sgd', loss });
    const [x, y] = toyData(32, 4);
    let batches = 0;
    class Count extends Callback { override onBatchEnd() { batches++; } }
    const h = await model.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0, shuffle: false, callbacks: [new TerminateOnNaN(), new Count()] });
    assert.equal(batches, 3, 'stops right after the batch whose loss was NaN');
    assert.equal(h.epoch.length, 1);
    assert.ok(Number.isNaN(h.loss?.[0]));
  });

  it('freezing a layer keeps its weights fixed and moves them to non-trainable', () => {
    const model = new Sequential([L.dense({ units: 3, inputShape: [4] }), L.dense({ units: 2, activation: 'softmax' })]);
    model.layers[0].trainable = false;
    const info = model.summary({ printFn: null });
    assert.equal(info.nonTrainableParams, 15);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const before = model.layers[0].getWeights().map((w) => Array.from(w.values));
    const after1 = Array.from(model.layers[1].getWeights()[0].values);
    model.trainOnBatch(ops.randomNormal([6, 4], 0, 1, { seed: 4 }), tensor([0, 1, 0, 1, 1, 0]));
    assert.deepEqual(model.layers[0].getWeights().map((w) => Array.from(w.values)), before);
    assert.notDeepEqual(Array.from(model.layers[1].getWeights()[0].values), after1);
  });

  it('weights can be read and set by name', () => {
    const model = lenet5();
    const names = [...model.getWeightsByName().keys()];
    assert.equal(names.length, 10);
    const kernelName = names[0];
    assert.match(kernelName, /^conv2d(_\d+)?\/kernel$/);
    model.setWeightsByName({ [kernelName]: ops.ones([5, 5, 1, 6]) });
    assert.equal(model.getWeightsByName().get(kernelName)?.values[7], 1);
    assert.throws(() => model.setWeightsByName({ nope: ops.ones([1]) }), /has no weight named "nope"/);
  });

  it('BatchNormalization updates moving statistics only in training', async () => {
    const bn = L.batchNormalization({ momentum: 0.5 });
    const x = ops.add(ops.mul(ops.randomNormal([32, 3], 0, 1, { seed: 9 }), 2), 5);
    bn.apply(x, { training: false });
    assert.deepEqual(Array.from(bn.movingMean.values), [0, 0, 0]);
    bn.apply(x, { training: true });
    const mean = ops.mean(x, 0).values;
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(bn.movingMean.values[c] - 0.5 * mean[c]) < 1e-5);
  });

  it('save and loadModel round-trip predictions exactly (Sequential, functional with BN)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-'));
    for (const [i, model] of [lenet5(), fashionBnModel()].entries()) {
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
      const x = ops.randomUniform([3, 28, 28, 1], 0, 1, { seed: 7 });
      model.trainOnBatch(x, tensor([1, 2, 3]));
      const path = join(dir, `m${i}.convkit`);
      await model.save(path);
      const loaded = await loadModel(path);
      assert.equal(loaded.className, model.className);
      assert.deepEqual(Array.from(loaded.predict(x).values), Array.from(model.predict(x).values));
      assert.ok(loaded.compiled, 'compile settings restored');
      assert.deepEqual(loaded.evaluate(x, tensor([1, 2, 3])), model.evaluate(x, tensor([1, 2, 3])));
    }
  });

  it('loadModel rejects truncated, foreign and missing files clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-'));
    const path = join(dir, 'm.convkit');
    await lenet5().save(path);
    const bytes = readFileSync(path);
    writeFileSync(join(dir, 'cut.convkit'), bytes.subarray(0, bytes.length - 100));
    await assert.rejects(loadModel(join(dir, 'cut.convkit')), (e: Error) => e instanceof FormatError && /truncated/.test(e.message));
    writeFileSync(join(dir, 'x.h5'), Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    await assert.rejects(loadModel(join(dir, 'x.h5')), (e: Error) => e instanceof FormatError && /x\.h5: not a readable HDF5 file/.test(e.message));
    await assert.rejects(loadModel(join(dir, 'missing.convkit')), /no such file/);
  });

  it('a subclassed model cannot be saved with its architecture, and says why', async () => {
    const m = new LeNet5();
    m.build([null, 28, 28, 1]);
    await assert.rejects(m.save(join(tmpdir(), 'never.convkit')), /subclassed model/);
  });
});

describe('Sequential editing', () => {
  it('pop removes the last layer and re-traces the shapes', () => {
    const model = new Sequential([L.dense({ units: 4, inputShape: [3] }), L.dense({ units: 2 })]);
    model.pop();
    assert.equal(model.layers.length, 1);
    assert.deepEqual([...model.predict(ops.zeros([5, 3])).shape], [5, 4]);
    model.add(L.dense({ units: 7 }));
    assert.deepEqual(model.summary({ printFn: null }).layers.map((l) => l.outputShape), [[null, 4], [null, 7]]);
    assert.throws(() => new Sequential().pop(), /no layers to pop/);
  });
});
