/**
 * EfficientNet B0–B7 (Tan & Le, 2019) with the architecture, defaults and layer names of
 * keras.applications.EfficientNetB0…B7 (Keras 3), so summaries and weights-by-name line up with
 * Keras. The model normalises its own inputs (Rescaling 1/255 and a Normalization layer whose
 * ImageNet mean and variance come with the weights), so it takes pixels in [0, 255] and
 * `preprocessInput` is the identity, as Keras's efficientnet.preprocess_input.
 * `weights: 'imagenet'` loads Keras's published ImageNet weights (downloaded once, cached).
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { VarianceScaling } from '../initializers/index.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { kerasWeightsFile } from './weight_urls.js';

/** Keras's CONV_KERNEL_INITIALIZER: VarianceScaling(2.0, 'fan_out', 'truncated_normal'), a fresh one per layer. */
export function efficientNetConvInitializer(): VarianceScaling {
  return new VarianceScaling({ scale: 2.0, mode: 'fan_out', distribution: 'truncated_normal' });
}

/** ImageNet's RGB standard deviations (Keras's IMAGENET_STDDEV_RGB). */
const IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225] as const;

/**
 * keras.applications.efficientnet.preprocess_input: the identity (the model rescales and
 * normalises inside; it expects float pixels in [0, 255]).
 */
export function preprocessEfficientNet(x: Tensor): Tensor {
  return x;
}

/**
 * Keras's imagenet_utils.correct_pad: the zero padding that makes a stride-2 'valid' convolution of
 * `kernel` see the pixels TensorFlow's 'same' would (one row/column less on top/left for even sizes;
 * unknown sizes count as even).
 */
export function correctPad(x: SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h === null || h === undefined || w === null || w === undefined ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0]!, c], [c - adjust[1]!, c]];
}

/** One stage of EfficientNet-B0 (Keras's DEFAULT_BLOCKS_ARGS): repeated MBConv blocks with squeeze-and-excitation. */
interface StageArgs {
  kernelSize: number;
  repeats: number;
  filtersIn: number;
  filtersOut: number;
  expandRatio: number;
  idSkip: boolean;
  strides: number;
  seRatio: number;
}

const stage = (kernelSize: number, repeats: number, filtersIn: number, filtersOut: number, expandRatio: number, strides: number): StageArgs =>
  ({ kernelSize, repeats, filtersIn, filtersOut, expandRatio, idSkip: true, strides, seRatio: 0.25 });

/** EfficientNet-B0's seven stages; the other variants scale their filters and repeats. */
const DEFAULT_BLOCKS_ARGS: readonly StageArgs[] = [
  stage(3, 1, 32, 16, 1, 1),
  stage(3, 2, 16, 24, 6, 2),
  stage(5, 2, 24, 40, 6, 2),
  stage(3, 3, 40, 80, 6, 2),
  stage(5, 3, 80, 112, 6, 1),
  stage(5, 4, 112, 192, 6, 2),
  stage(3, 1, 192, 320, 6, 1),
];

export type EfficientNetVariant = 'b0' | 'b1' | 'b2' | 'b3' | 'b4' | 'b5' | 'b6' | 'b7';

/** [width coefficient, depth coefficient, default input size, dropout rate before the classifier]. */
const VARIANTS: Record<EfficientNetVariant, readonly [number, number, number, number]> = {
  b0: [1.0, 1.0, 224, 0.2],
  b1: [1.0, 1.1, 240, 0.2],
  b2: [1.1, 1.2, 260, 0.3],
  b3: [1.2, 1.4, 300, 0.3],
  b4: [1.4, 1.8, 380, 0.4],
  b5: [1.6, 2.2, 456, 0.4],
  b6: [1.8, 2.6, 528, 0.5],
  b7: [2.0, 3.1, 600, 0.5],
};

/** Drop-connect rate of the last block (Keras's drop_connect_rate); block k of n drops at 0.2·k/n. */
const DROP_CONNECT_RATE = 0.2;
const DEPTH_DIVISOR = 8;
const ACTIVATION = 'swish';

/** Keras's round_filters: filters × width to the nearest multiple of 8, never more than 10% down. */
export function roundFilters(filters: number, widthCoefficient: number, divisor = DEPTH_DIVISOR): number {
  const f = filters * widthCoefficient;
  let newFilters = Math.max(divisor, Math.floor(Math.trunc(f + divisor / 2) / divisor) * divisor);
  if (newFilters < 0.9 * f) newFilters += divisor;
  return Math.trunc(newFilters);
}

/** Keras's round_repeats: ceil(depth × repeats). */
export function roundRepeats(repeats: number, depthCoefficient: number): number {
  return Math.ceil(depthCoefficient * repeats);
}

function bn(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ axis: 3, name }).apply(x) as SymbolicTensor;
}

