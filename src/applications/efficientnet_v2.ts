/**
 * EfficientNetV2 B0–B3, S, M, L (Tan & Le, 2021) with the architecture, defaults and layer names of
 * keras.applications.EfficientNetV2B0…L (Keras 3): Fused-MBConv stages, then MBConv stages with
 * squeeze-and-excitation. With `includePreprocessing` (default true) the model takes pixels in
 * [0, 255] and normalises them itself (B0–B3: Rescaling 1/255 and ImageNet mean/variance; S/M/L:
 * x/128 − 1), so `preprocessInput` is the identity, as Keras's efficientnet_v2.preprocess_input.
 * `weights: 'imagenet'` loads Keras's published ImageNet weights (downloaded once, cached).
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { ValueError } from '../errors.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { efficientNetConvInitializer, preprocessEfficientNet, residual, roundRepeats, squeezeExcite } from './efficientnet.js';
import { kerasWeightsFile } from './weight_urls.js';

export interface EfficientNetV2Args extends ApplicationArgs {
  /**
   * Whether the model normalises its inputs itself (Keras's include_preprocessing, default true):
   * then it takes pixels in [0, 255]; without it, inputs already in [−1, 1].
   */
  includePreprocessing?: boolean;
}

/** One stage of Keras's DEFAULT_BLOCKS_ARGS. */
interface StageArgs {
  kernelSize: number;
  numRepeat: number;
  inputFilters: number;
  outputFilters: number;
  expandRatio: number;
  seRatio: number;
  strides: number;
  /** 1: Fused-MBConv (a full 3×3 convolution in place of expand + depthwise); 0: MBConv. */
  convType: 0 | 1;
}

const fused = (numRepeat: number, inputFilters: number, outputFilters: number, expandRatio: number, strides: number): StageArgs =>
  ({ kernelSize: 3, numRepeat, inputFilters, outputFilters, expandRatio, seRatio: 0, strides, convType: 1 });
const mb = (numRepeat: number, inputFilters: number, outputFilters: number, expandRatio: number, strides: number): StageArgs =>
  ({ kernelSize: 3, numRepeat, inputFilters, outputFilters, expandRatio, seRatio: 0.25, strides, convType: 0 });

/** B0–B3 share one base; B1–B3 scale it. */
const BASE_B: readonly StageArgs[] = [
  fused(1, 32, 16, 1, 1), fused(2, 16, 32, 4, 2), fused(2, 32, 48, 4, 2),
  mb(3, 48, 96, 4, 2), mb(5, 96, 112, 6, 1), mb(8, 112, 192, 6, 2),
];

export type EfficientNetV2Variant = 'b0' | 'b1' | 'b2' | 'b3' | 's' | 'm' | 'l';

const BLOCKS_ARGS: Record<EfficientNetV2Variant, readonly StageArgs[]> = {
  b0: BASE_B, b1: BASE_B, b2: BASE_B, b3: BASE_B,
  s: [
    fused(2, 24, 24, 1, 1), fused(4, 24, 48, 4, 2), fused(4, 48, 64, 4, 2),
    mb(6, 64, 128, 4, 2), mb(9, 128, 160, 6, 1), mb(15, 160, 256, 6, 2),
  ],
  m: [
    fused(3, 24, 24, 1, 1), fused(5, 24, 48, 4, 2), fused(5, 48, 80, 4, 2),
    mb(7, 80, 160, 4, 2), mb(14, 160, 176, 6, 1), mb(18, 176, 304, 6, 2), mb(5, 304, 512, 6, 1),
  ],
  l: [
    fused(4, 32, 32, 1, 1), fused(7, 32, 64, 4, 2), fused(7, 64, 96, 4, 2),
    mb(10, 96, 192, 4, 2), mb(19, 192, 224, 6, 1), mb(25, 224, 384, 6, 2), mb(7, 384, 640, 6, 1),
  ],
};

/** [width coefficient, depth coefficient, default input size]. */
const VARIANTS: Record<EfficientNetV2Variant, readonly [number, number, number]> = {
  b0: [1.0, 1.0, 224],
  b1: [1.0, 1.1, 240],
  b2: [1.1, 1.2, 260],
  b3: [1.2, 1.4, 300],
  s: [1.0, 1.0, 384],
  m: [1.0, 1.0, 480],
  l: [1.0, 1.0, 480],
};

const DROPOUT_RATE = 0.2;
const DROP_CONNECT_RATE = 0.2;
const DEPTH_DIVISOR = 8;
const MIN_DEPTH = 8;
const BN_MOMENTUM = 0.9;
const ACTIVATION = 'swish';

