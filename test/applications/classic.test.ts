/**
 * The classic architectures of seed 002 (LeNet-5, AlexNet, GoogLeNet): parameter totals computed
 * by hand from the papers' layer tables (written out below, not taken from the builders), table 1's
 * output sizes, GoogLeNet against an independent TensorFlow.js build of table 1 (forward and one
 * SGD step of the paper's weighted loss), and training with main 1.0 / aux 0.3 + 0.3.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as applications from '../../src/applications/index.js';
import { lenet5 } from '../../src/applications/seed_models.js';
import { Input } from '../../src/layers/input.js';
import type { Model } from '../../src/models/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { setRandomSeed } from '../../src/tensor/random.js';
import { randomUniform } from '../../src/ops/creation.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Adam } from '../../src/optimizers/adam.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initTfjs, toTf, copyWeights, assertClose } from '../helpers/tfjs.js';

const params = (m: Model) => m.weights.reduce((n, w) => n + w.size, 0);
const layerParams = (m: Model, name: string) => m.getLayer(name).weights.reduce((n, w) => n + w.size, 0);
/** Parameters of a k×k convolution (or a dense layer, k = 1) from cin to cout channels, with bias. */
const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
const dense = (nin: number, nout: number) => nin * nout + nout;
/** The output shape of a layer of a functional model (its first call). */
const outShape = (m: Model, name: string) => m.getLayer(name).inboundNodes[0].outputs[0].shape;

// Szegedy et al. 2014, table 1: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj, and the
// table's output size (the module's output channels: 1×1 + 3×3 + 5×5 + pool proj).
const TABLE1: [string, number[], number][] = [
  ['3a', [64, 96, 128, 16, 32, 32], 256],
  ['3b', [128, 128, 192, 32, 96, 64], 480],
  ['4a', [192, 96, 208, 16, 48, 64], 512],
  ['4b', [160, 112, 224, 24, 64, 64], 512],
  ['4c', [128, 128, 256, 24, 64, 64], 512],
  ['4d', [112, 144, 288, 32, 64, 64], 528],
  ['4e', [256, 160, 320, 32, 128, 128], 832],
  ['5a', [256, 160, 320, 32, 128, 128], 832],
  ['5b', [384, 192, 384, 48, 128, 128], 1024],
];
/** An inception module's parameters: the six convolutions of the row, each with its bias. */
const inceptionParams = (cin: number, [n1, r3, n3, r5, n5, pp]: number[]) =>
  conv(1, cin, n1) + conv(1, cin, r3) + conv(3, r3, n3) + conv(1, cin, r5) + conv(5, r5, n5) + conv(1, cin, pp);

describe('applications.LeNet5', () => {
  it('is seed 003\'s lenet5 (same layers and outputs): 107,786 parameters at 28×28×1', () => {
    // conv 6 5×5 on 1 channel, conv 16 5×5 on 6, 'same' so 28 → pool 14 → pool 7: flatten 7·7·16 = 784.
    const want = conv(5, 1, 6) + conv(5, 6, 16) + dense(784, 120) + dense(120, 84) + dense(84, 10);
    assert.equal(want, 107_786);
    const m = applications.LeNet5();
    assert.equal(params(m), want);
    assert.deepEqual(m.outputs[0].shape, [null, 10]);
    const seed = lenet5();
    assert.deepEqual(m.weights.map((w) => w.shape), seed.weights.map((w) => w.shape));
    m.setWeights(seed.getWeights());
    const x = randomUniform([3, 28, 28, 1], 0, 1, { seed: 5 });
    assert.deepEqual(Array.from((m.predict(x) as Tensor).values), Array.from((seed.predict(x) as Tensor).values));
    const t = new Tensor(new Float32Array([0, 51, 255]), [3]);
    assert.deepEqual(Array.from(applications.LeNet5.preprocessInput(t).values), [0, Math.fround(51 / 255), 1]);
  });

  it("variant 'lecun1998': 32×32×1, valid tanh convolutions, average pooling, 61,706 parameters", () => {
    // C1 28×28×6, S2 14×14, C3 10×10×16, S4 5×5×16 = 400, F5 120, F6 84, output 10.
    const want = conv(5, 1, 6) + conv(5, 6, 16) + dense(400, 120) + dense(120, 84) + dense(84, 10);
    assert.equal(want, 61_706);
    const m = applications.LeNet5({ variant: 'lecun1998' });
    assert.equal(params(m), want);
    assert.deepEqual(outShape(m, 'pool2'), [null, 5, 5, 16]);
    assert.equal(m.getLayer('pool1').constructor.name, 'AveragePooling2D');
    const base = applications.LeNet5({ variant: 'lecun1998', includeTop: false, pooling: 'max' });
    assert.deepEqual(base.outputs[0].shape, [null, 16]);
    assert.throws(() => applications.LeNet5({ variant: 'lecun1998', inputShape: [15, 15, 1] }), /at least 16x16/);
    assert.throws(() => applications.LeNet5({ weights: 'imagenet' }), /no published ImageNet weights for LeNet5/);
  });

  it('weights: a path loads a weights file saved from the same architecture (a Promise, as Keras applications)', async () => {
    const m = applications.LeNet5({ variant: 'lecun1998', classes: 4 });
    const path = join(mkdtempSync(join(tmpdir(), 'ck-classic-')), 'lenet.weights.h5');
    await m.saveWeights(path);
    const back = applications.LeNet5({ variant: 'lecun1998', classes: 4, weights: path });
    assert.ok(back instanceof Promise);
    const loaded = await back;
    assert.deepEqual(loaded.getWeights().map((w) => Array.from(w.values)), m.getWeights().map((w) => Array.from(w.values)));
  });
});

