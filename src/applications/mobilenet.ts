/**
 * MobileNet (v1, Howard et al., 2017) with the architecture and layer names of
 * keras.applications.MobileNet (Keras 3): conv1, conv_dw_1, conv_pw_1, …, conv_pw_13, and Keras 3's
 * top (global average pooling kept 4-D, `dropout`, the 1×1 Conv2D `conv_preds`, `reshape_2`, the
 * `predictions` Activation), so summaries and weights-by-name line up with Keras. `weights: 'imagenet'`
 * loads Keras's published ImageNet weights. Inputs are preprocessed as Keras's
 * mobilenet.preprocess_input ('tf' mode: pixels to [−1, 1]).
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { ValueError } from '../errors.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessTf } from './imagenet_utils.js';
import { kerasWeightsFile } from './weight_urls.js';

export interface MobileNetArgs extends ApplicationArgs {
  /**
   * Width multiplier: every layer has int(filters × alpha) filters. Default 1.0; ImageNet weights
   * exist for 0.25, 0.5, 0.75 and 1.0.
   */
  alpha?: number;
  /** Channel multiplier of the depthwise convolutions (the paper's resolution multiplier). Default 1; 1 with ImageNet weights. */
  depthMultiplier?: number;
  /** Dropout rate before `conv_preds` (with the top). Default 1e-3. */
  dropout?: number;
}

/** Input sizes (rows = cols) Keras publishes ImageNet weights for. */
const WEIGHT_ROWS = [128, 160, 192, 224];
const WEIGHT_ALPHAS = [0.25, 0.5, 0.75, 1.0];

function bnRelu6(x: SymbolicTensor, name: string): SymbolicTensor {
  x = L.batchNormalization({ name: `${name}_bn` }).apply(x) as SymbolicTensor;
  return L.reLU({ maxValue: 6, name: `${name}_relu` }).apply(x) as SymbolicTensor;
}

/** The first full convolution (3×3, stride 2), BN, ReLU6. */
function convBlock(inputs: SymbolicTensor, filters: number, alpha: number): SymbolicTensor {
  const x = L.conv2d({ filters: Math.trunc(filters * alpha), kernelSize: 3, padding: 'same', useBias: false, strides: 2, name: 'conv1' }).apply(inputs) as SymbolicTensor;
  return bnRelu6(x, 'conv1');
}

/**
 * Depthwise 3×3 (after ZeroPadding2D ((0, 1), (0, 1)) when strided), BN, ReLU6, then pointwise 1×1
 * to int(filters × alpha), BN, ReLU6.
 */
function depthwiseConvBlock(inputs: SymbolicTensor, pointwiseFilters: number, alpha: number, depthMultiplier: number, strides: 1 | 2, blockId: number): SymbolicTensor {
  let x = inputs;
  if (strides === 2) x = L.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `conv_pad_${blockId}` }).apply(x) as SymbolicTensor;
  x = L.depthwiseConv2d({
    kernelSize: 3, padding: strides === 1 ? 'same' : 'valid', depthMultiplier, strides, useBias: false, name: `conv_dw_${blockId}`,
  }).apply(x) as SymbolicTensor;
  x = bnRelu6(x, `conv_dw_${blockId}`);
  x = L.conv2d({ filters: Math.trunc(pointwiseFilters * alpha), kernelSize: 1, padding: 'same', useBias: false, strides: 1, name: `conv_pw_${blockId}` }).apply(x) as SymbolicTensor;
  return bnRelu6(x, `conv_pw_${blockId}`);
}

/** [pointwise filters, stride] of depthwise blocks 1…13. */
const BLOCKS: readonly (readonly [number, 1 | 2])[] = [
  [64, 1],
  [128, 2], [128, 1],
  [256, 2], [256, 1],
  [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],
  [1024, 2], [1024, 1],
];

/** Python's f'{x:0.2f}' for the model name (mobilenet_1.00_224). */
function twoDecimals(x: number): string {
  return x.toFixed(2);
}

function buildMobileNet(args: MobileNetArgs) {
  const fn = 'MobileNet';
  const alpha = args.alpha ?? 1.0;
  const depthMultiplier = args.depthMultiplier ?? 1;
  const dropout = args.dropout ?? 1e-3;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) throw new ValueError(`${fn}: alpha must be a number > 0, got ${JSON.stringify(args.alpha)}`);
  if (!Number.isInteger(depthMultiplier) || depthMultiplier < 1) throw new ValueError(`${fn}: depthMultiplier must be a positive integer, got ${JSON.stringify(args.depthMultiplier)}`);
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new ValueError(`${fn}: dropout must be a rate in [0, 1), got ${JSON.stringify(args.dropout)}`);

  // Keras: the default size is the input's when it is square and one ImageNet weights exist for.
  const given = args.inputShape ?? null;
  const defaultSize = given !== null && given[0] === given[1] && WEIGHT_ROWS.includes(given[0] as number) ? (given[0] as number) : 224;
  const app = resolveApplicationArgs(fn, args, { defaultSize, minSize: 32 });
  let rows: number | null = app.inputShape[0];
  const cols = app.inputShape[1];
  if (app.weights === 'imagenet') {
    if (depthMultiplier !== 1) throw new ValueError(`${fn}: with 'imagenet' weights, depthMultiplier must be 1; got ${depthMultiplier}`);
    if (!WEIGHT_ALPHAS.includes(alpha)) throw new ValueError(`${fn}: with 'imagenet' weights, alpha can be one of 0.25, 0.50, 0.75 or 1.0 only; got ${alpha}`);
    if (rows !== cols || !WEIGHT_ROWS.includes(rows as number)) {
      rows = 224;
      process.emitWarning(
        `${fn}: inputShape is undefined or non-square, or rows is not in [128, 160, 192, 224]; the weights for input shape (224, 224) are loaded`,
        { code: 'CONVKIT_WEIGHTS_SIZE' },
      );
    }
  }

  const img = applicationInput(app);
  let x = convBlock(img, 32, alpha);
  BLOCKS.forEach(([filters, strides], i) => {
    x = depthwiseConvBlock(x, filters, alpha, depthMultiplier, strides, i + 1);
  });

  if (app.includeTop) {
    x = L.globalAveragePooling2d({ keepdims: true }).apply(x) as SymbolicTensor;
    x = L.dropout({ rate: dropout, name: 'dropout' }).apply(x) as SymbolicTensor;
    x = L.conv2d({ filters: app.classes, kernelSize: 1, padding: 'same', name: 'conv_preds' }).apply(x) as SymbolicTensor;
    x = L.reshape({ targetShape: [app.classes], name: 'reshape_2' }).apply(x) as SymbolicTensor;
    x = L.activation({ activation: app.classifierActivation ?? 'linear', name: 'predictions' }).apply(x) as SymbolicTensor;
  } else {
    x = applicationTop(x, app);
  }
  const weightRows = rows ?? 224;
  return finishApplication(app, img, x, `mobilenet_${twoDecimals(alpha)}_${rows ?? 'None'}`,
    () => kerasWeightsFile('mobilenet', { includeTop: app.includeTop, alpha, rows: weightRows }));
}

/**
 * keras.applications.MobileNet (v1): 4,253,864 parameters at alpha 1 with the top at 224×224
 * (21,888 of them BatchNormalization moving statistics); 3,228,864 without it. Inputs at least 32×32.
 */
export const mobileNet: ApplicationBuilder<MobileNetArgs> = defineApplication(
  (args: MobileNetArgs) => buildMobileNet(args),
  { preprocessInput: preprocessTf },
);

/** keras.applications.MobileNet (the same function as mobileNet). */
export const MobileNet = mobileNet;