function act(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.activation({ activation: ACTIVATION, name }).apply(x) as SymbolicTensor;
}

function conv1x1(x: SymbolicTensor, filters: number, name: string): SymbolicTensor {
  return L.conv2d({
    filters, kernelSize: 1, padding: 'same', useBias: false, kernelInitializer: efficientNetConvInitializer(), name,
  }).apply(x) as SymbolicTensor;
}

/**
 * Squeeze-and-excitation (shared by EfficientNet and EfficientNetV2): global average → (1, 1, C) →
 * 1×1 conv to max(1, int(filtersIn × seRatio)) with the block's activation → 1×1 conv back to C with
 * a sigmoid → multiplied into `x`.
 */
export function squeezeExcite(x: SymbolicTensor, filters: number, filtersIn: number, seRatio: number, activation: string, prefix: string): SymbolicTensor {
  const filtersSe = Math.max(1, Math.trunc(filtersIn * seRatio));
  let se = L.globalAveragePooling2d({ name: `${prefix}se_squeeze` }).apply(x) as SymbolicTensor;
  se = L.reshape({ targetShape: [1, 1, filters], name: `${prefix}se_reshape` }).apply(se) as SymbolicTensor;
  se = L.conv2d({
    filters: filtersSe, kernelSize: 1, padding: 'same', activation, kernelInitializer: efficientNetConvInitializer(), name: `${prefix}se_reduce`,
  }).apply(se) as SymbolicTensor;
  se = L.conv2d({
    filters, kernelSize: 1, padding: 'same', activation: 'sigmoid', kernelInitializer: efficientNetConvInitializer(), name: `${prefix}se_expand`,
  }).apply(se) as SymbolicTensor;
  return L.multiply([x, se], { name: `${prefix}se_excite` }) as SymbolicTensor;
}

/**
 * Drop-connect then the residual sum (shared by EfficientNet and EfficientNetV2): a Dropout of
 * whole samples (noise shape (None, 1, 1, 1), active only in training) when `dropRate` > 0.
 */
export function residual(x: SymbolicTensor, inputs: SymbolicTensor, dropRate: number, prefix: string): SymbolicTensor {
  if (dropRate > 0) x = L.dropout({ rate: dropRate, noiseShape: [null, 1, 1, 1], name: `${prefix}drop` }).apply(x) as SymbolicTensor;
  return L.add([x, inputs], { name: `${prefix}add` }) as SymbolicTensor;
}

/** Keras's efficientnet.block: an inverted residual (MBConv) block with squeeze-and-excitation. */
function block(inputs: SymbolicTensor, dropRate: number, prefix: string, a: Omit<StageArgs, 'repeats'>): SymbolicTensor {
  const filters = a.filtersIn * a.expandRatio;
  let x = inputs;
  if (a.expandRatio !== 1) {
    x = conv1x1(x, filters, `${prefix}expand_conv`);
    x = bn(x, `${prefix}expand_bn`);
    x = act(x, `${prefix}expand_activation`);
  }
  let padding: 'same' | 'valid' = 'same';
  if (a.strides === 2) {
    x = L.zeroPadding2d({ padding: correctPad(x, a.kernelSize), name: `${prefix}dwconv_pad` }).apply(x) as SymbolicTensor;
    padding = 'valid';
  }
  x = L.depthwiseConv2d({
    kernelSize: a.kernelSize, strides: a.strides, padding, useBias: false, depthwiseInitializer: efficientNetConvInitializer(), name: `${prefix}dwconv`,
  }).apply(x) as SymbolicTensor;
  x = bn(x, `${prefix}bn`);
  x = act(x, `${prefix}activation`);
  if (a.seRatio > 0 && a.seRatio <= 1) x = squeezeExcite(x, filters, a.filtersIn, a.seRatio, ACTIVATION, prefix);
  x = conv1x1(x, a.filtersOut, `${prefix}project_conv`);
  x = bn(x, `${prefix}project_bn`);
  if (a.idSkip && a.strides === 1 && a.filtersIn === a.filtersOut) x = residual(x, inputs, dropRate, prefix);
  return x;
}

