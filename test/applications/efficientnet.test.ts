/**
 * keras.applications EfficientNetB0–B7 and EfficientNetV2B0–B3/S/M/L against Keras: parameter
 * totals (total, trainable, non-trainable, number of weight variables) as Keras's model.summary()
 * reports them, Keras's layer names, shapes and per-layer counts (B0 and V2-B0 against Keras's
 * printed summaries), drop-connect (per-sample Dropout, rates 0.2·k/n, active only in training),
 * the in-model preprocessing, a forward pass at 32×32, Keras's argument checks, and
 * `weights: 'imagenet'` through a local mirror (Keras's file names, URLs and md5 refusal) and
 * from a weights file the test writes.
 *
 * Big models are built one at a time and dropped at the end of their loop turn (EfficientNetV2L
 * holds 119 M parameters, 476 MB).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useWeightsMirror } from './weights_mirror.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { applications } from '../../src/index.js';
import { summary as cliSummary } from '../../src/cli/commands.js';
import {
  efficientNetB0, efficientNetB1, efficientNetB2, efficientNetB3, efficientNetB4, efficientNetB5, efficientNetB6, efficientNetB7,
  correctPad, roundFilters, roundRepeats,
} from '../../src/applications/efficientnet.js';
import {
  efficientNetV2B0, efficientNetV2B1, efficientNetV2B2, efficientNetV2B3, efficientNetV2L, efficientNetV2M, efficientNetV2S,
  roundFiltersV2,
} from '../../src/applications/efficientnet_v2.js';
import type { ApplicationBuilder } from '../../src/applications/common.js';
import { kerasWeightsFile } from '../../src/applications/weight_urls.js';
import { HashMismatchError } from '../../src/io/download/errors.js';
import { saveWeights } from '../../src/io/model_io.js';
import * as L from '../../src/layers/index.js';
import { clearSession } from '../../src/layers/naming.js';
import type { Model } from '../../src/models/model.js';
import type { SummaryInfo } from '../../src/models/summary.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { buildFresh, expectRows, last, layer, quiet, values, type Row } from '../helpers/summary.js';


function summarise(f: () => Model | Promise<Model>): SummaryInfo & { weightCount: number; trainableWeightCount: number } {
  const m = buildFresh(f);
  return { ...m.summary(quiet), weightCount: m.weights.length, trainableWeightCount: m.trainableWeights.length };
}

/** Pixels in [0, 255], as EfficientNet expects. */
function pixels(shape: number[], seed: number): Tensor {
  return ops.randomUniform(shape, 0, 255, { seed });
}

