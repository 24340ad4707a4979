/**
 * MobileNetV2 (Sandler et al., 2018) with the architecture and layer names of
 * keras.applications.MobileNetV2 (Keras 3), so summaries and weights-by-name line up with Keras.
 * `weights: 'imagenet'` loads Keras's published ImageNet weights (downloaded once, then cached).
 */
import { Input } from '../layers/input.js';
import * as L from '../layers/index.js';
import { Model } from '../models/model.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { ValueError } from '../errors.js';
import { loadApplicationWeights } from './pretrained.js';
import { kerasWeightsFile } from './weight_urls.js';

export interface MobileNetV2Args {
  /** Shape of one image, [rows, cols, 3]; at least 32×32. Defaults to [224, 224, 3]. */
  inputShape?: readonly number[];
  /** Width multiplier: scales the filters of every block (not the last 1280 unless > 1). */
  alpha?: number;
  /** Whether to end with global average pooling and the `predictions` Dense layer. */
  includeTop?: boolean;
  classes?: number;
  /** Without the top: 'avg' or 'max' global pooling, or null/undefined for the 4-D feature map. */
  pooling?: 'avg' | 'max' | null;
  /** Activation of `predictions`; null gives logits. */
  classifierActivation?: string | null;
  name?: string;
  /** null (default): fresh weights; 'imagenet': Keras's ImageNet weights; or a weights file path/URL. */
  weights?: string | null;
}

/** Input sizes Keras publishes ImageNet weights for. */
const WEIGHT_ROWS = [96, 128, 160, 192, 224];

/** Keras's _make_divisible: round to the nearest multiple of `divisor`, never more than 10% down. */
export function makeDivisible(v: number, divisor: number, minValue = divisor): number {
  let newV = Math.max(minValue, Math.floor(Math.trunc(v + divisor / 2) / divisor) * divisor);
  if (newV < 0.9 * v) newV += divisor;
  return newV;
}

/**
 * Keras's imagenet_utils.correct_pad: the asymmetric zero padding that makes a stride-2 'valid'
 * 3×3 convolution see the same pixels as TensorFlow's 'same' (one less row/column on top/left for
 * even sizes).
 */
function correctPad(x: SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h === null || w === null ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0], c], [c - adjust[1], c]];
}

function batchNorm(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name }).apply(x) as SymbolicTensor;
}

function relu6(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.reLU({ maxValue: 6, name }).apply(x) as SymbolicTensor;
}

