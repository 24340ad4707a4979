/**
 * fit() options classWeight, sampleWeight and stepsPerEpoch. classWeight is checked against
 * TensorFlow.js's fit with the same class weights (tfjs scales each sample's loss by its class's
 * weight and averages over the batch, as Keras does); sampleWeight against classWeight and the
 * loss's definition; stepsPerEpoch against the same batches taken as whole passes.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random, setRandomSeed } from '../../src/tensor/random.js';
import { tf, initTfjs, toTf, copyModelWeights, assertClose } from '../helpers/tfjs.js';

const N = 12;
const CLASSES = 3;

function data(): { x: Tensor; yOneHot: Tensor; ySparse: Tensor } {
  const r = new Random(9);
  const x = Float32Array.from({ length: N * 4 }, () => r.normal());
  const labels = Array.from({ length: N }, () => r.int(CLASSES));
  const oneHot = new Float32Array(N * CLASSES);
  labels.forEach((l, i) => (oneHot[i * CLASSES + l] = 1));
  return { x: new Tensor(x, [N, 4]), yOneHot: new Tensor(oneHot, [N, CLASSES]), ySparse: new Tensor(Float32Array.from(labels), [N]) };
}

function model(loss: string): Sequential {
  setRandomSeed(4);
  const m = new Sequential([L.dense({ units: 5, activation: 'tanh', inputShape: [4] }), L.dense({ units: CLASSES, activation: 'softmax' })]);
  m.compile({ optimizer: new SGD({ learningRate: 0.2 }), loss });
  return m;
}

const CLASS_WEIGHT = { 0: 0.5, 1: 3, 2: 1.25 };

describe('fit classWeight / sampleWeight / stepsPerEpoch', () => {
  before(initTfjs);

  it('classWeight matches TensorFlow.js fit with the same class weights', async () => {
    const { x, yOneHot } = data();
    const m = model('categorical_crossentropy');
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 5, activation: 'tanh', inputShape: [4] }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })] });
    copyModelWeights(m, t);
    t.compile({ optimizer: tf.train.sgd(0.2), loss: 'categoricalCrossentropy' });
    const h = await m.fit(x, yOneHot, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0, classWeight: CLASS_WEIGHT });
    const th = await t.fit(toTf(x), toTf(yOneHot), { epochs: 2, batchSize: 4, shuffle: false, verbose: 0, classWeight: CLASS_WEIGHT });
    m.getWeights().forEach((w, i) => assertClose(w, t.getWeights()[i], `weight ${i} after weighted training`, 1e-5));
    assertClose(h.history.loss, th.history.loss as number[], 'weighted epoch losses', 1e-5);
    const plain = model('categorical_crossentropy');
    await plain.fit(x, yOneHot, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    assert.notDeepEqual(plain.getWeights()[0].values, m.getWeights()[0].values, 'the class weights changed the result');
  });

  it('sampleWeight equal to the class weights of the labels gives the same training; sparse labels too', async () => {
    const { x, yOneHot, ySparse } = data();
    const byClass = model('categorical_crossentropy');
    await byClass.fit(x, yOneHot, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, classWeight: CLASS_WEIGHT });
    const sw = Array.from(ySparse.values, (l) => CLASS_WEIGHT[l as 0 | 1 | 2]);
    const bySample = model('categorical_crossentropy');
    await bySample.fit(x, yOneHot, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: sw });
    const sparse = model('sparse_categorical_crossentropy');
    await sparse.fit(x, ySparse, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, classWeight: [0.5, 3, 1.25] });
    byClass.getWeights().forEach((w, i) => {
      assert.deepEqual(bySample.getWeights()[i].values, w.values);
      assertClose(sparse.getWeights()[i], w, `sparse labels, weight ${i}`, 1e-6);
    });
  });

  it('evaluate with sampleWeight scales each sample loss and divides by the sample count', () => {
    const { x, ySparse } = data();
    const m = model('sparse_categorical_crossentropy');
    const [plain] = m.evaluate(x, ySparse, { batchSize: N });
    const [doubled] = m.evaluate(x, ySparse, { batchSize: N, sampleWeight: new Array(N).fill(2) });
    assert.ok(Math.abs(doubled - 2 * plain) < 1e-6 * plain, `${doubled} vs 2 × ${plain}`);
    const half = Array.from({ length: N }, (_, i) => (i < N / 2 ? 1 : 0));
    const [firstHalf] = m.evaluate(x, ySparse, { batchSize: N, sampleWeight: half });
    const [onlyFirst] = m.evaluate(
      new Tensor(x.values.slice(0, (N / 2) * 4), [N / 2, 4]), new Tensor(ySparse.values.slice(0, N / 2), [N / 2]), { batchSize: N });
    assert.ok(Math.abs(firstHalf - onlyFirst / 2) < 1e-6, 'zero weights still count in the denominator, as Keras');
  });

  it('rejects bad weights with the reason', async () => {
    const { x, ySparse } = data();
    const m = model('sparse_categorical_crossentropy');
    await assert.rejects(m.fit(x, ySparse, { verbose: 0, sampleWeight: [1, 2] }), /sampleWeight: expected one weight per sample, shape \(12,\) or \(12, 1\); got shape \(2\)/);
    await assert.rejects(m.fit(x, ySparse, { verbose: 0, sampleWeight: new Array(N).fill(-1) }), /weight -1 at sample 0 is not a finite number >= 0/);
    await assert.rejects(m.fit(x, ySparse, { verbose: 0, classWeight: { 0: NaN } }), /classWeight must map class indices .* got "0": NaN/);
    await assert.rejects(m.fit(x, ySparse, { verbose: 0, stepsPerEpoch: 0 }), /stepsPerEpoch must be a positive integer, got 0/);
  });

  it('stepsPerEpoch continues through the data across epochs, reshuffling at each new pass', async () => {
    const { x, ySparse } = data();
    // 12 samples in batches of 5: passes of 3 batches. Three epochs of 2 steps = two whole passes.
    for (const shuffle of [false, true]) {
      const a = model('sparse_categorical_crossentropy');
      const ha = await a.fit(x, ySparse, { epochs: 3, stepsPerEpoch: 2, batchSize: 5, shuffle, seed: 8, verbose: 0 });
      const b = model('sparse_categorical_crossentropy');
      await b.fit(x, ySparse, { epochs: 2, batchSize: 5, shuffle, seed: 8, verbose: 0 });
      assert.equal(ha.epoch.length, 3);
      a.getWeights().forEach((w, i) => assert.deepEqual(w.values, b.getWeights()[i].values, `shuffle ${shuffle}: weight ${i}`));
    }
  });
});