/** Keras's efficientnet_v2.round_filters: filters × width to the nearest multiple of 8 (at least 8; no 10% rule). */
export function roundFiltersV2(filters: number, widthCoefficient: number, minDepth = MIN_DEPTH, depthDivisor = DEPTH_DIVISOR): number {
  const f = filters * widthCoefficient;
  const minimum = minDepth || depthDivisor;
  return Math.trunc(Math.max(minimum, Math.floor(Math.trunc(f + depthDivisor / 2) / depthDivisor) * depthDivisor));
}

function bn(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ axis: 3, momentum: BN_MOMENTUM, name }).apply(x) as SymbolicTensor;
}

function act(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.activation({ activation: ACTIVATION, name }).apply(x) as SymbolicTensor;
}

function conv(x: SymbolicTensor, filters: number, kernelSize: number, strides: number, name: string): SymbolicTensor {
  return L.conv2d({
    filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: efficientNetConvInitializer(), name,
  }).apply(x) as SymbolicTensor;
}

type BlockArgs = Omit<StageArgs, 'numRepeat' | 'convType'>;

/** Keras's MBConvBlock: 1×1 expand, depthwise (layer `<prefix>dwconv2`), squeeze-and-excitation, 1×1 project. */
function mbConvBlock(inputs: SymbolicTensor, a: BlockArgs, survivalProbability: number, prefix: string): SymbolicTensor {
  const filters = a.inputFilters * a.expandRatio;
  let x = inputs;
  if (a.expandRatio !== 1) {
    x = conv(x, filters, 1, 1, `${prefix}expand_conv`);
    x = bn(x, `${prefix}expand_bn`);
    x = act(x, `${prefix}expand_activation`);
  }
  x = L.depthwiseConv2d({
    kernelSize: a.kernelSize, strides: a.strides, padding: 'same', useBias: false,
    depthwiseInitializer: efficientNetConvInitializer(), name: `${prefix}dwconv2`,
  }).apply(x) as SymbolicTensor;
  x = bn(x, `${prefix}bn`);
  x = act(x, `${prefix}activation`);
  if (a.seRatio > 0 && a.seRatio <= 1) x = squeezeExcite(x, filters, a.inputFilters, a.seRatio, ACTIVATION, prefix);
  x = conv(x, a.outputFilters, 1, 1, `${prefix}project_conv`);
  x = bn(x, `${prefix}project_bn`);
  // Keras passes the drop rate as `survival_probability` (it is the Dropout rate).
  if (a.strides === 1 && a.inputFilters === a.outputFilters) x = residual(x, inputs, survivalProbability, prefix);
  return x;
}

/**
 * Keras's FusedMBConvBlock: a full k×k convolution in place of 1×1 expand + depthwise; with
 * expand ratio 1 the projection itself is the k×k convolution, followed by an activation.
 */
function fusedMbConvBlock(inputs: SymbolicTensor, a: BlockArgs, survivalProbability: number, prefix: string): SymbolicTensor {
  const filters = a.inputFilters * a.expandRatio;
  let x = inputs;
  if (a.expandRatio !== 1) {
    x = conv(x, filters, a.kernelSize, a.strides, `${prefix}expand_conv`);
    x = bn(x, `${prefix}expand_bn`);
    x = act(x, `${prefix}expand_activation`);
  }
  if (a.seRatio > 0 && a.seRatio <= 1) x = squeezeExcite(x, filters, a.inputFilters, a.seRatio, ACTIVATION, prefix);
  const projectOnly = a.expandRatio === 1;
  x = conv(x, a.outputFilters, projectOnly ? a.kernelSize : 1, projectOnly ? a.strides : 1, `${prefix}project_conv`);
  x = bn(x, `${prefix}project_bn`);
  if (projectOnly) x = act(x, `${prefix}project_activation`);
  if (a.strides === 1 && a.inputFilters === a.outputFilters) x = residual(x, inputs, survivalProbability, prefix);
  return x;
}

