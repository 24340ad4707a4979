/**
 * The classic ILSVRC-era CNNs of seed 002 ("CNN 모델 종류"), with the keras.applications signature:
 *
 * - **LeNet5**: seed 003's LeNet-5 (the `lenet5()` of seed_models: same layers, 107,786 parameters at
 *   28×28×1 with 10 classes) as a functional application, or with `variant: 'lecun1998'` the form Keras
 *   tutorials give LeCun et al. (1998): 32×32×1, valid 5×5 tanh convolutions, 2×2 average pooling,
 *   61,706 parameters (C3 fully connected to S2 and a softmax output, where the paper had a sparse
 *   connection table and RBF units).
 * - **AlexNet** (Krizhevsky, Sutskever & Hinton, 2012) in the single-tower form Keras tutorials
 *   build: 227×227×3, conv 96 11×11/4 → max-pool 3/2 → conv 256 5×5 → max-pool → conv 384, 384, 256
 *   3×3 → max-pool → fc 4096 → dropout 0.5 → fc 4096 → dropout 0.5 → classes: 62,378,344 parameters
 *   with 1,000 classes. The paper's two-GPU split (conv2, conv4 and conv5 as two-group convolutions,
 *   as Caffe's bvlc_alexnet: 60,965,224 parameters) and its local response normalization are not
 *   reproduced.
 * - **GoogLeNet** (Inception v1, Szegedy et al., 2014, table 1): the stem, the nine inception modules
 *   3a–5b with the table's 1×1 / 3×3-reduce / 3×3 / 5×5-reduce / 5×5 / pool-proj filters, and the two
 *   auxiliary classifiers on 4a and 4d (avg-pool 5×5/3 → conv 128 1×1 → fc 1024 → dropout 0.7 →
 *   classes) as the extra outputs `aux1` and `aux2`: 13,378,280 parameters with 1,000 classes and
 *   both auxiliary classifiers, 6,998,552 without them. Every convolution has a bias and ReLU, as in
 *   the paper (no batch normalization, which came with Inception v2). Convolutions and max-pools use
 *   'same' padding, so 224 → 112 → 56 → 28 → 14 → 7 as in the table; the table's 7×7/1 average pool
 *   is global average pooling (the same at 224×224, and defined at any size). The two local
 *   response normalizations of the stem are omitted (Keras has no LRN layer; later Inception
 *   versions dropped them).
 *
 * None of the three has published Keras weights: `weights` is null (fresh weights) or the path/URL of
 * a weights file saved from the same architecture.
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import {
  type ApplicationArgs, type ApplicationBuilder, type ResolvedApplicationArgs, applicationInput, applicationTop,
  defineApplication, getSourceInputs, resolveApplicationArgs,
} from './common.js';
import { preprocessCaffe } from './imagenet_utils.js';
import { loadApplicationWeights } from './pretrained.js';

const apply = (layer: { apply: (x: SymbolicTensor) => unknown }, x: SymbolicTensor): SymbolicTensor => layer.apply(x) as SymbolicTensor;

/** 'imagenet' is refused before anything is built: these architectures have no published Keras weights. */
function refuseImagenet(fn: string, args: ApplicationArgs): void {
  if (args.weights === 'imagenet') {
    throw new ValueError(`${fn}: there are no published ImageNet weights for ${fn}; weights must be null (random initialization) or the path/URL of a weights file`);
  }
}

/** The functional model (inputs from the source inputs of inputTensor, as Keras), then the weights file if any. */
function finish(app: ResolvedApplicationArgs, img: SymbolicTensor, outputs: SymbolicTensor | SymbolicTensor[], defaultName: string): Model | Promise<Model> {
  const inputs = app.inputTensor !== null ? getSourceInputs(app.inputTensor) : [img];
  const model = new Model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs, name: app.name ?? defaultName });
  if (app.weights === null) return model;
  return loadApplicationWeights(model, app.weights, () => {
    throw new ValueError(`${app.fn}: no published ImageNet weights`);
  });
}

// ------------------------------------------------------------------------------------------ LeNet-5

export interface LeNet5Args extends ApplicationArgs {
  /**
   * 'seed003' (default): seed 003's LeNet-5 as `applications.lenet5()` builds it (28×28×1 by default,
   * 'same' 5×5 ReLU convolutions, 2×2 max pooling, fc 120 and 84 ReLU). 'lecun1998': LeCun et al.'s
   * layout as Keras tutorials write it (32×32×1 by default, 'valid' 5×5 tanh convolutions, 2×2
   * average pooling, fc 120 and 84 tanh).
   */
  variant?: 'seed003' | 'lecun1998';
}

