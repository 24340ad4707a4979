/**
 * keras.applications DenseNet121/169/201, MobileNet (v1) and InceptionV3: Keras's parameter counts
 * and layer names, MobileNet's per-layer summary against Keras's printed one (seed 003), forward
 * passes at the smallest inputs Keras allows, Keras's input checks, each module's preprocessing, and
 * `weights: 'imagenet'` against a local mirror (Keras's file names, URLs and md5 checks; MobileNet
 * loaded from a file the test writes; InceptionV3 loaded in Keras's layer order).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useWeightsMirror } from './weights_mirror.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { applications } from '../../src/index.js';
import { summary as cliSummary } from '../../src/cli/commands.js';
import { denseNet121, denseNet169, denseNet201 } from '../../src/applications/densenet.js';
import { mobileNet } from '../../src/applications/mobilenet.js';
import { inceptionV3, kerasLayerOrder, withKerasLayerOrder } from '../../src/applications/inception_v3.js';
import { kerasWeightsFile } from '../../src/applications/weight_urls.js';
import { HashMismatchError } from '../../src/io/download/errors.js';
import { loadWeights, saveWeights } from '../../src/io/model_io.js';
import * as L from '../../src/layers/index.js';
import { clearSession } from '../../src/layers/naming.js';
import { Model } from '../../src/models/model.js';
import type { GraphNode, SymbolicTensor } from '../../src/layers/symbolic.js';
import type { SummaryInfo } from '../../src/models/summary.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { last, layer, quiet, summarise, values } from '../helpers/summary.js';


/** Runs `fn` and returns the codes of the process warnings it emitted. */
async function warningsOf(fn: () => unknown): Promise<string[]> {
  const codes: string[] = [];
  const onWarning = (w: Error & { code?: string }) => codes.push(w.code ?? w.name);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return codes;
}

interface GoldenSummary {
  name: string;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  layers: { name: string; className: string; outputShape: (number | null)[]; params: number }[];
}

function golden(name: string): GoldenSummary {
  let dir = fileURLToPath(new URL('../../../test/applications/golden/', import.meta.url));
  if (!existsSync(dir)) dir = join(process.cwd(), 'test', 'applications', 'golden');
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as GoldenSummary;
}