describe('EfficientNet B0–B7 (keras.applications.efficientnet)', () => {
  it("B0: Keras's 5,330,571 parameters (42,023 non-trainable: BN statistics + the Normalization's mean, variance, count), 314 weights; Keras's layer names and shapes", () => {
    const s = summarise(() => efficientNetB0());
    assert.equal(s.name, 'efficientnetb0');
    assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams], [5330571, 5288548, 42023]);
    assert.deepEqual([s.weightCount, s.trainableWeightCount], [314, 213]);
    expectRows(s, [
      ['rescaling', 'Rescaling', [null, 224, 224, 3], 0],
      ['normalization', 'Normalization', [null, 224, 224, 3], 7],
      ['stem_conv_pad', 'ZeroPadding2D', [null, 225, 225, 3], 0],
      ['stem_conv', 'Conv2D', [null, 112, 112, 32], 864],
      ['stem_bn', 'BatchNormalization', [null, 112, 112, 32], 128],
      ['stem_activation', 'Activation', [null, 112, 112, 32], 0],
      ['block1a_dwconv', 'DepthwiseConv2D', [null, 112, 112, 32], 288],
      ['block1a_bn', 'BatchNormalization', [null, 112, 112, 32], 128],
      ['block1a_se_squeeze', 'GlobalAveragePooling2D', [null, 32], 0],
      ['block1a_se_reshape', 'Reshape', [null, 1, 1, 32], 0],
      ['block1a_se_reduce', 'Conv2D', [null, 1, 1, 8], 264],
      ['block1a_se_expand', 'Conv2D', [null, 1, 1, 32], 288],
      ['block1a_se_excite', 'Multiply', [null, 112, 112, 32], 0],
      ['block1a_project_conv', 'Conv2D', [null, 112, 112, 16], 512],
      ['block1a_project_bn', 'BatchNormalization', [null, 112, 112, 16], 64],
      ['block2a_expand_conv', 'Conv2D', [null, 112, 112, 96], 1536],
      ['block2a_expand_activation', 'Activation', [null, 112, 112, 96], 0],
      ['block2a_dwconv_pad', 'ZeroPadding2D', [null, 113, 113, 96], 0],
      ['block2a_dwconv', 'DepthwiseConv2D', [null, 56, 56, 96], 864],
      ['block2a_se_reduce', 'Conv2D', [null, 1, 1, 4], 388],
      ['block2a_se_expand', 'Conv2D', [null, 1, 1, 96], 480],
      ['block2a_project_conv', 'Conv2D', [null, 56, 56, 24], 2304],
      ['block2b_drop', 'Dropout', [null, 56, 56, 24], 0],
      ['block2b_add', 'Add', [null, 56, 56, 24], 0],
      ['block3a_dwconv_pad', 'ZeroPadding2D', [null, 59, 59, 144], 0],
      ['block3a_dwconv', 'DepthwiseConv2D', [null, 28, 28, 144], 3600],
      ['block5c_add', 'Add', [null, 14, 14, 112], 0],
      ['block6d_add', 'Add', [null, 7, 7, 192], 0],
      ['block7a_project_conv', 'Conv2D', [null, 7, 7, 320], 368640],
      ['top_conv', 'Conv2D', [null, 7, 7, 1280], 409600],
      ['top_bn', 'BatchNormalization', [null, 7, 7, 1280], 5120],
      ['top_activation', 'Activation', [null, 7, 7, 1280], 0],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 1280], 0],
      ['top_dropout', 'Dropout', [null, 1280], 0],
      ['predictions', 'Dense', [null, 1000], 1281000],
    ]);
    assert.equal(last(s).name, 'predictions');
    // No residual (hence no drop/add) where the stride or width changes, nor the extra ImageNet Rescaling without 'imagenet'.
    for (const absent of ['block1a_add', 'block1a_drop', 'block2a_add', 'block7a_add', 'rescaling_1', 'block7b_expand_conv']) {
      assert.ok(!s.layers.some((l) => l.name === absent), `${absent} should not exist`);
    }
    assert.equal(s.layers.filter((l) => l.className === 'Add').length, 9);
    assert.equal(s.layers.filter((l) => l.className === 'Multiply').length, 16, 'one squeeze-and-excitation per block');
  });

  it("B1…B7: Keras's totals, trainable and non-trainable counts and weight-variable counts (docs table and model.summary()); top_dropout and last drop-connect rates", () => {
    // [builder, name, total, trainable, non-trainable, weight variables, top_dropout rate, last block, its index k of n blocks].
    const expect: [ApplicationBuilder, string, number, number, number, number, number, string, number, number][] = [
      [efficientNetB1, 'efficientnetb1', 7856239, 7794184, 62055, 442, 0.2, 'block7b', 22, 23],
      [efficientNetB2, 'efficientnetb2', 9177569, 9109994, 67575, 442, 0.3, 'block7b', 22, 23],
      [efficientNetB3, 'efficientnetb3', 12320535, 12233232, 87303, 499, 0.3, 'block7b', 25, 26],
      [efficientNetB4, 'efficientnetb4', 19466823, 19341616, 125207, 613, 0.4, 'block7b', 31, 32],
      [efficientNetB5, 'efficientnetb5', 30562527, 30389784, 172743, 741, 0.4, 'block7c', 38, 39],
      [efficientNetB6, 'efficientnetb6', 43265143, 43040704, 224439, 855, 0.5, 'block7c', 44, 45],
      [efficientNetB7, 'efficientnetb7', 66658687, 66347960, 310727, 1040, 0.5, 'block7d', 54, 55],
    ];
    for (const [f, name, total, trainable, nonTrainable, weights, topRate, lastBlock, k, n] of expect) {
      const m = buildFresh(() => f());
      const s = m.summary(quiet);
      assert.equal(s.name, name);
      assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams, m.weights.length], [total, trainable, nonTrainable, weights], name);
      assert.equal(layer(s, 'normalization').params, 7, name);
      assert.equal((m.getLayer('top_dropout') as L.Dropout).rate, topRate, name);
      assert.equal((m.getLayer(`${lastBlock}_drop`) as L.Dropout).rate, (0.2 * k) / n, name);
      assert.ok(!s.layers.some((l) => l.name === `${lastBlock.slice(0, -1)}${String.fromCharCode(lastBlock.charCodeAt(6) + 1)}_add`), `${name}: ${lastBlock} is the last block`);
    }
  });

  it("scales widths and depths as Keras's round_filters / round_repeats; B3 without the top: Keras's 10,783,535 parameters, 497 weights", () => {
    assert.deepEqual([32, 16, 24, 40, 80, 112, 192, 320, 1280].map((f) => roundFilters(f, 1.1)), [32, 16, 24, 48, 88, 120, 208, 352, 1408]);
    assert.deepEqual([32, 1280].map((f) => roundFilters(f, 2.0)), [64, 2560]);
    assert.equal(roundFilters(16, 1.2), 24, 'rounding down more than 10% adds a divisor');
    assert.deepEqual([1, 2, 2, 3, 3, 4, 1].map((r) => roundRepeats(r, 3.1)), [4, 7, 7, 10, 10, 13, 4]);
    assert.deepEqual([1, 2, 2, 3, 3, 4, 1].map((r) => roundRepeats(r, 1.2)), [2, 3, 3, 4, 4, 5, 2]);
    clearSession();
    const b3 = efficientNetB3({ includeTop: false, inputShape: [64, 64, 3] });
    const s = b3.summary(quiet);
    assert.equal(s.totalParams, 10783535, "B3 without the top: Keras's 10,783,535");
    assert.equal(b3.weights.length, 497);
    assert.deepEqual(layer(s, 'block7b_add').outputShape, [null, 2, 2, 384]);
    assert.deepEqual(layer(s, 'top_conv').outputShape, [null, 2, 2, 1536]);
    assert.equal(layer(s, 'block6f_se_reduce').params, 1392 * 58 + 58, 'filters_se = int(232 × 0.25) of the unexpanded input; 232 × 6 expanded');
  });

  it('drop-connect: Dropout(0.2·k/n, noiseShape (None, 1, 1, 1)) before each residual add; top_dropout is the variant\'s dropout rate', () => {
    const b0 = buildFresh(() => efficientNetB0({ includeTop: true, inputShape: [32, 32, 3], classes: 3 }));
    const drops = b0.layers.filter((l) => l instanceof L.Dropout) as L.Dropout[];
    // B0's residual blocks are blocks 2, 4, 6, 7, 9, 10, 12, 13, 14 of 16 (counted from 0).
    const expect: [string, number][] = [
      ['block2b_drop', 2], ['block3b_drop', 4], ['block4b_drop', 6], ['block4c_drop', 7], ['block5b_drop', 9],
      ['block5c_drop', 10], ['block6b_drop', 12], ['block6c_drop', 13], ['block6d_drop', 14],
    ];
    assert.deepEqual(drops.map((d) => d.name), [...expect.map(([n]) => n), 'top_dropout']);
    for (const [name, k] of expect) {
      const d = b0.getLayer(name) as L.Dropout;
      assert.equal(d.rate, (0.2 * k) / 16, name);
      assert.deepEqual(d.noiseShape, [null, 1, 1, 1], name);
      assert.deepEqual(d.getConfig().noise_shape, [null, 1, 1, 1], name);
    }
    assert.equal((b0.getLayer('top_dropout') as L.Dropout).rate, 0.2);
    assert.equal((b0.getLayer('top_dropout') as L.Dropout).noiseShape, undefined);
  });

  it('drop-connect drops whole samples and only in training: predict is deterministic, training calls are not', () => {
    const model = buildFresh(() => efficientNetB0({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }));
    // The layer itself: each sample is either all zero or scaled by 1/(1 − rate), in training only.
    const drop = model.getLayer('block6d_drop') as L.Dropout;
    const ones = ops.ones([64, 2, 2, 3]);
    const trained = values(drop.apply(ones, { training: true }) as Tensor);
    const keep = 1 / (1 - drop.rate);
    let dropped = 0;
    for (let i = 0; i < 64; i++) {
      const sample = trained.slice(i * 12, (i + 1) * 12);
      const v = sample[0]!;
      assert.ok(v === 0 || Math.abs(v - keep) < 1e-6, `sample ${i}: ${v}`);
      assert.ok(sample.every((e) => e === v), `sample ${i} is dropped or kept as a whole`);
      if (v === 0) dropped++;
    }
    assert.ok(dropped > 0 && dropped < 64, `dropped ${dropped} of 64 samples at rate ${drop.rate}`);
    assert.deepEqual(values(drop.apply(ones, { training: false }) as Tensor), values(ones), 'inference: the identity');

    // The model: predict twice gives the same features; two training calls differ (batch statistics are the same, masks are not).
    const x = pixels([8, 32, 32, 3], 3);
    const p1 = values(model.predict(x));
    const p2 = values(model.predict(x));
    assert.deepEqual(p1, p2);
    const t1 = values(model.apply(x, { training: true }) as Tensor);
    const t2 = values(model.apply(x, { training: true }) as Tensor);
    assert.ok(t1.every(Number.isFinite) && t2.every(Number.isFinite));
    assert.ok(t1.some((v, i) => Math.abs(v - t2[i]!) > 1e-6), 'the drop-connect masks differ between training calls');
  });

  it('predicts at 32×32 (the smallest size Keras allows) from pixels in [0, 255]: probabilities summing to 1; null activation gives logits', () => {
    const model = buildFresh(() => applications.EfficientNetB0({ inputShape: [32, 32, 3], classes: 5 }));
    assert.deepEqual(model.summary(quiet).layers.find((l) => l.name === 'top_activation')!.outputShape, [null, 1, 1, 1280]);
    const x = pixels([2, 32, 32, 3], 7);
    const p = model.predict(x);
    assert.deepEqual(p.shape, [2, 5]);
    const v = values(p);
    assert.ok(v.every((e) => Number.isFinite(e) && e >= 0));
    for (const row of [v.slice(0, 5), v.slice(5)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `${row}`);
    const logits = buildFresh(() => efficientNetB0({ inputShape: [32, 32, 3], classes: 5, classifierActivation: null }));
    const lv = values(logits.predict(x));
    assert.ok(lv.every(Number.isFinite));
    assert.ok(Math.abs(lv.slice(0, 5).reduce((a, b) => a + b, 0) - 1) > 1e-3, 'logits are not probabilities');
  });

  it("without the top: 4,049,571 parameters; pooling 'avg' / 'max' are avg_pool / max_pool; None×None inputs pad as Keras's correct_pad", () => {
    const avg = summarise(() => efficientNetB0({ includeTop: false, pooling: 'avg' }));
    assert.equal(avg.totalParams, 4049571);
    assert.equal(avg.nonTrainableParams, 42023);
    assert.deepEqual(layer(avg, 'stem_conv_pad').outputShape, [null, null, null, 3]);
    assert.deepEqual(layer(avg, 'top_activation').outputShape, [null, null, null, 1280]);
    assert.deepEqual([last(avg).name, last(avg).className, last(avg).outputShape], ['avg_pool', 'GlobalAveragePooling2D', [null, 1280]]);
    const max = summarise(() => efficientNetB0({ includeTop: false, pooling: 'max', inputShape: [64, 64, 3] }));
    assert.deepEqual([last(max).name, last(max).className, last(max).outputShape], ['max_pool', 'GlobalMaxPooling2D', [null, 1280]]);
    const none = summarise(() => efficientNetB0({ includeTop: false, inputShape: [33, 47, 3] }));
    assert.equal(last(none).name, 'top_activation');
    // Odd sizes pad one pixel on every side, even ones only bottom/right: the outputs are TensorFlow's 'same' sizes.
    assert.deepEqual(layer(none, 'stem_conv_pad').outputShape, [null, 35, 49, 3]);
    assert.deepEqual(layer(none, 'stem_conv').outputShape, [null, 17, 24, 32]);
    assert.deepEqual(layer(none, 'block2a_dwconv').outputShape, [null, 9, 12, 96]);
    assert.deepEqual(layer(none, 'block3a_dwconv_pad').outputShape, [null, 13, 15, 144]);
    assert.deepEqual(layer(none, 'block3a_dwconv').outputShape, [null, 5, 6, 144]);
    assert.deepEqual(last(none).outputShape, [null, 2, 2, 1280]);
    const input = L.input({ shape: [null, null, 3] });
    assert.deepEqual(correctPad(input, 5), [[1, 2], [1, 2]]);

    clearSession();
    const model = efficientNetB0({ includeTop: false, pooling: 'max', inputShape: [48, 40, 3] });
    const y = model.predict(pixels([2, 48, 40, 3], 5));
    assert.deepEqual(y.shape, [2, 1280]);
    assert.ok(values(y).every(Number.isFinite));
  });

  it('normalises inside: pixels / 255 then the Normalization (mean/variance weights, zeros and ones until loaded); preprocessInput is the identity', () => {
    const model = buildFresh(() => efficientNetB0({ includeTop: false, inputShape: [32, 32, 3] }));
    const rescaling = model.getLayer('rescaling') as L.Rescaling;
    assert.equal(rescaling.scale, 1 / 255);
    const norm = model.getLayer('normalization') as L.Normalization;
    assert.deepEqual(norm.weights.map((w) => [w.name.split('/').pop(), w.shape, w.trainable]), [
      ['mean', [3], false], ['variance', [3], false], ['count', [], false],
    ]);
    assert.equal(model.layers[3]!.name, 'stem_conv_pad', 'without ImageNet weights no extra Rescaling follows');
    const x = new Tensor(Float32Array.from([0, 127.5, 255, 255, 0, 51]), [1, 1, 2, 3]);
    for (const f of [efficientNetB0, efficientNetB7, efficientNetV2B0, efficientNetV2L]) assert.equal(f.preprocessInput(x), x);
    const preds = new Tensor(Float32Array.from({ length: 1000 }, (_, i) => (i === 1 ? 0.9 : 0.1 / 999)), [1, 1000]);
    assert.deepEqual(efficientNetB3.decodePredictions(preds, 1)[0]![0]!.slice(0, 2), ['n01443537', 'goldfish']);
  });
});

