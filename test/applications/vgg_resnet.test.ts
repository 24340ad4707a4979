/**
 * VGG16/19, ResNet50/101/152 and ResNet50V2/101V2/152V2 against Keras: parameter totals (total,
 * trainable, non-trainable) with and without the top, as Keras's docs table and model.summary()
 * report them; VGG19's printed summary against seed 003's; Keras's layer names and shapes; a
 * forward pass; Keras's argument checks; and `weights:` through Keras's URLs (CONVKIT_WEIGHTS_MIRROR
 * pointing at a server on 127.0.0.1), a file path and a URL, with a weights file the test writes.
 *
 * The big models are built one at a time and dropped at the end of their test (VGG19 with the
 * top holds 575 MB of weights).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useWeightsMirror } from './weights_mirror.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { applications } from '../../src/index.js';
import { Input } from '../../src/layers/input.js';
import * as L from '../../src/layers/index.js';
import { clearSession } from '../../src/layers/naming.js';
import { HashMismatchError } from '../../src/io/download/errors.js';
import { saveWeights } from '../../src/io/model_io.js';
import type { Model } from '../../src/models/model.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import * as ops from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { summary as cliSummary } from '../../src/cli/commands.js';
import { expectRows, layer, summarise, totals, type Row } from '../helpers/summary.js';


function golden(name: string): string {
  let dir = fileURLToPath(new URL('../../../test/applications/golden/', import.meta.url));
  if (!existsSync(dir)) dir = join(process.cwd(), 'test', 'applications', 'golden');
  return readFileSync(join(dir, name), 'utf8');
}

describe("VGG16 / VGG19: keras.applications' architecture and names", () => {
  it("VGG19 with the top prints seed 003's Keras summary line for line (143,667,240 parameters)", () => {
    const s = summarise(() => applications.VGG19({ includeTop: true, weights: null, inputTensor: null, inputShape: null, pooling: null, classes: 1000 }));
    assert.deepEqual(totals(s), [143667240, 143667240, 0]);
    assert.equal(s.name, 'vgg19');
    const want = golden('vgg19_seed003_summary.txt').trimEnd().split('\n');
    const got = s.text.trimEnd().split('\n');
    assert.equal(got.length, want.length);
    got.forEach((line, i) => {
      if (i === 2) {
        // The seed's copy of the header row lost its inner ┃ separators.
        assert.equal(line.replace(/[┃\s]+/g, ' '), want[i].replace(/[┃\s]+/g, ' '));
      } else if (i === 4) {
        // The seed had built 4 inputs before (input_layer_4); the layer name is the only difference.
        assert.match(want[i], /^│ input_layer_4 \(InputLayer\)/);
        assert.equal(line.replace(/input_layer(_\d+)? \(InputLayer\)\s*/, ''), want[i].replace(/input_layer(_\d+)? \(InputLayer\)\s*/, ''));
      } else {
        assert.equal(line, want[i], `line ${i + 1}`);
      }
    });
    assert.deepEqual(s.layers.map((l) => l.name).slice(1, 6), ['block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_conv2']);
  });

  it('without the top: 14,714,688 (VGG16) and 20,024,384 (VGG19) parameters; avg/max pooling or the feature map', () => {
    const avg16 = summarise(() => applications.vgg16({ includeTop: false, pooling: 'avg' }));
    assert.deepEqual(totals(avg16), [14714688, 14714688, 0]);
    // Keras without the top and without inputShape: (None, None, 3).
    assert.deepEqual(avg16.layers[0].outputShape, [null, null, null, 3]);
    assert.deepEqual(avg16.layers.at(-1)!.outputShape, [null, 512]);
    assert.equal(avg16.layers.at(-1)!.className, 'GlobalAveragePooling2D');
    const max19 = summarise(() => applications.vgg19({ includeTop: false, pooling: 'max' }));
    assert.deepEqual(totals(max19), [20024384, 20024384, 0]);
    assert.equal(max19.layers.at(-1)!.className, 'GlobalMaxPooling2D');
    const map = summarise(() => applications.vgg16({ includeTop: false, inputShape: [100, 80, 3] }));
    assert.deepEqual(map.layers.at(-1)!.outputShape, [null, 3, 2, 512]);
    assert.equal(map.layers.at(-1)!.name, 'block5_pool');
  });

  it('VGG16 with the top: 138,357,544 parameters, 23 layers named as Keras', () => {
    const s = summarise(() => applications.vgg16());
    assert.deepEqual(totals(s), [138357544, 138357544, 0]);
    assert.equal(s.name, 'vgg16');
    assert.equal(s.layers.length, 23);
    assert.deepEqual(s.layers.slice(1).map((l) => l.name), [
      'block1_conv1', 'block1_conv2', 'block1_pool', 'block2_conv1', 'block2_conv2', 'block2_pool',
      'block3_conv1', 'block3_conv2', 'block3_conv3', 'block3_pool', 'block4_conv1', 'block4_conv2', 'block4_conv3', 'block4_pool',
      'block5_conv1', 'block5_conv2', 'block5_conv3', 'block5_pool', 'flatten', 'fc1', 'fc2', 'predictions',
    ]);
    expectRows(s, [
      ['block3_conv3', 'Conv2D', [null, 56, 56, 256], 590080],
      ['block5_pool', 'MaxPooling2D', [null, 7, 7, 512], 0],
      ['fc1', 'Dense', [null, 4096], 102764544],
      ['predictions', 'Dense', [null, 1000], 4097000],
    ]);
  });
});

