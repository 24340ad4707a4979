/**
 * NASNet-A (Zoph et al., CVPR 2018) with the architecture and layer names of
 * keras.applications.NASNetMobile (4 @ 1056) and NASNetLarge (6 @ 4032) (Keras 3): a stem
 * convolution, two stem reduction cells, then three stacks of `numBlocks` normal cells separated by
 * reduction cells. Every layer with weights has Keras's explicit name (stem_conv1,
 * separable_conv_1_normal_left1_0, adjust_bn_3, reduction_concat_reduce_4, …); the ReLUs, the
 * adjust blocks' ZeroPadding2D / Cropping2D / Concatenate, one Add per reduction cell, the final
 * ReLU and the top's pooling have automatic names as in Keras. Inputs are preprocessed as Keras's
 * nasnet.preprocess_input ('tf' mode).
 */
import { ValueError } from '../errors.js';
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, pyShape, resolveApplicationArgs,
} from './common.js';
import { preprocessTf } from './imagenet_utils.js';
import { withKerasLayerOrder } from './inception_v3.js';
import { loadApplicationWeights } from './pretrained.js';
import { kerasWeightsFile } from './weight_urls.js';

type Pad2 = [[number, number], [number, number]];

/** Keras's imagenet_utils.correct_pad: the padding that makes a stride-2 'valid' window see TensorFlow's 'same' pixels. */
function correctPad(x: SymbolicTensor, kernel: number): Pad2 {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h === null || w === null ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0]!, c], [c - adjust[1]!, c]];
}

/** NASNet's BatchNormalization: momentum 0.9997, epsilon 1e-3. */
function bn(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ momentum: 0.9997, epsilon: 1e-3, name }).apply(x) as SymbolicTensor;
}

function relu(x: SymbolicTensor, name?: string): SymbolicTensor {
  return L.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;
}

/** 1×1 Conv2D, 'same', no bias, he_normal kernel. */
function conv1x1(x: SymbolicTensor, filters: number, name: string): SymbolicTensor {
  return L.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: 'he_normal', name }).apply(x) as SymbolicTensor;
}

function add(xs: SymbolicTensor[], name?: string): SymbolicTensor {
  return L.add({ name }).apply(xs) as SymbolicTensor;
}

function avgPool(x: SymbolicTensor, size: number, strides: number, padding: 'same' | 'valid', name: string): SymbolicTensor {
  return L.averagePooling2d({ poolSize: size, strides, padding, name }).apply(x) as SymbolicTensor;
}

function maxPool3x3s2(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name }).apply(x) as SymbolicTensor;
}

/**
 * Keras's _separable_conv_block: ReLU → (correct_pad for stride 2) → SeparableConv2D → BN → ReLU →
 * SeparableConv2D → BN, named separable_conv_{1,2}[_bn]_<blockId> (and separable_conv_1_pad_<blockId>).
 */
function separableConvBlock(ip: SymbolicTensor, filters: number, kernel: number, strides: number, blockId: string): SymbolicTensor {
  let x = relu(ip);
  let padding: 'same' | 'valid' = 'same';
  if (strides === 2) {
    x = L.zeroPadding2d({ padding: correctPad(x, kernel), name: `separable_conv_1_pad_${blockId}` }).apply(x) as SymbolicTensor;
    padding = 'valid';
  }
  x = L.separableConv2d({ filters, kernelSize: kernel, strides, padding, useBias: false, name: `separable_conv_1_${blockId}` }).apply(x) as SymbolicTensor;
  x = bn(x, `separable_conv_1_bn_${blockId}`);
  x = relu(x);
  x = L.separableConv2d({ filters, kernelSize: kernel, padding: 'same', useBias: false, name: `separable_conv_2_${blockId}` }).apply(x) as SymbolicTensor;
  return bn(x, `separable_conv_2_bn_${blockId}`);
}

/**
 * Keras's _adjust_block: makes the previous cell's output `p` match `ip`. From a larger feature map
 * (its width differs), two half-width paths (1×1 stride-2 average pooling + 1×1 conv, the second
 * shifted by one pixel through ZeroPadding2D + Cropping2D) concatenated; with the same size but
 * other channels, ReLU + 1×1 projection; then BN (adjust_bn_<blockId>).
 */
function adjustBlock(p: SymbolicTensor | null, ip: SymbolicTensor, filters: number, blockId: string): SymbolicTensor {
  if (p === null) return ip;
  if (p.shape[2] !== ip.shape[2]) {
    p = relu(p, `adjust_relu_1_${blockId}`);
    let p1 = avgPool(p, 1, 2, 'valid', `adjust_avg_pool_1_${blockId}`);
    p1 = conv1x1(p1, Math.floor(filters / 2), `adjust_conv_1_${blockId}`);
    let p2 = L.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(p) as SymbolicTensor;
    p2 = L.cropping2d({ cropping: [[1, 0], [1, 0]] }).apply(p2) as SymbolicTensor;
    p2 = avgPool(p2, 1, 2, 'valid', `adjust_avg_pool_2_${blockId}`);
    p2 = conv1x1(p2, Math.floor(filters / 2), `adjust_conv_2_${blockId}`);
    p = L.concatenate({ axis: -1 }).apply([p1, p2]) as SymbolicTensor;
    return bn(p, `adjust_bn_${blockId}`);
  }
  if (p.shape[3] !== filters) {
    p = relu(p);
    p = conv1x1(p, filters, `adjust_conv_projection_${blockId}`);
    return bn(p, `adjust_bn_${blockId}`);
  }
  return p;
}

