/**
 * MobileNetV3 Small and Large (Howard et al., 2019, "Searching for MobileNetV3") with the
 * architecture, arguments and layer names of keras.applications.MobileNetV3Small/Large (Keras 3),
 * so summaries and weights line up with Keras. `weights: 'imagenet'` loads Keras's published
 * ImageNet weights (downloaded once, cached, md5-checked).
 *
 * As in Keras, the preprocessing is part of the model (`includePreprocessing`, default true: a
 * Rescaling from pixels 0…255 to [−1, 1]), so `preprocessInput` is the identity.
 *
 * Keras writes hard-swish as `Activation('hard_swish')` layers and hard-sigmoid (inside the
 * squeeze-excite blocks) as `ReLU(6.0)(x + 3.0) * (1.0 / 6.0)`. Keras 3 records `x + 3.0` and
 * `· (1/6)` as graph operations named `add`, `multiply` (…_1, …_2); convkit writes each as a
 * Rescaling layer of that name (x·1 + 3, x·(1/6): the same float32 arithmetic), so the layer names,
 * and hence every automatic name after them (`activation_12`, `re_lu_3`…), are Keras's.
 */
import * as L from '../layers/index.js';
import { uniqueName } from '../layers/naming.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { kerasWeightsFile } from './weight_urls.js';
import {
  type ApplicationArgs, type ApplicationBuilder, type ImageShape, applicationInput, applicationTop, defineApplication,
  finishApplication, pyShape, resolveApplicationArgs,
} from './common.js';
import { makeDivisible } from './mobilenet_v2.js';

export interface MobileNetV3Args extends ApplicationArgs {
  /**
   * [rows, cols, 3]; at least 32×32. Default [null, null, 3] (any size: the top pools globally),
   * also with the top, as Keras.
   */
  inputShape?: ImageShape | null;
  /** Width multiplier of every block (Keras: alpha; the paper's depth multiplier). Default 1.0. */
  alpha?: number;
  /** The minimalistic variant: 3×3 kernels, ReLU everywhere, no squeeze-excite. Default false. */
  minimalistic?: boolean;
  /** Fraction of the top's features dropped in training (a Dropout before `logits` when > 0). Default 0.2. */
  dropoutRate?: number;
  /** Start with Keras's Rescaling (pixels 0…255 → [−1, 1]). Default true. */
  includePreprocessing?: boolean;
}

/** Keras's _depth: round to a multiple of 8, never more than 10% down (MobileNetV2's make_divisible). */
const depth = (v: number): number => makeDivisible(v, 8);

type Act = (x: SymbolicTensor) => SymbolicTensor;

function relu(x: SymbolicTensor): SymbolicTensor {
  return L.reLU().apply(x) as SymbolicTensor;
}

/** Keras: ReLU(6.0)(x + 3.0) * (1.0 / 6.0). */
function hardSigmoid(x: SymbolicTensor): SymbolicTensor {
  x = L.rescaling({ scale: 1, offset: 3, name: uniqueName('add') }).apply(x) as SymbolicTensor;
  x = L.reLU({ maxValue: 6 }).apply(x) as SymbolicTensor;
  return L.rescaling({ scale: 1 / 6, name: uniqueName('multiply') }).apply(x) as SymbolicTensor;
}

/** Keras: Activation('hard_swish'). */
function hardSwish(x: SymbolicTensor): SymbolicTensor {
  return L.activation({ activation: 'hard_swish' }).apply(x) as SymbolicTensor;
}

function batchNorm(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name }).apply(x) as SymbolicTensor;
}

function conv(x: SymbolicTensor, filters: number, name: string, useBias: boolean): SymbolicTensor {
  return L.conv2d({ filters, kernelSize: 1, padding: 'same', useBias, name }).apply(x) as SymbolicTensor;
}

/** Keras's imagenet_utils.correct_pad (as in MobileNetV2): TensorFlow's 'same' for a stride-2 'valid' convolution. */
function correctPad(x: SymbolicTensor, kernel: number): [[number, number], [number, number]] {
  const [h, w] = [x.shape[1], x.shape[2]];
  const adjust = h === null || w === null ? [1, 1] : [1 - (h % 2), 1 - (w % 2)];
  const c = Math.floor(kernel / 2);
  return [[c - adjust[0]!, c], [c - adjust[1]!, c]];
}

function seBlock(inputs: SymbolicTensor, filters: number, seRatio: number, prefix: string): SymbolicTensor {
  let x = L.globalAveragePooling2d({ keepdims: true, name: `${prefix}squeeze_excite_avg_pool` }).apply(inputs) as SymbolicTensor;
  x = conv(x, depth(filters * seRatio), `${prefix}squeeze_excite_conv`, true);
  x = L.reLU({ name: `${prefix}squeeze_excite_relu` }).apply(x) as SymbolicTensor;
  x = conv(x, filters, `${prefix}squeeze_excite_conv_1`, true);
  x = hardSigmoid(x);
  return L.multiply({ name: `${prefix}squeeze_excite_mul` }).apply([inputs, x]) as SymbolicTensor;
}

