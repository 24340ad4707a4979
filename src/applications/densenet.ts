/**
 * DenseNet-121/169/201 (Huang et al., 2017) with the architecture and layer names of
 * keras.applications.DenseNet121/169/201 (Keras 3), so summaries and weights-by-name line up with
 * Keras. `weights: 'imagenet'` loads Keras's published ImageNet weights (downloaded once, cached).
 * Inputs are preprocessed as Keras's densenet.preprocess_input ('torch' mode).
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessTorch } from './imagenet_utils.js';
import { kerasWeightsFile } from './weight_urls.js';

/** DenseNet's BatchNormalization epsilon (Keras: 1.001e-5). */
const EPS = 1.001e-5;

function bn(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ epsilon: EPS, name }).apply(x) as SymbolicTensor;
}

function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;
}

/** One layer of a dense block: BN-ReLU-Conv1×1(4k)-BN-ReLU-Conv3×3(k), concatenated to its input. */
function convBlock(x: SymbolicTensor, growthRate: number, name: string): SymbolicTensor {
  let x1 = relu(bn(x, `${name}_0_bn`), `${name}_0_relu`);
  x1 = L.conv2d({ filters: 4 * growthRate, kernelSize: 1, useBias: false, name: `${name}_1_conv` }).apply(x1) as SymbolicTensor;
  x1 = relu(bn(x1, `${name}_1_bn`), `${name}_1_relu`);
  x1 = L.conv2d({ filters: growthRate, kernelSize: 3, padding: 'same', useBias: false, name: `${name}_2_conv` }).apply(x1) as SymbolicTensor;
  return L.concatenate({ axis: -1, name: `${name}_concat` }).apply([x, x1]) as SymbolicTensor;
}

function denseBlock(x: SymbolicTensor, blocks: number, name: string): SymbolicTensor {
  for (let i = 0; i < blocks; i++) x = convBlock(x, 32, `${name}_block${i + 1}`);
  return x;
}

/** BN-ReLU-Conv1×1 (channels × reduction) then 2×2 average pooling. */
function transitionBlock(x: SymbolicTensor, reduction: number, name: string): SymbolicTensor {
  x = relu(bn(x, `${name}_bn`), `${name}_relu`);
  const channels = x.shape[x.shape.length - 1] as number;
  x = L.conv2d({ filters: Math.trunc(channels * reduction), kernelSize: 1, useBias: false, name: `${name}_conv` }).apply(x) as SymbolicTensor;
  return L.averagePooling2d({ poolSize: 2, strides: 2, name: `${name}_pool` }).apply(x) as SymbolicTensor;
}

type DenseNetVariant = 'densenet121' | 'densenet169' | 'densenet201';

/** Building blocks of the four dense blocks. */
const BLOCKS: Record<DenseNetVariant, readonly [number, number, number, number]> = {
  densenet121: [6, 12, 24, 16],
  densenet169: [6, 12, 32, 32],
  densenet201: [6, 12, 48, 32],
};

function buildDenseNet(variant: DenseNetVariant, fn: string, args: ApplicationArgs) {
  const blocks = BLOCKS[variant];
  const app = resolveApplicationArgs(fn, args, { defaultSize: 224, minSize: 32 });
  const img = applicationInput(app);
  let x = L.zeroPadding2d({ padding: [[3, 3], [3, 3]] }).apply(img) as SymbolicTensor;
  x = L.conv2d({ filters: 64, kernelSize: 7, strides: 2, useBias: false, name: 'conv1_conv' }).apply(x) as SymbolicTensor;
  x = relu(bn(x, 'conv1_bn'), 'conv1_relu');
  x = L.zeroPadding2d({ padding: [[1, 1], [1, 1]] }).apply(x) as SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }).apply(x) as SymbolicTensor;

  x = denseBlock(x, blocks[0], 'conv2');
  x = transitionBlock(x, 0.5, 'pool2');
  x = denseBlock(x, blocks[1], 'conv3');
  x = transitionBlock(x, 0.5, 'pool3');
  x = denseBlock(x, blocks[2], 'conv4');
  x = transitionBlock(x, 0.5, 'pool4');
  x = denseBlock(x, blocks[3], 'conv5');
  x = relu(bn(x, 'bn'), 'relu');

  x = applicationTop(x, app, { avgPoolName: 'avg_pool', maxPoolName: 'max_pool' });
  return finishApplication(app, img, x, variant, () => kerasWeightsFile(variant, { includeTop: app.includeTop }));
}

/**
 * keras.applications.DenseNet121: 8,062,504 parameters with the top at 224×224 (83,648 of them
 * BatchNormalization moving statistics); 7,037,504 without it. Inputs at least 32×32.
 */
export const denseNet121: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildDenseNet('densenet121', 'DenseNet121', args),
  { preprocessInput: preprocessTorch },
);

/** keras.applications.DenseNet169: 14,307,880 parameters with the top (158,400 non-trainable). */
export const denseNet169: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildDenseNet('densenet169', 'DenseNet169', args),
  { preprocessInput: preprocessTorch },
);

/** keras.applications.DenseNet201: 20,242,984 parameters with the top (229,056 non-trainable). */
export const denseNet201: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildDenseNet('densenet201', 'DenseNet201', args),
  { preprocessInput: preprocessTorch },
);

/** keras.applications.DenseNet121 / DenseNet169 / DenseNet201 (the same functions as denseNet121 …). */
export const DenseNet121 = denseNet121;
export const DenseNet169 = denseNet169;
export const DenseNet201 = denseNet201;