function buildEfficientNet(variant: EfficientNetVariant, fn: string, args: ApplicationArgs) {
  const [width, depth, defaultSize, dropoutRate] = VARIANTS[variant];
  const app = resolveApplicationArgs(fn, args, { defaultSize, minSize: 32 });
  const img = applicationInput(app);

  // Stem: Keras normalises inside the model. The Normalization's mean and variance are weights
  // (zeros and ones until loaded); with Keras's ImageNet file they hold ImageNet's statistics, and
  // Keras then divides once more by √stddev per channel (its fix for tensorflow/tensorflow#49930).
  let x = L.rescaling({ scale: 1.0 / 255.0 }).apply(img) as SymbolicTensor;
  x = L.normalization({ axis: 3 }).apply(x) as SymbolicTensor;
  if (app.weights === 'imagenet') {
    x = L.rescaling({ scale: IMAGENET_STDDEV_RGB.map((s) => 1.0 / Math.sqrt(s)) }).apply(x) as SymbolicTensor;
  }
  x = L.zeroPadding2d({ padding: correctPad(x, 3), name: 'stem_conv_pad' }).apply(x) as SymbolicTensor;
  x = L.conv2d({
    filters: roundFilters(32, width), kernelSize: 3, strides: 2, padding: 'valid', useBias: false,
    kernelInitializer: efficientNetConvInitializer(), name: 'stem_conv',
  }).apply(x) as SymbolicTensor;
  x = bn(x, 'stem_bn');
  x = act(x, 'stem_activation');

  // Blocks: block k of n (counted over every repeat) drops connections at 0.2·k/n.
  const total = DEFAULT_BLOCKS_ARGS.reduce((s, a) => s + roundRepeats(a.repeats, depth), 0);
  let b = 0;
  DEFAULT_BLOCKS_ARGS.forEach((stageArgs, i) => {
    const a = { ...stageArgs, filtersIn: roundFilters(stageArgs.filtersIn, width), filtersOut: roundFilters(stageArgs.filtersOut, width) };
    const repeats = roundRepeats(stageArgs.repeats, depth);
    for (let j = 0; j < repeats; j++) {
      if (j > 0) {
        a.strides = 1;
        a.filtersIn = a.filtersOut;
      }
      x = block(x, (DROP_CONNECT_RATE * b) / total, `block${i + 1}${String.fromCharCode(97 + j)}_`, a);
      b += 1;
    }
  });

  // Top.
  x = conv1x1(x, roundFilters(1280, width), 'top_conv');
  x = bn(x, 'top_bn');
  x = act(x, 'top_activation');
  x = applicationTop(x, app, {
    avgPoolName: 'avg_pool',
    maxPoolName: 'max_pool',
    classifierHead: (t) => {
      const pooled = L.globalAveragePooling2d({ name: 'avg_pool' }).apply(t) as SymbolicTensor;
      return dropoutRate > 0 ? (L.dropout({ rate: dropoutRate, name: 'top_dropout' }).apply(pooled) as SymbolicTensor) : pooled;
    },
  });
  const kerasName = `efficientnet${variant}`;
  return finishApplication(app, img, x, kerasName, () => kerasWeightsFile(kerasName, { includeTop: app.includeTop }));
}

function define(variant: EfficientNetVariant, fn: string): ApplicationBuilder {
  return defineApplication((args: ApplicationArgs) => buildEfficientNet(variant, fn, args), { preprocessInput: preprocessEfficientNet });
}

/**
 * keras.applications.EfficientNetB0: 5,330,571 parameters with the top at 224×224 (42,023
 * non-trainable: BatchNormalization moving statistics and the input Normalization's mean, variance
 * and count); 4,049,571 without it. Inputs at least 32×32, pixels in [0, 255].
 */
export const efficientNetB0 = define('b0', 'EfficientNetB0');
/** keras.applications.EfficientNetB1: 7,856,239 parameters with the top (default input 240×240). */
export const efficientNetB1 = define('b1', 'EfficientNetB1');
/** keras.applications.EfficientNetB2: 9,177,569 parameters with the top (default input 260×260). */
export const efficientNetB2 = define('b2', 'EfficientNetB2');
/** keras.applications.EfficientNetB3: 12,320,535 parameters with the top (default input 300×300). */
export const efficientNetB3 = define('b3', 'EfficientNetB3');
/** keras.applications.EfficientNetB4: 19,466,823 parameters with the top (default input 380×380). */
export const efficientNetB4 = define('b4', 'EfficientNetB4');
/** keras.applications.EfficientNetB5: 30,562,527 parameters with the top (default input 456×456). */
export const efficientNetB5 = define('b5', 'EfficientNetB5');
/** keras.applications.EfficientNetB6: 43,265,143 parameters with the top (default input 528×528). */
export const efficientNetB6 = define('b6', 'EfficientNetB6');
/** keras.applications.EfficientNetB7: 66,658,687 parameters with the top (default input 600×600). */
export const efficientNetB7 = define('b7', 'EfficientNetB7');

/** keras.applications.EfficientNetB0 … B7 (the same functions as efficientNetB0 …). */
export const EfficientNetB0 = efficientNetB0;
export const EfficientNetB1 = efficientNetB1;
export const EfficientNetB2 = efficientNetB2;
export const EfficientNetB3 = efficientNetB3;
export const EfficientNetB4 = efficientNetB4;
export const EfficientNetB5 = efficientNetB5;
export const EfficientNetB6 = efficientNetB6;
export const EfficientNetB7 = efficientNetB7;