describe("ResNet50 / 101 / 152: keras.applications' architecture and names", () => {
  it('ResNet50 with the top: 25,636,712 parameters (25,583,592 trainable, 53,120 BatchNormalization moving statistics)', () => {
    const s = summarise(() => applications.resNet50());
    assert.deepEqual(totals(s), [25636712, 25583592, 53120]);
    assert.equal(s.name, 'resnet50');
    assert.equal(s.layers.length, 177);
    assert.deepEqual(s.layers.slice(1, 7).map((l) => l.name), ['conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool']);
    expectRows(s, [
      ['conv1_pad', 'ZeroPadding2D', [null, 230, 230, 3], 0],
      ['conv1_conv', 'Conv2D', [null, 112, 112, 64], 9472],
      ['conv1_bn', 'BatchNormalization', [null, 112, 112, 64], 256],
      ['conv1_relu', 'Activation', [null, 112, 112, 64], 0],
      ['pool1_pad', 'ZeroPadding2D', [null, 114, 114, 64], 0],
      ['pool1_pool', 'MaxPooling2D', [null, 56, 56, 64], 0],
      ['conv2_block1_0_conv', 'Conv2D', [null, 56, 56, 256], 16640],
      ['conv2_block1_1_conv', 'Conv2D', [null, 56, 56, 64], 4160],
      ['conv2_block1_2_conv', 'Conv2D', [null, 56, 56, 64], 36928],
      ['conv2_block1_3_bn', 'BatchNormalization', [null, 56, 56, 256], 1024],
      ['conv2_block1_add', 'Add', [null, 56, 56, 256], 0],
      ['conv2_block3_out', 'Activation', [null, 56, 56, 256], 0],
      // The stride-2 of a stage is on block1's 1×1 convolutions, as in Keras.
      ['conv3_block1_0_conv', 'Conv2D', [null, 28, 28, 512], 131584],
      ['conv3_block1_1_conv', 'Conv2D', [null, 28, 28, 128], 32896],
      ['conv4_block6_out', 'Activation', [null, 14, 14, 1024], 0],
      ['conv5_block3_out', 'Activation', [null, 7, 7, 2048], 0],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 2048], 0],
      ['predictions', 'Dense', [null, 1000], 2049000],
    ]);
    assert.equal(s.layers.filter((l) => l.className === 'Add').length, 16);
    assert.equal(s.layers.find((l) => l.name === 'conv2_block2_0_conv'), undefined, 'identity blocks have no projection');
  });

  it('ResNet50 without the top, pooling avg: 23,587,712 parameters (seed 000\'s transfer model); max_pool; the feature map', () => {
    const avg = summarise(() => applications.resNet50({ includeTop: false, pooling: 'avg' }));
    assert.deepEqual(totals(avg), [23587712, 23534592, 53120]);
    assert.equal(avg.layers.at(-1)!.name, 'avg_pool');
    assert.deepEqual(avg.layers.at(-1)!.outputShape, [null, 2048]);
    assert.deepEqual(avg.layers[0].outputShape, [null, null, null, 3]);
    const max = summarise(() => applications.resNet50({ includeTop: false, pooling: 'max', inputShape: [64, 64, 3] }));
    assert.equal(max.layers.at(-1)!.name, 'max_pool');
    assert.equal(max.layers.at(-1)!.className, 'GlobalMaxPooling2D');
    const map = summarise(() => applications.resNet50({ includeTop: false, inputShape: [64, 96, 3] }));
    assert.equal(map.layers.at(-1)!.name, 'conv5_block3_out');
    assert.deepEqual(map.layers.at(-1)!.outputShape, [null, 2, 3, 2048]);
  });

  it('ResNet101: 44,707,176 (105,344 non-trainable); 42,658,176 without the top', () => {
    const s = summarise(() => applications.ResNet101());
    assert.deepEqual(totals(s), [44707176, 44601832, 105344]);
    assert.equal(s.name, 'resnet101');
    expectRows(s, [['conv4_block23_out', 'Activation', [null, 14, 14, 1024], 0]]);
    assert.deepEqual(totals(summarise(() => applications.resNet101({ includeTop: false, pooling: 'avg' }))), [42658176, 42552832, 105344]);
  });

  it('ResNet152: 60,419,944 (151,424 non-trainable); 58,370,944 without the top', () => {
    const s = summarise(() => applications.resNet152());
    assert.deepEqual(totals(s), [60419944, 60268520, 151424]);
    assert.equal(s.name, 'resnet152');
    expectRows(s, [['conv3_block8_out', 'Activation', [null, 28, 28, 512], 0], ['conv4_block36_out', 'Activation', [null, 14, 14, 1024], 0]]);
    assert.deepEqual(totals(summarise(() => applications.resNet152({ includeTop: false, pooling: 'avg' }))), [58370944, 58219520, 151424]);
  });
});