describe('applications.AlexNet', () => {
  it('single tower at 227×227×3: 62,378,344 parameters, the paper\'s feature-map sizes', () => {
    const features = conv(11, 3, 96) + conv(5, 96, 256) + conv(3, 256, 384) + conv(3, 384, 384) + conv(3, 384, 256);
    const want = features + dense(6 * 6 * 256, 4096) + dense(4096, 4096) + dense(4096, 1000);
    assert.equal(want, 62_378_344);
    const m = applications.AlexNet();
    assert.equal(params(m), want);
    const shapes = Object.fromEntries(['conv1', 'pool1', 'conv2', 'pool2', 'conv3', 'conv4', 'conv5', 'pool5', 'predictions']
      .map((n) => [n, outShape(m, n).slice(1).join('x')]));
    assert.deepEqual(shapes, {
      conv1: '55x55x96', pool1: '27x27x96', conv2: '27x27x256', pool2: '13x13x256', conv3: '13x13x384',
      conv4: '13x13x384', conv5: '13x13x256', pool5: '6x6x256', predictions: '1000',
    });
    assert.deepEqual(['drop6', 'drop7'].map((n) => (m.getLayer(n) as unknown as { rate: number }).rate), [0.5, 0.5]);
    const base = applications.AlexNet({ includeTop: false, inputShape: [67, 67, 3] });
    assert.equal(params(base), features);
    assert.deepEqual(base.outputs[0].shape, [null, 1, 1, 256]);
    assert.throws(() => applications.AlexNet({ includeTop: false, inputShape: [66, 66, 3] }), /at least 67x67/);
  });
});

