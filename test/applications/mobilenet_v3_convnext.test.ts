/**
 * keras.applications MobileNetV3Small/Large and ConvNeXtTiny…XLarge, and ConvNeXt's custom layers
 * LayerScale and StochasticDepth: Keras's parameter counts and layer names, forward passes at the
 * smallest input Keras allows, the in-model preprocessing, Keras's argument checks, Keras's weight
 * files (names, URLs, md5/sha256 refusals through a local mirror; weights from a file the test
 * writes) and `convkit summary mobilenetv3small --json`.
 *
 * Memory: ConvNeXtLarge / XLarge (≈ 0.8 / 1.4 GB of weights) are never built here; their counts are
 * checked with a parameter formula that is first checked against the built Tiny, Small and Base.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useWeightsMirror } from './weights_mirror.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { applications, layers as publicLayers } from '../../src/index.js';
import { summary as cliSummary } from '../../src/cli/commands.js';
import {
  mobileNetV3Large, mobileNetV3Small, type MobileNetV3Args,
} from '../../src/applications/mobilenet_v3.js';
import {
  CONVNEXT_CONFIGS, convNeXtBase, convNeXtSmall, convNeXtTiny, type ConvNeXtVariant,
} from '../../src/applications/convnext.js';
import { kerasWeightsFile } from '../../src/applications/weight_urls.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import { HashMismatchError } from '../../src/io/download/errors.js';
import { modelFromConfig, modelToConfig } from '../../src/io/model_config.js';
import { loadModel, saveWeights } from '../../src/io/model_io.js';
import * as L from '../../src/layers/index.js';
import { LayerScale } from '../../src/layers/layer_scale.js';
import { clearSession } from '../../src/layers/naming.js';
import { configToArgs, layerClass } from '../../src/layers/registry.js';
import { StochasticDepth } from '../../src/layers/stochastic_depth.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Model } from '../../src/models/model.js';
import type { SummaryInfo } from '../../src/models/summary.js';
import * as ops from '../../src/ops/index.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';
import { last, layer, quiet, summarise, values } from '../helpers/summary.js';


function maxAbsDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

function checkShapes(info: SummaryInfo, expect: [string, string, (number | null)[], number][]): void {
  for (const [name, className, shape, params] of expect) {
    const l = layer(info, name);
    assert.equal(l.className, className, name);
    assert.deepEqual(l.outputShape, shape, name);
    assert.equal(l.params, params, name);
  }
}

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

describe('MobileNetV3Small / MobileNetV3Large', () => {
  it("Small: Keras's 2,554,968 parameters (12,112 non-trainable), 210 weights, Keras 3's layer names and shapes at 224×224", () => {
    clearSession();
    const model = mobileNetV3Small({ inputShape: [224, 224, 3] });
    assert.equal(model.weights.length, 210);
    const info = model.summary(quiet);
    assert.equal(info.name, 'MobileNetV3Small');
    assert.equal(info.totalParams, 2554968);
    assert.equal(info.trainableParams, 2542856);
    assert.equal(info.nonTrainableParams, 12112);
    checkShapes(info, [
      ['rescaling', 'Rescaling', [null, 224, 224, 3], 0],
      ['conv', 'Conv2D', [null, 112, 112, 16], 432],
      ['conv_bn', 'BatchNormalization', [null, 112, 112, 16], 64],
      ['activation', 'Activation', [null, 112, 112, 16], 0],
      ['expanded_conv_depthwise_pad', 'ZeroPadding2D', [null, 113, 113, 16], 0],
      ['expanded_conv_depthwise', 'DepthwiseConv2D', [null, 56, 56, 16], 144],
      ['expanded_conv_squeeze_excite_avg_pool', 'GlobalAveragePooling2D', [null, 1, 1, 16], 0],
      ['expanded_conv_squeeze_excite_conv', 'Conv2D', [null, 1, 1, 8], 136],
      ['expanded_conv_squeeze_excite_conv_1', 'Conv2D', [null, 1, 1, 16], 144],
      ['expanded_conv_squeeze_excite_mul', 'Multiply', [null, 56, 56, 16], 0],
      ['expanded_conv_project', 'Conv2D', [null, 56, 56, 16], 256],
      ['expanded_conv_1_expand', 'Conv2D', [null, 56, 56, 72], 1152],
      ['expanded_conv_1_depthwise', 'DepthwiseConv2D', [null, 28, 28, 72], 648],
      ['expanded_conv_2_add', 'Add', [null, 28, 28, 24], 0],
      ['expanded_conv_3_depthwise', 'DepthwiseConv2D', [null, 14, 14, 96], 25 * 96],
      ['expanded_conv_3_squeeze_excite_conv', 'Conv2D', [null, 1, 1, 24], 96 * 24 + 24],
      ['expanded_conv_8_depthwise', 'DepthwiseConv2D', [null, 7, 7, 288], 25 * 288],
      ['expanded_conv_10_add', 'Add', [null, 7, 7, 96], 0],
      ['conv_1', 'Conv2D', [null, 7, 7, 576], 55296],
      ['conv_1_bn', 'BatchNormalization', [null, 7, 7, 576], 2304],
      ['activation_17', 'Activation', [null, 7, 7, 576], 0],
      ['global_average_pooling2d', 'GlobalAveragePooling2D', [null, 1, 1, 576], 0],
      ['conv_2', 'Conv2D', [null, 1, 1, 1024], 590848],
      ['activation_18', 'Activation', [null, 1, 1, 1024], 0],
      ['dropout', 'Dropout', [null, 1, 1, 1024], 0],
      ['logits', 'Conv2D', [null, 1, 1, 1000], 1025000],
      ['flatten', 'Flatten', [null, 1000], 0],
      ['predictions', 'Activation', [null, 1000], 0],
    ]);
    // Keras's hard-sigmoid: ReLU(6)(x + 3) * (1/6), the + and · named as Keras 3 names its operations.
    const names = info.layers.map((l) => l.name);
    const at = names.indexOf('expanded_conv_squeeze_excite_conv_1');
    assert.deepEqual(names.slice(at, at + 5), ['expanded_conv_squeeze_excite_conv_1', 'add', 're_lu_1', 'multiply', 'expanded_conv_squeeze_excite_mul']);
    assert.deepEqual(info.layers.slice(at + 1, at + 4).map((l) => l.className), ['Rescaling', 'ReLU', 'Rescaling']);
    assert.equal((model.getLayer('re_lu_1') as L.ReLU).getConfig().max_value, 6);
    assert.equal(info.layers.filter((l) => l.className === 'Multiply').length, 9, 'one squeeze-excite per block but blocks 1 and 2');
    assert.equal(info.layers.filter((l) => l.name.startsWith('activation')).length, 19, 'hard-swish Activation layers');
    assert.ok(model.layers.filter((l) => l.name.startsWith('activation')).every((l) => (l as L.Activation).activation.name === 'hard_swish'));
    assert.equal((model.getLayer('predictions') as L.Activation).activation.name, 'softmax');
  });

  it("Large: Keras's 5,507,432 parameters (24,400 non-trainable), 266 weights; activation_12 feeds block 11's squeeze-excite, as in Keras", () => {
    clearSession();
    const model = mobileNetV3Large();
    assert.equal(model.weights.length, 266);
    const info = model.summary(quiet);
    assert.equal(info.name, 'MobileNetV3Large');
    assert.equal(info.totalParams, 5507432);
    assert.equal(info.trainableParams, 5483032);
    assert.equal(info.nonTrainableParams, 24400);
    assert.deepEqual(info.layers[0]!.outputShape, [null, null, null, 3], 'Keras defaults to (None, None, 3), also with the top');
    checkShapes(info, [
      ['expanded_conv_add', 'Add', [null, null, null, 16], 0],
      ['expanded_conv_3_squeeze_excite_conv', 'Conv2D', [null, 1, 1, 24], 72 * 24 + 24],
      ['expanded_conv_7_expand', 'Conv2D', [null, null, null, 200], 80 * 200],
      ['expanded_conv_8_expand', 'Conv2D', [null, null, null, 184], 80 * 184],
      ['expanded_conv_12_depthwise', 'DepthwiseConv2D', [null, null, null, 672], 25 * 672],
      ['conv_1', 'Conv2D', [null, null, null, 960], 153600],
      ['conv_2', 'Conv2D', [null, 1, 1, 1280], 1230080],
      ['logits', 'Conv2D', [null, 1, 1, 1000], 1281000],
    ]);
    assert.equal(info.layers.some((l) => l.name === 'expanded_conv_depthwise_pad'), false, 'block 0 has stride 1 in Large');
    const act12 = model.getLayer('activation_12');
    const readers = model.layers.filter((l) => l.inboundNodes.some((n) => n.inputs.some((t) => t.node.layer === act12))).map((l) => l.name).sort();
    assert.deepEqual(readers, ['expanded_conv_11_squeeze_excite_avg_pool', 'expanded_conv_11_squeeze_excite_mul']);
  });

  it('alpha, minimalistic, dropoutRate, includePreprocessing: the layers Keras builds', () => {
    const thin = summarise(() => mobileNetV3Small({ alpha: 0.75, inputShape: [96, 96, 3], classes: 10 }));
    assert.deepEqual(layer(thin, 'expanded_conv_project').outputShape, [null, 24, 24, 16], '_depth(16·0.75) = 16');
    assert.deepEqual(layer(thin, 'expanded_conv_10_project').outputShape, [null, 3, 3, 72]);
    assert.deepEqual(layer(thin, 'conv_1').outputShape, [null, 3, 3, 432]);
    assert.equal(layer(thin, 'conv_2').params, 432 * 1024 + 1024, 'alpha ≤ 1 does not thin the top');
    assert.equal(layer(thin, 'logits').params, 1024 * 10 + 10);
    const wide = summarise(() => mobileNetV3Large({ alpha: 1.25, includeTop: true }));
    assert.deepEqual(layer(wide, 'conv_2').outputShape, [null, 1, 1, 1600], 'alpha > 1 widens the top: _depth(1280·1.25)');

    const mini = summarise(() => mobileNetV3Small({ minimalistic: true, dropoutRate: 0, includePreprocessing: false }));
    assert.equal(mini.layers.some((l) => l.name.includes('squeeze_excite')), false, 'no squeeze-excite');
    assert.equal(mini.layers.some((l) => l.className === 'Dropout'), false, 'no Dropout when dropoutRate is 0');
    assert.equal(mini.layers.some((l) => l.className === 'Rescaling'), false);
    assert.deepEqual(mini.layers.filter((l) => l.className === 'Activation').map((l) => l.name), ['predictions'], 'ReLU everywhere');
    assert.equal(layer(mini, 'expanded_conv_3_depthwise').params, 9 * 96, '3×3 kernels');
    assert.equal(mini.layers[1]!.name, 'conv');
  });

  it('predicts pixels 0…255 at 32×32 (the smallest size): probabilities summing to 1; the Rescaling is x/127.5 − 1; null activation gives logits', () => {
    clearSession();
    const model = mobileNetV3Small({ inputShape: [32, 32, 3], classes: 5 });
    const x = ops.randomUniform([2, 32, 32, 3], 0, 255, { seed: 3 });
    const p = values(model.predict(x) as Tensor);
    assert.equal(p.length, 10);
    assert.ok(p.every((e) => Number.isFinite(e) && e >= 0));
    for (const row of [p.slice(0, 5), p.slice(5)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);

    // The same weights without the Rescaling, fed x/127.5 − 1, give the same features (compared
    // relative to their size: fresh weights shrink the activations a lot at inference).
    clearSession();
    const withPre = mobileNetV3Small({ inputShape: [32, 32, 3], includeTop: false, pooling: 'avg' });
    clearSession();
    const without = mobileNetV3Small({ inputShape: [32, 32, 3], includeTop: false, pooling: 'avg', includePreprocessing: false });
    assert.equal(without.weights.length, withPre.weights.length);
    without.setWeights(withPre.getWeights());
    const f = values(withPre.predict(x) as Tensor);
    const size = Math.max(...f.map(Math.abs));
    assert.ok(size > 0);
    const scaled = values(without.predict(ops.sub(ops.div(x, 127.5), 1)) as Tensor);
    assert.ok(maxAbsDiff(f, scaled) < 1e-4 * size, `max diff ${maxAbsDiff(f, scaled)} for features up to ${size}`);
    assert.ok(maxAbsDiff(f, values(without.predict(x) as Tensor)) > 1e-2 * size, 'the raw pixels give other features without the Rescaling');

    clearSession();
    const logits = mobileNetV3Large({ inputShape: [32, 32, 3], classes: 4, classifierActivation: null });
    assert.equal((logits.getLayer('predictions') as L.Activation).activation.name, 'linear');
    const v = values(logits.predict(x) as Tensor);
    assert.ok(v.every(Number.isFinite));
    assert.ok(v.some((e) => e < 0), 'logits, not probabilities');
  });

  it("without the top: 939,120 / 2,996,352 parameters; pooling 'avg' / 'max' are avg_pool / max_pool; none leaves the feature map", () => {
    const avg = summarise(() => mobileNetV3Small({ includeTop: false, pooling: 'avg' }));
    assert.equal(avg.totalParams, 939120);
    assert.equal(last(avg).name, 'avg_pool');
    assert.equal(last(avg).className, 'GlobalAveragePooling2D');
    assert.deepEqual(last(avg).outputShape, [null, 576]);
    const max = summarise(() => mobileNetV3Large({ includeTop: false, pooling: 'max', inputShape: [64, 64, 3] }));
    assert.equal(max.totalParams, 2996352);
    assert.equal(last(max).name, 'max_pool');
    assert.deepEqual(last(max).outputShape, [null, 960]);
    const none = summarise(() => mobileNetV3Small({ includeTop: false, inputShape: [224, 224, 3] }));
    assert.deepEqual(last(none).outputShape, [null, 7, 7, 576]);
    assert.ok(!none.layers.some((l) => l.name === 'global_average_pooling2d' || l.name === 'logits'));
  });

  it('keeps Keras\'s preprocess_input (the identity) and decode_predictions', () => {
    const px = new Tensor(Float32Array.from([0, 127.5, 255]), [1, 1, 1, 3]);
    assert.deepEqual(values(applications.MobileNetV3Small.preprocessInput(px)), [0, 127.5, 255]);
    assert.deepEqual(values(applications.MobileNetV3Large.preprocessInput(px)), [0, 127.5, 255]);
    const preds = new Tensor(Float32Array.from({ length: 1000 }, (_, i) => (i === 1 ? 0.9 : 0.1 / 999)), [1, 1000]);
    assert.equal(mobileNetV3Small.decodePredictions(preds, 1)[0]![0]![1], 'goldfish');
  });

  it('saved as a .keras file and loaded back, it predicts the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-mnv3-'));
    try {
      clearSession();
      const model = mobileNetV3Small({ inputShape: [32, 32, 3], classes: 3, minimalistic: false });
      const file = join(dir, 'm.keras');
      await model.save(file);
      clearSession();
      const back = await loadModel(file);
      assert.deepEqual(back.layers.map((l) => l.name), model.layers.map((l) => l.name));
      const x = ops.randomUniform([1, 32, 32, 3], 0, 255, { seed: 8 });
      assert.ok(maxAbsDiff(values(back.predict(x) as Tensor), values(model.predict(x) as Tensor)) < 1e-6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses what Keras refuses: inputs under 32×32, 'imagenet' with another alpha, classes or activation, mismatched inputShape / inputTensor", () => {
    assert.throws(() => mobileNetV3Small({ inputShape: [31, 64, 3] }), /MobileNetV3Small: input size must be at least 32x32; got inputShape \(31, 64, 3\)/);
    assert.throws(() => mobileNetV3Large({ inputTensor: L.input({ shape: [16, 16, 3] }) }), /at least 32x32/);
    assert.throws(() => mobileNetV3Small({ alpha: 0.5, weights: 'imagenet' }), /alpha can be one of 0\.75, 1\.0 for non minimalistic or 1\.0 for minimalistic only; got 0\.5/);
    assert.throws(() => mobileNetV3Large({ alpha: 0.75, minimalistic: true, weights: 'imagenet' }), /1\.0 for minimalistic only/);
    assert.throws(() => mobileNetV3Small({ classes: 10, weights: 'imagenet' }), /classes = 1000/);
    assert.throws(() => mobileNetV3Small({ classifierActivation: 'sigmoid', weights: 'imagenet' }), /classifierActivation/);
    assert.throws(() => mobileNetV3Small({ inputShape: [64, 64, 3], inputTensor: L.input({ shape: [64, 48, 3] }) }), /inputShape\[1\] must equal inputTensor\.shape\[2\]/);
    assert.throws(() => mobileNetV3Small({ weights: 'no/such/file.h5' }), /weights must be null/);
    assert.throws(() => mobileNetV3Small({ alpha: 0 }), /alpha must be a number > 0/);
    assert.throws(() => mobileNetV3Small({ dropoutRate: 1 }), /dropoutRate must be in \[0, 1\)/);
    assert.throws(() => mobileNetV3Small({ minimalistic: 'yes' } as unknown as MobileNetV3Args), /minimalistic must be true or false/);
    assert.throws(() => mobileNetV3Small({ includeTop: false, pooling: 'sum' as never }), /pooling/);
  });

  it('builds on an inputTensor: its source inputs become the model\'s inputs', () => {
    clearSession();
    const input = L.input({ shape: [48, 48, 3] });
    const scaled = L.rescaling({ scale: 2, name: 'pre' }).apply(input) as SymbolicTensor;
    const model = mobileNetV3Small({ inputTensor: scaled, includeTop: false, pooling: 'avg' });
    assert.equal(model.inputs.length, 1);
    assert.equal(model.inputs[0], input);
    assert.ok(model.layers.some((l) => l.name === 'pre'));
    assert.deepEqual((model.predict(ops.zeros([1, 48, 48, 3])) as Tensor).shape, [1, 576]);
  });
});

/** ConvNeXt's parameters from its configuration (stem, blocks, downsampling, head), as Keras builds it. */
function convNeXtParams(v: ConvNeXtVariant, classes = 1000): number {
  const { depths, projectionDims: d } = CONVNEXT_CONFIGS[v];
  let n = (4 * 4 * 3 * d[0]! + d[0]!) + 2 * d[0]!; // stem conv + layernorm
  for (let i = 0; i < 3; i++) n += 2 * d[i]! + (2 * 2 * d[i]! * d[i + 1]! + d[i + 1]!); // downsampling layernorm + conv
  // block: depthwise 7×7 + bias (50C), layernorm (2C), Dense 4C (4C² + 4C), Dense C (4C² + C), LayerScale (C)
  d.forEach((c, i) => { n += depths[i]! * (8 * c * c + 58 * c); });
  return n + 2 * d[3]! + (d[3]! * classes + classes); // head layernorm + dense
}