/** Keras's _normal_a_cell: five combinations of the current (h) and previous (p) inputs, concatenated with p. Returns [output, ip]. */
function normalCell(ip: SymbolicTensor, p: SymbolicTensor | null, filters: number, blockId: string): [SymbolicTensor, SymbolicTensor] {
  const pa = adjustBlock(p, ip, filters, blockId);
  let h = relu(ip);
  h = conv1x1(h, filters, `normal_conv_1_${blockId}`);
  h = bn(h, `normal_bn_1_${blockId}`);

  const x1 = add([
    separableConvBlock(h, filters, 5, 1, `normal_left1_${blockId}`),
    separableConvBlock(pa, filters, 3, 1, `normal_right1_${blockId}`),
  ], `normal_add_1_${blockId}`);
  const x2 = add([
    separableConvBlock(pa, filters, 5, 1, `normal_left2_${blockId}`),
    separableConvBlock(pa, filters, 3, 1, `normal_right2_${blockId}`),
  ], `normal_add_2_${blockId}`);
  const x3 = add([avgPool(h, 3, 1, 'same', `normal_left3_${blockId}`), pa], `normal_add_3_${blockId}`);
  const x4 = add([
    avgPool(pa, 3, 1, 'same', `normal_left4_${blockId}`),
    avgPool(pa, 3, 1, 'same', `normal_right4_${blockId}`),
  ], `normal_add_4_${blockId}`);
  const x5 = add([separableConvBlock(h, filters, 3, 1, `normal_left5_${blockId}`), h], `normal_add_5_${blockId}`);
  const x = L.concatenate({ axis: -1, name: `normal_concat_${blockId}` }).apply([pa, x1, x2, x3, x4, x5]) as SymbolicTensor;
  return [x, ip];
}

/** Keras's _reduction_a_cell: halves the size; four stride-2 combinations concatenated. Returns [output, ip]. */
function reductionCell(ip: SymbolicTensor, p: SymbolicTensor | null, filters: number, blockId: string): [SymbolicTensor, SymbolicTensor] {
  const pa = adjustBlock(p, ip, filters, blockId);
  let h = relu(ip);
  h = conv1x1(h, filters, `reduction_conv_1_${blockId}`);
  h = bn(h, `reduction_bn_1_${blockId}`);
  const h3 = L.zeroPadding2d({ padding: correctPad(h, 3), name: `reduction_pad_1_${blockId}` }).apply(h) as SymbolicTensor;

  const x1 = add([
    separableConvBlock(h, filters, 5, 2, `reduction_left1_${blockId}`),
    separableConvBlock(pa, filters, 7, 2, `reduction_right1_${blockId}`),
  ], `reduction_add_1_${blockId}`);
  const x2 = add([
    maxPool3x3s2(h3, `reduction_left2_${blockId}`),
    separableConvBlock(pa, filters, 7, 2, `reduction_right2_${blockId}`),
  ], `reduction_add_2_${blockId}`);
  const x3 = add([
    avgPool(h3, 3, 2, 'valid', `reduction_left3_${blockId}`),
    separableConvBlock(pa, filters, 5, 2, `reduction_right3_${blockId}`),
  ], `reduction_add3_${blockId}`);
  const x4 = add([x2, avgPool(x1, 3, 1, 'same', `reduction_left4_${blockId}`)]);
  const x5 = add([
    separableConvBlock(x1, filters, 3, 1, `reduction_left4_${blockId}`),
    maxPool3x3s2(h3, `reduction_right5_${blockId}`),
  ], `reduction_add4_${blockId}`);
  const x = L.concatenate({ axis: -1, name: `reduction_concat_${blockId}` }).apply([x2, x3, x4, x5]) as SymbolicTensor;
  return [x, ip];
}

interface NASNetVariant {
  fn: 'NASNetMobile' | 'NASNetLarge';
  defaultName: string;
  weightsArch: string;
  defaultSize: number;
  penultimateFilters: number;
  numBlocks: number;
  stemBlockFilters: number;
  skipReduction: boolean;
  filterMultiplier: number;
}

const MOBILE: NASNetVariant = {
  fn: 'NASNetMobile', defaultName: 'nasnet_mobile', weightsArch: 'nasnet_mobile', defaultSize: 224,
  penultimateFilters: 1056, numBlocks: 4, stemBlockFilters: 32, skipReduction: false, filterMultiplier: 2,
};