describe('applications.GoogLeNet', () => {
  before(initTfjs);

  it('table 1 at 224×224: 13,378,280 parameters with the auxiliary classifiers, 6,998,552 without', () => {
    // Stem: conv 7×7/2 64, conv 1×1 64 (3×3 reduce), conv 3×3 192.
    let total = conv(7, 3, 64) + conv(1, 64, 64) + conv(3, 64, 192);
    let cin = 192;
    const perModule: Record<string, number> = {};
    for (const [id, row, out] of TABLE1) {
      perModule[id] = inceptionParams(cin, row);
      total += perModule[id];
      assert.equal(row[0] + row[2] + row[4] + row[5], out, `table 1 output depth of ${id}`);
      cin = out;
    }
    assert.equal(total, 5_973_552);
    const main = dense(1024, 1000);
    // Auxiliary: avg-pool 5×5/3 on 14×14 gives 4×4; conv 1×1 128; fc 1024 on 4·4·128; classes.
    const aux = (c: number) => conv(1, c, 128) + dense(4 * 4 * 128, 1024) + dense(1024, 1000);
    assert.equal(total + main, 6_998_552);
    assert.equal(total + main + aux(512) + aux(528), 13_378_280);

    const m = applications.GoogLeNet();
    assert.equal(params(m), total + main + aux(512) + aux(528));
    assert.deepEqual(m.outputs.map((o) => o.node.layer.name), ['main', 'aux1', 'aux2']);
    assert.deepEqual(m.outputs.map((o) => o.shape), [[null, 1000], [null, 1000], [null, 1000]]);
    for (const [id, , out] of TABLE1) assert.equal(layerParams(m, `inception_${id}_1x1`) + layerParams(m, `inception_${id}_3x3_reduce`) + layerParams(m, `inception_${id}_3x3`) + layerParams(m, `inception_${id}_5x5_reduce`) + layerParams(m, `inception_${id}_5x5`) + layerParams(m, `inception_${id}_pool_proj`), perModule[id], id);
    const sizes = Object.fromEntries(TABLE1.map(([id]) => [id, outShape(m, `inception_${id}_output`).slice(1).join('x')]));
    assert.deepEqual(sizes, {
      '3a': '28x28x256', '3b': '28x28x480', '4a': '14x14x512', '4b': '14x14x512', '4c': '14x14x512',
      '4d': '14x14x528', '4e': '14x14x832', '5a': '7x7x832', '5b': '7x7x1024',
    });
    assert.deepEqual(['aux1_avg_pool', 'aux2_avg_pool'].map((n) => outShape(m, n).slice(1).join('x')), ['4x4x512', '4x4x528']);
    assert.deepEqual(['dropout', 'aux1_dropout', 'aux2_dropout'].map((n) => (m.getLayer(n) as unknown as { rate: number }).rate), [0.4, 0.7, 0.7]);

    const single = applications.GoogLeNet({ auxClassifiers: false });
    assert.equal(params(single), total + main);
    assert.deepEqual(single.outputs.map((o) => o.node.layer.name), ['predictions']);
    const base = applications.GoogLeNet({ includeTop: false, pooling: 'avg', inputShape: [64, 64, 3] });
    assert.equal(params(base), total);
    assert.deepEqual(base.outputs[0].shape, [null, 1024]);
  });

  it('argument checks: the auxiliary classifiers need 65×65 inputs and the top; no ImageNet weights', () => {
    assert.throws(() => applications.GoogLeNet({ inputShape: [64, 64, 3] }), /aux1 pools inception 4a's output with 5×5 windows, but it is only 4×4.*auxClassifiers: false/);
    assert.deepEqual(applications.GoogLeNet({ inputShape: [64, 64, 3], auxClassifiers: false, classes: 3 }).outputs[0].shape, [null, 3]);
    assert.deepEqual(applications.GoogLeNet({ inputShape: [65, 65, 3], classes: 3 }).outputs.map((o) => o.shape), [[null, 3], [null, 3], [null, 3]]);
    assert.throws(() => applications.GoogLeNet({ includeTop: false, auxClassifiers: true }), /need includeTop: true/);
    assert.throws(() => applications.GoogLeNet({ weights: 'imagenet' }), /no published ImageNet weights for GoogLeNet/);
    const inp = Input({ shape: [96, 96, 3] });
    const m = applications.GoogLeNet({ inputTensor: inp, classes: 5, name: 'g' });
    assert.equal(m.inputs[0], inp);
    assert.equal(m.name, 'g');
  });

  /** Table 1 again, in TensorFlow.js, with convkit's layer names (dropout 0: the masks would differ). */
  function tfGoogLeNet(size: number, classes: number): tf.LayersModel {
    const c = (x: tf.SymbolicTensor, filters: number, k: number, name: string, strides = 1) =>
      tf.layers.conv2d({ filters, kernelSize: k, strides, padding: 'same', activation: 'relu', name }).apply(x) as tf.SymbolicTensor;
    const pool = (x: tf.SymbolicTensor, name: string, strides = 2) => tf.layers.maxPooling2d({ poolSize: 3, strides, padding: 'same', name }).apply(x) as tf.SymbolicTensor;
    const inp = tf.input({ shape: [size, size, 3] });
    let x = pool(c(c(pool(c(inp, 64, 7, 'conv1_7x7_s2', 2), 'pool1_3x3_s2'), 64, 1, 'conv2_3x3_reduce'), 192, 3, 'conv2_3x3'), 'pool2_3x3_s2');
    const auxOut = (h: tf.SymbolicTensor, n: string) => {
      h = tf.layers.averagePooling2d({ poolSize: 5, strides: 3, padding: 'valid' }).apply(h) as tf.SymbolicTensor;
      h = tf.layers.flatten().apply(c(h, 128, 1, `${n}_conv`)) as tf.SymbolicTensor;
      h = tf.layers.dense({ units: 1024, activation: 'relu', name: `${n}_fc` }).apply(h) as tf.SymbolicTensor;
      return tf.layers.dense({ units: classes, activation: 'softmax', name: n }).apply(h) as tf.SymbolicTensor;
    };
    const outs: Record<string, tf.SymbolicTensor> = {};
    for (const [id, [n1, r3, n3, r5, n5, pp]] of TABLE1) {
      if (id === '4a' || id === '5a') x = pool(x, id === '4a' ? 'pool3_3x3_s2' : 'pool4_3x3_s2');
      const p = `inception_${id}`;
      x = tf.layers.concatenate({ axis: -1 }).apply([
        c(x, n1, 1, `${p}_1x1`), c(c(x, r3, 1, `${p}_3x3_reduce`), n3, 3, `${p}_3x3`),
        c(c(x, r5, 1, `${p}_5x5_reduce`), n5, 5, `${p}_5x5`), c(pool(x, `${p}_pool`, 1), pp, 1, `${p}_pool_proj`),
      ]) as tf.SymbolicTensor;
      if (id === '4a') outs.aux1 = auxOut(x, 'aux1');
      if (id === '4d') outs.aux2 = auxOut(x, 'aux2');
    }
    x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
    const main = tf.layers.dense({ units: classes, activation: 'softmax', name: 'main' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: inp, outputs: [main, outs.aux1, outs.aux2] });
  }

  const LOSSES = { main: 'sparse_categorical_crossentropy', aux1: 'sparse_categorical_crossentropy', aux2: 'sparse_categorical_crossentropy' } as const;
  const PAPER_WEIGHTS = { main: 1, aux1: 0.3, aux2: 0.3 };

  it('matches TensorFlow.js: the three outputs, and the heads\' updates in one SGD step on main + 0.3·aux1 + 0.3·aux2', async () => {
    const S = 65, N = 2, C = 3, LR = 0.05;
    setRandomSeed(11);
    const m = applications.GoogLeNet({ inputShape: [S, S, 3], classes: C });
    for (const n of ['dropout', 'aux1_dropout', 'aux2_dropout']) (m.getLayer(n) as unknown as { rate: number }).rate = 0;
    const t = tfGoogLeNet(S, C);
    for (const l of m.layers) if (l.weights.length > 0) copyWeights(l, t.getLayer(l.name));
    const x = randomUniform([N, S, S, 3], 0, 1, { seed: 12 });
    const y = new Tensor(new Int32Array([0, 2]), [N]);
    const preds = m.predict<Tensor[]>(x);
    const tp = t.predict(toTf(x)) as tf.Tensor[];
    preds.forEach((p, i) => assertClose(p, tp[i], `output ${i}`, 1e-4));

    // One SGD step. tfjs (cpu) takes minutes to backpropagate through the whole network, so its step
    // updates only the classifier heads, whose gradients carry the loss weights (1 for main, 0.3 for
    // aux1/aux2); convkit's step updates everything, and the heads' updates must agree.
    const HEADS = ['main', 'aux1', 'aux1_fc', 'aux1_conv', 'aux2', 'aux2_fc', 'aux2_conv'];
    const beforeStep = new Map(HEADS.map((n) => [n, m.getLayer(n).getWeights()]));
    m.compile({ optimizer: new SGD({ learningRate: LR }), loss: LOSSES, lossWeights: PAPER_WEIGHTS });
    const [total, mainLoss, aux1Loss, aux2Loss] = m.trainOnBatch(x, { main: y, aux1: y, aux2: y });
    assert.ok(Math.abs(total - (mainLoss + 0.3 * aux1Loss + 0.3 * aux2Loss)) < 1e-5, `${total} = main + 0.3·aux1 + 0.3·aux2`);
    const ty = tf.oneHot(tf.tensor1d([0, 2], 'int32'), C);
    const tfLosses: number[] = [];
    const headVars = HEADS.flatMap((n) => t.getLayer(n).trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    tf.train.sgd(LR).minimize(() => {
      const outs = t.apply(toTf(x), { training: true }) as tf.Tensor[];
      // Sparse categorical cross-entropy of softmax outputs: −mean(log p[label]).
      const parts = outs.map((o) => tf.neg(tf.mean(tf.sum(tf.mul(ty, tf.log(o)), -1))) as tf.Scalar);
      parts.forEach((p) => tfLosses.push(p.dataSync()[0]));
      return tf.addN([parts[0], tf.mul(parts[1], 0.3), tf.mul(parts[2], 0.3)]) as tf.Scalar;
    }, false, headVars);
    assertClose([mainLoss, aux1Loss, aux2Loss], tfLosses, 'per-output losses', 1e-4);
    for (const name of HEADS) {
      const w0 = beforeStep.get(name)!;
      const ours = m.getLayer(name).getWeights();
      const theirs = t.getLayer(name).getWeights();
      ours.forEach((w, i) => {
        const delta = (a: ArrayLike<number>) => Float32Array.from(a, (v, j) => v - w0[i].values[j]);
        const d = delta(w.values);
        assert.ok(d.some((v) => v !== 0), `${name} weight ${i} moved`);
        // 1e-2: the float32 weights hold w − lr·g rounded to ≈ 2e-9 (their ulp), a few tenths of a
        // percent of the smallest updates; a wrong loss weight (1 for 0.3) would be off by 2.3.
        assertClose(d, delta(theirs[i].dataSync()), `${name} weight ${i}: the step's update`, 1e-2);
      });
    }
  });

  it('fits with the paper\'s weighted loss (main 1, aux 0.3 + 0.3): logged total = weighted sum, loss decreases', async () => {
    const S = 65, N = 6, C = 3;
    setRandomSeed(21);
    const m = applications.GoogLeNet({ inputShape: [S, S, 3], classes: C });
    // Random pixels, with the class's channel brightened: learnable in a few steps.
    const labels = Int32Array.from({ length: N }, (_, i) => i % C);
    const x = randomUniform([N, S, S, 3], 0, 1, { seed: 22 });
    const px = x.values as Float32Array;
    for (let i = 0; i < px.length; i++) if (i % 3 === labels[Math.floor(i / (S * S * 3))]) px[i] += 1;
    const y = new Tensor(labels, [N]);
    const ys = { main: y, aux1: y, aux2: y };
    m.compile({ optimizer: new Adam({ learningRate: 3e-4 }), loss: LOSSES, lossWeights: PAPER_WEIGHTS, metrics: { main: ['accuracy'] } });
    const before = m.evaluate(x, ys, { batchSize: N });
    const h = await m.fit(x, ys, { epochs: 3, batchSize: N, shuffle: false, verbose: 0 });
    assert.deepEqual(Object.keys(h.history), ['loss', 'main_loss', 'aux1_loss', 'aux2_loss', 'main_accuracy']);
    h.history.loss.forEach((l, e) => {
      const sum = h.history.main_loss[e] + 0.3 * h.history.aux1_loss[e] + 0.3 * h.history.aux2_loss[e];
      assert.ok(Math.abs(l - sum) < 1e-5, `epoch ${e}: loss ${l} = main + 0.3·aux1 + 0.3·aux2 = ${sum}`);
    });
    const losses = h.history.loss;
    assert.ok(losses[losses.length - 1] < losses[0], `training loss decreases: ${losses.join(', ')}`);
    const after = m.evaluate(x, ys, { batchSize: N });
    assert.ok(after[0] < before[0] - 0.01, `evaluated loss decreases: ${before[0]} → ${after[0]}`);
    assert.ok(Math.abs(after[0] - (after[1] + 0.3 * after[2] + 0.3 * after[3])) < 1e-5);
  });
});
