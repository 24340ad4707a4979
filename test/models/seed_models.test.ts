import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_ARCHITECTURES, seedCifarCnn, fashionModel1, fashionModel2, fashionBnModel, cifarBnModel, seed004Model, lenet5 } from '../../src/applications/seed_models.js';
import { clearSession } from '../../src/layers/naming.js';
import * as ops from '../../src/ops/index.js';

const quiet = { printFn: null };

describe("seed models: Keras's parameter counts and output shapes", () => {
  it('seed 000 CIFAR Sequential: per-layer 896, 0, 18,496, 0, 36,928, 0, 65,600, 650; total 122,570', () => {
    clearSession();
    const info = seedCifarCnn().summary(quiet);
    assert.deepEqual(info.layers.map((l) => l.params), [896, 0, 18496, 0, 36928, 0, 65600, 650]);
    assert.deepEqual(info.layers.map((l) => l.outputShape), [
      [null, 30, 30, 32], [null, 15, 15, 32], [null, 13, 13, 64], [null, 6, 6, 64], [null, 4, 4, 64], [null, 1024], [null, 64], [null, 10]]);
    assert.deepEqual(info.layers.map((l) => l.name), ['conv2d', 'max_pooling2d', 'conv2d_1', 'max_pooling2d_1', 'conv2d_2', 'flatten', 'dense', 'dense_1']);
    assert.equal(info.totalParams, 122570);
    assert.equal(info.trainableParams, 122570);
    assert.equal(info.nonTrainableParams, 0);
  });

  it('seed 003 Fashion model_1: total 3,239,114', () => {
    clearSession();
    const info = fashionModel1().summary(quiet);
    assert.equal(info.totalParams, 3239114);
    assert.deepEqual(info.layers.map((l) => l.params), [0, 320, 9248, 9248, 0, 3211392, 8256, 650]);
    assert.deepEqual(info.layers[4].outputShape, [null, 25088]);
    assert.equal(info.layers[0].name, 'input_layer');
    assert.equal(info.name, 'functional');
  });

  it('seed 003 Fashion model_2: total 228,554 with (None, 7, 7, 32) after the second pooling', () => {
    const info = fashionModel2().summary(quiet);
    assert.equal(info.totalParams, 228554);
    assert.deepEqual(info.layers.map((l) => l.outputShape?.slice(1)), [[28, 28, 1], [28, 28, 32], [14, 14, 32], [14, 14, 32], [7, 7, 32], [7, 7, 32], [7, 7, 32], [7, 7, 32], [1568], [128], [64], [10]]);
  });

  it('seed 003 BatchNormalization model: total 2,589,834, trainable 2,588,106, non-trainable 1,728', () => {
    const info = fashionBnModel().summary(quiet);
    assert.equal(info.totalParams, 2589834);
    assert.equal(info.trainableParams, 2588106);
    assert.equal(info.nonTrainableParams, 1728);
    assert.deepEqual(info.layers.filter((l) => l.className === 'BatchNormalization').map((l) => l.params), [128, 256, 2048, 1024]);
  });

  it('seed 003 CIFAR BN model: total 652,874, non-trainable 448', () => {
    const info = cifarBnModel().summary(quiet);
    assert.equal(info.totalParams, 652874);
    assert.equal(info.trainableParams, 652426);
    assert.equal(info.nonTrainableParams, 448);
    assert.deepEqual(info.layers.find((l) => l.className === 'Flatten')?.outputShape, [null, 2048]);
  });

  it('seed 004: 28x28 -> Conv2D(5, 3, strides 2, same) -> 14x14x5 -> MaxPool2D(2, 2, same) -> 7x7x5', () => {
    const model = seed004Model();
    const info = model.summary(quiet);
    assert.deepEqual(info.layers[0].outputShape, [null, 14, 14, 5]);
    assert.deepEqual(info.layers[1].outputShape, [null, 7, 7, 5]);
    const y = model.predict(ops.randomUniform([3, 28, 28, 1], 0, 1, { seed: 3 }));
    assert.deepEqual([...y.shape], [3, 10]);
  });

  it('LeNet-5 (convkit train default) has the seed 003 layout', () => {
    const info = lenet5().summary(quiet);
    assert.deepEqual(info.layers.map((l) => l.outputShape), [
      [null, 28, 28, 6], [null, 14, 14, 6], [null, 14, 14, 16], [null, 7, 7, 16], [null, 784], [null, 120], [null, 84], [null, 10]]);
    assert.equal(info.totalParams, 156 + 2416 + 94200 + 10164 + 850);
  });

  it('every registered architecture builds', () => {
    for (const [name, a] of Object.entries(SEED_ARCHITECTURES)) {
      const m = a.build();
      assert.ok(m.countParams() > 0, name);
    }
  });
});
