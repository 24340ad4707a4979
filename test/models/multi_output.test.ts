/**
 * Models with several outputs (GoogLeNet's auxiliary classifiers): compile with a loss per output
 * (list or dict by output name), lossWeights and per-output metrics; fit/evaluate/predict/
 * trainOnBatch. Checked against TensorFlow.js fitting the same two-output model, and the weighted
 * total against its parts.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random, setRandomSeed } from '../../src/tensor/random.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../src/io/model_io.js';
import { tf, initTfjs, toTf, copyModelWeights, assertClose } from '../helpers/tfjs.js';

const N = 10;

function data(): { x: Tensor; cls: Tensor; reg: Tensor } {
  const r = new Random(3);
  const x = Float32Array.from({ length: N * 5 }, () => r.normal());
  return {
    x: new Tensor(x, [N, 5]),
    cls: new Tensor(Float32Array.from({ length: N }, () => r.int(3)), [N]),
    reg: new Tensor(Float32Array.from({ length: N * 2 }, () => r.normal()), [N, 2]),
  };
}

function model(): Model {
  setRandomSeed(6);
  const inp = Input({ shape: [5] });
  const h = L.dense({ units: 4, activation: 'tanh', name: 'shared' }).apply(inp);
  const cls = L.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h);
  const reg = L.dense({ units: 2, name: 'reg' }).apply(h);
  return new Model({ inputs: inp, outputs: [cls, reg] });
}

function tfModel(): tf.LayersModel {
  const inp = tf.input({ shape: [5] });
  const h = tf.layers.dense({ units: 4, activation: 'tanh', name: 'shared' }).apply(inp) as tf.SymbolicTensor;
  const cls = tf.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h) as tf.SymbolicTensor;
  const reg = tf.layers.dense({ units: 2, name: 'reg' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: [cls, reg] });
}

describe('multi-output models', () => {
  before(initTfjs);

  it('fit with a loss per output matches TensorFlow.js, with Keras 3 log names', async () => {
    const { x, cls, reg } = data();
    const m = model();
    const t = tfModel();
    copyModelWeights(m, t);
    m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: ['sparse_categorical_crossentropy', 'mse'], metrics: [['accuracy'], []] });
    t.compile({ optimizer: tf.train.sgd(0.1), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'] });
    const h = await m.fit(x, [cls, reg], { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const th = await t.fit(toTf(x), [toTf(cls), toTf(reg)], { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    m.getWeights().forEach((w, i) => assertClose(w, t.getWeights()[i], `weight ${i}`, 1e-5));
    assert.deepEqual(Object.keys(h.history), ['loss', 'cls_loss', 'reg_loss', 'cls_accuracy']);
    assertClose(h.history.loss, th.history.loss as number[], 'total loss per epoch', 1e-5);
    assertClose(h.history.cls_loss, th.history.cls_loss as number[], 'cls loss per epoch', 1e-5);
    assertClose(h.history.reg_loss, th.history.reg_loss as number[], 'reg loss per epoch', 1e-5);
    const preds = m.predict<Tensor[]>(x);
    assert.equal(preds.length, 2);
    assert.deepEqual(preds.map((p) => p.shape), [[N, 3], [N, 2]]);
    const tp = t.predict(toTf(x)) as tf.Tensor[];
    preds.forEach((p, i) => assertClose(p, tp[i], `prediction ${i}`, 1e-5));
  });

  it('lossWeights weigh the total; a dict by output name is the same as a list', () => {
    const { x, cls, reg } = data();
    const m = model();
    m.compile({ optimizer: 'sgd', loss: { cls: 'sparse_categorical_crossentropy', reg: 'mse' }, lossWeights: { cls: 2, reg: 0.5 }, metrics: { cls: ['accuracy'] } });
    const [total, clsLoss, regLoss, acc] = m.evaluate(x, { reg, cls }, { batchSize: N });
    assert.ok(Math.abs(total - (2 * clsLoss + 0.5 * regLoss)) < 1e-6, `${total} = 2·${clsLoss} + 0.5·${regLoss}`);
    assert.ok(acc >= 0 && acc <= 1);
    const listed = model();
    listed.compile({ optimizer: 'sgd', loss: ['sparse_categorical_crossentropy', 'mse'], lossWeights: [2, 0.5], metrics: [['accuracy'], []] });
    assert.deepEqual(listed.evaluate(x, [cls, reg], { batchSize: N }), [total, clsLoss, regLoss, acc]);
    const step = listed.trainOnBatch(x, [cls, reg]);
    assert.equal(step.length, 4);
  });

  it('saved and loaded (.convkit, .keras, .h5, tfjs), keeps every output\'s loss, weight and metrics', async () => {
    const { x, cls, reg } = data();
    const m = model();
    m.compile({ optimizer: 'adam', loss: { cls: 'sparse_categorical_crossentropy', reg: 'mse' }, lossWeights: { cls: 1, reg: 3 }, metrics: { cls: ['accuracy'], reg: [] } });
    await m.fit(x, [cls, reg], { epochs: 1, batchSize: 5, verbose: 0 });
    const want = m.evaluate(x, [cls, reg], { batchSize: N });
    const dir = mkdtempSync(join(tmpdir(), 'ck-multi-'));
    for (const [file, opts] of [['m.convkit', {}], ['m.keras', {}], ['m.h5', {}], ['tfjs', { format: 'tfjs' as const }]] as const) {
      const path = join(dir, file);
      await m.save(path, opts);
      const back = await loadModel(path);
      assert.ok(back.compiled, `${file}: compiled`);
      assert.deepEqual(back.compiled.heads.map((h) => [h.name, h.loss?.name, h.weight]), [['cls', 'sparse_categorical_crossentropy', 1], ['reg', 'mean_squared_error', 3]], file);
      const got = back.evaluate(x, [cls, reg], { batchSize: N });
      assert.equal(got.length, want.length, file);
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${file}: evaluate[${i}] ${v} vs ${want[i]}`));
    }
  });

  it('errors name the outputs', async () => {
    const { x, cls, reg } = data();
    const m = model();
    assert.throws(() => m.compile({ optimizer: 'sgd', loss: ['mse'] }), /loss has 1 entries but the model has 2 outputs \(cls, reg\)/);
    assert.throws(() => m.compile({ optimizer: 'sgd', loss: { cls: 'mse', nope: 'mse' } }), /names "nope", which is not an output of the model; its outputs are cls, reg/);
    m.compile({ optimizer: 'sgd', loss: ['sparse_categorical_crossentropy', 'mse'] });
    await assert.rejects(m.fit(x, cls, { verbose: 0 }), /the model has 2 outputs \(cls, reg\); pass one target per output/);
    await assert.rejects(m.fit(x, { cls }, { verbose: 0 }), /no target for output reg/);
    await assert.rejects(m.fit(x, [cls, reg], { verbose: 0, classWeight: { 0: 2 } }), /classWeight is for single-output models/);
  });
});