describe('EfficientNetV2 B0–B3, S, M, L (keras.applications.efficientnet_v2)', () => {
  it("V2-B0: Keras's 7,200,312 parameters (60,608 non-trainable); without the top 5,919,312, layer for layer as Keras's printed summary", () => {
    const top = summarise(() => efficientNetV2B0());
    assert.equal(top.name, 'efficientnetv2-b0');
    assert.deepEqual([top.totalParams, top.trainableParams, top.nonTrainableParams], [7200312, 7139704, 60608]);
    expectRows(top, [
      ['stem_conv', 'Conv2D', [null, 112, 112, 32], 864],
      ['block6h_add', 'Add', [null, 7, 7, 192], 0],
      ['top_conv', 'Conv2D', [null, 7, 7, 1280], 245760],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 1280], 0],
      ['top_dropout', 'Dropout', [null, 1280], 0],
      ['predictions', 'Dense', [null, 1000], 1281000],
    ]);
    const s = summarise(() => efficientNetV2B0({ includeTop: false }));
    assert.deepEqual([s.totalParams, s.nonTrainableParams], [5919312, 60608]);
    const n: null = null;
    expectRows(s, [
      ['rescaling', 'Rescaling', [n, n, n, 3], 0],
      ['normalization', 'Normalization', [n, n, n, 3], 0],
      ['stem_conv', 'Conv2D', [n, n, n, 32], 864],
      ['stem_bn', 'BatchNormalization', [n, n, n, 32], 128],
      ['stem_activation', 'Activation', [n, n, n, 32], 0],
      ['block1a_project_conv', 'Conv2D', [n, n, n, 16], 4608],
      ['block1a_project_bn', 'BatchNormalization', [n, n, n, 16], 64],
      ['block1a_project_activation', 'Activation', [n, n, n, 16], 0],
      ['block2a_expand_conv', 'Conv2D', [n, n, n, 64], 9216],
      ['block2a_expand_bn', 'BatchNormalization', [n, n, n, 64], 256],
      ['block2a_expand_activation', 'Activation', [n, n, n, 64], 0],
      ['block2a_project_conv', 'Conv2D', [n, n, n, 32], 2048],
      ['block2a_project_bn', 'BatchNormalization', [n, n, n, 32], 128],
      ['block2b_expand_conv', 'Conv2D', [n, n, n, 128], 36864],
      ['block2b_project_conv', 'Conv2D', [n, n, n, 32], 4096],
      ['block2b_drop', 'Dropout', [n, n, n, 32], 0],
      ['block2b_add', 'Add', [n, n, n, 32], 0],
      ['block3a_expand_conv', 'Conv2D', [n, n, n, 128], 36864],
      ['block3a_project_conv', 'Conv2D', [n, n, n, 48], 6144],
      ['block3b_expand_conv', 'Conv2D', [n, n, n, 192], 82944],
      ['block3b_add', 'Add', [n, n, n, 48], 0],
      ['block4a_expand_conv', 'Conv2D', [n, n, n, 192], 9216],
      ['block4a_dwconv2', 'DepthwiseConv2D', [n, n, n, 192], 1728],
      ['block4a_bn', 'BatchNormalization', [n, n, n, 192], 768],
      ['block4a_activation', 'Activation', [n, n, n, 192], 0],
      ['block4a_se_squeeze', 'GlobalAveragePooling2D', [n, 192], 0],
      ['block4a_se_reshape', 'Reshape', [n, 1, 1, 192], 0],
      ['block4a_se_reduce', 'Conv2D', [n, 1, 1, 12], 2316],
      ['block4a_se_expand', 'Conv2D', [n, 1, 1, 192], 2496],
      ['block4a_se_excite', 'Multiply', [n, n, n, 192], 0],
      ['block4a_project_conv', 'Conv2D', [n, n, n, 96], 18432],
      ['block4a_project_bn', 'BatchNormalization', [n, n, n, 96], 384],
      ['block4b_expand_conv', 'Conv2D', [n, n, n, 384], 36864],
      ['block4b_dwconv2', 'DepthwiseConv2D', [n, n, n, 384], 3456],
      ['block4b_se_reduce', 'Conv2D', [n, 1, 1, 24], 9240],
      ['block4b_se_expand', 'Conv2D', [n, 1, 1, 384], 9600],
      ['block6f_expand_conv', 'Conv2D', [n, n, n, 1152], 221184],
      ['block6f_dwconv2', 'DepthwiseConv2D', [n, n, n, 1152], 10368],
      ['block6f_se_reduce', 'Conv2D', [n, 1, 1, 48], 55344],
      ['block6f_se_expand', 'Conv2D', [n, 1, 1, 1152], 56448],
      ['block6h_project_conv', 'Conv2D', [n, n, n, 192], 221184],
      ['block6h_drop', 'Dropout', [n, n, n, 192], 0],
      ['block6h_add', 'Add', [n, n, n, 192], 0],
      ['top_conv', 'Conv2D', [n, n, n, 1280], 245760],
      ['top_bn', 'BatchNormalization', [n, n, n, 1280], 5120],
      ['top_activation', 'Activation', [n, n, n, 1280], 0],
    ]);
    assert.equal(last(s).name, 'top_activation');
    // Fused-MBConv stages have neither a depthwise convolution nor squeeze-and-excitation.
    for (const absent of ['block1a_dwconv2', 'block2a_dwconv2', 'block3b_se_squeeze', 'block1a_add', 'block1a_drop', 'block4a_add', 'block7a_project_conv']) {
      assert.ok(!s.layers.some((l) => l.name === absent), `${absent} should not exist`);
    }
  });

  it("B1…L: Keras's totals (docs table: 8.2M, 10.2M, 14.5M, 21.6M, 54.4M, 119.0M), trainable and non-trainable counts", () => {
    const expect: [ApplicationBuilder, string, number, number, number, number][] = [
      [efficientNetV2B1, 'efficientnetv2-b1', 8212124, 8141052, 71072, 443],
      [efficientNetV2B2, 'efficientnetv2-b2', 10178374, 10096086, 82288, 462],
      [efficientNetV2B3, 'efficientnetv2-b3', 14467622, 14358406, 109216, 538],
      [efficientNetV2S, 'efficientnetv2-s', 21612360, 21458488, 153872, 672],
      [efficientNetV2M, 'efficientnetv2-m', 54431388, 54139356, 292032, 963],
      [efficientNetV2L, 'efficientnetv2-l', 119027848, 118515272, 512576, 1331],
    ];
    for (const [f, name, total, trainable, nonTrainable, weights] of expect) {
      const s = summarise(() => f());
      assert.equal(s.name, name);
      assert.deepEqual([s.totalParams, s.trainableParams, s.nonTrainableParams, s.weightCount], [total, trainable, nonTrainable, weights], name);
      const isB = name.startsWith('efficientnetv2-b');
      // B0–B3 normalise as EfficientNet v1 (constant mean/variance: no weights); S/M/L map [0, 255] to [−1, 1].
      assert.equal(s.layers.some((l) => l.className === 'Normalization'), isB, name);
      assert.equal(s.layers.filter((l) => l.className === 'Rescaling').length, 1, name);
      assert.equal(s.layers[1]!.name, 'rescaling', name);
      if (name === 'efficientnetv2-b3') {
        assert.deepEqual(layer(s, 'top_conv').outputShape, [null, 10, 10, 1536]);
        assert.deepEqual(layer(s, 'block6l_add').outputShape, [null, 10, 10, 232]);
      }
      if (name === 'efficientnetv2-s') assert.deepEqual(layer(s, 'block6o_add').outputShape, [null, 12, 12, 256]);
      if (name === 'efficientnetv2-l') {
        assert.deepEqual(layer(s, 'block1d_project_activation').outputShape, [null, 240, 240, 32]);
        assert.deepEqual(layer(s, 'block7g_add').outputShape, [null, 15, 15, 640]);
      }
    }
    assert.deepEqual([16, 32, 48, 96, 112, 192, 1280].map((f) => roundFiltersV2(f, 1.1)), [16, 32, 56, 104, 120, 208, 1408]);
    assert.equal(roundFiltersV2(16, 1.2), 16, 'no 10% rule in V2: 19.2 rounds down to 16');
    assert.equal(roundFilters(16, 1.2), 24);
  });

  it("V2 drop-connect as Keras: rate 0.2·k / (the unscaled repeats), so B3's last block drops at 0.2·31/21; Fused-MBConv blocks drop too", () => {
    const b3 = buildFresh(() => efficientNetV2B3({ includeTop: false, inputShape: [32, 32, 3] }));
    assert.equal((b3.getLayer('block6l_drop') as L.Dropout).rate, (0.2 * 31) / 21);
    assert.equal((b3.getLayer('block1b_drop') as L.Dropout).rate, (0.2 * 1) / 21);
    assert.deepEqual((b3.getLayer('block1b_drop') as L.Dropout).noiseShape, [null, 1, 1, 1]);
    assert.throws(() => b3.getLayer('block1a_drop'), 'block 0 has rate 0: no Dropout');
    const bnm = (b3.getLayer('stem_bn') as L.BatchNormalization).momentum;
    assert.equal(bnm, 0.9, "V2's BatchNormalization momentum");
  });

  it("includePreprocessing: B variants on 3 channels use ImageNet's mean/variance, other inputs x/128 − 1; false starts at stem_conv", () => {
    const b0 = buildFresh(() => efficientNetV2B0({ includeTop: false, inputShape: [32, 32, 3] }));
    const norm = b0.getLayer('normalization') as L.Normalization;
    assert.equal(norm.weights.length, 0);
    assert.deepEqual(norm.inputVariance, [0.229 ** 2, 0.224 ** 2, 0.225 ** 2]);
    const s = buildFresh(() => efficientNetV2S({ includeTop: false, inputShape: [32, 32, 3] }));
    const r = s.getLayer('rescaling') as L.Rescaling;
    assert.deepEqual([r.scale, r.offset], [1 / 128, -1]);
    const gray = buildFresh(() => efficientNetV2B1({ includeTop: false, inputShape: [32, 32, 1] }));
    assert.deepEqual([(gray.getLayer('rescaling') as L.Rescaling).scale, (gray.getLayer('rescaling') as L.Rescaling).offset], [1 / 128, -1]);
    assert.ok(!gray.layers.some((l) => l instanceof L.Normalization));
    const raw = buildFresh(() => efficientNetV2B2({ includeTop: false, includePreprocessing: false, inputShape: [32, 32, 3] }));
    assert.equal(raw.layers[1]!.name, 'stem_conv');
    assert.ok(!raw.layers.some((l) => l instanceof L.Rescaling));
    // The preprocessing is part of the model: pixels in [0, 255] give what [-1, 1] inputs give the raw model with the same weights.
    const withPre = buildFresh(() => efficientNetV2S({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }));
    const without = buildFresh(() => efficientNetV2S({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3], includePreprocessing: false }));
    assert.equal(without.weights.length, withPre.weights.length);
    without.weights.forEach((w, i) => w.assign(withPre.weights[i]!));
    const x = pixels([2, 32, 32, 3], 13);
    const a = values(withPre.predict(x));
    const b = values(without.predict(ops.sub(ops.div(x, 128), 1)));
    assert.equal(a.length, 2 * 1280);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 1e-4 * (1 + Math.abs(v)), `${i}: ${v} vs ${b[i]}`));
    assert.throws(() => efficientNetV2S({ includePreprocessing: 'yes' as never }), /EfficientNetV2S: includePreprocessing must be true or false/);
  });

  it('predicts at 32×32 with the top: probabilities summing to 1; without it, pooling max gives (batch, 1280)', () => {
    const model = buildFresh(() => applications.EfficientNetV2B0({ inputShape: [32, 32, 3], classes: 4 }));
    const x = pixels([2, 32, 32, 3], 21);
    const v = values(model.predict(x));
    assert.equal(v.length, 8);
    for (const row of [v.slice(0, 4), v.slice(4)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `${row}`);
    const features = buildFresh(() => applications.efficientNetV2S({ includeTop: false, pooling: 'max', inputShape: [32, 32, 3] }));
    assert.equal(features.layers[features.layers.length - 1]!.name, 'max_pool');
    const y = features.predict(x);
    assert.deepEqual(y.shape, [2, 1280]);
    assert.ok(values(y).every(Number.isFinite));
  });
});