describe("MobileNet (v1): keras.applications.MobileNet's architecture", () => {
  it("matches Keras's printed summary (seed 003) layer by layer: name, class, output shape, parameters", () => {
    const want = golden('mobilenet_1.00_224_summary.json');
    assert.equal(want.layers.length, 91);
    const got = summarise(() => mobileNet());
    assert.equal(got.name, want.name);
    assert.equal(got.totalParams, 4253864);
    assert.equal(got.totalParams, want.totalParams);
    assert.equal(got.trainableParams, want.trainableParams);
    assert.equal(got.nonTrainableParams, 21888);
    assert.equal(got.nonTrainableParams, want.nonTrainableParams);
    assert.equal(got.layers.length, want.layers.length);
    want.layers.forEach((w, i) => {
      const g = got.layers[i]!;
      // The InputLayer's name is Keras's session counter (input_layer_9 in the notebook).
      if (w.className !== 'InputLayer') assert.equal(g.name, w.name, `layer ${i}`);
      assert.equal(g.className, w.className, w.name);
      assert.deepEqual(g.outputShape, w.outputShape, w.name);
      assert.equal(g.params, w.params, w.name);
    });
  });

  it('alpha thins every layer by int(filters × alpha); depthMultiplier widens the depthwise outputs; no top: pooling and Keras\'s name', () => {
    const thin = summarise(() => mobileNet({ alpha: 0.25, inputShape: [128, 128, 3], classes: 10 }));
    assert.equal(thin.name, 'mobilenet_0.25_128');
    assert.deepEqual(layer(thin, 'conv1').outputShape, [null, 64, 64, 8]);
    assert.deepEqual(layer(thin, 'conv_pw_13').outputShape, [null, 4, 4, 256]);
    assert.deepEqual(layer(thin, 'conv_pad_2').outputShape, [null, 65, 65, 16]);
    assert.equal(layer(thin, 'conv_preds').params, 256 * 10 + 10);
    assert.deepEqual(last(thin).outputShape, [null, 10]);

    const deep = summarise(() => mobileNet({ depthMultiplier: 2, includeTop: false, inputShape: [64, 64, 3] }));
    assert.deepEqual(layer(deep, 'conv_dw_1').outputShape, [null, 32, 32, 64]);
    assert.equal(layer(deep, 'conv_dw_1').params, 3 * 3 * 32 * 2);
    assert.equal(layer(deep, 'conv_pw_1').params, 64 * 64);

    const avg = summarise(() => mobileNet({ includeTop: false, pooling: 'avg' }));
    assert.equal(avg.totalParams, 3228864);
    assert.equal(avg.name, 'mobilenet_1.00_None', 'Keras names the model after input_shape[0], None here');
    assert.deepEqual(layer(avg, 'conv_pw_13_relu').outputShape, [null, null, null, 1024]);
    assert.equal(last(avg).className, 'GlobalAveragePooling2D');
    assert.deepEqual(last(avg).outputShape, [null, 1024]);
    const max = summarise(() => mobileNet({ includeTop: false, pooling: 'max', inputShape: [96, 96, 3] }));
    assert.equal(last(max).className, 'GlobalMaxPooling2D');
    assert.deepEqual(last(max).outputShape, [null, 1024]);
    const none = summarise(() => mobileNet({ includeTop: false, inputShape: [96, 96, 3] }));
    assert.deepEqual(last(none).outputShape, [null, 3, 3, 1024]);
  });

  it('predicts on the smallest input Keras allows (32×32): finite probabilities summing to 1; classifierActivation null gives logits', () => {
    clearSession();
    let model = applications.mobileNet({ inputShape: [32, 32, 3], classes: 5 });
    const x = ops.randomUniform([2, 32, 32, 3], -1, 1, { seed: 11 });
    const p = model.predict(x);
    assert.deepEqual(p.shape, [2, 5]);
    const v = values(p);
    assert.ok(v.every((e) => Number.isFinite(e) && e >= 0));
    for (const row of [v.slice(0, 5), v.slice(5)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    model = applications.MobileNet({ inputShape: [32, 32, 3], classes: 5, classifierActivation: null });
    assert.equal(model.layers[model.layers.length - 1]!.name, 'predictions');
    const logits = values(model.predict(x));
    assert.ok(logits.every(Number.isFinite));
    assert.ok(Math.abs(logits.slice(0, 5).reduce((a, b) => a + b, 0) - 1) > 1e-3, 'logits are not probabilities');
  });
});

describe('DenseNet121 / 169 / 201', () => {
  it("DenseNet121: Keras's 8,062,504 parameters (83,648 non-trainable), 429 layers, Keras's layer names and shapes", () => {
    const info = summarise(() => denseNet121());
    assert.equal(info.name, 'densenet121');
    assert.equal(info.totalParams, 8062504);
    assert.equal(info.trainableParams, 7978856);
    assert.equal(info.nonTrainableParams, 83648);
    assert.equal(info.layers.length, 429);
    const expect: [string, (number | null)[], number][] = [
      ['zero_padding2d', [null, 230, 230, 3], 0],
      ['conv1_conv', [null, 112, 112, 64], 9408],
      ['conv1_bn', [null, 112, 112, 64], 256],
      ['zero_padding2d_1', [null, 114, 114, 64], 0],
      ['pool1', [null, 56, 56, 64], 0],
      ['conv2_block1_0_bn', [null, 56, 56, 64], 256],
      ['conv2_block1_1_conv', [null, 56, 56, 128], 8192],
      ['conv2_block1_2_conv', [null, 56, 56, 32], 36864],
      ['conv2_block1_concat', [null, 56, 56, 96], 0],
      ['conv2_block6_concat', [null, 56, 56, 256], 0],
      ['pool2_conv', [null, 56, 56, 128], 32768],
      ['pool2_pool', [null, 28, 28, 128], 0],
      ['conv3_block12_concat', [null, 28, 28, 512], 0],
      ['pool3_pool', [null, 14, 14, 256], 0],
      ['conv4_block24_concat', [null, 14, 14, 1024], 0],
      ['pool4_pool', [null, 7, 7, 512], 0],
      ['conv5_block16_concat', [null, 7, 7, 1024], 0],
      ['bn', [null, 7, 7, 1024], 4096],
      ['relu', [null, 7, 7, 1024], 0],
      ['avg_pool', [null, 1024], 0],
      ['predictions', [null, 1000], 1025000],
    ];
    for (const [name, shape, params] of expect) {
      assert.deepEqual(layer(info, name).outputShape, shape, name);
      assert.equal(layer(info, name).params, params, name);
    }
    assert.equal(info.layers.filter((l) => l.className === 'Concatenate').length, 6 + 12 + 24 + 16);
    assert.equal(info.layers.filter((l) => l.className === 'BatchNormalization').length, 2 * 58 + 3 + 2);
  });

  it('DenseNet169: 14,307,880 parameters (158,400 non-trainable), 597 layers; DenseNet201: 20,242,984 (229,056), 709 layers', () => {
    const d169 = summarise(() => denseNet169());
    assert.equal(d169.name, 'densenet169');
    assert.equal(d169.totalParams, 14307880);
    assert.equal(d169.trainableParams, 14149480);
    assert.equal(d169.nonTrainableParams, 158400);
    assert.equal(d169.layers.length, 597);
    assert.deepEqual(layer(d169, 'conv5_block32_concat').outputShape, [null, 7, 7, 1664]);
    const d201 = summarise(() => applications.DenseNet201());
    assert.equal(d201.name, 'densenet201');
    assert.equal(d201.totalParams, 20242984);
    assert.equal(d201.trainableParams, 20013928);
    assert.equal(d201.nonTrainableParams, 229056);
    assert.equal(d201.layers.length, 709);
    assert.deepEqual(layer(d201, 'conv4_block48_concat').outputShape, [null, 14, 14, 1792]);
    assert.deepEqual(layer(d201, 'conv5_block32_concat').outputShape, [null, 7, 7, 1920]);
  });

  it('without the top: 7,037,504 parameters; pooling avg/max are avg_pool / max_pool; runs at 32×32 (the smallest size)', () => {
    const avg = summarise(() => denseNet121({ includeTop: false, pooling: 'avg' }));
    assert.equal(avg.totalParams, 7037504);
    assert.deepEqual(layer(avg, 'relu').outputShape, [null, null, null, 1024]);
    assert.equal(last(avg).name, 'avg_pool');
    assert.deepEqual(last(avg).outputShape, [null, 1024]);
    clearSession();
    const model = applications.denseNet121({ includeTop: false, pooling: 'max', inputShape: [32, 32, 3] });
    assert.equal(model.layers[model.layers.length - 1]!.name, 'max_pool');
    const y = model.predict(ops.randomUniform([2, 32, 32, 3], -2, 2, { seed: 5 }));
    assert.deepEqual(y.shape, [2, 1024]);
    const v = values(y);
    assert.ok(v.every(Number.isFinite));
    assert.ok(v.every((e) => e >= 0), 'max of ReLU outputs');
    assert.ok(v.some((e) => e > 0));
  });

  it('with the top at 32×32: class probabilities; the 4-D feature map without pooling is 1×1×1024', () => {
    clearSession();
    let model = denseNet121({ inputShape: [32, 32, 3], classes: 3 });
    const x = ops.randomUniform([1, 32, 32, 3], 0, 1, { seed: 9 });
    const p = values(model.predict(x));
    assert.equal(p.length, 3);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    clearSession();
    model = denseNet121({ includeTop: false, inputShape: [32, 32, 3] });
    assert.deepEqual(model.predict(x).shape, [1, 1, 1, 1024]);
  });
});

describe('InceptionV3', () => {
  it("Keras's 23,851,784 parameters (34,432 non-trainable: BatchNormalization without scale), 313 layers, mixed0…mixed10", () => {
    const info = summarise(() => inceptionV3());
    assert.equal(info.name, 'inception_v3');
    assert.equal(info.totalParams, 23851784);
    assert.equal(info.trainableParams, 23817352);
    assert.equal(info.nonTrainableParams, 34432);
    assert.equal(info.layers.length, 313);
    const expect: [string, (number | null)[], number][] = [
      ['conv2d', [null, 149, 149, 32], 864],
      ['batch_normalization', [null, 149, 149, 32], 96],
      ['activation', [null, 149, 149, 32], 0],
      ['max_pooling2d', [null, 73, 73, 64], 0],
      ['max_pooling2d_1', [null, 35, 35, 192], 0],
      ['mixed0', [null, 35, 35, 256], 0],
      ['mixed1', [null, 35, 35, 288], 0],
      ['mixed2', [null, 35, 35, 288], 0],
      ['mixed3', [null, 17, 17, 768], 0],
      ['mixed7', [null, 17, 17, 768], 0],
      ['mixed8', [null, 8, 8, 1280], 0],
      ['mixed9_0', [null, 8, 8, 768], 0],
      ['concatenate', [null, 8, 8, 768], 0],
      ['mixed9', [null, 8, 8, 2048], 0],
      ['mixed9_1', [null, 8, 8, 768], 0],
      ['concatenate_1', [null, 8, 8, 768], 0],
      ['mixed10', [null, 8, 8, 2048], 0],
      ['conv2d_93', [null, 8, 8, 192], 393216],
      ['batch_normalization_93', [null, 8, 8, 192], 576],
      ['avg_pool', [null, 2048], 0],
      ['predictions', [null, 1000], 2049000],
    ];
    for (const [name, shape, params] of expect) {
      assert.deepEqual(layer(info, name).outputShape, shape, name);
      assert.equal(layer(info, name).params, params, name);
    }
    assert.equal(info.layers.filter((l) => l.className === 'Conv2D').length, 94);
    assert.equal(info.layers.filter((l) => l.className === 'AveragePooling2D').length, 9);
  });

  it("lists layers in Keras's order (by depth, then walk order): the branches of mixed0 interleave as in Keras's summary", () => {
    clearSession();
    const model = inceptionV3({ includeTop: false, inputShape: [75, 75, 3] });
    const names = kerasLayerOrder(model).map((l) => l.name);
    assert.equal(names.length, model.layers.length);
    assert.deepEqual(new Set(names), new Set(model.layers.map((l) => l.name)));
    // Every layer comes after the layers it reads (a valid order to run the graph in).
    const position = new Map(kerasLayerOrder(model).map((l, i) => [l, i]));
    const seen = new Set<GraphNode>();
    const check = (node: GraphNode): void => {
      if (seen.has(node)) return;
      seen.add(node);
      for (const t of node.inputs) {
        assert.ok(position.get(t.node.layer)! < position.get(node.layer)!, `${t.node.layer.name} before ${node.layer.name}`);
        check(t.node);
      }
    };
    model.outputs.forEach((t) => check(t.node));
    assert.equal(seen.size, model.layers.length);
    const from = names.indexOf('max_pooling2d_1');
    assert.deepEqual(names.slice(from, from + 24), [
      'max_pooling2d_1', 'conv2d_8', 'batch_normalization_8', 'activation_8', 'conv2d_6', 'conv2d_9',
      'batch_normalization_6', 'batch_normalization_9', 'activation_6', 'activation_9', 'average_pooling2d',
      'conv2d_5', 'conv2d_7', 'conv2d_10', 'conv2d_11', 'batch_normalization_5', 'batch_normalization_7',
      'batch_normalization_10', 'batch_normalization_11', 'activation_5', 'activation_7', 'activation_10',
      'activation_11', 'mixed0',
    ]);
    // Chains without parallel branches keep convkit's execution order.
    clearSession();
    const d = denseNet121({ includeTop: false, inputShape: [32, 32, 3] });
    assert.deepEqual(kerasLayerOrder(d).map((l) => l.name), d.layers.map((l) => l.name));
  });

  it('runs at 75×75 (the smallest size): pooling max gives (batch, 2048), avg is unnamed as in Keras; with the top, probabilities', () => {
    const x = ops.randomUniform([2, 75, 75, 3], -1, 1, { seed: 17 });
    clearSession();
    let model = applications.inceptionV3({ includeTop: false, pooling: 'max', inputShape: [75, 75, 3] });
    assert.equal(model.layers[model.layers.length - 1]!.className, 'GlobalMaxPooling2D');
    const y = model.predict(x);
    assert.deepEqual(y.shape, [2, 2048]);
    assert.ok(values(y).every((e) => Number.isFinite(e) && e >= 0));
    const avg = summarise(() => applications.InceptionV3({ includeTop: false, pooling: 'avg', inputShape: [75, 75, 3] }));
    assert.equal(last(avg).name, 'global_average_pooling2d', 'pooling avg is unnamed in Keras');
    assert.deepEqual(last(avg).outputShape, [null, 2048]);
    clearSession();
    model = inceptionV3({ inputShape: [75, 75, 3], classes: 4 });
    const info = model.summary(quiet);
    assert.deepEqual(layer(info, 'mixed2').outputShape, [null, 7, 7, 288]);
    assert.deepEqual(layer(info, 'mixed10').outputShape, [null, 1, 1, 2048]);
    const p = values(model.predict(x));
    assert.equal(p.length, 8);
    for (const row of [p.slice(0, 4), p.slice(4)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });
});

describe("Keras's argument checks", () => {
  it('input sizes below the minimum (32 for DenseNet and MobileNet, 75 for InceptionV3) are refused', () => {
    assert.throws(() => mobileNet({ includeTop: false, inputShape: [31, 64, 3] }), /MobileNet: input size must be at least 32x32; got inputShape \(31, 64, 3\)/);
    assert.throws(() => denseNet121({ includeTop: false, inputShape: [64, 16, 3] }), /DenseNet121: input size must be at least 32x32/);
    assert.throws(() => denseNet201({ inputShape: [16, 16, 3] }), /DenseNet201: input size must be at least 32x32/);
    assert.throws(() => inceptionV3({ includeTop: false, inputShape: [74, 75, 3] }), /InceptionV3: input size must be at least 75x75; got inputShape \(74, 75, 3\)/);
    assert.throws(() => inceptionV3({ includeTop: false, inputShape: [299, 299] }), /inputShape/);
  });

  it("with 'imagenet' weights: 3 channels, the default size with the top, 1000 classes; MobileNet's alpha and depthMultiplier", () => {
    assert.throws(() => denseNet121({ includeTop: false, inputShape: [64, 64, 1], weights: 'imagenet' }), /3 channels/);
    assert.throws(() => inceptionV3({ includeTop: false, inputShape: [96, 96, 4], weights: 'imagenet' }), /3 channels/);
    assert.throws(() => denseNet169({ inputShape: [128, 128, 3], weights: 'imagenet' }), /should be \(224, 224, 3\)/);
    assert.throws(() => inceptionV3({ inputShape: [224, 224, 3], weights: 'imagenet' }), /should be \(299, 299, 3\)/);
    assert.throws(() => mobileNet({ inputShape: [200, 200, 3], weights: 'imagenet' }), /should be \(224, 224, 3\)/);
    assert.throws(() => denseNet121({ classes: 10, weights: 'imagenet' }), /classes = 1000/);
    assert.throws(() => mobileNet({ includeTop: false, alpha: 0.6, weights: 'imagenet' }), /alpha can be one of 0\.25, 0\.50, 0\.75 or 1\.0 only; got 0\.6/);
    assert.throws(() => mobileNet({ includeTop: false, depthMultiplier: 2, weights: 'imagenet' }), /depthMultiplier must be 1/);
    assert.throws(() => inceptionV3({ weights: 'imagenet', classifierActivation: 'sigmoid' }), /classifierActivation/);
  });

  it('without pretrained weights other channel counts only warn, as Keras; bad MobileNet options are refused', async () => {
    let info: SummaryInfo | undefined;
    const codes = await warningsOf(() => { info = summarise(() => denseNet121({ includeTop: false, inputShape: [64, 64, 4] })); });
    assert.ok(codes.includes('CONVKIT_INPUT_CHANNELS'), `warnings: ${codes.join(', ')}`);
    assert.equal(layer(info!, 'conv1_conv').params, 7 * 7 * 4 * 64);
    assert.deepEqual(await warningsOf(() => summarise(() => mobileNet({ includeTop: false, inputShape: [32, 32, 1] }))), [], 'grayscale is fine');
    assert.throws(() => mobileNet({ alpha: 0 }), /alpha/);
    assert.throws(() => mobileNet({ depthMultiplier: 1.5 }), /depthMultiplier/);
    assert.throws(() => mobileNet({ dropout: 1 }), /dropout/);
    assert.throws(() => denseNet121({ includeTop: false, pooling: 'sum' as never }), /pooling/);
  });
});

describe('convkit summary <arch> --json', () => {
  it('knows mobilenet, densenet121/169/201 and inceptionv3 (any case, - or _), with Keras\'s figures', async () => {
    for (const [arch, total, nonTrainable, first] of [
      ['MobileNet', 4253864, 21888, 'conv1'], ['densenet-121', 8062504, 83648, 'zero_padding2d'], ['inception_v3', 23851784, 34432, 'conv2d'],
    ] as const) {
      const out: string[] = [];
      clearSession();
      await cliSummary(arch, true, (s: string) => out.push(s));
      const j = JSON.parse(out.join('')) as { totalParams: number; nonTrainableParams: number; layers: { name: string }[] };
      assert.equal(j.totalParams, total, arch);
      assert.equal(j.nonTrainableParams, nonTrainable, arch);
      assert.equal(j.layers[1]!.name, first, arch);
    }
    await assert.rejects(cliSummary('densenet122', true, () => {}), /neither a model file nor a known architecture .*densenet121.*inceptionv3/);
  });
});

describe('preprocessInput of each module', () => {
  const px = new Tensor(Float32Array.from([0, 127.5, 255, 255, 0, 51]), [1, 1, 2, 3]);

  it("DenseNet: 'torch' (x / 255, then ImageNet mean / std per RGB channel)", () => {
    const want = [0, 127.5, 255, 255, 0, 51].map((v, i) => (v / 255 - [0.485, 0.456, 0.406][i % 3]!) / [0.229, 0.224, 0.225][i % 3]!);
    for (const f of [denseNet121, denseNet169, denseNet201]) {
      values(f.preprocessInput(px)).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `${v} vs ${want[i]}`));
    }
  });

  it("MobileNet and InceptionV3: 'tf' (x / 127.5 − 1); decodePredictions is ImageNet's", () => {
    const want = [-1, 0, 1, 1, -1, 51 / 127.5 - 1];
    for (const f of [mobileNet, inceptionV3]) values(f.preprocessInput(px)).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6, `${v} vs ${want[i]}`));
    const preds = new Tensor(Float32Array.from({ length: 1000 }, (_, i) => (i === 1 ? 0.9 : 0.1 / 999)), [1, 1000]);
    const [top] = inceptionV3.decodePredictions(preds, 1);
    assert.equal(top![0]![0], 'n01443537');
    assert.equal(top![0]![1], 'goldfish');
  });
});

