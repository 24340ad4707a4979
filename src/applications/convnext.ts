/**
 * ConvNeXt Tiny/Small/Base/Large/XLarge (Liu et al., 2022, "A ConvNet for the 2020s") with the
 * architecture, arguments and layer names of keras.applications.ConvNeXt* (Keras 3): the stem and
 * the three downsampling blocks are nested Sequential models (`convnext_tiny_stem`,
 * `convnext_tiny_downsampling_block_0`…), as in Keras, so weights line up with Keras's files.
 * `weights: 'imagenet'` loads Keras's published ImageNet weights (downloaded once, cached, sha256-checked).
 *
 * As in Keras, the preprocessing is part of the model (`includePreprocessing`, default true: a
 * Normalization by ImageNet's mean and standard deviation of pixels 0…255), so `preprocessInput`
 * is the identity.
 */
import { ValueError } from '../errors.js';
import * as L from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import { Sequential } from '../models/sequential.js';
import { kerasWeightsFile } from './weight_urls.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication, finishApplication,
  resolveApplicationArgs,
} from './common.js';

export interface ConvNeXtArgs extends ApplicationArgs {
  /** Start with Keras's PreStem Normalization (ImageNet mean/std of pixels 0…255); only for 3-channel inputs. Default true. */
  includePreprocessing?: boolean;
  /**
   * Stochastic depth: the largest drop-path rate, reached by the last block (rates grow linearly
   * from 0 over the blocks). Default 0 (no StochasticDepth layers). An argument of Keras's ConvNeXt()
   * base function, which the public Keras variants fix at 0.0.
   */
  dropPathRate?: number;
  /**
   * Initial value of the LayerScale factors; null leaves LayerScale out. Default 1e-6. An argument of
   * Keras's ConvNeXt() base function, which the public Keras variants fix at 1e-6.
   */
  layerScaleInitValue?: number | null;
}

export type ConvNeXtVariant = 'tiny' | 'small' | 'base' | 'large' | 'xlarge';

/** Keras's MODEL_CONFIGS: blocks per stage, channels per stage, default input size. */
export const CONVNEXT_CONFIGS: Readonly<Record<ConvNeXtVariant, { depths: readonly number[]; projectionDims: readonly number[]; defaultSize: number }>> = {
  tiny: { depths: [3, 3, 9, 3], projectionDims: [96, 192, 384, 768], defaultSize: 224 },
  small: { depths: [3, 3, 27, 3], projectionDims: [96, 192, 384, 768], defaultSize: 224 },
  base: { depths: [3, 3, 27, 3], projectionDims: [128, 256, 512, 1024], defaultSize: 224 },
  large: { depths: [3, 3, 27, 3], projectionDims: [192, 384, 768, 1536], defaultSize: 224 },
  xlarge: { depths: [3, 3, 27, 3], projectionDims: [256, 512, 1024, 2048], defaultSize: 224 },
};

/** Keras's ConvNeXt normalises with LayerNormalization(epsilon = 1e-6). */
function layerNorm(name?: string): Layer {
  return L.layerNormalization({ epsilon: 1e-6, ...(name ? { name } : {}) });
}

/** Keras's ConvNeXtBlock: depthwise 7×7 → LayerNorm → Dense 4C → GELU → Dense C → LayerScale → drop path, plus the input. */
function convNeXtBlock(inputs: SymbolicTensor, projectionDim: number, dropPathRate: number, layerScaleInitValue: number | null, name: string): SymbolicTensor {
  // Keras writes the depthwise convolution as Conv2D(groups = channels); its kernel is (7, 7, 1, C).
  let x = L.conv2d({ filters: projectionDim, kernelSize: 7, padding: 'same', groups: projectionDim, name: `${name}_depthwise_conv` }).apply(inputs) as SymbolicTensor;
  x = layerNorm(`${name}_layernorm`).apply(x) as SymbolicTensor;
  x = L.dense({ units: 4 * projectionDim, name: `${name}_pointwise_conv_1` }).apply(x) as SymbolicTensor;
  x = L.activation({ activation: 'gelu', name: `${name}_gelu` }).apply(x) as SymbolicTensor;
  x = L.dense({ units: projectionDim, name: `${name}_pointwise_conv_2` }).apply(x) as SymbolicTensor;
  if (layerScaleInitValue !== null) {
    x = L.layerScale({ initValues: layerScaleInitValue, projectionDim, name: `${name}_layer_scale` }).apply(x) as SymbolicTensor;
  }
  const last = dropPathRate
    ? L.stochasticDepth({ dropPathRate, name: `${name}_stochastic_depth` })
    : L.activation({ activation: 'linear', name: `${name}_identity` });
  // Keras: inputs + layer(x), an `add` operation.
  return L.add().apply([inputs, last.apply(x) as SymbolicTensor]) as SymbolicTensor;
}

/** numpy.linspace(0, stop, n) as Python floats. */
function linspace(stop: number, n: number): number[] {
  if (n === 1) return [0];
  const step = stop / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : i * step));
}

