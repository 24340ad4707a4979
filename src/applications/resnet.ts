/**
 * ResNet50 / ResNet101 / ResNet152 (He et al., CVPR 2016) with the architecture, layer names and
 * arguments of keras.applications.ResNet50 / 101 / 152 (Keras 3), so summaries and weights-by-name
 * line up with Keras; and the shared ResNet skeleton that resnet_v2.ts builds ResNetV2 on.
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import { kerasWeightsFile } from './weight_urls.js';
import {
  type ApplicationArgs, applicationInput, applicationTop, defineApplication, finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessCaffe } from './imagenet_utils.js';

/** keras.applications.ResNet* arguments (camelCase). */
export type ResNetArgs = ApplicationArgs;

/** Keras's ResNets: BatchNormalization epsilon 1.001e-5 (momentum stays Keras's default 0.99). */
function bn(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.batchNormalization({ epsilon: 1.001e-5, name }).apply(x) as SymbolicTensor;
}

function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;
}

function conv(x: SymbolicTensor, filters: number, kernelSize: number, name: string, opts: { strides?: number; padding?: 'valid' | 'same'; useBias?: boolean } = {}): SymbolicTensor {
  return L.conv2d({ filters, kernelSize, strides: opts.strides ?? 1, padding: opts.padding ?? 'valid', useBias: opts.useBias ?? true, name }).apply(x) as SymbolicTensor;
}

/**
 * Keras's ResNet(): conv1 (7×7/2 on a 3-pixel zero pad; BN + ReLU unless pre-activation), pool1
 * (3×3/2 max on a 1-pixel pad), the stacks, post_bn/post_relu for pre-activation (V2), then the top:
 * `avg_pool` + `predictions`, or pooling 'avg' (`avg_pool`) / 'max' (`max_pool`).
 */
export function buildResNet(
  fn: string,
  stack: (x: SymbolicTensor) => SymbolicTensor,
  preact: boolean,
  useBias: boolean,
  defaultName: string,
  weightsName: string,
  args: ResNetArgs,
): Model | Promise<Model> {
  const app = resolveApplicationArgs(fn, args, { defaultSize: 224, minSize: 32 });
  const imgInput = applicationInput(app);
  let x = L.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }).apply(imgInput) as SymbolicTensor;
  x = conv(x, 64, 7, 'conv1_conv', { strides: 2, useBias });
  if (!preact) {
    x = bn(x, 'conv1_bn');
    x = relu(x, 'conv1_relu');
  }
  x = L.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }).apply(x) as SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as SymbolicTensor;
  x = stack(x);
  if (preact) {
    x = bn(x, 'post_bn');
    x = relu(x, 'post_relu');
  }
  x = applicationTop(x, app, { avgPoolName: 'avg_pool', maxPoolName: 'max_pool' });
  return finishApplication(app, imgInput, x, defaultName, () => kerasWeightsFile(weightsName, { includeTop: app.includeTop }));
}

/**
 * Keras's residual_block_v1: a bottleneck (1×1 stride s → 3×3 same → 1×1 ×4 filters, each with
 * BN, ReLU after the first two) added to the shortcut (a 1×1 stride-s projection + BN, or the input),
 * then ReLU (`<name>_out`).
 */
export function residualBlockV1(x: SymbolicTensor, filters: number, name: string, opts: { kernelSize?: number; stride?: number; convShortcut?: boolean } = {}): SymbolicTensor {
  const stride = opts.stride ?? 1;
  const k = opts.kernelSize ?? 3;
  let shortcut = x;
  if (opts.convShortcut ?? true) {
    shortcut = conv(x, 4 * filters, 1, `${name}_0_conv`, { strides: stride });
    shortcut = bn(shortcut, `${name}_0_bn`);
  }
  let y = conv(x, filters, 1, `${name}_1_conv`, { strides: stride });
  y = bn(y, `${name}_1_bn`);
  y = relu(y, `${name}_1_relu`);
  y = conv(y, filters, k, `${name}_2_conv`, { padding: 'same' });
  y = bn(y, `${name}_2_bn`);
  y = relu(y, `${name}_2_relu`);
  y = conv(y, 4 * filters, 1, `${name}_3_conv`);
  y = bn(y, `${name}_3_bn`);
  y = L.add({ name: `${name}_add` }).apply([shortcut, y]) as SymbolicTensor;
  return relu(y, `${name}_out`);
}