const LARGE: NASNetVariant = {
  fn: 'NASNetLarge', defaultName: 'nasnet_large', weightsArch: 'nasnet_large', defaultSize: 331,
  penultimateFilters: 4032, numBlocks: 6, stemBlockFilters: 96, skipReduction: true, filterMultiplier: 2,
};

function buildNASNet(v: NASNetVariant, given: ApplicationArgs): Model | Promise<Model> {
  let args: ApplicationArgs = given ?? {};
  const includeTop = args.includeTop ?? true;
  // Keras's NASNetMobile builds at 224×224 without the top when no inputShape is given. convkit does
  // the same for NASNetLarge (331×331): Keras 3 would build it for (None, None, 3), where the
  // adjust blocks cannot see the reductions and the model fails on any real input.
  if (typeof args === 'object' && includeTop === false && (args.inputShape === undefined || args.inputShape === null)) {
    args = { ...args, inputShape: [v.defaultSize, v.defaultSize, 3] };
  }
  // Keras's NASNet: no unknown sizes with ImageNet weights (checked before obtain_input_shape).
  if (
    args.weights === 'imagenet' && !(includeTop && (args.classes ?? 1000) !== 1000)
    && Array.isArray(args.inputShape) && args.inputShape.some((d) => d === null)
  ) {
    throw new ValueError(
      `${v.fn}: when specifying the input shape of a NASNet and loading ImageNet weights, the inputShape must be static (no null entries); got inputShape ${pyShape(args.inputShape)}`,
    );
  }
  const app = resolveApplicationArgs(v.fn, args, { defaultSize: v.defaultSize, minSize: 32 });
  const img = applicationInput(app);
  // The cells compare sizes to find the reductions (Keras's _adjust_block): they must be known.
  if (img.shape[1] === null || img.shape[2] === null) {
    throw new ValueError(
      `${v.fn}: the architecture depends on the input size (its cells compare feature-map sizes), so rows and cols must be known; got input shape ${pyShape(img.shape)}. Give a static inputShape such as [${v.defaultSize}, ${v.defaultSize}, 3]`,
    );
  }

  const fm = v.filterMultiplier;
  const filters = Math.floor(v.penultimateFilters / 24);
  let x = L.conv2d({
    filters: v.stemBlockFilters, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: 'he_normal', name: 'stem_conv1',
  }).apply(img) as SymbolicTensor;
  x = bn(x, 'stem_bn1');

  let p: SymbolicTensor | null = null;
  let p0: SymbolicTensor;
  [x, p] = reductionCell(x, p, Math.floor(filters / fm ** 2), 'stem_1');
  [x, p] = reductionCell(x, p, Math.floor(filters / fm), 'stem_2');
  const n = v.numBlocks;
  for (let i = 0; i < n; i++) [x, p] = normalCell(x, p, filters, `${i}`);
  [x, p0] = reductionCell(x, p, filters * fm, `reduce_${n}`);
  if (!v.skipReduction) p = p0;
  for (let i = 0; i < n; i++) [x, p] = normalCell(x, p, filters * fm, `${n + i + 1}`);
  [x, p0] = reductionCell(x, p, filters * fm ** 2, `reduce_${2 * n}`);
  if (!v.skipReduction) p = p0;
  for (let i = 0; i < n; i++) [x, p] = normalCell(x, p, filters * fm ** 2, `${2 * n + i + 1}`);
  x = relu(x);

  // Keras leaves the top's pooling (and pooling 'avg' / 'max') unnamed.
  x = applicationTop(x, app);
  const file = () => kerasWeightsFile(v.weightsArch, { includeTop: app.includeTop });
  const model = finishApplication({ ...app, weights: null }, img, x, v.defaultName, file) as Model;
  if (app.weights === null) return model;
  if (app.weights !== 'imagenet') return loadApplicationWeights(model, app.weights, file);
  // Keras loads its file by topology; every NASNet layer with weights has an explicit name, so the
  // file matches by name, and otherwise by Keras's layer order.
  return loadApplicationWeights(withKerasLayerOrder(model), 'imagenet', file).then(() => model);
}

/**
 * keras.applications.NASNetMobile: 5,326,716 parameters with the top at 224×224 (36,738 of them
 * BatchNormalization moving statistics); 4,269,716 without it. Inputs at least 32×32; without the
 * top and no inputShape, 224×224×3 (as Keras).
 */
export const nasNetMobile: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildNASNet(MOBILE, args),
  { preprocessInput: preprocessTf },
);

/**
 * keras.applications.NASNetLarge: 88,949,818 parameters with the top at 331×331 (196,668 of them
 * BatchNormalization moving statistics); 84,916,818 without it. Inputs at least 32×32; without the
 * top and no inputShape, 331×331×3.
 */
export const nasNetLarge: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildNASNet(LARGE, args),
  { preprocessInput: preprocessTf },
);

/** keras.applications.NASNetMobile / NASNetLarge (the same functions as nasNetMobile / nasNetLarge). */
export const NASNetMobile = nasNetMobile;
export const NASNetLarge = nasNetLarge;