describe("Keras's argument checks", () => {
  it('sizes, channels, classes, pooling, weights and the classifier activation', () => {
    assert.throws(() => efficientNetB0({ includeTop: false, inputShape: [31, 64, 3] }), /EfficientNetB0: input size must be at least 32x32; got inputShape \(31, 64, 3\)/);
    assert.throws(() => efficientNetV2L({ includeTop: false, inputShape: [64, 16, 3] }), /EfficientNetV2L: input size must be at least 32x32/);
    assert.throws(() => efficientNetB0({ inputShape: [100, 100, 3], weights: 'imagenet' }), /should be \(224, 224, 3\)/);
    assert.throws(() => efficientNetB7({ inputShape: [224, 224, 3], weights: 'imagenet' }), /EfficientNetB7: .*should be \(600, 600, 3\)/);
    assert.throws(() => efficientNetV2S({ inputShape: [224, 224, 3], weights: 'imagenet' }), /should be \(384, 384, 3\)/);
    assert.throws(() => efficientNetV2M({ inputShape: [224, 224, 3], weights: 'imagenet' }), /should be \(480, 480, 3\)/);
    assert.throws(() => efficientNetB2({ includeTop: false, inputShape: [64, 64, 1], weights: 'imagenet' }), /3 channels/);
    assert.throws(() => efficientNetB0({ classes: 10, weights: 'imagenet' }), /EfficientNetB0: weights 'imagenet' with includeTop needs classes = 1000, got 10/);
    assert.throws(() => efficientNetV2B0({ weights: 'imagenet', classifierActivation: 'sigmoid' }), /classifierActivation can only be null or 'softmax'/);
    assert.throws(() => efficientNetB0({ weights: '/no/such/weights.h5' }), /weights must be null \(random initialization\), 'imagenet'/);
    assert.throws(() => efficientNetB0({ includeTop: false, pooling: 'sum' as never }), /pooling must be 'avg', 'max' or null/);
    assert.throws(() => efficientNetB0({ inputShape: [null, null, 3] }), /with includeTop, `inputShape` must be static/);
    assert.throws(() => efficientNetV2B0({ inputShape: [64, 64] }), /inputShape/);
  });
});