function buildLeNet5(args: LeNet5Args): Model | Promise<Model> {
  const fn = 'LeNet5';
  refuseImagenet(fn, args);
  const variant = args.variant ?? 'seed003';
  if (variant !== 'seed003' && variant !== 'lecun1998') throw new ValueError(`${fn}: variant must be 'seed003' or 'lecun1998', got ${JSON.stringify(variant)}`);
  const classic = variant === 'lecun1998';
  const size = classic ? 32 : 28;
  // Keras's obtain_input_shape defaults to 3 channels; LeNet-5 reads one-channel digits.
  const inputShape = args.inputShape ?? (args.inputTensor ? undefined : [size, size, 1]);
  // Smallest input: seed003 needs 4×4 (two 2×2 pools); lecun1998 16×16 (5×5, pool, 5×5, pool).
  const app = resolveApplicationArgs(fn, { ...args, classes: args.classes ?? 10, inputShape }, { defaultSize: size, minSize: classic ? 16 : 4 });
  const img = applicationInput(app);
  const conv = { kernelSize: 5, padding: classic ? 'valid' : 'same', activation: classic ? 'tanh' : 'relu' } as const;
  const pool = classic ? L.averagePooling2d : L.maxPooling2d;
  let x = apply(L.conv2d({ filters: 6, ...conv, name: 'conv1' }), img);
  x = apply(pool({ poolSize: 2, name: 'pool1' }), x);
  x = apply(L.conv2d({ filters: 16, ...conv, name: 'conv2' }), x);
  x = apply(pool({ poolSize: 2, name: 'pool2' }), x);
  x = applicationTop(x, app, {
    classifierHead: (t) => {
      let h = apply(L.flatten({ name: 'flatten' }), t);
      h = apply(L.dense({ units: 120, activation: conv.activation, name: 'fc1' }), h);
      return apply(L.dense({ units: 84, activation: conv.activation, name: 'fc2' }), h);
    },
  });
  return finish(app, img, x, classic ? 'lenet5_1998' : 'lenet5');
}

const scaleTo01 = (x: Tensor): Tensor => ops.div(x, 255);

/**
 * LeNet-5 with the keras.applications signature (defaults: 10 classes, 28×28×1): seed 003's network
 * (107,786 parameters, the same layers as `lenet5()`), or LeCun 1998's with `variant: 'lecun1998'`
 * (32×32×1, 61,706 parameters). Layers conv1, pool1, conv2, pool2, flatten, fc1, fc2, predictions.
 * `LeNet5.preprocessInput` scales pixels 0–255 to 0–1, as seed 003.
 */
export const LeNet5: ApplicationBuilder<LeNet5Args> = defineApplication((args: LeNet5Args) => buildLeNet5(args), { preprocessInput: scaleTo01 });

// ------------------------------------------------------------------------------------------ AlexNet