function invertedResBlock(
  x: SymbolicTensor, expansion: number, filters: number, kernelSize: number, stride: number,
  seRatio: number | null, activation: Act, blockId: number,
): SymbolicTensor {
  const shortcut = x;
  const infilters = x.shape[x.shape.length - 1] as number;
  let prefix = 'expanded_conv_';
  if (blockId) {
    prefix = `expanded_conv_${blockId}_`;
    x = L.conv2d({ filters: depth(infilters * expansion), kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}expand` }).apply(x) as SymbolicTensor;
    x = batchNorm(x, `${prefix}expand_bn`);
    x = activation(x);
  }
  if (stride === 2) x = L.zeroPadding2d({ padding: correctPad(x, kernelSize), name: `${prefix}depthwise_pad` }).apply(x) as SymbolicTensor;
  x = L.depthwiseConv2d({
    kernelSize, strides: stride, padding: stride === 1 ? 'same' : 'valid', useBias: false, name: `${prefix}depthwise`,
  }).apply(x) as SymbolicTensor;
  x = batchNorm(x, `${prefix}depthwise_bn`);
  x = activation(x);
  if (seRatio) x = seBlock(x, depth(infilters * expansion), seRatio, prefix);
  x = L.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, name: `${prefix}project` }).apply(x) as SymbolicTensor;
  x = batchNorm(x, `${prefix}project_bn`);
  if (stride === 1 && infilters === filters) x = L.add({ name: `${prefix}add` }).apply([shortcut, x]) as SymbolicTensor;
  return x;
}

/** One block: [expansion, filters (before alpha), kernel ('k': 5, or 3 when minimalistic), stride, squeeze-excite, activation ('a': hard-swish, or ReLU when minimalistic)]. */
type BlockSpec = readonly [number, number, 3 | 'k', 1 | 2, boolean, 'relu' | 'a'];

/** MobileNetV3Small's stack_fn (Keras's order and arguments). */
const SMALL_BLOCKS: readonly BlockSpec[] = [
  [1, 16, 3, 2, true, 'relu'],
  [72 / 16, 24, 3, 2, false, 'relu'],
  [88 / 24, 24, 3, 1, false, 'relu'],
  [4, 40, 'k', 2, true, 'a'],
  [6, 40, 'k', 1, true, 'a'],
  [6, 40, 'k', 1, true, 'a'],
  [3, 48, 'k', 1, true, 'a'],
  [3, 48, 'k', 1, true, 'a'],
  [6, 96, 'k', 2, true, 'a'],
  [6, 96, 'k', 1, true, 'a'],
  [6, 96, 'k', 1, true, 'a'],
];

/** MobileNetV3Large's stack_fn. */
const LARGE_BLOCKS: readonly BlockSpec[] = [
  [1, 16, 3, 1, false, 'relu'],
  [4, 24, 3, 2, false, 'relu'],
  [3, 24, 3, 1, false, 'relu'],
  [3, 40, 'k', 2, true, 'relu'],
  [3, 40, 'k', 1, true, 'relu'],
  [3, 40, 'k', 1, true, 'relu'],
  [6, 80, 3, 2, false, 'a'],
  [2.5, 80, 3, 1, false, 'a'],
  [2.3, 80, 3, 1, false, 'a'],
  [2.3, 80, 3, 1, false, 'a'],
  [6, 112, 3, 1, true, 'a'],
  [6, 112, 3, 1, true, 'a'],
  [6, 160, 'k', 2, true, 'a'],
  [6, 160, 'k', 1, true, 'a'],
  [6, 160, 'k', 1, true, 'a'],
];

type ModelType = 'small' | 'large';

function buildMobileNetV3(modelType: ModelType, fn: string, args: MobileNetV3Args) {
  const alpha = args.alpha ?? 1.0;
  if (typeof alpha !== 'number' || !(alpha > 0) || !Number.isFinite(alpha)) throw new ValueError(`${fn}: alpha must be a number > 0, got ${JSON.stringify(args.alpha)}`);
  const minimalistic = args.minimalistic ?? false;
  if (typeof minimalistic !== 'boolean') throw new ValueError(`${fn}: minimalistic must be true or false, got ${JSON.stringify(args.minimalistic)}`);
  const includePreprocessing = args.includePreprocessing ?? true;
  if (typeof includePreprocessing !== 'boolean') throw new ValueError(`${fn}: includePreprocessing must be true or false, got ${JSON.stringify(args.includePreprocessing)}`);
  const dropoutRate = args.dropoutRate ?? 0.2;
  if (typeof dropoutRate !== 'number' || !(dropoutRate >= 0 && dropoutRate < 1)) throw new ValueError(`${fn}: dropoutRate must be in [0, 1), got ${JSON.stringify(args.dropoutRate)}`);

  // Keras: with both, input_shape[1] must equal input_tensor.shape[2]; with only the tensor, its rows/cols are checked.
  const given = args.inputShape ?? null;
  const inputTensor = args.inputTensor ?? null;
  if (given !== null && inputTensor !== null && Array.isArray(inputTensor.shape) && inputTensor.shape[2] !== given[1]) {
    throw new ValueError(`${fn}: inputShape[1] must equal inputTensor.shape[2]; got inputShape ${pyShape(given)}, inputTensor shape ${pyShape(inputTensor.shape)}`);
  }
  const probe = given ?? (inputTensor !== null && Array.isArray(inputTensor.shape) && inputTensor.shape.length === 4 ? inputTensor.shape.slice(1) : null);
  // MobileNetV3 never needs a fixed input size (its top pools globally): Keras does not call obtain_input_shape's
  // require_flatten, and defaults to (None, None, 3) with the top too.
  const app = resolveApplicationArgs(fn, { ...args, inputShape: probe }, { defaultSize: 224, minSize: 32, requireFlatten: false });
  if (app.weights === 'imagenet') {
    if ((!minimalistic && alpha !== 0.75 && alpha !== 1.0) || (minimalistic && alpha !== 1.0)) {
      throw new ValueError(`${fn}: with 'imagenet' weights, alpha can be one of 0.75, 1.0 for non minimalistic or 1.0 for minimalistic only; got ${alpha}`);
    }
  }
  const [rows, cols] = app.inputShape;

  const img = applicationInput(app);
  const kernel = minimalistic ? 3 : 5;
  const activation: Act = minimalistic ? relu : hardSwish;
  const seRatio = minimalistic ? null : 0.25;

  let x = img;
  if (includePreprocessing) x = L.rescaling({ scale: 1.0 / 127.5, offset: -1.0 }).apply(x) as SymbolicTensor;
  x = L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv' }).apply(x) as SymbolicTensor;
  x = batchNorm(x, 'conv_bn');
  x = activation(x);

  const blocks = modelType === 'small' ? SMALL_BLOCKS : LARGE_BLOCKS;
  blocks.forEach(([expansion, filters, k, stride, se, act], blockId) => {
    x = invertedResBlock(x, expansion, depth(filters * alpha), k === 'k' ? kernel : k, stride, se ? seRatio : null, act === 'a' ? activation : relu, blockId);
  });

  const lastConvCh = depth((x.shape[x.shape.length - 1] as number) * 6);
  let lastPointCh = modelType === 'small' ? 1024 : 1280;
  // A width multiplier above 1 also widens the top (never thins it).
  if (alpha > 1.0) lastPointCh = depth(lastPointCh * alpha);
  x = conv(x, lastConvCh, 'conv_1', false);
  x = batchNorm(x, 'conv_1_bn');
  x = activation(x);
  if (app.includeTop) {
    x = L.globalAveragePooling2d({ keepdims: true }).apply(x) as SymbolicTensor;
    x = conv(x, lastPointCh, 'conv_2', true);
    x = activation(x);
    if (dropoutRate > 0) x = L.dropout({ rate: dropoutRate }).apply(x) as SymbolicTensor;
    x = conv(x, app.classes, 'logits', true);
    x = L.flatten().apply(x) as SymbolicTensor;
    x = L.activation({ activation: app.classifierActivation ?? 'linear', name: 'predictions' }).apply(x) as SymbolicTensor;
  } else {
    x = applicationTop(x, app, { avgPoolName: 'avg_pool', maxPoolName: 'max_pool' });
  }

  const defaultName = modelType === 'small' ? 'MobileNetV3Small' : 'MobileNetV3Large';
  return finishApplication(app, img, x, defaultName, () => {
    // As Keras: weights exist for 224×224 only; other sizes load them with a warning.
    if (rows !== cols || rows !== 224) {
      process.emitWarning(
        `${fn}: \`inputShape\` is undefined or non-square, or rows is not 224 (got ${pyShape(app.inputShape)}); loading the weights for input shape (224, 224)`,
        { code: 'CONVKIT_WEIGHTS_SIZE' },
      );
    }
    return kerasWeightsFile(`mobilenet_v3_${modelType}`, { includeTop: app.includeTop, alpha, minimalistic });
  });
}

/** Keras's mobilenet_v3.preprocess_input: the identity (the model rescales its own inputs). */
function identity(x: Tensor): Tensor {
  return x;
}

/**
 * keras.applications.MobileNetV3Small with `weights=None`: 2,554,968 parameters with the top
 * (12,112 of them BatchNormalization moving statistics); inputs are pixels 0…255.
 */
export const mobileNetV3Small: ApplicationBuilder<MobileNetV3Args> = defineApplication<MobileNetV3Args>(
  (args) => buildMobileNetV3('small', 'MobileNetV3Small', args),
  { preprocessInput: identity },
);

/** keras.applications.MobileNetV3Large: 5,507,432 parameters with the top (24,400 non-trainable). */
export const mobileNetV3Large: ApplicationBuilder<MobileNetV3Args> = defineApplication<MobileNetV3Args>(
  (args) => buildMobileNetV3('large', 'MobileNetV3Large', args),
  { preprocessInput: identity },
);

/** keras.applications.MobileNetV3Small / MobileNetV3Large (the same functions as mobileNetV3Small …). */
export const MobileNetV3Small = mobileNetV3Small;
export const MobileNetV3Large = mobileNetV3Large;
