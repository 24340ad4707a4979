/**
 * keras.applications Xception, InceptionResNetV2, NASNetMobile and NASNetLarge against Keras:
 * parameter totals (total / trainable / non-trainable, as Keras's model.summary() prints them) and
 * weight counts, Keras's layer names, output shapes and layer order (checked against Keras's printed
 * layer lists), forward passes at the smallest inputs Keras allows, Keras's argument checks, the
 * 'tf' preprocessing, `convkit summary … --json`, and `weights: 'imagenet'` through a local mirror
 * (Keras's file names, URLs and md5s; positional loading in Keras's layer order from a file the
 * test writes).
 *
 * The big models are built one at a time inside their test and dropped at its end (NASNetLarge
 * holds 89 M parameters, 356 MB).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useWeightsMirror } from './weights_mirror.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applications, loadModel } from '../../src/index.js';
import { summary as cliSummary } from '../../src/cli/commands.js';
import { xception } from '../../src/applications/xception.js';
import { CustomScaleLayer, inceptionResNetV2 } from '../../src/applications/inception_resnet_v2.js';
import { nasNetLarge, nasNetMobile } from '../../src/applications/nasnet.js';
import { kerasLayerOrder, withKerasLayerOrder } from '../../src/applications/inception_v3.js';
import { kerasWeightsFile } from '../../src/applications/weight_urls.js';
import { HashMismatchError } from '../../src/io/download/errors.js';
import { loadWeights, saveWeights } from '../../src/io/model_io.js';
import { Input } from '../../src/layers/input.js';
import * as L from '../../src/layers/index.js';
import { clearSession } from '../../src/layers/naming.js';
import { Model } from '../../src/models/model.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import type { SummaryInfo } from '../../src/models/summary.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectRows, last, layer, quiet, summarise, totals, values, type Row } from '../helpers/summary.js';


function count(s: SummaryInfo, className: string): number {
  return s.layers.filter((l) => l.className === className).length;
}

/** Rows of a (batch, classes) probability tensor: finite, non-negative, each summing to 1. */
function assertProbabilities(p: Tensor, batch: number, classes: number): void {
  assert.deepEqual(p.shape, [batch, classes]);
  const v = values(p);
  assert.ok(v.every((e) => Number.isFinite(e) && e >= 0), 'finite, non-negative');
  for (let b = 0; b < batch; b++) {
    const sum = v.slice(b * classes, (b + 1) * classes).reduce((a, c) => a + c, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${b} sums to ${sum}`);
  }
}

/**
 * Keras 2 numbered automatic names from _1 (conv2d_1 is Keras 3's conv2d, conv2d_2 its conv2d_1):
 * maps a layer list printed by Keras 2 to Keras 3's (and convkit's) names.
 */
function keras3Names(keras2: string): string[] {
  return keras2.trim().split(/\s+/).map((n) => {
    const m = /^(conv2d|batch_normalization|activation|max_pooling2d|average_pooling2d|add)_(\d+)$/.exec(n);
    if (!m) return n;
    const k = Number(m[2]) - 1;
    return k === 0 ? m[1]! : `${m[1]}_${k}`;
  });
}

function expectOrderSlice(order: string[], want: string[]): void {
  const from = order.indexOf(want[0]!);
  assert.ok(from >= 0, `${want[0]} is missing`);
  assert.deepEqual(order.slice(from, from + want.length), want);
}

describe("Xception: keras.applications.Xception's architecture", () => {
  it("Keras's 22,910,480 parameters (54,528 non-trainable), 236 weights (156 trainable), 134 layers, names and shapes at 299×299", () => {
    clearSession();
    const model = xception();
    assert.equal(model.weights.length, 236);
    assert.equal(model.trainableWeights.length, 156);
    const s = model.summary(quiet);
    assert.equal(s.name, 'xception');
    assert.deepEqual(totals(s), [22910480, 22855952, 54528]);
    assert.equal(s.layers.length, 134);
    expectRows(s, [
      ['block1_conv1', 'Conv2D', [null, 149, 149, 32], 864],
      ['block1_conv1_bn', 'BatchNormalization', [null, 149, 149, 32], 128],
      ['block1_conv2_act', 'Activation', [null, 147, 147, 64], 0],
      ['block2_sepconv1', 'SeparableConv2D', [null, 147, 147, 128], 3 * 3 * 64 + 64 * 128],
      ['block2_sepconv2_act', 'Activation', [null, 147, 147, 128], 0],
      ['conv2d', 'Conv2D', [null, 74, 74, 128], 8192],
      ['batch_normalization', 'BatchNormalization', [null, 74, 74, 128], 512],
      ['block2_pool', 'MaxPooling2D', [null, 74, 74, 128], 0],
      ['add', 'Add', [null, 74, 74, 128], 0],
      ['block3_pool', 'MaxPooling2D', [null, 37, 37, 256], 0],
      ['block4_pool', 'MaxPooling2D', [null, 19, 19, 728], 0],
      ['block5_sepconv1_act', 'Activation', [null, 19, 19, 728], 0],
      ['block12_sepconv3', 'SeparableConv2D', [null, 19, 19, 728], 3 * 3 * 728 + 728 * 728],
      ['add_10', 'Add', [null, 19, 19, 728], 0],
      ['block13_sepconv2', 'SeparableConv2D', [null, 19, 19, 1024], 752024],
      ['conv2d_3', 'Conv2D', [null, 10, 10, 1024], 745472],
      ['add_11', 'Add', [null, 10, 10, 1024], 0],
      ['block14_sepconv1', 'SeparableConv2D', [null, 10, 10, 1536], 3 * 3 * 1024 + 1024 * 1536],
      ['block14_sepconv2_act', 'Activation', [null, 10, 10, 2048], 0],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 2048], 0],
      ['predictions', 'Dense', [null, 1000], 2049000],
    ]);
    assert.equal(count(s, 'SeparableConv2D'), 34);
    assert.equal(count(s, 'Add'), 12);
    // Keras's layer order (its summary, and the order its weights file is written in): the
    // shortcut projection sits between the branch and the pool, as Keras 2's summary prints it.
    expectOrderSlice(kerasLayerOrder(model).map((l) => l.name), keras3Names(
      'block2_sepconv2_act block2_sepconv2 block2_sepconv2_bn conv2d_1 block2_pool batch_normalization_1 add_1 block3_sepconv1_act block3_sepconv1',
    ));
  });

  it('without the top: 20,861,480 parameters; pooling avg/max are unnamed as in Keras; 132 layers', () => {
    const s = summarise(() => xception({ includeTop: false, pooling: 'avg' }));
    assert.deepEqual(totals(s), [20861480, 20806952, 54528]);
    assert.equal(s.layers.length, 133);
    assert.deepEqual(layer(s, 'block14_sepconv2_act').outputShape, [null, null, null, 2048]);
    assert.equal(last(s).name, 'global_average_pooling2d');
    assert.deepEqual(last(s).outputShape, [null, 2048]);
    const max = summarise(() => applications.Xception({ includeTop: false, pooling: 'max', inputShape: [96, 128, 3] }));
    assert.equal(last(max).className, 'GlobalMaxPooling2D');
    assert.deepEqual(last(max).outputShape, [null, 2048]);
    const none = summarise(() => xception({ includeTop: false, inputShape: [71, 71, 3] }));
    assert.equal(none.layers.length, 132);
    assert.deepEqual(last(none).outputShape, [null, 3, 3, 2048]);
  });

  it('predicts at 71×71 (the smallest size): probabilities summing to 1; pooled features are ReLU outputs', () => {
    const x = ops.randomUniform([2, 71, 71, 3], -1, 1, { seed: 21 });
    clearSession();
    let model = applications.xception({ inputShape: [71, 71, 3], classes: 3 });
    assertProbabilities(model.predict(x), 2, 3);
    clearSession();
    model = xception({ includeTop: false, pooling: 'max', inputShape: [71, 71, 3] });
    const y = values(model.predict(x));
    assert.equal(y.length, 2 * 2048);
    assert.ok(y.every((e) => Number.isFinite(e) && e >= 0));
    assert.ok(y.some((e) => e > 0));
  });
});

describe("InceptionResNetV2: keras.applications.InceptionResNetV2's architecture", () => {
  it("Keras's 55,873,736 parameters (60,544 non-trainable), 898 weights (490 trainable), 782 layers, names and shapes at 299×299", () => {
    clearSession();
    const model = inceptionResNetV2();
    assert.equal(model.weights.length, 898);
    assert.equal(model.trainableWeights.length, 490);
    const s = model.summary(quiet);
    assert.equal(s.name, 'inception_resnet_v2');
    assert.deepEqual(totals(s), [55873736, 55813192, 60544]);
    assert.equal(s.layers.length, 782);
    expectRows(s, [
      ['conv2d', 'Conv2D', [null, 149, 149, 32], 864],
      ['batch_normalization', 'BatchNormalization', [null, 149, 149, 32], 96],
      ['activation', 'Activation', [null, 149, 149, 32], 0],
      ['max_pooling2d', 'MaxPooling2D', [null, 73, 73, 64], 0],
      ['max_pooling2d_1', 'MaxPooling2D', [null, 35, 35, 192], 0],
      ['average_pooling2d', 'AveragePooling2D', [null, 35, 35, 192], 0],
      ['mixed_5b', 'Concatenate', [null, 35, 35, 320], 0],
      ['block35_1_mixed', 'Concatenate', [null, 35, 35, 128], 0],
      ['block35_1_conv', 'Conv2D', [null, 35, 35, 320], 128 * 320 + 320],
      ['custom_scale_layer', 'CustomScaleLayer', [null, 35, 35, 320], 0],
      ['block35_1_ac', 'Activation', [null, 35, 35, 320], 0],
      ['block35_10_ac', 'Activation', [null, 35, 35, 320], 0],
      ['mixed_6a', 'Concatenate', [null, 17, 17, 1088], 0],
      ['block17_1_mixed', 'Concatenate', [null, 17, 17, 384], 0],
      ['block17_20_ac', 'Activation', [null, 17, 17, 1088], 0],
      ['mixed_7a', 'Concatenate', [null, 8, 8, 2080], 0],
      ['block8_10_conv', 'Conv2D', [null, 8, 8, 2080], 448 * 2080 + 2080],
      ['custom_scale_layer_39', 'CustomScaleLayer', [null, 8, 8, 2080], 0],
      ['conv2d_202', 'Conv2D', [null, 8, 8, 256], 3 * 224 * 256],
      ['conv_7b', 'Conv2D', [null, 8, 8, 1536], 2080 * 1536],
      ['conv_7b_bn', 'BatchNormalization', [null, 8, 8, 1536], 3 * 1536],
      ['conv_7b_ac', 'Activation', [null, 8, 8, 1536], 0],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 1536], 0],
      ['predictions', 'Dense', [null, 1000], 1537000],
    ]);
    assert.ok(!s.layers.some((l) => l.name === 'block8_10_ac'), 'the last block8 has no activation');
    assert.equal(count(s, 'Conv2D'), 244);
    assert.equal(count(s, 'BatchNormalization'), 204);
    assert.equal(count(s, 'CustomScaleLayer'), 40);
    // Keras's layer order, against the list Keras 2 prints for model.layers (names renumbered).
    const order = kerasLayerOrder(model).map((l) => l.name);
    expectOrderSlice(order, keras3Names(`
      max_pooling2d_2 conv2d_9 batch_normalization_9 activation_9 conv2d_7 conv2d_10 batch_normalization_7
      batch_normalization_10 activation_7 activation_10 average_pooling2d_1 conv2d_6 conv2d_8 conv2d_11 conv2d_12
      batch_normalization_6 batch_normalization_8 batch_normalization_11 batch_normalization_12 activation_6
      activation_8 activation_11 activation_12 mixed_5b conv2d_16 batch_normalization_16 activation_16 conv2d_14
      conv2d_17 batch_normalization_14 batch_normalization_17 activation_14 activation_17 conv2d_13 conv2d_15
      conv2d_18 batch_normalization_13 batch_normalization_15 batch_normalization_18 activation_13 activation_15
      activation_18 block35_1_mixed block35_1_conv`));
    expectOrderSlice(order, keras3Names(`
      block17_20_ac conv2d_161 batch_normalization_161 activation_161 conv2d_157 conv2d_159 conv2d_162
      batch_normalization_157 batch_normalization_159 batch_normalization_162 activation_157 activation_159
      activation_162 conv2d_158 conv2d_160 conv2d_163 batch_normalization_158 batch_normalization_160
      batch_normalization_163 activation_158 activation_160 activation_163 max_pooling2d_4 mixed_7a conv2d_165
      batch_normalization_165 activation_165 conv2d_166 batch_normalization_166 activation_166 conv2d_164
      conv2d_167 batch_normalization_164 batch_normalization_167 activation_164 activation_167 block8_1_mixed
      block8_1_conv`));
    expectOrderSlice(order, keras3Names(`
      block8_9_ac conv2d_201 batch_normalization_201 activation_201 conv2d_202 batch_normalization_202 activation_202
      conv2d_200 conv2d_203 batch_normalization_200 batch_normalization_203 activation_200 activation_203
      block8_10_mixed block8_10_conv`));
    // Keras 2's Lambda block8_10 is Keras 3's unnamed CustomScaleLayer.
    assert.deepEqual(order.slice(-7), ['block8_10_conv', 'custom_scale_layer_39', 'conv_7b', 'conv_7b_bn', 'conv_7b_ac', 'avg_pool', 'predictions']);
  });

  it('without the top: 54,336,736 parameters, 780 layers; runs at 75×75 (the smallest size)', () => {
    const s = summarise(() => inceptionResNetV2({ includeTop: false }));
    assert.deepEqual(totals(s), [54336736, 54276192, 60544]);
    assert.equal(s.layers.length, 780);
    assert.deepEqual(last(s).outputShape, [null, null, null, 1536]);
    const x = ops.randomUniform([2, 75, 75, 3], -1, 1, { seed: 23 });
    clearSession();
    let model = applications.InceptionResNetV2({ includeTop: false, pooling: 'avg', inputShape: [75, 75, 3] });
    assert.equal(model.layers[model.layers.length - 1]!.name, 'global_average_pooling2d', 'pooling avg is unnamed in Keras');
    const y = values(model.predict(x));
    assert.equal(y.length, 2 * 1536);
    assert.ok(y.every((e) => Number.isFinite(e) && e >= 0));
    clearSession();
    model = inceptionResNetV2({ inputShape: [75, 75, 3], classes: 4 });
    const info = model.summary(quiet);
    assert.deepEqual(layer(info, 'mixed_5b').outputShape, [null, 7, 7, 320]);
    assert.deepEqual(layer(info, 'conv_7b_ac').outputShape, [null, 1, 1, 1536]);
    assertProbabilities(model.predict(x), 2, 4);
  });

  it('CustomScaleLayer computes x + scale · r, keeps its scale in the config and survives save/load', async () => {
    const layerX = new CustomScaleLayer({ scale: 0.17 });
    const a = new Tensor(Float32Array.from([1, 2, 3, 4]), [1, 2, 2, 1]);
    const r = new Tensor(Float32Array.from([10, -10, 100, 0]), [1, 2, 2, 1]);
    values(layerX.apply([a, r])).forEach((v, i) => assert.ok(Math.abs(v - ([1, 2, 3, 4][i]! + 0.17 * [10, -10, 100, 0][i]!)) < 1e-5));
    assert.equal(layerX.getConfig().scale, 0.17);
    assert.throws(() => new CustomScaleLayer({ scale: Number.NaN }), /scale/);
    clearSession();
    const input = Input({ shape: [4, 4, 2] });
    const up = L.conv2d({ filters: 2, kernelSize: 1 }).apply(input) as SymbolicTensor;
    assert.throws(() => new CustomScaleLayer({ scale: 0.1 }).apply([input, L.conv2d({ filters: 3, kernelSize: 1 }).apply(input) as SymbolicTensor]), /same shape/);
    const model = new Model({ inputs: input, outputs: new CustomScaleLayer({ scale: 0.2 }).apply([input, up]) as SymbolicTensor });
    const x = ops.randomUniform([1, 4, 4, 2], -1, 1, { seed: 2 });
    const want = values(model.predict(x));
    const dir = mkdtempSync(join(tmpdir(), 'convkit-scale-'));
    try {
      const file = join(dir, 'scale.keras');
      await model.save(file);
      const again = await loadModel(file);
      assert.equal(again.layers[again.layers.length - 1]!.className, 'CustomScaleLayer');
      values(again.predict(x)).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("NASNetMobile / NASNetLarge: keras.applications' NASNet-A", () => {
  it("NASNetMobile: Keras's 5,326,716 parameters (36,738 non-trainable), 1,126 weights (742 trainable), 771 layers, names and shapes at 224×224", () => {
    clearSession();
    const model = nasNetMobile();
    assert.equal(model.weights.length, 1126);
    assert.equal(model.trainableWeights.length, 742);
    const s = model.summary(quiet);
    assert.equal(s.name, 'nasnet_mobile');
    assert.deepEqual(totals(s), [5326716, 5289978, 36738]);
    assert.equal(s.layers.length, 771);
    const sep = (k: number, c: number, f: number) => k * k * c + c * f;
    expectRows(s, [
      ['stem_conv1', 'Conv2D', [null, 111, 111, 32], 864],
      ['stem_bn1', 'BatchNormalization', [null, 111, 111, 32], 128],
      ['activation', 'Activation', [null, 111, 111, 32], 0],
      ['reduction_conv_1_stem_1', 'Conv2D', [null, 111, 111, 11], 32 * 11],
      ['reduction_pad_1_stem_1', 'ZeroPadding2D', [null, 113, 113, 11], 0],
      ['separable_conv_1_pad_reduction_left1_stem_1', 'ZeroPadding2D', [null, 115, 115, 11], 0],
      ['separable_conv_1_reduction_left1_stem_1', 'SeparableConv2D', [null, 56, 56, 11], sep(5, 11, 11)],
      ['separable_conv_1_reduction_right1_stem_1', 'SeparableConv2D', [null, 56, 56, 11], sep(7, 32, 11)],
      ['reduction_left2_stem_1', 'MaxPooling2D', [null, 56, 56, 11], 0],
      ['reduction_add3_stem_1', 'Add', [null, 56, 56, 11], 0],
      ['reduction_left4_stem_1', 'AveragePooling2D', [null, 56, 56, 11], 0],
      ['separable_conv_1_reduction_left4_stem_1', 'SeparableConv2D', [null, 56, 56, 11], sep(3, 11, 11)],
      ['reduction_concat_stem_1', 'Concatenate', [null, 56, 56, 44], 0],
      ['adjust_relu_1_stem_2', 'Activation', [null, 111, 111, 32], 0],
      ['adjust_avg_pool_1_stem_2', 'AveragePooling2D', [null, 56, 56, 32], 0],
      ['zero_padding2d', 'ZeroPadding2D', [null, 112, 112, 32], 0],
      ['cropping2d', 'Cropping2D', [null, 111, 111, 32], 0],
      ['adjust_conv_2_stem_2', 'Conv2D', [null, 56, 56, 11], 32 * 11],
      ['concatenate', 'Concatenate', [null, 56, 56, 22], 0],
      ['adjust_bn_stem_2', 'BatchNormalization', [null, 56, 56, 22], 88],
      ['reduction_concat_stem_2', 'Concatenate', [null, 28, 28, 88], 0],
      ['adjust_bn_0', 'BatchNormalization', [null, 28, 28, 44], 176],
      ['normal_conv_1_0', 'Conv2D', [null, 28, 28, 44], 88 * 44],
      ['separable_conv_1_normal_left1_0', 'SeparableConv2D', [null, 28, 28, 44], sep(5, 44, 44)],
      ['normal_left3_0', 'AveragePooling2D', [null, 28, 28, 44], 0],
      ['normal_add_5_0', 'Add', [null, 28, 28, 44], 0],
      ['normal_concat_0', 'Concatenate', [null, 28, 28, 264], 0],
      ['adjust_conv_projection_1', 'Conv2D', [null, 28, 28, 44], 88 * 44],
      ['normal_concat_3', 'Concatenate', [null, 28, 28, 264], 0],
      ['adjust_conv_projection_reduce_4', 'Conv2D', [null, 28, 28, 88], 264 * 88],
      ['reduction_concat_reduce_4', 'Concatenate', [null, 14, 14, 352], 0],
      ['adjust_bn_5', 'BatchNormalization', [null, 14, 14, 88], 352],
      ['normal_concat_8', 'Concatenate', [null, 14, 14, 528], 0],
      ['reduction_concat_reduce_8', 'Concatenate', [null, 7, 7, 704], 0],
      ['normal_concat_12', 'Concatenate', [null, 7, 7, 1056], 0],
      ['activation_187', 'Activation', [null, 7, 7, 1056], 0],
      ['global_average_pooling2d', 'GlobalAveragePooling2D', [null, 1056], 0],
      ['predictions', 'Dense', [null, 1000], 1057000],
    ]);
    // Every layer with weights has Keras's explicit name, so Keras's file matches by name.
    const automatic = /^(conv2d|batch_normalization|separable_conv2d|dense)(_\d+)?$/;
    assert.deepEqual(model.layers.filter((l) => l.weights.length > 0 && automatic.test(l.name)).map((l) => l.name), []);
    assert.equal(new Set(model.layers.map((l) => l.name)).size, model.layers.length, 'unique names');
  });

  it('NASNetMobile without the top and without inputShape is built at 224×224, as Keras: 4,269,716 parameters; pooling max; 32×32 runs', () => {
    let s = summarise(() => nasNetMobile({ includeTop: false }));
    assert.deepEqual(totals(s), [4269716, 4232978, 36738]);
    assert.equal(s.layers.length, 769);
    assert.deepEqual(s.layers[0]!.outputShape, [null, 224, 224, 3]);
    assert.deepEqual(last(s).outputShape, [null, 7, 7, 1056]);
    s = summarise(() => nasNetMobile({ includeTop: false, pooling: 'max', inputShape: [33, 45, 3] }));
    assert.equal(last(s).className, 'GlobalMaxPooling2D');
    assert.deepEqual(last(s).outputShape, [null, 1056]);
    assert.deepEqual(layer(s, 'stem_conv1').outputShape, [null, 16, 22, 32]);
    assert.deepEqual(layer(s, 'reduction_pad_1_stem_1').outputShape, [null, 17, 23, 11], 'correct_pad on even sizes pads (0, 1)');
    assert.deepEqual(layer(s, 'normal_concat_12').outputShape, [null, 1, 2, 1056], 'each reduction rounds up: 16×22 → 8×11 → 4×6 → 2×3 → 1×2');
    const x = ops.randomUniform([2, 32, 32, 3], -1, 1, { seed: 25 });
    clearSession();
    let model = nasNetMobile({ inputShape: [32, 32, 3], classes: 4 });
    assertProbabilities(model.predict(x), 2, 4);
    clearSession();
    model = applications.NASNetMobile({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] });
    const y = values(model.predict(x));
    assert.equal(y.length, 2 * 1056);
    assert.ok(y.every((e) => Number.isFinite(e) && e >= 0) && y.some((e) => e > 0));
  });

  it("NASNetLarge: Keras's 88,949,818 parameters (196,668 non-trainable), 1,546 weights (1,018 trainable), 1,041 layers; predicts at 32×32", () => {
    clearSession();
    const model = nasNetLarge({ inputShape: [32, 32, 3] });
    assert.equal(model.weights.length, 1546);
    assert.equal(model.trainableWeights.length, 1018);
    const s = model.summary(quiet);
    assert.equal(s.name, 'nasnet_large');
    assert.deepEqual(totals(s), [88949818, 88753150, 196668]);
    assert.equal(s.layers.length, 1041);
    expectRows(s, [
      ['stem_conv1', 'Conv2D', [null, 15, 15, 96], 3 * 3 * 3 * 96],
      ['reduction_concat_stem_1', 'Concatenate', [null, 8, 8, 168], 0],
      ['normal_concat_5', 'Concatenate', [null, 4, 4, 1008], 0],
      ['adjust_conv_projection_reduce_6', 'Conv2D', [null, 4, 4, 336], 1008 * 336],
      ['normal_concat_12', 'Concatenate', [null, 2, 2, 2016], 0],
      ['normal_concat_18', 'Concatenate', [null, 1, 1, 4032], 0],
      ['predictions', 'Dense', [null, 1000], 4033000],
    ]);
    // skip_reduction: the first cell after each reduction takes its p from before the reduction.
    assert.ok(s.layers.some((l) => l.name === 'adjust_relu_1_7'));
    assert.ok(s.layers.some((l) => l.name === 'adjust_relu_1_13'));
    assertProbabilities(model.predict(ops.randomUniform([1, 32, 32, 3], -1, 1, { seed: 27 })), 1, 1000);
  });

  it('NASNetLarge without the top and without inputShape is built at 331×331 (84,916,818 parameters); pooling max gives (batch, 4032)', () => {
    const s = summarise(() => applications.NASNetLarge({ includeTop: false, pooling: 'max' }));
    assert.deepEqual(totals(s), [84916818, 84720150, 196668]);
    expectRows(s, [
      ['input_layer', 'InputLayer', [null, 331, 331, 3], 0],
      ['stem_conv1', 'Conv2D', [null, 165, 165, 96], 2592],
      ['reduction_concat_stem_1', 'Concatenate', [null, 83, 83, 168], 0],
      ['reduction_concat_stem_2', 'Concatenate', [null, 42, 42, 336], 0],
      ['normal_concat_5', 'Concatenate', [null, 42, 42, 1008], 0],
      ['reduction_concat_reduce_6', 'Concatenate', [null, 21, 21, 1344], 0],
      ['normal_concat_12', 'Concatenate', [null, 21, 21, 2016], 0],
      ['reduction_concat_reduce_12', 'Concatenate', [null, 11, 11, 2688], 0],
      ['normal_concat_18', 'Concatenate', [null, 11, 11, 4032], 0],
      ['global_max_pooling2d', 'GlobalMaxPooling2D', [null, 4032], 0],
    ]);
  });

  it('unknown sizes are refused (the cells compare feature-map sizes), with the Keras message for ImageNet weights', () => {
    assert.throws(() => nasNetMobile({ includeTop: false, inputShape: [null, null, 3], weights: 'imagenet' }),
      /NASNetMobile: when specifying the input shape of a NASNet and loading ImageNet weights, the inputShape must be static \(no null entries\); got inputShape \(None, None, 3\)/);
    assert.throws(() => nasNetLarge({ includeTop: false, inputShape: [64, null, 3] }), /NASNetLarge: the architecture depends on the input size.*\[331, 331, 3\]/);
    clearSession();
    const t = Input({ shape: [null, null, 3] });
    assert.throws(() => nasNetMobile({ includeTop: false, inputTensor: t }), /rows and cols must be known; got input shape \(None, None, None, 3\)/);
  });
});

describe("Keras's argument checks", () => {
  it('input sizes below the minimum (71 for Xception, 75 for InceptionResNetV2, 32 for NASNet) are refused', () => {
    assert.throws(() => xception({ includeTop: false, inputShape: [70, 71, 3] }), /Xception: input size must be at least 71x71; got inputShape \(70, 71, 3\)/);
    assert.throws(() => xception({ includeTop: false, inputShape: [71, 64, 3] }), /at least 71x71/);
    assert.throws(() => inceptionResNetV2({ includeTop: false, inputShape: [74, 75, 3] }), /InceptionResNetV2: input size must be at least 75x75; got inputShape \(74, 75, 3\)/);
    assert.throws(() => nasNetMobile({ includeTop: false, inputShape: [31, 32, 3] }), /NASNetMobile: input size must be at least 32x32/);
    assert.throws(() => nasNetLarge({ includeTop: false, inputShape: [32, 16, 3] }), /NASNetLarge: input size must be at least 32x32/);
    assert.throws(() => inceptionResNetV2({ includeTop: false, inputShape: [299, 299] }), /inputShape/);
  });

  it("with 'imagenet' weights: the default size with the top, 3 channels, 1000 classes, softmax or logits; no such file", () => {
    assert.throws(() => xception({ inputShape: [224, 224, 3], weights: 'imagenet' }), /should be \(299, 299, 3\); got \(224, 224, 3\)/);
    assert.throws(() => inceptionResNetV2({ inputShape: [331, 331, 3], weights: 'imagenet' }), /should be \(299, 299, 3\)/);
    assert.throws(() => nasNetMobile({ inputShape: [331, 331, 3], weights: 'imagenet' }), /should be \(224, 224, 3\)/);
    assert.throws(() => nasNetLarge({ inputShape: [224, 224, 3], weights: 'imagenet' }), /should be \(331, 331, 3\)/);
    assert.throws(() => inceptionResNetV2({ includeTop: false, inputShape: [96, 96, 4], weights: 'imagenet' }), /3 channels/);
    assert.throws(() => nasNetLarge({ includeTop: false, inputShape: [96, 96, 1], weights: 'imagenet' }), /3 channels/);
    assert.throws(() => xception({ classes: 10, weights: 'imagenet' }), /classes = 1000, got 10/);
    assert.throws(() => nasNetMobile({ classes: 10, weights: 'imagenet' }), /classes = 1000/);
    assert.throws(() => inceptionResNetV2({ weights: 'imagenet', classifierActivation: 'sigmoid' }), /classifierActivation can only be null or 'softmax'/);
    assert.throws(() => nasNetLarge({ weights: '/no/such/weights.h5' }), /no file/);
    assert.throws(() => xception({ includeTop: false, pooling: 'sum' as never }), /pooling/);
  });
});

describe('preprocessInput and decodePredictions of each module', () => {
  it("Xception, InceptionResNetV2 and NASNet use 'tf' (x / 127.5 − 1); decodePredictions is ImageNet's", () => {
    const px = new Tensor(Float32Array.from([0, 127.5, 255, 255, 0, 51]), [1, 1, 2, 3]);
    const want = [-1, 0, 1, 1, -1, 51 / 127.5 - 1];
    for (const f of [xception, inceptionResNetV2, nasNetMobile, nasNetLarge]) {
      values(f.preprocessInput(px)).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `${v} vs ${want[i]}`));
    }
    const preds = new Tensor(Float32Array.from({ length: 1000 }, (_, i) => (i === 207 ? 0.6 : i === 1 ? 0.3 : 0.1 / 998)), [1, 1000]);
    const [top] = nasNetLarge.decodePredictions(preds, 2);
    assert.deepEqual(top!.map((p) => p[1]), ['golden_retriever', 'goldfish']);
  });
});

describe('convkit summary <arch> --json', () => {
  it("knows xception, inception_resnet_v2 and nasnet_mobile (any case, - or _) with Keras's figures, and lists nasnetlarge", async () => {
    for (const [arch, total, nonTrainable, second, layers] of [
      ['Xception', 22910480, 54528, 'block1_conv1', 134],
      ['nasnet_mobile', 5326716, 36738, 'stem_conv1', 771],
      ['Inception-ResNet-V2', 55873736, 60544, 'conv2d', 782],
    ] as const) {
      const out: string[] = [];
      clearSession();
      await cliSummary(arch, true, (t: string) => out.push(t));
      const j = JSON.parse(out.join('')) as { totalParams: number; nonTrainableParams: number; layers: { name: string }[] };
      assert.equal(j.totalParams, total, arch);
      assert.equal(j.nonTrainableParams, nonTrainable, arch);
      assert.equal(j.layers[1]!.name, second, arch);
      assert.equal(j.layers.length, layers, arch);
    }
    await assert.rejects(cliSummary('xceptionv2', true, () => {}), /neither a model file nor a known architecture .*xception.*nasnetlarge/);
  });
});

describe("weights: 'imagenet' through a local mirror", () => {
  const { work, requests } = useWeightsMirror('convkit-apps3-', { respond: () => Buffer.from('not the weights Keras published') });

  it("Keras's file names, URLs and md5s (NASNet's cache name differs from its URL's)", () => {
    const base = 'https://storage.googleapis.com/tensorflow/keras-applications/';
    const expect: [string, boolean, string, string, string][] = [
      ['xception', true, 'xception_weights_tf_dim_ordering_tf_kernels.h5', 'xception/xception_weights_tf_dim_ordering_tf_kernels.h5', '0a58e3b7378bc2990ea3b43d5981f1f6'],
      ['xception', false, 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5', 'xception/xception_weights_tf_dim_ordering_tf_kernels_notop.h5', 'b0042744bf5b25fce3cb969f33bebb97'],
      ['inception_resnet_v2', true, 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5', 'inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5', 'e693bd0210a403b3192acc6073ad2e96'],
      ['InceptionResNetV2', false, 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5', 'inception_resnet_v2/inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5', 'd19885ff4a710c122648d3b5c3b684e4'],
      ['nasnet_mobile', true, 'nasnet_mobile.h5', 'nasnet/NASNet-mobile.h5', '020fb642bf7360b370c678b08e0adf61'],
      ['NASNetMobile', false, 'nasnet_mobile_no_top.h5', 'nasnet/NASNet-mobile-no-top.h5', '1ed92395b5b598bdda52abe5c0dbfd63'],
      ['nasnet-large', true, 'nasnet_large.h5', 'nasnet/NASNet-large.h5', '11577c9a518f0070763c2b964a382f17'],
      ['nasnet_large', false, 'nasnet_large_no_top.h5', 'nasnet/NASNet-large-no-top.h5', 'd81d89dc07e6e56530c4e77faddd61b5'],
    ];
    for (const [arch, includeTop, fname, path, md5] of expect) {
      assert.deepEqual(kerasWeightsFile(arch, { includeTop }), { fname, origin: base + path, fileHash: md5, cacheSubdir: 'models' }, `${arch} ${includeTop}`);
    }
  });

  it("each model requests Keras's file from the mirror and checks Keras's md5: a wrong file is refused and not cached", async () => {
    const cases: [string, () => unknown, boolean][] = [
      ['xception', () => xception({ includeTop: false, inputShape: [71, 71, 3], weights: 'imagenet' }), false],
      ['inception_resnet_v2', () => inceptionResNetV2({ includeTop: false, inputShape: [75, 75, 3], weights: 'imagenet' }), false],
      ['nasnet_mobile', () => nasNetMobile({ weights: 'imagenet' }), true],
      ['nasnet_mobile', () => nasNetMobile({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), false],
      ['nasnet_large', () => nasNetLarge({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), false],
    ];
    for (const [arch, build, includeTop] of cases) {
      const f = kerasWeightsFile(arch, { includeTop });
      const home = join(work, `home-${arch}-${includeTop}`);
      process.env.CONVKIT_HOME = home;
      requests.length = 0;
      clearSession();
      const p = build();
      assert.ok(p instanceof Promise, 'with weights the builder returns a Promise');
      await assert.rejects(p, (e: Error) => {
        assert.ok(e instanceof HashMismatchError, e.message);
        assert.match(e.message, new RegExp(`expected ${f.fileHash}`));
        return true;
      });
      assert.deepEqual(requests, [new URL(f.origin).pathname], arch);
      assert.ok(!existsSync(join(home, 'models', f.fname)), `${arch}: nothing cached`);
    }
  });

  it("Xception's layers with weights run in Keras's order already; a file with other automatic names loads by position", async () => {
    clearSession();
    L.conv2d({ filters: 1, kernelSize: 1 });
    L.batchNormalization();
    let donor: Model | null = xception({ includeTop: false, inputShape: [71, 71, 3] });
    const donorLayers = kerasLayerOrder(donor).filter((l) => l.weights.length > 0);
    assert.deepEqual(donor.layers.filter((l) => l.weights.length > 0), donorLayers, "convkit's execution order of the weighted layers is Keras's");
    assert.deepEqual(donorLayers.filter((l) => /^(conv2d|batch_normalization)/.test(l.name)).map((l) => l.name).slice(0, 2), ['conv2d_1', 'batch_normalization_1']);
    donorLayers.forEach((l, i) => l.weights.forEach((v, k) => v.assign(ops.fill([...v.shape], i + k / 8))));
    const file = join(work, 'xception_other_session.h5');
    await saveWeights(withKerasLayerOrder(donor), file);
    donor = null;
    clearSession();
    const model = xception({ includeTop: false, inputShape: [71, 71, 3] });
    assert.ok(model.layers.some((l) => l.name === 'conv2d'), "not in the file: loading goes by position");
    await loadWeights(withKerasLayerOrder(model), file);
    const ours = kerasLayerOrder(model).filter((l) => l.weights.length > 0);
    assert.equal(ours.length, donorLayers.length);
    ours.forEach((l, i) => l.weights.forEach((v, k) => {
      assert.ok((v.dataSync() as Float32Array).every((e) => e === i + k / 8), `${l.name} weight ${k}`);
    }));
  });

  it("InceptionResNetV2 loads a Keras-written file by topology in Keras's layer order (what 'imagenet' does; its execution order differs)", async () => {
    // The file as Keras writes it: layers in Keras's order, automatic names from another session.
    clearSession();
    L.conv2d({ filters: 1, kernelSize: 1 });
    L.batchNormalization();
    let donor: Model | null = inceptionResNetV2({ includeTop: false, inputShape: [75, 75, 3] });
    let donorLayers = kerasLayerOrder(donor).filter((l) => l.weights.length > 0);
    const weighted = donorLayers.length;
    assert.notDeepEqual(donor.layers.filter((l) => l.weights.length > 0), donorLayers, 'the parallel branches run in another order');
    donorLayers.forEach((l, i) => l.weights.forEach((v, k) => v.assign(ops.fill([...v.shape], i + k / 8))));
    const file = join(work, 'irv2_keras_order.h5');
    await saveWeights(withKerasLayerOrder(donor), file);
    donor = null;
    donorLayers = [];

    clearSession();
    const model = inceptionResNetV2({ includeTop: false, inputShape: [75, 75, 3] });
    // By name nothing matches (conv2d is not in the file); in convkit's execution order the shapes do not fit.
    await assert.rejects(loadWeights(model, file), /has shape|holds \d+ weights but layer/);
    await loadWeights(withKerasLayerOrder(model), file);
    const ours = kerasLayerOrder(model).filter((l) => l.weights.length > 0);
    assert.equal(ours.length, weighted);
    ours.forEach((l, i) => l.weights.forEach((v, k) => {
      assert.ok((v.dataSync() as Float32Array).every((e) => e === i + k / 8), `${l.name} weight ${k}`);
    }));
  });

  it('NASNet matches a weights file by its explicit layer names, whatever the session numbered the automatic ones', async () => {
    clearSession();
    L.activation({ activation: 'relu' });
    L.concatenate();
    const donor = nasNetMobile({ includeTop: false, inputShape: [32, 32, 3] });
    donor.weights.forEach((v, i) => v.assign(ops.fill([...v.shape], (i % 89) / 16 + 0.25)));
    const file = join(work, 'nasnet_mobile_donor.h5');
    await saveWeights(donor, file);
    clearSession();
    const model = nasNetMobile({ includeTop: false, inputShape: [32, 32, 3] });
    assert.notDeepEqual(model.layers.map((l) => l.name), donor.layers.map((l) => l.name), 'the automatic names differ');
    await loadWeights(withKerasLayerOrder(model), file);
    assert.deepEqual(model.weights.map((v) => v.name), donor.weights.map((v) => v.name));
    model.weights.forEach((v, i) => assert.deepEqual(v.dataSync(), donor.weights[i]!.dataSync(), v.name));
    assert.ok(readFileSync(file).length > 4 * 4_000_000, 'the file holds the 4.27 M parameters');
  });
});
