/**
 * Real Keras files (../shared/fixtures/keras) open in convkit: parameter counts as MANIFEST.md
 * records them, the training config restored, and the MNIST models classifying the embedded
 * MNIST digits with the preprocessing their authors used.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { loadModel } from '../../src/io/model_io.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Dense, Dropout } from '../../src/layers/core.js';
import { Adam, RMSprop } from '../../src/optimizers/index.js';
import { readHdf5 } from '../../src/io/hdf5/hdf5.js';
import { h5Get, type H5Dataset } from '../../src/io/hdf5/tree.js';
import { MODEL_FIXTURES, accuracy, fixturePath, inputShapeOf, labelsFor, realInputs, testDigits } from './keras_fixture_data.js';

const DIGITS = 1000;

describe('Keras fixtures: every full model loads', () => {
  for (const f of MODEL_FIXTURES) {
    it(`${f.file}: ${f.params.toLocaleString('en')} parameters, compiled from its training config`, async () => {
      const model = await loadModel(fixturePath(f.file));
      const info = model.summary({ printFn: null });
      assert.equal(info.totalParams, f.params);
      assert.ok(model.compiled, 'the training config compiles the model');
      if (f.mnist) {
        const { labels } = testDigits(DIGITS);
        const x = realInputs(inputShapeOf(model), DIGITS, f.preprocess);
        const acc = accuracy(model.predict(x, { batchSize: 250 }), labels);
        assert.ok(acc >= 0.95, `accuracy ${acc} on ${DIGITS} embedded MNIST digits`);
        const [, evalAcc] = model.evaluate(x, labelsFor(model, labels), { batchSize: 250 }) as number[];
        assert.ok(Math.abs(evalAcc! - acc) < 1e-9, `evaluate's accuracy ${evalAcc} matches the arg-max count ${acc}`);
      }
    });
  }
});

describe('Keras fixtures: training configs become optimizers', () => {
  it('Keras 2.3 RMSprop (lr 1e-3, rho 0.9, decay 0) and Keras 3 Adam (lr 5e-4) are restored with their settings', async () => {
    const a = await loadModel(fixturePath('mnist_cnn_keras231.h5'));
    assert.ok(a.compiled!.optimizer instanceof RMSprop);
    const ca = a.compiled!.optimizer.getConfig();
    assert.ok(Math.abs((ca.learning_rate as number) - 1e-3) < 1e-9);
    assert.ok(Math.abs((ca.rho as number) - 0.9) < 1e-7);
    assert.equal(a.compiled!.loss.name, 'categorical_crossentropy');
    const b = await loadModel(fixturePath('mnist_cnn_renamed_keras3.keras'));
    assert.ok(b.compiled!.optimizer instanceof Adam);
    assert.ok(Math.abs((b.compiled!.optimizer.getConfig().learning_rate as number) - 5e-4) < 1e-9);
    assert.equal(b.compiled!.loss.name, 'sparse_categorical_crossentropy');
  });

  it('tf.keras 2.15 "Custom>Adam" with nested MeanMetricWrapper metrics compiles, and the model keeps training', async () => {
    const m = await loadModel(fixturePath('cifar10_cnn_bn_keras215.h5'));
    assert.ok(m.compiled!.optimizer instanceof Adam);
    assert.deepEqual(m.compiled!.metrics, ['sparse_categorical_accuracy']);
    const x = realInputs(inputShapeOf(m), 8, 'div255');
    const y = new Tensor(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), [8]);
    const [before] = m.trainOnBatch(x, y);
    for (let i = 0; i < 4; i++) m.trainOnBatch(x, y);
    const [after] = m.evaluate(x, y) as number[];
    assert.ok(after! < before!, `loss went from ${before} to ${after} after 5 steps`);
  });

  it('compile: false leaves the model uncompiled', async () => {
    const m = await loadModel(fixturePath('mnist_cnn_keras3.keras'), { compile: false });
    assert.equal(m.compiled, null);
  });
});

describe('Keras fixtures: weights-only files', () => {
  it('Keras 2 save_weights (MLP 784-64-64-10) loads into the same architecture and scores ≥ 95%', async () => {
    const mlp = new Sequential({
      layers: [new Dense({ units: 64, activation: 'relu', inputShape: [784] }), new Dropout({ rate: 0.1 }), new Dense({ units: 64, activation: 'relu' }), new Dropout({ rate: 0.2 }), new Dense({ units: 10, activation: 'softmax' })],
    });
    const path = fixturePath('mnist_mlp_weights_only_keras24.h5');
    await mlp.loadWeights(path);
    const tree = await readHdf5(path);
    const kernel = h5Get(tree, 'dense/dense/kernel:0') as H5Dataset;
    assert.deepEqual(kernel.shape, [784, 64]);
    assert.deepEqual(Array.from(mlp.layers[0]!.weights[0]!.values.subarray(0, 50)), Array.from(kernel.data.subarray(0, 50)));
    const { labels } = testDigits(DIGITS);
    const acc = accuracy(mlp.predict(realInputs([null, 784], DIGITS, 'centered'), { batchSize: 250 }), labels);
    assert.ok(acc >= 0.95, `accuracy ${acc}`);
  });

  it('Keras 3 .weights.h5 loads into the architecture of its .keras sibling and scores ≥ 95%', async () => {
    const model = await loadModel(fixturePath('mnist_cnn_keras3.keras'), { compile: false });
    for (const v of model.weights) v.assign(new Float32Array(v.size));
    await model.loadWeights(fixturePath('mnist_cnn_keras3.weights.h5'));
    const { labels } = testDigits(DIGITS);
    const acc = accuracy(model.predict(realInputs(inputShapeOf(model), DIGITS, 'div255'), { batchSize: 250 }), labels);
    assert.ok(acc >= 0.95, `accuracy ${acc}`);
  });

  it('loadModel on a weights-only file says to build the model and call loadWeights', async () => {
    await assert.rejects(loadModel(fixturePath('mnist_mlp_weights_only_keras24.h5')), /holds only weights.*loadWeights/);
    await assert.rejects(loadModel(fixturePath('mnist_cnn_keras3.weights.h5')), /holds only weights.*loadWeights/);
  });
});