describe("weights: 'imagenet' through a local mirror", () => {
  const mirror = useWeightsMirror('convkit-apps2-');
  const { work, served, requests } = mirror;

  it("Keras's file names, URLs and md5s for these architectures", () => {
    const base = 'https://storage.googleapis.com/tensorflow/keras-applications/';
    assert.deepEqual(kerasWeightsFile('mobilenet', { includeTop: true }), {
      fname: 'mobilenet_1_0_224_tf.h5', origin: `${base}mobilenet/mobilenet_1_0_224_tf.h5`, cacheSubdir: 'models',
    });
    assert.equal(kerasWeightsFile('mobilenet', { includeTop: false, alpha: 0.5, rows: 160 }).fname, 'mobilenet_5_0_160_tf_no_top.h5');
    assert.equal(kerasWeightsFile('mobilenet', { includeTop: false, alpha: 0.75, rows: 192 }).fname, 'mobilenet_7_5_192_tf_no_top.h5');
    const expect: [string, boolean, string, string][] = [
      ['densenet121', true, 'densenet/densenet121_weights_tf_dim_ordering_tf_kernels.h5', '9d60b8095a5708f2dcce2bca79d332c7'],
      ['densenet121', false, 'densenet/densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5', '30ee3e1110167f948a6b9946edeeb738'],
      ['densenet169', true, 'densenet/densenet169_weights_tf_dim_ordering_tf_kernels.h5', 'd699b8f76981ab1b30698df4c175e90b'],
      ['densenet169', false, 'densenet/densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5', 'b8c4d4c20dd625c148057b9ff1c1176b'],
      ['densenet201', true, 'densenet/densenet201_weights_tf_dim_ordering_tf_kernels.h5', '1ceb130c1ea1b78c3bf6114dbdfd8807'],
      ['densenet201', false, 'densenet/densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5', 'c13680b51ded0fb44dff2d8f86ac8bb1'],
      ['inception_v3', true, 'inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5', '9a0d58056eeedaa3f26cb7ebd46da564'],
      ['inception_v3', false, 'inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5', 'bcbd6486424b2319ff4ef7d526e38f63'],
    ];
    for (const [arch, includeTop, path, md5] of expect) {
      const f = kerasWeightsFile(arch, { includeTop });
      assert.equal(f.origin, base + path, arch);
      assert.equal(f.fname, path.split('/')[1], arch);
      assert.equal(f.fileHash, md5, arch);
    }
  });

  it("MobileNet downloads Keras's file for its alpha and size once, caches it, and loads every weight by name", async () => {
    process.env.CONVKIT_HOME = join(work, 'home-mobilenet');
    const args = { alpha: 0.25, inputShape: [128, 128, 3] } as const;
    clearSession();
    const donor = mobileNet(args);
    donor.weights.forEach((v, i) => v.assign(ops.fill([...v.shape], (i % 97) / 10 + 0.5)));
    const file = join(work, 'mobilenet.h5');
    await saveWeights(donor, file);
    const url = new URL(kerasWeightsFile('mobilenet', { includeTop: true, alpha: 0.25, rows: 128 }).origin).pathname;
    assert.equal(url, '/tensorflow/keras-applications/mobilenet/mobilenet_2_5_128_tf.h5');
    served.set(url, readFileSync(file));
    requests.length = 0;
    clearSession();
    L.conv2d({ filters: 1, kernelSize: 1 }); // the session's automatic names shift; MobileNet's are all explicit
    const model = await mobileNet({ ...args, weights: 'imagenet' });
    assert.deepEqual(requests, [url]);
    assert.ok(existsSync(join(work, 'home-mobilenet', 'models', 'mobilenet_2_5_128_tf.h5')));
    assert.equal(model.weights.length, donor.weights.length);
    model.weights.forEach((v, i) => assert.deepEqual(values(v), values(donor.weights[i]!), v.name));
    const again = await applications.MobileNet({ ...args, weights: 'imagenet' });
    assert.equal(requests.length, 1, 'the second model comes from the cache');
    assert.deepEqual(values(again.weights[3]!), values(donor.weights[3]!));
  });

  it('MobileNet at a size without published weights loads the 224 file with a warning, as Keras', async () => {
    process.env.CONVKIT_HOME = join(work, 'home-mobilenet-100');
    requests.length = 0;
    const codes = await warningsOf(async () => {
      await assert.rejects(mobileNet({ alpha: 0.5, includeTop: false, inputShape: [100, 100, 3], weights: 'imagenet' }), /404/);
    });
    assert.ok(codes.includes('CONVKIT_WEIGHTS_SIZE'), `warnings: ${codes.join(', ')}`);
    assert.deepEqual(requests, ['/tensorflow/keras-applications/mobilenet/mobilenet_5_0_224_tf_no_top.h5']);
  });

  it("DenseNet and InceptionV3 fetch Keras's files from the mirror and check Keras's md5: a wrong file is refused and not cached", async () => {
    const bogus = Buffer.from('not the weights Keras published');
    for (const [build, arch] of [[denseNet121, 'densenet121'], [denseNet169, 'densenet169'], [denseNet201, 'densenet201'], [inceptionV3, 'inception_v3']] as const) {
      const f = kerasWeightsFile(arch, { includeTop: false });
      const url = new URL(f.origin).pathname;
      served.set(url, bogus);
      process.env.CONVKIT_HOME = join(work, `home-${arch}`);
      requests.length = 0;
      clearSession();
      await assert.rejects(build({ includeTop: false, inputShape: arch === 'inception_v3' ? [75, 75, 3] : [32, 32, 3], weights: 'imagenet' }), HashMismatchError);
      assert.deepEqual(requests, [url], arch);
      assert.ok(!existsSync(join(work, `home-${arch}`, 'models', f.fname)), arch);
    }
  });

  it("a Keras-written file is loaded by topology in Keras's layer order (the path InceptionV3's 'imagenet' takes)", async () => {
    // Two parallel branches, as in Inception: Keras lists stem, b2_a, b1, b2_b, bn1, bn2; convkit runs stem, b1, bn1, b2_a, b2_b, bn2.
    const build = () => {
      const input = L.input({ shape: [6, 6, 3] });
      const stem = L.conv2d({ filters: 8, kernelSize: 1 }).apply(input) as SymbolicTensor;
      const b1 = L.batchNormalization().apply(L.conv2d({ filters: 4, kernelSize: 1 }).apply(stem) as SymbolicTensor) as SymbolicTensor;
      let b2 = L.conv2d({ filters: 4, kernelSize: 1 }).apply(stem) as SymbolicTensor;
      b2 = L.batchNormalization().apply(L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(b2) as SymbolicTensor) as SymbolicTensor;
      return new Model({ inputs: input, outputs: L.concatenate().apply([b1, b2]) as SymbolicTensor });
    };
    // The file as Keras writes it: layers in Keras's order, named after another session (conv2d_1 …).
    clearSession();
    L.conv2d({ filters: 1, kernelSize: 1 });
    L.batchNormalization();
    const donor = build();
    const donorLayers = donor.layers.filter((l) => l.weights.length > 0);
    assert.deepEqual(donorLayers.map((l) => l.name), ['conv2d_1', 'conv2d_2', 'batch_normalization_1', 'conv2d_3', 'conv2d_4', 'batch_normalization_2']);
    donorLayers.forEach((l, i) => l.weights.forEach((v, k) => v.assign(ops.fill([...v.shape], i + k / 4))));
    const file = join(work, 'keras_order.h5');
    await saveWeights(withKerasLayerOrder(donor), file);

    clearSession();
    const model = build();
    // convkit's execution order is not the file's: loading in that order fails loudly.
    await assert.rejects(loadWeights(model, file), /holds \d+ weights but layer/);
    await loadWeights(withKerasLayerOrder(model), file);
    const ours = model.layers.filter((l) => l.weights.length > 0);
    ours.forEach((l, i) => l.weights.forEach((v, k) => assert.ok(values(v).every((e) => e === i + k / 4), `${l.name} weight ${k}`)));
  });
});