describe('convkit summary efficientnetb0 --json (and the V2 names)', () => {
  it("prints Keras's figures; V2 names take any case, - or _", async () => {
    for (const [arch, total, nonTrainable, second, lastName] of [
      ['efficientnetb0', 5330571, 42023, 'rescaling', 'predictions'],
      ['EfficientNet-V2-B0', 7200312, 60608, 'rescaling', 'predictions'],
      ['efficientnet_v2s', 21612360, 153872, 'rescaling', 'predictions'],
    ] as const) {
      const out: string[] = [];
      clearSession();
      await cliSummary(arch, true, (s: string) => out.push(s));
      const j = JSON.parse(out.join('')) as { totalParams: number; nonTrainableParams: number; layers: { name: string; className: string }[] };
      assert.equal(j.totalParams, total, arch);
      assert.equal(j.nonTrainableParams, nonTrainable, arch);
      assert.equal(j.layers[0]!.className, 'InputLayer', arch);
      assert.equal(j.layers[1]!.name, second, arch);
      assert.equal(j.layers[j.layers.length - 1]!.name, lastName, arch);
    }
    await assert.rejects(cliSummary('efficientnetb8', true, () => {}), /neither a model file nor a known architecture .*efficientnetb7.*efficientnetv2l/);
  });
});

