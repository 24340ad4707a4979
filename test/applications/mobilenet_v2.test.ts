import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mobileNetV2, makeDivisible } from '../../src/applications/mobilenet_v2.js';
import { applications } from '../../src/index.js';
import { clearSession } from '../../src/layers/naming.js';
import * as ops from '../../src/ops/index.js';

const quiet = { printFn: null };

describe("MobileNetV2: keras.applications.MobileNetV2's architecture", () => {
  it('224×224, alpha 1, with the top: 3,538,984 parameters (3,504,872 trainable / 34,112 non-trainable)', () => {
    clearSession();
    const info = mobileNetV2().summary(quiet);
    assert.equal(info.totalParams, 3538984);
    assert.equal(info.trainableParams, 3504872);
    assert.equal(info.nonTrainableParams, 34112);
    assert.equal(info.name, 'mobilenetv2_1.00_224');
    assert.equal(info.layers.length, 156);
    const byName = new Map(info.layers.map((l) => [l.name, l]));
    const expect: [string, (number | null)[], number][] = [
      ['Conv1', [null, 112, 112, 32], 864],
      ['bn_Conv1', [null, 112, 112, 32], 128],
      ['Conv1_relu', [null, 112, 112, 32], 0],
      ['expanded_conv_depthwise', [null, 112, 112, 32], 288],
      ['expanded_conv_project_BN', [null, 112, 112, 16], 64],
      ['block_1_expand', [null, 112, 112, 96], 1536],
      ['block_1_pad', [null, 113, 113, 96], 0],
      ['block_1_depthwise', [null, 56, 56, 96], 864],
      ['block_2_add', [null, 56, 56, 24], 0],
      ['block_13_pad', [null, 15, 15, 576], 0],
      ['block_16_project', [null, 7, 7, 320], 307200],
      ['Conv_1', [null, 7, 7, 1280], 409600],
      ['Conv_1_bn', [null, 7, 7, 1280], 5120],
      ['out_relu', [null, 7, 7, 1280], 0],
      ['global_average_pooling2d', [null, 1280], 0],
      ['predictions', [null, 1000], 1281000],
    ];
    for (const [name, shape, params] of expect) {
      const l = byName.get(name);
      assert.ok(l, `layer ${name} is missing`);
      assert.deepEqual(l.outputShape, shape, name);
      assert.equal(l.params, params, name);
    }
    assert.equal(byName.get('block_1_add'), undefined, 'stride-2 blocks have no residual');
    assert.equal(info.layers.filter((l) => l.className === 'Add').length, 10);
    assert.equal(info.layers.filter((l) => l.className === 'ZeroPadding2D').length, 4);
  });

  it('without the top: 2,257,984 parameters; pooling avg/max/none shapes', () => {
    clearSession();
    const avg = mobileNetV2({ includeTop: false, pooling: 'avg' }).summary(quiet);
    assert.equal(avg.totalParams, 2257984);
    assert.deepEqual(avg.layers[avg.layers.length - 1].outputShape, [null, 1280]);
    const none = mobileNetV2({ includeTop: false, inputShape: [96, 96, 3] }).summary(quiet);
    assert.deepEqual(none.layers[none.layers.length - 1].outputShape, [null, 3, 3, 1280]);
    const max = mobileNetV2({ includeTop: false, pooling: 'max', inputShape: [97, 97, 3] }).summary(quiet);
    assert.equal(max.layers[max.layers.length - 1].className, 'GlobalMaxPooling2D');
    // Odd sizes get symmetric padding (correct_pad): 49 → pad 1/1 → 51 → 25.
    assert.deepEqual(max.layers.find((l) => l.name === 'block_1_pad')?.outputShape, [null, 51, 51, 96]);
  });

  it('alpha scales the blocks by _make_divisible, the last conv only when alpha > 1', () => {
    assert.equal(makeDivisible(32 * 0.35, 8), 16);
    assert.equal(makeDivisible(16 * 0.5, 8), 8);
    assert.equal(makeDivisible(1280 * 1.4, 8), 1792);
    clearSession();
    const small = mobileNetV2({ alpha: 0.5, inputShape: [96, 96, 3], classes: 10 }).summary(quiet);
    assert.deepEqual(small.layers.find((l) => l.name === 'Conv1')?.outputShape, [null, 48, 48, 16]);
    assert.deepEqual(small.layers.find((l) => l.name === 'Conv_1')?.outputShape, [null, 3, 3, 1280]);
    const wide = mobileNetV2({ alpha: 1.4, includeTop: false, inputShape: [64, 64, 3] }).summary(quiet);
    assert.deepEqual(wide.layers.find((l) => l.name === 'Conv_1')?.outputShape, [null, 2, 2, 1792]);
  });

  it('rejects bad arguments', () => {
    assert.throws(() => mobileNetV2({ inputShape: [16, 16, 3] }), /at least 32x32/);
    assert.throws(() => mobileNetV2({ inputShape: [64, 64, 1] }), /3 channels/);
    assert.throws(() => mobileNetV2({ alpha: 0 }), /alpha/);
    assert.throws(() => mobileNetV2({ includeTop: false, pooling: 'sum' as never }), /pooling/);
  });

  it('predict on one small image returns finite probabilities summing to 1; exported as applications.mobileNetV2', () => {
    clearSession();
    const model = applications.mobileNetV2({ inputShape: [32, 32, 3], classes: 7 });
    const x = ops.randomUniform([1, 32, 32, 3], -1, 1, { seed: 3 });
    const y = model.predict(x);
    assert.deepEqual(y.shape, [1, 7]);
    const p = Array.from(y.dataSync() as Float32Array);
    assert.ok(p.every((v) => Number.isFinite(v) && v >= 0));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });
});
