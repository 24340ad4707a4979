/**
 * VGG16 and VGG19 (Simonyan & Zisserman, ICLR 2015) with the architecture, layer names and
 * arguments of keras.applications.VGG16 / VGG19 (Keras 3), so summaries and weights-by-name line up
 * with Keras. `weights: 'imagenet'` loads Keras's published ImageNet weights (528 MB / 549 MB with
 * the top; 56 MB / 77 MB without).
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { kerasWeightsFile } from './weight_urls.js';
import {
  type ApplicationArgs, applicationInput, applicationTop, defineApplication, finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessCaffe } from './imagenet_utils.js';

/** keras.applications.VGG16 / VGG19's arguments (camelCase). */
export type VGGArgs = ApplicationArgs;

/** Convolutions per block: [filters, count] of blocks 1…5. */
const VGG16_BLOCKS: readonly (readonly [number, number])[] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];
const VGG19_BLOCKS: readonly (readonly [number, number])[] = [[64, 2], [128, 2], [256, 4], [512, 4], [512, 4]];

function buildVGG(fn: string, arch: 'vgg16' | 'vgg19', blocks: readonly (readonly [number, number])[], args: VGGArgs) {
  const app = resolveApplicationArgs(fn, args, { defaultSize: 224, minSize: 32 });
  const imgInput = applicationInput(app);
  let x = imgInput;
  blocks.forEach(([filters, count], b) => {
    for (let i = 1; i <= count; i++) {
      x = L.conv2d({ filters, kernelSize: 3, activation: 'relu', padding: 'same', name: `block${b + 1}_conv${i}` }).apply(x) as SymbolicTensor;
    }
    x = L.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b + 1}_pool` }).apply(x) as SymbolicTensor;
  });
  x = applicationTop(x, app, {
    classifierHead: (t) => {
      let h = L.flatten({ name: 'flatten' }).apply(t) as SymbolicTensor;
      h = L.dense({ units: 4096, activation: 'relu', name: 'fc1' }).apply(h) as SymbolicTensor;
      return L.dense({ units: 4096, activation: 'relu', name: 'fc2' }).apply(h) as SymbolicTensor;
    },
  });
  return finishApplication(app, imgInput, x, arch, () => kerasWeightsFile(arch, { includeTop: app.includeTop }));
}

/**
 * keras.applications.VGG16: 13 convolutions and 3 dense layers, 138,357,544 parameters with the top
 * (14,714,688 without). Default input 224×224×3, at least 32×32. `vgg16.preprocessInput` is Keras's
 * vgg16.preprocess_input ('caffe': RGB → BGR, ImageNet means subtracted).
 */
export const vgg16 = defineApplication<VGGArgs>((args) => buildVGG('VGG16', 'vgg16', VGG16_BLOCKS, args), { preprocessInput: preprocessCaffe });
/** keras.applications.VGG16 (the same function as vgg16). */
export const VGG16 = vgg16;

/**
 * keras.applications.VGG19: 16 convolutions and 3 dense layers, 143,667,240 parameters with the top
 * (20,024,384 without). `vgg19.preprocessInput` is Keras's vgg19.preprocess_input ('caffe').
 */
export const vgg19 = defineApplication<VGGArgs>((args) => buildVGG('VGG19', 'vgg19', VGG19_BLOCKS, args), { preprocessInput: preprocessCaffe });
/** keras.applications.VGG19 (the same function as vgg19). */
export const VGG19 = vgg19;
