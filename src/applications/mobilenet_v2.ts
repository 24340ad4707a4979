/**
 * MobileNetV2 (Sandler et al., 2018) with the architecture and layer names of
 * keras.applications.MobileNetV2 (Keras 3), so summaries and weights-by-name line up with Keras.
 * `weights: 'imagenet'` loads Keras's published ImageNet weights (downloaded once, then cached).
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { ValueError } from '../errors.js';
import { kerasWeightsFile } from './weight_urls.js';
import {
  type ApplicationArgs, type ImageShape, applicationInput, applicationTop, defineApplication, finishApplication, pyShape, resolveApplicationArgs,
} from './common.js';
import { preprocessTf } from './imagenet_utils.js';

export interface MobileNetV2Args extends ApplicationArgs {
  /** Shape of one image, [rows, cols, 3]; at least 32×32. Defaults to [224, 224, 3]. */
  inputShape?: ImageShape | null;
  /** Width multiplier: scales the filters of every block (not the last 1280 unless > 1). */
  alpha?: number;
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
 * (34,112 of them BatchNormalization moving statistics). `mobileNetV2.preprocessInput` is Keras's
 * mobilenet_v2.preprocess_input ('tf' mode: pixels 0…255 into [−1, 1]).
 */
export const mobileNetV2 = defineApplication<MobileNetV2Args>(buildMobileNetV2, { preprocessInput: preprocessTf });
/** keras.applications.MobileNetV2 (the same function as mobileNetV2). */
export const MobileNetV2 = mobileNetV2;

function buildMobileNetV2(args: MobileNetV2Args) {
  const fn = 'mobileNetV2';
  const alpha = args.alpha ?? 1.0;
  if (!(typeof alpha === 'number' && alpha > 0)) throw new ValueError(`${fn}: alpha must be > 0, got ${alpha}`);
  // Keras: the default size is the input's rows when they are one of the published sizes, else 224.
  const given = args.inputShape ?? null;
  const inputTensor = args.inputTensor ?? null;
  if (given !== null && inputTensor !== null && inputTensor.shape[2] !== given[1]) {
    throw new ValueError(`${fn}: inputTensor.shape[2] must equal inputShape[1]; got inputTensor shape ${pyShape(inputTensor.shape)}, inputShape ${pyShape(given)}`);
  }
  const probe = given ?? (inputTensor !== null ? inputTensor.shape.slice(1) : null);
  const defaultSize = probe !== null && probe[0] === probe[1] && WEIGHT_ROWS.includes(probe[0] as number) ? (probe[0] as number) : 224;
  // convkit's MobileNetV2 has always defaulted to a 224×224 input, also without the top (Keras: None×None).
  const app = resolveApplicationArgs(fn, { ...args, inputShape: given ?? (inputTensor === null ? [224, 224, 3] : null) }, { defaultSize, minSize: 32 });
  if (app.inputShape[2] !== 3) throw new ValueError(`${fn}: the input must have 3 channels, got ${app.inputShape[2]}`);
  let rows = app.inputShape[0];
  const cols = app.inputShape[1];
  const imagenetRows = rows !== null && rows === cols && WEIGHT_ROWS.includes(rows);
  if (app.weights === 'imagenet' && !imagenetRows) rows = 224;

  const imgInput = applicationInput(app);
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
  x = applicationTop(x, app);

  return finishApplication(app, imgInput, x, `mobilenetv2_${alpha.toFixed(2)}_${rows ?? 'None'}`, () => {
    // As Keras: other sizes reuse the 224 weights (convolutions do not depend on the image size).
    if (!imagenetRows) process.emitWarning(`mobileNetV2: no ImageNet weights are published for ${pyShape(app.inputShape.slice(0, 2))} inputs; loading the 224x224 weights`, { code: 'CONVKIT_WEIGHTS_SIZE' });
    return kerasWeightsFile('mobilenet_v2', { includeTop: app.includeTop, alpha, rows: rows as number });
  });
}