describe("ResNet50V2 / 101V2 / 152V2: keras.applications' pre-activation ResNets", () => {
  it('ResNet50V2 with the top: 25,613,800 parameters (45,440 non-trainable); post_bn/post_relu; stride on the last block', () => {
    const s = summarise(() => applications.resNet50V2());
    assert.deepEqual(totals(s), [25613800, 25568360, 45440]);
    assert.equal(s.name, 'resnet50v2');
    assert.deepEqual(s.layers.slice(1, 5).map((l) => l.name), ['conv1_pad', 'conv1_conv', 'pool1_pad', 'pool1_pool']);
    expectRows(s, [
      ['conv1_conv', 'Conv2D', [null, 112, 112, 64], 9472],
      ['conv2_block1_preact_bn', 'BatchNormalization', [null, 56, 56, 64], 256],
      ['conv2_block1_preact_relu', 'Activation', [null, 56, 56, 64], 0],
      ['conv2_block1_0_conv', 'Conv2D', [null, 56, 56, 256], 16640],
      ['conv2_block1_1_conv', 'Conv2D', [null, 56, 56, 64], 4096],
      ['conv2_block1_2_pad', 'ZeroPadding2D', [null, 58, 58, 64], 0],
      ['conv2_block1_2_conv', 'Conv2D', [null, 56, 56, 64], 36864],
      ['conv2_block1_3_conv', 'Conv2D', [null, 56, 56, 256], 16640],
      ['conv2_block1_out', 'Add', [null, 56, 56, 256], 0],
      ['conv2_block3_2_conv', 'Conv2D', [null, 28, 28, 64], 36864],
      ['conv2_block3_out', 'Add', [null, 28, 28, 256], 0],
      ['conv4_block6_out', 'Add', [null, 7, 7, 1024], 0],
      ['conv5_block3_out', 'Add', [null, 7, 7, 2048], 0],
      ['post_bn', 'BatchNormalization', [null, 7, 7, 2048], 8192],
      ['post_relu', 'Activation', [null, 7, 7, 2048], 0],
      ['avg_pool', 'GlobalAveragePooling2D', [null, 2048], 0],
      ['predictions', 'Dense', [null, 1000], 2049000],
    ]);
    // The strided identity shortcuts are 1×1 max poolings (Keras leaves them unnamed).
    const pools = s.layers.filter((l) => l.className === 'MaxPooling2D').map((l) => l.outputShape);
    assert.deepEqual(pools, [[null, 56, 56, 64], [null, 28, 28, 256], [null, 14, 14, 512], [null, 7, 7, 1024]]);
    assert.deepEqual(
      totals(summarise(() => applications.resNet50V2({ includeTop: false, pooling: 'avg' }))),
      [23564800, 23519360, 45440],
    );
  });

  it('ResNet101V2: 44,675,560 (97,664 non-trainable), also from `convkit summary resnet101_v2 --json`; 42,626,560 without the top', async () => {
    clearSession();
    const lines: string[] = [];
    await cliSummary('ResNet101_V2', true, (l) => lines.push(l));
    assert.equal(lines.length, 1);
    const json = JSON.parse(lines[0]) as { totalParams: number; trainableParams: number; nonTrainableParams: number; layers: { name: string; className: string; outputShape: (number | null)[]; params: number }[] };
    assert.deepEqual([json.totalParams, json.trainableParams, json.nonTrainableParams], [44675560, 44577896, 97664]);
    assert.deepEqual(json.layers.at(-1), { name: 'predictions', className: 'Dense', outputShape: [null, 1000], params: 2049000 });
    assert.deepEqual(json.layers.find((l) => l.name === 'conv4_block23_out')?.outputShape, [null, 7, 7, 1024]);
    assert.deepEqual(totals(summarise(() => applications.resNet101V2({ includeTop: false, pooling: 'avg' }))), [42626560, 42528896, 97664]);
  });

  it('ResNet152V2: 60,380,648 (143,744 non-trainable); 58,331,648 without the top', () => {
    assert.deepEqual(totals(summarise(() => applications.resNet152V2())), [60380648, 60236904, 143744]);
    assert.deepEqual(totals(summarise(() => applications.resNet152V2({ includeTop: false, pooling: 'avg' }))), [58331648, 58187904, 143744]);
  });
});