describe("weights: 'imagenet' through a local mirror, and weights from a file", () => {
  const mirror = useWeightsMirror('convkit-effnet-');
  const { work, served, requests } = mirror;

  it("Keras's file names, URLs and md5s (EfficientNet: keras-applications/<name>[_notop].h5; V2: tensorflow/keras-applications/efficientnet_v2/)", () => {
    const v1 = 'https://storage.googleapis.com/keras-applications/';
    assert.deepEqual(kerasWeightsFile('efficientnetb0', { includeTop: true }), {
      fname: 'efficientnetb0.h5', origin: `${v1}efficientnetb0.h5`, fileHash: '902e53a9f72be733fc0bcb005b3ebbac', cacheSubdir: 'models',
    });
    assert.equal(kerasWeightsFile('EfficientNetB7', { includeTop: false }).origin, `${v1}efficientnetb7_notop.h5`);
    assert.equal(kerasWeightsFile('efficientnetb7', { includeTop: false }).fileHash, 'cbcfe4450ddf6f3ad90b1b398090fe4a');
    const v2 = 'https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/';
    const expect: [string, string, string][] = [
      ['efficientnetv2-b0', '21ecbf6da12460d5c40bb2f29ceb2188', '893217f2bb855e2983157299931e43ff'],
      ['efficientnetv2-b1', '069f0534ff22adf035c89e2d9547a9dc', '0e80663031ca32d657f9caa404b6ec37'],
      ['efficientnetv2-b2', '424e49f28180edbde1e94797771950a7', '1dfe2e7a5d45b6632553a8961ea609eb'],
      ['efficientnetv2-b3', '1f1fc43bd98a6e4fd8fdfd551e02c7a0', 'f6abf7b5849ac99a89b50dd3fd532856'],
      ['efficientnetv2-s', 'e1d88a8495beba45748fedd0cecbe016', 'af0682fb74e8c54910f2d4393339c070'],
      ['efficientnetv2-m', 'a3bf6aa3276309f4fc6a34aa114c95cd', '1b8dc055df72dde80d614482840fe342'],
      ['efficientnetv2-l', '27e6d408b53c7ebc868fefa357689935', 'b0b66b5c863aef5b46e8608fe1711615'],
    ];
    for (const [name, top, notop] of expect) {
      assert.deepEqual(kerasWeightsFile(name, { includeTop: true }), { fname: `${name}.h5`, origin: `${v2}${name}.h5`, fileHash: top, cacheSubdir: 'models' });
      assert.deepEqual(kerasWeightsFile(name, { includeTop: false }), { fname: `${name}_notop.h5`, origin: `${v2}${name}_notop.h5`, fileHash: notop, cacheSubdir: 'models' });
    }
    assert.equal(kerasWeightsFile('EfficientNetV2S', { includeTop: true }).fname, 'efficientnetv2-s.h5');
    assert.equal(kerasWeightsFile('efficientnet_v2_b3', { includeTop: false }).fname, 'efficientnetv2-b3_notop.h5');
  });

  it("fetches Keras's file from the mirror and refuses one without Keras's md5 (nothing cached)", async () => {
    const bogus = Buffer.from('not the weights Keras published');
    const cases: [() => Promise<Model>, string, string][] = [
      [() => efficientNetB0({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), 'efficientnetb0', '/keras-applications/efficientnetb0_notop.h5'],
      [() => efficientNetB0({ weights: 'imagenet' }), 'efficientnetb0', '/keras-applications/efficientnetb0.h5'],
      [() => efficientNetV2B0({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), 'efficientnetv2-b0', '/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b0_notop.h5'],
      [() => efficientNetV2S({ includeTop: false, weights: 'imagenet' }), 'efficientnetv2-s', '/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-s_notop.h5'],
    ];
    for (const [i, [make, arch, url]] of cases.entries()) {
      served.set(url, bogus);
      const home = join(work, `home-${arch}-${i}`);
      process.env.CONVKIT_HOME = home;
      requests.length = 0;
      clearSession();
      await assert.rejects(make(), HashMismatchError, url);
      assert.deepEqual(requests, [url]);
      assert.ok(!existsSync(join(home, 'models', url.split('/').pop()!)), url);
    }
  });

  it("with 'imagenet' weights EfficientNet adds Keras's extra Rescaling (1/√stddev) after the Normalization; V2 does not", async () => {
    const bogus = Buffer.from('still not the weights');
    served.set('/keras-applications/efficientnetb1_notop.h5', bogus);
    served.set('/tensorflow/keras-applications/efficientnet_v2/efficientnetv2-b1_notop.h5', bogus);
    process.env.CONVKIT_HOME = join(work, 'home-rescaling');
    // The model is built before the download is refused; the session's automatic names show what it held.
    clearSession();
    await assert.rejects(efficientNetB1({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), HashMismatchError);
    assert.equal(L.rescaling({ scale: 1 }).name, 'rescaling_2', 'rescaling and rescaling_1 were used');
    clearSession();
    await assert.rejects(efficientNetV2B1({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), HashMismatchError);
    assert.equal(L.rescaling({ scale: 1 }).name, 'rescaling_1');
  });

  it('loads every weight (the Normalization\'s mean, variance and count too) from a file path, and a V2 file from a URL', async () => {
    const args = { includeTop: false, inputShape: [32, 32, 3] } as const;
    const donor = buildFresh(() => efficientNetB0(args));
    donor.weights.forEach((v, i) => v.assign(ops.fill([...v.shape], (i % 89) / 8 + 0.25)));
    const file = join(work, 'effnetb0.h5');
    await saveWeights(donor, file);
    clearSession();
    const model = await efficientNetB0({ includeTop: false, inputShape: [64, 64, 3], weights: file });
    assert.equal(model.weights.length, donor.weights.length);
    model.weights.forEach((v, i) => assert.deepEqual(values(v), values(donor.weights[i]!), v.name));
    assert.deepEqual(values((model.getLayer('normalization') as L.Normalization).adaptMean!), [0.25, 0.25, 0.25]);

    const v2donor = buildFresh(() => efficientNetV2B0(args));
    v2donor.weights.forEach((v, i) => v.assign(ops.fill([...v.shape], (i % 53) / 16 - 1)));
    const v2file = join(work, 'effnetv2b0.h5');
    await saveWeights(v2donor, v2file);
    served.set('/mine/effnetv2b0.h5', readFileSync(v2file));
    process.env.CONVKIT_HOME = join(work, 'home-url');
    requests.length = 0;
    clearSession();
    const v2 = await efficientNetV2B0({ ...args, weights: `${mirror.base}mine/effnetv2b0.h5` });
    assert.deepEqual(requests, ['/mine/effnetv2b0.h5']);
    v2.weights.forEach((v, i) => assert.deepEqual(values(v), values(v2donor.weights[i]!), v.name));
  });
});