function buildEfficientNetV2(variant: EfficientNetV2Variant, fn: string, args: EfficientNetV2Args) {
  const [width, depth, defaultSize] = VARIANTS[variant];
  const includePreprocessing = args.includePreprocessing ?? true;
  if (typeof includePreprocessing !== 'boolean') {
    throw new ValueError(`${fn}: includePreprocessing must be true or false, got ${JSON.stringify(args.includePreprocessing)}`);
  }
  const app = resolveApplicationArgs(fn, args, { defaultSize, minSize: 32 });
  const img = applicationInput(app);
  const blocksArgs = BLOCKS_ARGS[variant];

  let x = img;
  if (includePreprocessing) {
    // Keras: the B variants keep EfficientNet (v1)'s ImageNet normalisation when the input has 3 channels.
    if (variant.startsWith('b') && app.inputShape[2] === 3) {
      x = L.rescaling({ scale: 1.0 / 255 }).apply(x) as SymbolicTensor;
      x = L.normalization({ mean: [0.485, 0.456, 0.406], variance: [0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis: 3 }).apply(x) as SymbolicTensor;
    } else {
      x = L.rescaling({ scale: 1.0 / 128.0, offset: -1 }).apply(x) as SymbolicTensor;
    }
  }

  // Stem.
  x = conv(x, roundFiltersV2(blocksArgs[0]!.inputFilters, width), 3, 2, 'stem_conv');
  x = bn(x, 'stem_bn');
  x = act(x, 'stem_activation');

  // Blocks. As Keras, the drop rate of block k is 0.2·k / (the stages' unscaled repeats), so with a
  // depth coefficient above 1 the last blocks drop a little more than 0.2.
  const total = blocksArgs.reduce((s, a) => s + a.numRepeat, 0);
  let b = 0;
  blocksArgs.forEach((stageArgs, i) => {
    const { numRepeat, convType, ...rest } = stageArgs;
    const a: BlockArgs = { ...rest, inputFilters: roundFiltersV2(rest.inputFilters, width), outputFilters: roundFiltersV2(rest.outputFilters, width) };
    const blockFn = convType === 1 ? fusedMbConvBlock : mbConvBlock;
    const repeats = roundRepeats(numRepeat, depth);
    for (let j = 0; j < repeats; j++) {
      if (j > 0) {
        a.strides = 1;
        a.inputFilters = a.outputFilters;
      }
      x = blockFn(x, a, (DROP_CONNECT_RATE * b) / total, `block${i + 1}${String.fromCharCode(97 + j)}_`);
      b += 1;
    }
  });

  // Top.
  x = conv(x, roundFiltersV2(1280, width), 1, 1, 'top_conv');
  x = bn(x, 'top_bn');
  x = act(x, 'top_activation');
  x = applicationTop(x, app, {
    avgPoolName: 'avg_pool',
    maxPoolName: 'max_pool',
    classifierHead: (t) => {
      const pooled = L.globalAveragePooling2d({ name: 'avg_pool' }).apply(t) as SymbolicTensor;
      return L.dropout({ rate: DROPOUT_RATE, name: 'top_dropout' }).apply(pooled) as SymbolicTensor;
    },
  });
  const kerasName = `efficientnetv2-${variant}`;
  return finishApplication(app, img, x, kerasName, () => kerasWeightsFile(kerasName, { includeTop: app.includeTop }));
}

function define(variant: EfficientNetV2Variant, fn: string): ApplicationBuilder<EfficientNetV2Args> {
  return defineApplication<EfficientNetV2Args>((args) => buildEfficientNetV2(variant, fn, args), { preprocessInput: preprocessEfficientNet });
}

/**
 * keras.applications.EfficientNetV2B0: 7,200,312 parameters with the top at 224×224 (5,919,312
 * without it). Inputs at least 32×32, pixels in [0, 255] (or [−1, 1] with includePreprocessing false).
 */
export const efficientNetV2B0 = define('b0', 'EfficientNetV2B0');
/** keras.applications.EfficientNetV2B1: 8,212,124 parameters with the top (default input 240×240). */
export const efficientNetV2B1 = define('b1', 'EfficientNetV2B1');
/** keras.applications.EfficientNetV2B2: 10,178,374 parameters with the top (default input 260×260). */
export const efficientNetV2B2 = define('b2', 'EfficientNetV2B2');
/** keras.applications.EfficientNetV2B3: 14,467,622 parameters with the top (default input 300×300). */
export const efficientNetV2B3 = define('b3', 'EfficientNetV2B3');
/** keras.applications.EfficientNetV2S: 21,612,360 parameters with the top (default input 384×384). */
export const efficientNetV2S = define('s', 'EfficientNetV2S');
/** keras.applications.EfficientNetV2M: 54,431,388 parameters with the top (default input 480×480). */
export const efficientNetV2M = define('m', 'EfficientNetV2M');
/** keras.applications.EfficientNetV2L: 119,027,848 parameters with the top (default input 480×480). */
export const efficientNetV2L = define('l', 'EfficientNetV2L');

/** keras.applications.EfficientNetV2B0 … V2L (the same functions as efficientNetV2B0 …). */
export const EfficientNetV2B0 = efficientNetV2B0;
export const EfficientNetV2B1 = efficientNetV2B1;
export const EfficientNetV2B2 = efficientNetV2B2;
export const EfficientNetV2B3 = efficientNetV2B3;
export const EfficientNetV2S = efficientNetV2S;
export const EfficientNetV2M = efficientNetV2M;
export const EfficientNetV2L = efficientNetV2L;