/** Keras's stack_residual_blocks_v1: block1 projects (stride `stride1`), blocks 2…n are identity blocks. */
export function stackResidualBlocksV1(x: SymbolicTensor, filters: number, blocks: number, name: string, stride1 = 2): SymbolicTensor {
  let y = residualBlockV1(x, filters, `${name}_block1`, { stride: stride1 });
  for (let i = 2; i <= blocks; i++) y = residualBlockV1(y, filters, `${name}_block${i}`, { convShortcut: false });
  return y;
}

/**
 * Keras's residual_block_v2 (pre-activation): BN + ReLU first (`_preact_bn`, `_preact_relu`); the
 * shortcut is a 1×1 projection of the pre-activation, a 1×1 stride-s max pooling of the input, or
 * the input; the branch is 1×1 (no bias) → BN/ReLU → pad 1 + 3×3 stride s (no bias) → BN/ReLU →
 * 1×1 ×4 filters; the sum is `<name>_out`.
 */
export function residualBlockV2(x: SymbolicTensor, filters: number, name: string, opts: { kernelSize?: number; stride?: number; convShortcut?: boolean } = {}): SymbolicTensor {
  const stride = opts.stride ?? 1;
  const k = opts.kernelSize ?? 3;
  let preact = bn(x, `${name}_preact_bn`);
  preact = relu(preact, `${name}_preact_relu`);
  let shortcut: SymbolicTensor;
  if (opts.convShortcut ?? false) shortcut = conv(preact, 4 * filters, 1, `${name}_0_conv`, { strides: stride });
  else shortcut = stride > 1 ? L.maxPooling2d({ poolSize: 1, strides: stride }).apply(x) as SymbolicTensor : x;
  let y = conv(preact, filters, 1, `${name}_1_conv`, { useBias: false });
  y = bn(y, `${name}_1_bn`);
  y = relu(y, `${name}_1_relu`);
  y = L.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: `${name}_2_pad` }).apply(y) as SymbolicTensor;
  y = conv(y, filters, k, `${name}_2_conv`, { strides: stride, useBias: false });
  y = bn(y, `${name}_2_bn`);
  y = relu(y, `${name}_2_relu`);
  y = conv(y, 4 * filters, 1, `${name}_3_conv`);
  return L.add({ name: `${name}_out` }).apply([shortcut, y]) as SymbolicTensor;
}

/** Keras's stack_residual_blocks_v2: block1 projects, the last block strides (`stride1`), the rest are identity blocks. */
export function stackResidualBlocksV2(x: SymbolicTensor, filters: number, blocks: number, name: string, stride1 = 2): SymbolicTensor {
  let y = residualBlockV2(x, filters, `${name}_block1`, { convShortcut: true });
  for (let i = 2; i < blocks; i++) y = residualBlockV2(y, filters, `${name}_block${i}`);
  return residualBlockV2(y, filters, `${name}_block${blocks}`, { stride: stride1 });
}

/** Blocks per stage (conv2…conv5) of the v1 ResNets. */
function resNetV1(fn: string, arch: string, depths: readonly [number, number, number, number]) {
  return defineApplication<ResNetArgs>((args) => buildResNet(fn, (x) => {
    x = stackResidualBlocksV1(x, 64, depths[0], 'conv2', 1);
    x = stackResidualBlocksV1(x, 128, depths[1], 'conv3');
    x = stackResidualBlocksV1(x, 256, depths[2], 'conv4');
    return stackResidualBlocksV1(x, 512, depths[3], 'conv5');
  }, false, true, args.name ?? arch, arch, args), { preprocessInput: preprocessCaffe });
}

/**
 * keras.applications.ResNet50: 25,636,712 parameters with the top (53,120 of them BatchNormalization
 * moving statistics); 23,587,712 without. `resNet50.preprocessInput` is Keras's
 * resnet50.preprocess_input ('caffe': RGB → BGR, ImageNet means subtracted).
 */
export const resNet50 = resNetV1('ResNet50', 'resnet50', [3, 4, 6, 3]);
/** keras.applications.ResNet50 (the same function as resNet50). */
export const ResNet50 = resNet50;
/** keras.applications.ResNet101: 44,707,176 parameters with the top. */
export const resNet101 = resNetV1('ResNet101', 'resnet101', [3, 4, 23, 3]);
/** keras.applications.ResNet101 (the same function as resNet101). */
export const ResNet101 = resNet101;
/** keras.applications.ResNet152: 60,419,944 parameters with the top. */
export const resNet152 = resNetV1('ResNet152', 'resnet152', [3, 8, 36, 3]);
/** keras.applications.ResNet152 (the same function as resNet152). */
export const ResNet152 = resNet152;