function buildConvNeXt(variant: ConvNeXtVariant, fn: string, args: ConvNeXtArgs) {
  const { depths, projectionDims, defaultSize } = CONVNEXT_CONFIGS[variant];
  const includePreprocessing = args.includePreprocessing ?? true;
  if (typeof includePreprocessing !== 'boolean') throw new ValueError(`${fn}: includePreprocessing must be true or false, got ${JSON.stringify(args.includePreprocessing)}`);
  const dropPathRate = args.dropPathRate ?? 0.0;
  if (typeof dropPathRate !== 'number' || !(dropPathRate >= 0 && dropPathRate < 1)) throw new ValueError(`${fn}: dropPathRate must be in [0, 1), got ${JSON.stringify(args.dropPathRate)}`);
  const layerScaleInitValue = args.layerScaleInitValue === undefined ? 1e-6 : args.layerScaleInitValue;
  if (layerScaleInitValue !== null && (typeof layerScaleInitValue !== 'number' || !Number.isFinite(layerScaleInitValue))) {
    throw new ValueError(`${fn}: layerScaleInitValue must be a finite number or null, got ${JSON.stringify(args.layerScaleInitValue)}`);
  }
  const app = resolveApplicationArgs(fn, args, { defaultSize, minSize: 32 });
  const weightsName = `convnext_${variant}`;
  const name = app.name ?? weightsName;

  const img = applicationInput(app);
  let x = img;
  // Keras: PreStem only for 3-channel inputs (Keras reads the count from input_shape; convkit from the input itself).
  if (includePreprocessing && img.shape[3] === 3) {
    x = L.normalization({
      mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
      variance: [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
      name: `${name}_prestem_normalization`,
    }).apply(x) as SymbolicTensor;
  }

  const stem = new Sequential({
    layers: [
      L.conv2d({ filters: projectionDims[0]!, kernelSize: 4, strides: 4, name: `${name}_stem_conv` }),
      layerNorm(`${name}_stem_layernorm`),
    ],
    name: `${name}_stem`,
  });
  const downsampleLayers: Sequential[] = [stem];
  for (let i = 0; i < 3; i++) {
    downsampleLayers.push(new Sequential({
      layers: [
        layerNorm(`${name}_downsampling_layernorm_${i}`),
        L.conv2d({ filters: projectionDims[i + 1]!, kernelSize: 2, strides: 2, name: `${name}_downsampling_conv_${i}` }),
      ],
      name: `${name}_downsampling_block_${i}`,
    }));
  }

  const total = depths.reduce((a, b) => a + b, 0);
  const dropRates = linspace(dropPathRate, total);
  let cur = 0;
  for (let i = 0; i < 4; i++) {
    x = downsampleLayers[i]!.apply(x) as SymbolicTensor;
    for (let j = 0; j < depths[i]!; j++) {
      x = convNeXtBlock(x, projectionDims[i]!, dropRates[cur + j]!, layerScaleInitValue, `${name}_stage_${i}_block_${j}`);
    }
    cur += depths[i]!;
  }

  if (app.includeTop) {
    x = L.globalAveragePooling2d({ name: `${name}_head_gap` }).apply(x) as SymbolicTensor;
    x = layerNorm(`${name}_head_layernorm`).apply(x) as SymbolicTensor;
    x = L.dense({ units: app.classes, activation: app.classifierActivation, name: `${name}_head_dense` }).apply(x) as SymbolicTensor;
  } else {
    // Keras: optional pooling, then a LayerNormalization in every case (also on the 4-D feature map).
    x = applicationTop(x, app);
    x = layerNorm().apply(x) as SymbolicTensor;
  }

  return finishApplication(app, img, x, name, () => kerasWeightsFile(weightsName, { includeTop: app.includeTop }));
}

/** Keras's convnext.preprocess_input: the identity (the model normalises its own inputs). */
function identity(x: Tensor): Tensor {
  return x;
}

function variant(v: ConvNeXtVariant, fn: string): ApplicationBuilder<ConvNeXtArgs> {
  return defineApplication<ConvNeXtArgs>((args) => buildConvNeXt(v, fn, args), { preprocessInput: identity });
}

/** keras.applications.ConvNeXtTiny: 28,589,128 parameters with the top (all trainable); inputs are pixels 0…255. */
export const convNeXtTiny = variant('tiny', 'ConvNeXtTiny');
/** keras.applications.ConvNeXtSmall: 50,223,688 parameters with the top. */
export const convNeXtSmall = variant('small', 'ConvNeXtSmall');
/** keras.applications.ConvNeXtBase: 88,591,464 parameters with the top. */
export const convNeXtBase = variant('base', 'ConvNeXtBase');
/** keras.applications.ConvNeXtLarge: 197,767,336 parameters with the top (about 790 MB of float32 weights). */
export const convNeXtLarge = variant('large', 'ConvNeXtLarge');
/** keras.applications.ConvNeXtXLarge: 350,196,968 parameters with the top (about 1.4 GB of float32 weights). */
export const convNeXtXLarge = variant('xlarge', 'ConvNeXtXLarge');

/** keras.applications.ConvNeXtTiny … ConvNeXtXLarge (the same functions as convNeXtTiny …). */
export const ConvNeXtTiny = convNeXtTiny;
export const ConvNeXtSmall = convNeXtSmall;
export const ConvNeXtBase = convNeXtBase;
export const ConvNeXtLarge = convNeXtLarge;
export const ConvNeXtXLarge = convNeXtXLarge;