describe('ConvNeXt', () => {
  it("Tiny: Keras's 28,589,128 parameters (all trainable), 182 weights, Keras's layer names, nested stem / downsampling Sequentials", () => {
    clearSession();
    const model = convNeXtTiny();
    assert.equal(model.weights.length, 182);
    const info = model.summary(quiet);
    assert.equal(info.name, 'convnext_tiny');
    assert.equal(info.totalParams, 28589128);
    assert.equal(info.trainableParams, 28589128);
    assert.equal(info.nonTrainableParams, 0);
    assert.equal(info.totalParams, convNeXtParams('tiny'));
    checkShapes(info, [
      ['convnext_tiny_prestem_normalization', 'Normalization', [null, 224, 224, 3], 0],
      ['convnext_tiny_stem', 'Sequential', [null, 56, 56, 96], 4 * 4 * 3 * 96 + 96 + 192],
      ['convnext_tiny_stage_0_block_0_depthwise_conv', 'Conv2D', [null, 56, 56, 96], 49 * 96 + 96],
      ['convnext_tiny_stage_0_block_0_layernorm', 'LayerNormalization', [null, 56, 56, 96], 192],
      ['convnext_tiny_stage_0_block_0_pointwise_conv_1', 'Dense', [null, 56, 56, 384], 96 * 384 + 384],
      ['convnext_tiny_stage_0_block_0_gelu', 'Activation', [null, 56, 56, 384], 0],
      ['convnext_tiny_stage_0_block_0_pointwise_conv_2', 'Dense', [null, 56, 56, 96], 384 * 96 + 96],
      ['convnext_tiny_stage_0_block_0_layer_scale', 'LayerScale', [null, 56, 56, 96], 96],
      ['convnext_tiny_stage_0_block_0_identity', 'Activation', [null, 56, 56, 96], 0],
      ['add', 'Add', [null, 56, 56, 96], 0],
      ['convnext_tiny_downsampling_block_0', 'Sequential', [null, 28, 28, 192], 2 * 96 + 4 * 96 * 192 + 192],
      ['convnext_tiny_downsampling_block_1', 'Sequential', [null, 14, 14, 384], 2 * 192 + 4 * 192 * 384 + 384],
      ['convnext_tiny_stage_2_block_8_layer_scale', 'LayerScale', [null, 14, 14, 384], 384],
      ['convnext_tiny_downsampling_block_2', 'Sequential', [null, 7, 7, 768], 2 * 384 + 4 * 384 * 768 + 768],
      ['add_17', 'Add', [null, 7, 7, 768], 0],
      ['convnext_tiny_head_gap', 'GlobalAveragePooling2D', [null, 768], 0],
      ['convnext_tiny_head_layernorm', 'LayerNormalization', [null, 768], 1536],
      ['convnext_tiny_head_dense', 'Dense', [null, 1000], 769000],
    ]);
    assert.equal(info.layers.filter((l) => l.className === 'LayerScale').length, 18);
    assert.equal(info.layers.filter((l) => l.className === 'StochasticDepth').length, 0, 'drop_path_rate 0: identities');
    const stem = model.getLayer('convnext_tiny_stem') as Model;
    assert.deepEqual(stem.layers.map((l) => l.name), ['convnext_tiny_stem_conv', 'convnext_tiny_stem_layernorm']);
    const ds = model.getLayer('convnext_tiny_downsampling_block_2') as Model;
    assert.deepEqual(ds.layers.map((l) => l.name), ['convnext_tiny_downsampling_layernorm_2', 'convnext_tiny_downsampling_conv_2']);
    const dw = model.getLayer('convnext_tiny_stage_3_block_2_depthwise_conv');
    assert.deepEqual(dw.weights.map((w) => w.shape), [[7, 7, 1, 768], [768]], "Keras's grouped Conv2D kernel layout");
    assert.equal(dw.getConfig().groups, 768);
    const ls = model.getLayer('convnext_tiny_stage_1_block_2_layer_scale');
    assert.ok(values(ls.weights[0]!).every((v) => Math.abs(v - 1e-6) < 1e-12), 'LayerScale starts at 1e-6');
    assert.equal((model.getLayer('convnext_tiny_head_layernorm') as L.LayerNormalization).epsilon, 1e-6);
  });

  it("Small: 50,223,688 parameters; Base: 88,591,464 (built one at a time); the formula agrees and gives Large 197,767,336 and XLarge 350,196,968", () => {
    const small = summarise(() => convNeXtSmall({ includeTop: true }));
    assert.equal(small.totalParams, 50223688);
    assert.equal(small.totalParams, convNeXtParams('small'));
    assert.equal(small.nonTrainableParams, 0);
    assert.deepEqual(layer(small, 'convnext_small_stage_2_block_26_layer_scale').outputShape, [null, 14, 14, 384]);
    const base = summarise(() => convNeXtBase());
    assert.equal(base.totalParams, 88591464);
    assert.equal(base.totalParams, convNeXtParams('base'));
    assert.deepEqual(layer(base, 'convnext_base_stem').outputShape, [null, 56, 56, 128]);
    assert.equal(layer(base, 'convnext_base_head_dense').params, 1024 * 1000 + 1000);
    // Not built (≈ 0.8 / 1.4 GB of weights): Keras's documented counts from the same configuration.
    assert.equal(convNeXtParams('large'), 197767336);
    assert.equal(convNeXtParams('xlarge'), 350196968);
    assert.deepEqual(CONVNEXT_CONFIGS.large.projectionDims, [192, 384, 768, 1536]);
    assert.deepEqual(CONVNEXT_CONFIGS.xlarge.projectionDims, [256, 512, 1024, 2048]);
  });

  it('predicts at 32×32 (the smallest size): probabilities summing to 1; the PreStem normalises by ImageNet mean and std of pixels 0…255', () => {
    clearSession();
    const withPre = convNeXtTiny({ inputShape: [32, 32, 3], classes: 3, name: 'tiny32' });
    assert.ok(withPre.layers.some((l) => l.name === 'tiny32_head_dense'), 'layer names follow the model name, as Keras');
    clearSession();
    const without = convNeXtTiny({ inputShape: [32, 32, 3], classes: 3, name: 'tiny32', includePreprocessing: false });
    assert.ok(!without.layers.some((l) => l.className === 'Normalization'));
    without.setWeights(withPre.getWeights());
    // Let the blocks matter: LayerScale 1e-6 would make every block almost the identity.
    for (const m of [withPre, without]) for (const l of m.layers) if (l instanceof LayerScale) l.gamma.assign(ops.fill([l.projectionDim], 0.5));
    const x = ops.randomUniform([2, 32, 32, 3], 0, 255, { seed: 4 });
    const p = values(withPre.predict(x) as Tensor);
    assert.equal(p.length, 6);
    assert.ok(p.every((e) => Number.isFinite(e) && e >= 0));
    for (const row of [p.slice(0, 3), p.slice(3)]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const mean = new Tensor(Float32Array.from([0.485 * 255, 0.456 * 255, 0.406 * 255]), [3]);
    const std = new Tensor(Float32Array.from([0.229 * 255, 0.224 * 255, 0.225 * 255]), [3]);
    const q = values(without.predict(ops.div(ops.sub(x, mean), std)) as Tensor);
    assert.ok(maxAbsDiff(p, q) < 1e-4, `max diff ${maxAbsDiff(p, q)}`);
    assert.ok(maxAbsDiff(p, values(without.predict(x) as Tensor)) > 1e-4, 'raw pixels give other outputs without the PreStem');
  });

  it("without the top: pooling, then a LayerNormalization as Keras (also on the 4-D map); 27,820,128 parameters", () => {
    clearSession();
    const model = convNeXtTiny({ includeTop: false, pooling: 'avg', inputShape: [32, 32, 3] });
    const info = model.summary(quiet);
    assert.equal(info.totalParams, 28589128 - 769000, 'the head Dense goes; its LayerNormalization stays (unnamed)');
    assert.deepEqual(info.layers.slice(-2).map((l) => [l.name, l.className, l.outputShape]), [
      ['global_average_pooling2d', 'GlobalAveragePooling2D', [null, 768]],
      ['layer_normalization', 'LayerNormalization', [null, 768]],
    ]);
    const y = values(model.predict(ops.randomUniform([1, 32, 32, 3], 0, 255, { seed: 6 })) as Tensor);
    assert.equal(y.length, 768);
    const m = y.reduce((a, b) => a + b, 0) / 768;
    const s = y.reduce((a, b) => a + (b - m) ** 2, 0) / 768;
    assert.ok(Math.abs(m) < 1e-3 && Math.abs(s - 1) < 1e-2, `layer-normalised features: mean ${m}, variance ${s}`);
    const none = summarise(() => convNeXtTiny({ includeTop: false }));
    assert.deepEqual(last(none).outputShape, [null, null, null, 768]);
    assert.equal(last(none).className, 'LayerNormalization');
    assert.deepEqual(layer(none, 'convnext_tiny_stem').outputShape, [null, null, null, 96]);
  });

  it("dropPathRate and layerScaleInitValue (Keras's ConvNeXt() arguments): linear drop rates 0…rate over the blocks; null leaves LayerScale out", () => {
    clearSession();
    const model = convNeXtTiny({ includeTop: false, inputShape: [32, 32, 3], dropPathRate: 0.3, layerScaleInitValue: null });
    const sd = model.layers.filter((l): l is StochasticDepth => l instanceof StochasticDepth);
    assert.equal(sd.length, 17, 'the first block has rate 0: an identity Activation');
    assert.ok(model.layers.some((l) => l.name === 'convnext_tiny_stage_0_block_0_identity'));
    assert.equal(sd[0]!.name, 'convnext_tiny_stage_0_block_1_stochastic_depth');
    assert.ok(Math.abs(sd[0]!.dropPathRate - 0.3 / 17) < 1e-12);
    assert.equal(sd[16]!.dropPathRate, 0.3);
    assert.equal(sd[16]!.getConfig().drop_path_rate, 0.3);
    assert.equal(model.layers.some((l) => l instanceof LayerScale), false);
    assert.equal(model.countParams(), 27820128 - (3 * 96 + 3 * 192 + 9 * 384 + 3 * 768), 'no LayerScale factors');
    assert.equal(model.randomGenerators().length, 17, "the StochasticDepth generators are the model's");
    // At inference the drop paths are the identity: the same outputs every time.
    const x = ops.randomUniform([4, 32, 32, 3], 0, 255, { seed: 2 });
    assert.deepEqual(values(model.predict(x) as Tensor), values(model.predict(x) as Tensor));
  });

  it("refuses what Keras refuses: inputs under 32×32, 'imagenet' with another size, classes or activation, bad arguments", () => {
    assert.throws(() => convNeXtTiny({ includeTop: false, inputShape: [16, 64, 3] }), /ConvNeXtTiny: input size must be at least 32x32/);
    assert.throws(() => convNeXtSmall({ inputShape: [128, 128, 3], weights: 'imagenet' }), /should be \(224, 224, 3\)/);
    assert.throws(() => convNeXtBase({ classes: 10, weights: 'imagenet' }), /classes = 1000/);
    assert.throws(() => applications.ConvNeXtLarge({ weights: 'imagenet', classifierActivation: 'relu' }), /classifierActivation/);
    assert.throws(() => applications.ConvNeXtXLarge({ includeTop: false, inputShape: [64, 64, 1], weights: 'imagenet' }), /3 channels/);
    assert.throws(() => convNeXtTiny({ dropPathRate: 1 }), /dropPathRate must be in \[0, 1\)/);
    assert.throws(() => convNeXtTiny({ layerScaleInitValue: Number.NaN }), /layerScaleInitValue/);
  });

  it('identity preprocess_input, as Keras', () => {
    const px = new Tensor(Float32Array.from([0, 127.5, 255]), [1, 1, 1, 3]);
    for (const f of [applications.convNeXtTiny, applications.convNeXtSmall, applications.convNeXtBase, applications.convNeXtLarge, applications.convNeXtXLarge]) {
      assert.deepEqual(values(f.preprocessInput(px)), [0, 127.5, 255]);
    }
  });
});

describe('StochasticDepth and LayerScale (the custom layers of Keras\'s convnext.py)', () => {
  it('StochasticDepth is the identity at inference and drops whole samples, scaled by 1/keep, in training', () => {
    const sd = new StochasticDepth({ dropPathRate: 0.25, seed: 7 });
    const x = ops.randomUniform([64, 2, 3, 4], 1, 2, { seed: 1 });
    assert.deepEqual(values(sd.apply(x)), values(x));
    assert.deepEqual(values(sd.apply(x, { training: false })), values(x));
    const [rng] = sd.randomGenerators();
    assert.ok(rng);
    assert.equal(sd.randomGenerators().length, 1);
    const state = rng.getState();
    const y = values(sd.apply(x, { training: true }));
    const xv = values(x);
    const per = 24;
    let dropped = 0;
    for (let b = 0; b < 64; b++) {
      const ys = y.slice(b * per, (b + 1) * per);
      const xs = xv.slice(b * per, (b + 1) * per);
      if (ys.every((v) => v === 0)) dropped++;
      else ys.forEach((v, i) => assert.ok(Math.abs(v - xs[i]! / 0.75) < 1e-6, `sample ${b}: ${v} vs ${xs[i]! / 0.75}`));
    }
    assert.ok(dropped >= 6 && dropped <= 28, `${dropped} of 64 samples dropped at rate 0.25`);
    rng.setState(state);
    assert.deepEqual(values(sd.apply(x, { training: true })), y, 'the generator state replays the same draws');
    assert.notDeepEqual(values(sd.apply(x, { training: true })), y, 'the next call draws anew');
    // Gradient: the same mask, scaled.
    const v = new Variable(new Tensor(Float32Array.from(xv), [64, 2, 3, 4]), 'x', true);
    const xv2 = publicLayers.stochasticDepth({ dropPathRate: 0.5, seed: 3 });
    let out: Tensor | undefined;
    const w = ops.randomUniform([64, 2, 3, 4], -1, 1, { seed: 9 });
    const { grads } = valueAndGrads(() => {
      out = xv2.apply(v, { training: true });
      return ops.sum(ops.mul(out, w));
    }, [v]);
    const g = values(grads[0]!);
    const o = values(out!);
    const wv = values(w);
    g.forEach((gi, i) => assert.ok(Math.abs(gi - (o[i]! / xv[i]!) * wv[i]!) < 1e-5, `grad ${i}`));
    assert.ok(g.some((gi) => gi === 0) && g.some((gi) => gi !== 0));
    assert.throws(() => new StochasticDepth({ dropPathRate: 1 }), /drop_path_rate must be in \[0, 1\)/);
  });

  it('LayerScale multiplies the channels by gamma (init_values); its gradients match finite differences', () => {
    const ls = new LayerScale({ initValues: 0.1, projectionDim: 4 });
    const x = ops.randomUniform([2, 3, 3, 4], -1, 1, { seed: 5 });
    const y = values(ls.apply(x));
    values(x).forEach((v, i) => assert.ok(Math.abs(y[i]! - v * 0.1) < 1e-7));
    assert.deepEqual(ls.weights.map((w) => [w.name, w.shape, w.trainable]), [[`${ls.name}/gamma`, [4], true]]);
    assert.deepEqual(ls.getConfig(), { name: ls.name, trainable: true, dtype: 'float32', init_values: 0.1, projection_dim: 4 });
    assert.throws(() => ls.apply(ops.zeros([1, 5])), /incompatible|projection_dim/);
    // Float64 central differences with respect to the input and to gamma.
    checkGradients('LayerScale', (xi, gamma) => {
      ls.gamma = gamma as Variable;
      return ls.apply(xi);
    }, [rand64([2, 3, 3, 4], 11), rand64([4], 12, 0.5, 0.2)], { tol: 1e-7 });
    // And the float32 weight through the tape: dL/dγ_c = Σ x·w over everything but the channel.
    const fresh = new LayerScale({ initValues: 1e-6, projectionDim: 4 });
    fresh.apply(x);
    const w = ops.randomUniform([2, 3, 3, 4], -1, 1, { seed: 6 });
    const { grads } = valueAndGrads(() => ops.sum(ops.mul(fresh.apply(x), w)), [fresh.gamma]);
    const want = [0, 0, 0, 0];
    const xv = values(x);
    const wv = values(w);
    xv.forEach((v, i) => { want[i % 4]! += v * wv[i]!; });
    values(grads[0]!).forEach((g, c) => assert.ok(Math.abs(g - want[c]!) < 1e-5, `channel ${c}: ${g} vs ${want[c]}`));
  });

  it("both are registered under Keras's class names: configs rebuild them, and a model using them saves and loads", async () => {
    for (const [cls, config] of [
      ['LayerScale', { name: 'ls', trainable: true, dtype: 'float32', init_values: 1e-6, projection_dim: 8 }],
      ['StochasticDepth', { name: 'sd', trainable: true, dtype: 'float32', drop_path_rate: 0.1 }],
    ] as const) {
      const Ctor = layerClass(cls);
      const l = new Ctor(configToArgs(config) as never);
      assert.equal(l.className, cls);
      assert.deepEqual(l.getConfig(), config);
    }
    clearSession();
    const input = L.input({ shape: [4, 4, 8] });
    const branch = L.layerScale({ initValues: 0.5, projectionDim: 8, name: 'scale' }).apply(input) as SymbolicTensor;
    const out = L.add().apply([input, L.stochasticDepth({ dropPathRate: 0.2, name: 'drop' }).apply(branch) as SymbolicTensor]) as SymbolicTensor;
    const model = new Model({ inputs: input, outputs: out });
    (model.getLayer('scale') as LayerScale).gamma.assign(ops.randomUniform([8], 0, 1, { seed: 2 }));
    const again = modelFromConfig(modelToConfig(model));
    assert.deepEqual(again.layers.map((l) => l.className), ['InputLayer', 'LayerScale', 'StochasticDepth', 'Add']);
    const dir = mkdtempSync(join(tmpdir(), 'convkit-ls-'));
    try {
      const file = join(dir, 'm.keras');
      await model.save(file);
      const back = await loadModel(file);
      const x = ops.randomUniform([2, 4, 4, 8], -1, 1, { seed: 3 });
      assert.deepEqual(values(back.predict(x) as Tensor), values(model.predict(x) as Tensor));
      assert.equal((back.getLayer('drop') as StochasticDepth).dropPathRate, 0.2);
      assert.ok(values((back.getLayer('scale') as LayerScale).gamma).some((v) => v !== 0.5), 'gamma came from the file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('convkit summary <arch> --json', () => {
  it("knows mobilenetv3small / mobilenetv3large and convnexttiny (any case, - or _), with Keras's figures", async () => {
    for (const [arch, total, nonTrainable, first] of [
      ['mobilenetv3small', 2554968, 12112, 'rescaling'], ['MobileNetV3-Large', 5507432, 24400, 'rescaling'], ['ConvNeXt_Tiny', 28589128, 0, 'convnext_tiny_prestem_normalization'],
    ] as const) {
      const out: string[] = [];
      clearSession();
      await cliSummary(arch, true, (s: string) => out.push(s));
      const j = JSON.parse(out.join('')) as { totalParams: number; trainableParams: number; nonTrainableParams: number; layers: { name: string; className: string }[] };
      assert.equal(j.totalParams, total, arch);
      assert.equal(j.nonTrainableParams, nonTrainable, arch);
      assert.equal(j.trainableParams, total - nonTrainable, arch);
      assert.equal(j.layers[1]!.name, first, arch);
    }
  });
});

describe("weights: Keras's files (names, URLs, hashes) and a local mirror", () => {
  const mirror = useWeightsMirror('convkit-apps5-');
  const { work, served, requests } = mirror;

  it("kerasWeightsFile gives Keras's file names, URLs, md5s (MobileNetV3) and sha256s (ConvNeXt)", () => {
    const base = 'https://storage.googleapis.com/tensorflow/keras-applications/';
    assert.deepEqual(kerasWeightsFile('mobilenet_v3_small', { includeTop: true }), {
      fname: 'weights_mobilenet_v3_small_224_1.0_float.h5',
      origin: `${base}mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float.h5`,
      fileHash: '8768d4c2e7dee89b9d02b2d03d65d862',
      cacheSubdir: 'models',
    });
    const expect: [string, { includeTop: boolean; alpha?: number; minimalistic?: boolean }, string, string][] = [
      ['mobilenet_v3_small', { includeTop: false }, 'weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5', 'd3e8ec802a04aa4fc771ee12a9a9b836'],
      ['MobileNetV3Small', { includeTop: true, alpha: 0.75 }, 'weights_mobilenet_v3_small_224_0.75_float.h5', 'cb65d4e5be93758266aa0a7f2c6708b7'],
      ['mobilenet_v3_small', { includeTop: false, minimalistic: true }, 'weights_mobilenet_v3_small_minimalistic_224_1.0_float_no_top_v2.h5', 'cde8136e733e811080d9fcd8a252f7e4'],
      ['mobilenet_v3_large', { includeTop: true }, 'weights_mobilenet_v3_large_224_1.0_float.h5', '59e551e166be033d707958cf9e29a6a7'],
      ['mobilenet-v3-large', { includeTop: false, alpha: 0.75 }, 'weights_mobilenet_v3_large_224_0.75_float_no_top_v2.h5', '40af19a13ebea4e2ee0c676887f69a2e'],
      ['mobilenet_v3_large', { includeTop: true, minimalistic: true }, 'weights_mobilenet_v3_large_minimalistic_224_1.0_float.h5', '675e7b876c45c57e9e63e6d90a36599c'],
    ];
    for (const [arch, opts, fname, md5] of expect) {
      const f = kerasWeightsFile(arch, opts);
      assert.equal(f.fname, fname, arch);
      assert.equal(f.origin, `${base}mobilenet_v3/${fname}`, arch);
      assert.equal(f.fileHash, md5, arch);
    }
    assert.throws(() => kerasWeightsFile('mobilenet_v3_small', { includeTop: true, alpha: 0.75, minimalistic: true }), /alpha in \{1\.0\}/);
    assert.throws(() => kerasWeightsFile('mobilenet_v3_large', { includeTop: true, alpha: 0.5 }), /alpha in \{0\.75, 1\.0\}/);
    const convnext: [string, boolean, string, string][] = [
      ['convnext_tiny', true, 'convnext_tiny.h5', '8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff'],
      ['convnext_tiny', false, 'convnext_tiny_notop.h5', 'd547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1'],
      ['ConvNeXtSmall', false, 'convnext_small_notop.h5', '6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab'],
      ['convnext_base', true, 'convnext_base.h5', '52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6'],
      ['convnext_large', false, 'convnext_large_notop.h5', '96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd'],
      ['convnext_xlarge', true, 'convnext_xlarge.h5', 'c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee'],
    ];
    for (const [arch, includeTop, fname, sha] of convnext) {
      const f = kerasWeightsFile(arch, { includeTop });
      assert.equal(f.fname, fname, arch);
      assert.equal(f.origin, `${base}convnext/${fname}`, arch);
      assert.equal(f.fileHash, sha, arch);
    }
  });

  it("'imagenet' fetches Keras's file from the mirror and checks Keras's hash: a wrong file is refused and not cached", async () => {
    const bogus = Buffer.from('not the weights Keras published');
    const cases: [string, () => Promise<Model>, string][] = [
      ['mobilenet_v3_small', () => mobileNetV3Small({ includeTop: false, inputShape: [224, 224, 3], weights: 'imagenet' }), 'weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5'],
      ['mobilenet_v3_large', () => mobileNetV3Large({ weights: 'imagenet', alpha: 0.75, inputShape: [224, 224, 3] }), 'weights_mobilenet_v3_large_224_0.75_float.h5'],
      ['convnext_tiny', () => convNeXtTiny({ includeTop: false, inputShape: [32, 32, 3], weights: 'imagenet' }), 'convnext_tiny_notop.h5'],
    ];
    for (const [arch, build, fname] of cases) {
      const url = `/tensorflow/keras-applications/${arch.startsWith('convnext') ? 'convnext' : 'mobilenet_v3'}/${fname}`;
      served.set(url, bogus);
      process.env.CONVKIT_HOME = join(work, `home-${arch}`);
      requests.length = 0;
      clearSession();
      await assert.rejects(build(), HashMismatchError, arch);
      assert.deepEqual(requests, [url], arch);
      assert.ok(!existsSync(join(work, `home-${arch}`, 'models', fname)), arch);
    }
  });

  it("MobileNetV3 at a size other than 224 requests the 224 weights with Keras's warning", async () => {
    process.env.CONVKIT_HOME = join(work, 'home-mnv3-96');
    served.clear();
    requests.length = 0;
    const codes = await warningsOf(async () => {
      await assert.rejects(mobileNetV3Small({ includeTop: false, inputShape: [96, 96, 3], weights: 'imagenet' }), /404/);
    });
    assert.ok(codes.includes('CONVKIT_WEIGHTS_SIZE'), `warnings: ${codes.join(', ')}`);
    assert.deepEqual(requests, ['/tensorflow/keras-applications/mobilenet_v3/weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5']);
  });

  it('weights: a file path loads every weight (nested ConvNeXt Sequentials included, Keras 2 .h5 layout; MobileNetV3 in the Keras 3 layout)', async () => {
    clearSession();
    let donor: Model = convNeXtTiny({ includeTop: false, inputShape: [32, 32, 3] });
    donor.weights.forEach((v, i) => v.assign(ops.fill([...v.shape], (i % 89) / 10 - 4)));
    let file = join(work, 'convnext_tiny_notop.h5');
    await saveWeights(donor, file);
    let want = donor.weights.map((v) => (v.dataSync() as Float32Array)[0]!);
    donor = undefined as unknown as Model;
    clearSession();
    L.layerNormalization(); // shifts the session's automatic names: the last layer_normalization is not the file's
    let model = await convNeXtTiny({ includeTop: false, inputShape: [64, 64, 3], weights: file });
    assert.equal(model.weights.length, want.length);
    model.weights.forEach((v, i) => assert.ok((v.dataSync() as Float32Array).every((e) => e === want[i]), v.name));
    model = undefined as unknown as Model;

    clearSession();
    donor = mobileNetV3Small({ inputShape: [32, 32, 3] });
    donor.weights.forEach((v, i) => v.assign(ops.fill([...v.shape], (i % 97) / 10 + 0.5)));
    file = join(work, 'mnv3.weights.h5');
    await saveWeights(donor, file);
    want = donor.weights.map((v) => (v.dataSync() as Float32Array)[0]!);
    clearSession();
    model = await mobileNetV3Small({ inputShape: [64, 64, 3], weights: file });
    model.weights.forEach((v, i) => assert.ok((v.dataSync() as Float32Array).every((e) => e === want[i]), v.name));
    assert.ok(readFileSync(file).length > 4 * 2554968, 'the file holds every weight');
  });
});