describe('forward passes', () => {
  it('ResNet50 at 64×64 with 10 classes: predict gives finite probabilities summing to 1, different for different images', () => {
    clearSession();
    const model = applications.resNet50({ inputShape: [64, 64, 3], classes: 10 });
    const x = ops.randomUniform([2, 64, 64, 3], 0, 255, { seed: 7 });
    const y = model.predict(applications.resNet50.preprocessInput(x));
    assert.deepEqual(y.shape, [2, 10]);
    const p = Array.from(y.dataSync() as Float32Array);
    assert.ok(p.every((v) => Number.isFinite(v) && v >= 0), String(p));
    for (const row of [p.slice(0, 10), p.slice(10)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(p.slice(0, 10).some((v, i) => Math.abs(v - p[10 + i]) > 1e-7), 'the two images get different predictions');
    // The fused inference path (conv+BN+ReLU folded) agrees with the layers run one by one.
    const eager = model.apply(applications.resNet50.preprocessInput(x), { training: false }) as Tensor;
    Array.from(eager.dataSync() as Float32Array).forEach((v, i) => assert.ok(Math.abs(v - p[i]) < 1e-4, `prob ${i}: ${v} vs ${p[i]}`));
  });

  it('ResNet50V2 and VGG16 at 32×32 without the top: (1, 2048) and (1, 512) features', () => {
    clearSession();
    const x = ops.randomUniform([1, 32, 32, 3], -1, 1, { seed: 3 });
    const f2 = applications.resNet50V2({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }).predict(x);
    assert.deepEqual(f2.shape, [1, 2048]);
    assert.ok(Array.from(f2.dataSync() as Float32Array).every(Number.isFinite));
    // Keras's default no-top input is (None, None, 3): any size runs.
    const f16 = applications.vgg16({ includeTop: false, pooling: 'max' }).predict(ops.randomUniform([1, 40, 48, 3], 0, 1, { seed: 4 }));
    assert.deepEqual(f16.shape, [1, 512]);
    assert.ok(Array.from(f16.dataSync() as Float32Array).every((v) => Number.isFinite(v) && v >= 0), 'ReLU features');
  });
});

describe("Keras's arguments", () => {
  it("validates as Keras does: imagenet weights need classes 1000 and the default input with the top, 3 channels, ≥ 32×32, a static size with the top", () => {
    assert.throws(() => applications.vgg16({ weights: 'imagenet', classes: 10 }), /weights 'imagenet' with includeTop needs classes = 1000, got 10/);
    assert.throws(() => applications.resNet50({ weights: 'imagenet', inputShape: [64, 64, 3] }), /with includeTop and 'imagenet' weights, `inputShape` should be \(224, 224, 3\); got \(64, 64, 3\)/);
    assert.throws(() => applications.resNet50({ includeTop: false, weights: 'imagenet', inputShape: [64, 64, 1] }), /must have 3 channels/);
    assert.throws(() => applications.vgg19({ includeTop: false, inputShape: [16, 64, 3] }), /input size must be at least 32x32; got inputShape \(16, 64, 3\)/);
    assert.throws(() => applications.vgg19({ inputShape: [null, null, 3] }), /with includeTop, `inputShape` must be static/);
    assert.throws(() => applications.resNet50V2({ inputShape: [64, 64] }), /three integers/);
    assert.throws(() => applications.resNet50({ includeTop: false, pooling: 'sum' as never }), /pooling must be 'avg', 'max' or null/);
    assert.throws(() => applications.resNet101({ weights: 'imagenet', classifierActivation: 'relu' }), /classifierActivation can only be null or 'softmax'/);
    assert.throws(() => applications.vgg16({ weights: '/no/such/weights.h5' }), /no file "\/no\/such\/weights\.h5"/);
    assert.throws(() => applications.vgg16({ weights: 42 as never }), /weights must be null/);
    assert.throws(() => applications.vgg16({ includeTop: false, inputTensor: ops.zeros([1, 32, 32, 3]) as never }), /inputTensor must be a symbolic tensor/);
  });

  it('`convkit summary` still knows the seed architectures, and lists the applications when the name is unknown', async () => {
    const lines: string[] = [];
    await cliSummary('lenet5', true, (l) => lines.push(l));
    assert.equal((JSON.parse(lines[0]) as { totalParams: number }).totalParams, 107786);
    await assert.rejects(cliSummary('resnet9000', true, () => {}), /resnet9000 is neither a model file nor a known architecture \(lenet5, .*, vgg16, vgg19, resnet50, resnet101, resnet152, resnet50v2, resnet101v2, resnet152v2, mobilenetv2\b/);
  });

  it('inputShape with 1 channel and no pretrained weights builds (Keras only warns about channels other than 1 or 3)', () => {
    clearSession();
    const s = summarise(() => applications.vgg16({ includeTop: false, inputShape: [32, 32, 1] }));
    assert.equal(layer(s, 'block1_conv1').params, 3 * 3 * 1 * 64 + 64);
  });

  it("inputTensor: the model starts at the tensor's source Input() (Keras's get_source_inputs), with the layers before it", () => {
    clearSession();
    const raw = Input({ shape: [32, 32, 3], name: 'pixels' });
    const scaled = L.rescaling({ scale: 1 / 255, name: 'scale' }).apply(raw) as SymbolicTensor;
    const model = applications.vgg16({ includeTop: false, pooling: 'avg', inputTensor: scaled, name: 'features' }) as Model;
    assert.equal(model.name, 'features');
    assert.equal(model.inputs.length, 1);
    assert.equal(model.inputs[0], raw);
    assert.deepEqual(model.layers.slice(0, 3).map((l) => l.name), ['pixels', 'scale', 'block1_conv1']);
    const y = model.predict(ops.fill([1, 32, 32, 3], 255));
    assert.deepEqual(y.shape, [1, 512]);
  });

  it('classifierActivation null gives logits; name overrides the model name', () => {
    clearSession();
    const m = applications.resNet50V2({ inputShape: [32, 32, 3], classes: 3, classifierActivation: null, name: 'mine' }) as Model;
    assert.equal(m.name, 'mine');
    const dense = m.getLayer('predictions').getConfig();
    assert.equal(dense.activation, 'linear');
    const y = Array.from(m.predict(ops.randomUniform([1, 32, 32, 3], -1, 1, { seed: 5 })).dataSync() as Float32Array);
    assert.notEqual(Number(y.reduce((a, b) => a + b, 0).toFixed(4)), 1, 'logits, not probabilities');
  });
});

describe("weights: 'imagenet' through Keras's URLs, or a weights file", () => {
  let donorFile = '';
  const mirror = useWeightsMirror('convkit-vgg-resnet-', {
    home: true,
    respond: (path) => (path === '/w/resnet50_notop.h5' ? readFileSync(donorFile) : Buffer.from('not the weights Keras published')),
  });
  const { work, requests } = mirror;
  let donorValues: Float32Array[] = [];
  let donorNames: string[] = [];

  before(async () => {
    // The donor: ResNet50 without the top (seed 000's model), every weight set to something recognisable.
    clearSession();
    const donor = applications.resNet50({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] }) as Model;
    let seed = 11;
    for (const v of donor.weights) v.assign(ops.randomUniform([...v.shape], 0.5, 1.5, { seed: seed++ }));
    donorFile = join(work, 'resnet50_notop.h5');
    await saveWeights(donor, donorFile);
    donorValues = donor.weights.map((v) => Float32Array.from(v.values as Float32Array));
    donorNames = donor.weights.map((v) => v.name);
  });

  it("'imagenet' fetches Keras's file name under Keras's URL path and checks Keras's md5: a wrong file is refused and not cached", async () => {
    requests.length = 0;
    await assert.rejects(applications.resNet50({ includeTop: false, pooling: 'avg', weights: 'imagenet' }), (e: Error) => {
      assert.ok(e instanceof HashMismatchError, e.message);
      assert.match(e.message, /expected 4d473c1dd8becc155b73f8504c6f6626/);
      return true;
    });
    assert.deepEqual(requests, ['/tensorflow/keras-applications/resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5']);
    assert.ok(!existsSync(join(work, 'home', 'models', 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5')));
    requests.length = 0;
    await assert.rejects(applications.vgg16({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), /expected 6d6bbae143d832006294945121d1f1fc/);
    await assert.rejects(applications.resNet50V2({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), /expected fac2f116257151a9d068a22e544a4917/);
    assert.deepEqual(requests, [
      '/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5',
      '/tensorflow/keras-applications/resnet/resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5',
    ]);
  });

  it('a weights file path or URL loads every weight by layer name, BatchNormalization moving statistics included', async () => {
    for (const source of [donorFile, `${mirror.base}w/resnet50_notop.h5`]) {
      clearSession();
      const p = applications.resNet50({ includeTop: false, pooling: 'avg', inputShape: [48, 48, 3], weights: source });
      assert.ok(p instanceof Promise, 'with weights the builder returns a Promise');
      const model = await p;
      assert.deepEqual(model.weights.map((v) => v.name), donorNames);
      model.weights.forEach((v, i) => assert.deepEqual(v.values, donorValues[i], `${source}: ${v.name}`));
      assert.equal(model.weights.filter((v) => !v.trainable).length, 106, '53 BatchNormalization layers × (moving_mean, moving_variance)');
    }
  });
});