function invertedResBlock(inputs: SymbolicTensor, expansion: number, stride: number, alpha: number, filters: number, blockId: number): SymbolicTensor {
  const inChannels = inputs.shape[inputs.shape.length - 1] as number;
  const pointwiseFilters = makeDivisible(Math.trunc(filters * alpha), 8);
  let x = inputs;
  let prefix = `block_${blockId}_`;
  if (blockId) {
    x = L.conv2d({ filters: expansion * inChannels, kernelSize: 1, padding: 'same', useBias: false, activation: null, name: `${prefix}expand` }).apply(x) as SymbolicTensor;
    x = batchNorm(x, `${prefix}expand_BN`);
    x = relu6(x, `${prefix}expand_relu`);
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = L.zeroPadding2d({ padding: correctPad(x, 3), name: `${prefix}pad` }).apply(x) as SymbolicTensor;
  x = L.depthwiseConv2d({
    kernelSize: 3, strides: stride, activation: null, useBias: false, padding: stride === 1 ? 'same' : 'valid', name: `${prefix}depthwise`,
  }).apply(x) as SymbolicTensor;
  x = batchNorm(x, `${prefix}depthwise_BN`);
  x = relu6(x, `${prefix}depthwise_relu`);
  x = L.conv2d({ filters: pointwiseFilters, kernelSize: 1, padding: 'same', useBias: false, activation: null, name: `${prefix}project` }).apply(x) as SymbolicTensor;
  x = batchNorm(x, `${prefix}project_BN`);
  if (inChannels === pointwiseFilters && stride === 1) return L.add({ name: `${prefix}add` }).apply([inputs, x]) as SymbolicTensor;
  return x;
}

/** [filters, stride, expansion] of blocks 0…16, as in the paper's Table 2. */
const BLOCKS: readonly (readonly [number, number, number])[] = [
  [16, 1, 1],
  [24, 2, 6], [24, 1, 6],
  [32, 2, 6], [32, 1, 6], [32, 1, 6],
  [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
  [96, 1, 6], [96, 1, 6], [96, 1, 6],
  [160, 2, 6], [160, 1, 6], [160, 1, 6],
  [320, 1, 6],
];

/**
 * keras.applications.MobileNetV2 with `weights=None`: 3,538,984 parameters at alpha 1 with the top
 * (34,112 of them BatchNormalization moving statistics).
 */
export function mobileNetV2(args: MobileNetV2Args & { weights: string }): Promise<Model>;
export function mobileNetV2(args?: MobileNetV2Args & { weights?: null }): Model;
export function mobileNetV2(args: MobileNetV2Args): Model | Promise<Model>;
export function mobileNetV2(args: MobileNetV2Args = {}): Model | Promise<Model> {
  const model = buildMobileNetV2(args);
  const weights = args.weights ?? null;
  if (weights === null) return model;
  if (typeof weights !== 'string' || weights.length === 0) throw new ValueError(`mobileNetV2: weights must be null, 'imagenet' or the path/URL of a weights file, got ${JSON.stringify(weights)}`);
  const includeTop = args.includeTop ?? true;
  if (weights === 'imagenet' && includeTop && (args.classes ?? 1000) !== 1000) {
    throw new ValueError(`mobileNetV2: weights 'imagenet' with includeTop needs classes = 1000, got ${args.classes}`);
  }
  return loadApplicationWeights(model, weights, () => {
    const [rows, cols] = args.inputShape ?? [224, 224];
    // As Keras: other sizes reuse the 224 weights (convolutions do not depend on the image size).
    const known = rows === cols && WEIGHT_ROWS.includes(rows!);
    if (!known) process.emitWarning(`mobileNetV2: no ImageNet weights are published for ${rows}x${cols} inputs; loading the 224x224 weights`, { code: 'CONVKIT_WEIGHTS_SIZE' });
    return kerasWeightsFile('mobilenet_v2', { includeTop, alpha: args.alpha ?? 1.0, rows: known ? rows : 224 });
  });
}

function buildMobileNetV2(args: MobileNetV2Args): Model {
  const alpha = args.alpha ?? 1.0;
  const includeTop = args.includeTop ?? true;
  const classes = args.classes ?? 1000;
  const inputShape = [...(args.inputShape ?? [224, 224, 3])];
  if (!(alpha > 0)) throw new ValueError(`mobileNetV2: alpha must be > 0, got ${alpha}`);
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`mobileNetV2: classes must be a positive integer, got ${classes}`);
  if (inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ValueError(`mobileNetV2: inputShape must be [rows, cols, channels] of positive integers, got ${JSON.stringify(args.inputShape)}`);
  }
  if (inputShape[2] !== 3) throw new ValueError(`mobileNetV2: the input must have 3 channels, got ${inputShape[2]}`);
  if (inputShape[0] < 32 || inputShape[1] < 32) throw new ValueError(`mobileNetV2: input size must be at least 32x32, got ${inputShape[0]}x${inputShape[1]}`);
  const pooling = args.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') throw new ValueError(`mobileNetV2: pooling must be 'avg', 'max' or null, got ${JSON.stringify(pooling)}`);

  const imgInput = Input({ shape: inputShape });
  const firstBlockFilters = makeDivisible(32 * alpha, 8);
  let x = L.conv2d({ filters: firstBlockFilters, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1' }).apply(imgInput) as SymbolicTensor;
  x = batchNorm(x, 'bn_Conv1');
  x = relu6(x, 'Conv1_relu');
  BLOCKS.forEach(([filters, stride, expansion], blockId) => {
    x = invertedResBlock(x, expansion, stride, alpha, filters, blockId);
  });
  // The paper does not thin the last convolution: only widen it.
  const lastBlockFilters = alpha > 1.0 ? makeDivisible(1280 * alpha, 8) : 1280;
  x = L.conv2d({ filters: lastBlockFilters, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x) as SymbolicTensor;
  x = batchNorm(x, 'Conv_1_bn');
  x = relu6(x, 'out_relu');

  if (includeTop) {
    x = L.globalAveragePooling2d().apply(x) as SymbolicTensor;
    x = L.dense({ units: classes, activation: args.classifierActivation === undefined ? 'softmax' : args.classifierActivation, name: 'predictions' }).apply(x) as SymbolicTensor;
  } else if (pooling === 'avg') {
    x = L.globalAveragePooling2d().apply(x) as SymbolicTensor;
  } else if (pooling === 'max') {
    x = L.globalMaxPooling2d().apply(x) as SymbolicTensor;
  }
  const name = args.name ?? `mobilenetv2_${alpha.toFixed(2)}_${inputShape[0]}`;
  return new Model({ inputs: imgInput, outputs: x, name });
}