function buildAlexNet(args: ApplicationArgs): Model | Promise<Model> {
  const fn = 'AlexNet';
  refuseImagenet(fn, args);
  // Smallest input 67×67: conv1 gives 15×15, the three 3/2 max-pools 7, 3 and 1.
  const app = resolveApplicationArgs(fn, args, { defaultSize: 227, minSize: 67 });
  const img = applicationInput(app);
  let x = apply(L.conv2d({ filters: 96, kernelSize: 11, strides: 4, padding: 'valid', activation: 'relu', name: 'conv1' }), img);
  x = apply(L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }), x);
  x = apply(L.conv2d({ filters: 256, kernelSize: 5, padding: 'same', activation: 'relu', name: 'conv2' }), x);
  x = apply(L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool2' }), x);
  x = apply(L.conv2d({ filters: 384, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv3' }), x);
  x = apply(L.conv2d({ filters: 384, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv4' }), x);
  x = apply(L.conv2d({ filters: 256, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv5' }), x);
  x = apply(L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool5' }), x);
  x = applicationTop(x, app, {
    classifierHead: (t) => {
      let h = apply(L.flatten({ name: 'flatten' }), t);
      h = apply(L.dense({ units: 4096, activation: 'relu', name: 'fc6' }), h);
      h = apply(L.dropout({ rate: 0.5, name: 'drop6' }), h);
      h = apply(L.dense({ units: 4096, activation: 'relu', name: 'fc7' }), h);
      return apply(L.dropout({ rate: 0.5, name: 'drop7' }), h);
    },
  });
  return finish(app, img, x, 'alexnet');
}

/**
 * AlexNet (single tower, no LRN) with the keras.applications signature: default input 227×227×3
 * (at least 67×67), 62,378,344 parameters with 1,000 classes (3,747,200 without the top). Layers
 * conv1, pool1, conv2, pool2, conv3, conv4, conv5, pool5, flatten, fc6, drop6, fc7, drop7, predictions.
 * `AlexNet.preprocessInput` is 'caffe' (BGR, ImageNet means subtracted), as Caffe's bvlc_alexnet.
 */
export const alexNet: ApplicationBuilder = defineApplication((args: ApplicationArgs) => buildAlexNet(args), { preprocessInput: preprocessCaffe });
/** The same function as alexNet. */
export const AlexNet = alexNet;

// ---------------------------------------------------------------------------------------- GoogLeNet

/**
 * One row of Szegedy et al. (2014) table 1: an inception module's #1×1, #3×3 reduce, #3×3,
 * #5×5 reduce, #5×5 and pool proj filters.
 */
export type InceptionFilters = readonly [n1x1: number, n3x3reduce: number, n3x3: number, n5x5reduce: number, n5x5: number, poolProj: number];

/** Table 1's nine inception modules, in order. */
export const GOOGLENET_INCEPTION_TABLE: Readonly<Record<string, InceptionFilters>> = {
  '3a': [64, 96, 128, 16, 32, 32],
  '3b': [128, 128, 192, 32, 96, 64],
  '4a': [192, 96, 208, 16, 48, 64],
  '4b': [160, 112, 224, 24, 64, 64],
  '4c': [128, 128, 256, 24, 64, 64],
  '4d': [112, 144, 288, 32, 64, 64],
  '4e': [256, 160, 320, 32, 128, 128],
  '5a': [256, 160, 320, 32, 128, 128],
  '5b': [384, 192, 384, 48, 128, 128],
};

export interface GoogLeNetArgs extends ApplicationArgs {
  /**
   * With the top: add the paper's two auxiliary classifiers (on inception 4a and 4d) as the outputs
   * `aux1` and `aux2`, after the main output `main` (default true). They are for training (the paper
   * weighs their losses by 0.3); `auxClassifiers: false` gives the inference network, one output
   * `predictions`. They need inputs of at least 65×65 (4a's map must fit their 5×5 pooling).
   */
  auxClassifiers?: boolean;
}

function conv(x: SymbolicTensor, filters: number, kernelSize: number, name: string, strides = 1): SymbolicTensor {
  return apply(L.conv2d({ filters, kernelSize, strides, padding: 'same', activation: 'relu', name }), x);
}

/** An inception module: the four branches concatenated along channels (1×1, 3×3, 5×5, pool proj). */
function inception(x: SymbolicTensor, id: string): SymbolicTensor {
  const [n1, r3, n3, r5, n5, pp] = GOOGLENET_INCEPTION_TABLE[id];
  const p = `inception_${id}`;
  const b1 = conv(x, n1, 1, `${p}_1x1`);
  const b3 = conv(conv(x, r3, 1, `${p}_3x3_reduce`), n3, 3, `${p}_3x3`);
  const b5 = conv(conv(x, r5, 1, `${p}_5x5_reduce`), n5, 5, `${p}_5x5`);
  const bp = conv(apply(L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${p}_pool` }), x), pp, 1, `${p}_pool_proj`);
  return L.concatenate({ axis: -1, name: `${p}_output` }).apply([b1, b3, b5, bp]) as SymbolicTensor;
}

function maxPool(x: SymbolicTensor, name: string): SymbolicTensor {
  return apply(L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name }), x);
}

/** An auxiliary classifier: avg-pool 5×5/3 → conv 128 1×1 ReLU → fc 1024 ReLU → dropout 0.7 → classes. */
function auxClassifier(x: SymbolicTensor, name: string, app: ResolvedApplicationArgs, after: string): SymbolicTensor {
  const [rows, cols] = [x.shape[1], x.shape[2]];
  if ((rows !== null && rows < 5) || (cols !== null && cols < 5)) {
    throw new ValueError(`${app.fn}: the auxiliary classifier ${name} pools inception ${after}'s output with 5×5 windows, but it is only ${rows}×${cols} for this input (inputs must be at least 65×65); pass auxClassifiers: false for smaller inputs`);
  }
  let h = apply(L.averagePooling2d({ poolSize: 5, strides: 3, padding: 'valid', name: `${name}_avg_pool` }), x);
  h = conv(h, 128, 1, `${name}_conv`);
  h = apply(L.flatten({ name: `${name}_flatten` }), h);
  h = apply(L.dense({ units: 1024, activation: 'relu', name: `${name}_fc` }), h);
  h = apply(L.dropout({ rate: 0.7, name: `${name}_dropout` }), h);
  return apply(L.dense({ units: app.classes, activation: app.classifierActivation, name }), h);
}

function buildGoogLeNet(args: GoogLeNetArgs): Model | Promise<Model> {
  const fn = 'GoogLeNet';
  refuseImagenet(fn, args);
  const includeTop = args.includeTop ?? true;
  if (args.auxClassifiers !== undefined && typeof args.auxClassifiers !== 'boolean') {
    throw new ValueError(`${fn}: auxClassifiers must be true or false, got ${JSON.stringify(args.auxClassifiers)}`);
  }
  if (args.auxClassifiers === true && !includeTop) {
    throw new ValueError(`${fn}: auxClassifiers are classifiers and need includeTop: true`);
  }
  const aux = includeTop && (args.auxClassifiers ?? true);
  const app = resolveApplicationArgs(fn, args, { defaultSize: 224, minSize: 32 });
  const img = applicationInput(app);
  // Stem (table 1's first rows; the paper's two LRNs omitted).
  let x = conv(img, 64, 7, 'conv1_7x7_s2', 2);
  x = maxPool(x, 'pool1_3x3_s2');
  x = conv(x, 64, 1, 'conv2_3x3_reduce');
  x = conv(x, 192, 3, 'conv2_3x3');
  x = maxPool(x, 'pool2_3x3_s2');
  x = inception(x, '3a');
  x = inception(x, '3b');
  x = maxPool(x, 'pool3_3x3_s2');
  x = inception(x, '4a');
  const aux1 = aux ? auxClassifier(x, 'aux1', app, '4a') : null;
  x = inception(x, '4b');
  x = inception(x, '4c');
  x = inception(x, '4d');
  const aux2 = aux ? auxClassifier(x, 'aux2', app, '4d') : null;
  x = inception(x, '4e');
  x = maxPool(x, 'pool4_3x3_s2');
  x = inception(x, '5a');
  x = inception(x, '5b');
  if (!includeTop) return finish(app, img, applicationTop(x, app, { avgPoolName: 'avg_pool', maxPoolName: 'max_pool' }), 'googlenet');
  x = apply(L.globalAveragePooling2d({ name: 'avg_pool' }), x);
  x = apply(L.dropout({ rate: 0.4, name: 'dropout' }), x);
  const main = apply(L.dense({ units: app.classes, activation: app.classifierActivation, name: aux ? 'main' : 'predictions' }), x);
  return finish(app, img, aux ? [main, aux1!, aux2!] : main, 'googlenet');
}

/**
 * GoogLeNet (Inception v1) with the keras.applications signature plus `auxClassifiers` (default
 * true with the top). Default input 224×224×3; at least 65×65 with the auxiliary classifiers, 32×32
 * without. With them the model has three outputs, in this order: `main`, `aux1`, `aux2` (train with
 * `lossWeights: {main: 1, aux1: 0.3, aux2: 0.3}`, as the paper); without, one output `predictions`.
 * 13,378,280 parameters with 1,000 classes and the auxiliary classifiers at 224×224 (each auxiliary
 * classifier's fc layer reads a 4×4×128 map, so the count depends on the input size), 6,998,552
 * without them, 5,973,552 without the top. Layers are named after Caffe's bvlc_googlenet with '_' for
 * '/': conv1_7x7_s2, inception_3a_1x1, inception_3a_3x3_reduce, …, inception_3a_output, aux1_conv, ….
 * `GoogLeNet.preprocessInput` is 'caffe', as bvlc_googlenet.
 */
export const googLeNet: ApplicationBuilder<GoogLeNetArgs> = defineApplication((args: GoogLeNetArgs) => buildGoogLeNet(args), { preprocessInput: preprocessCaffe });
/** The same function as googLeNet. */
export const GoogLeNet = googLeNet;
