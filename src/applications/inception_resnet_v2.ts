/**
 * Inception-ResNet v2 (Szegedy et al., AAAI 2017) with the architecture and layer names of
 * keras.applications.InceptionResNetV2 (Keras 3): the stem and the Inception-A block mixed_5b;
 * 10 × block35 (scale 0.17), the reduction mixed_6a, 20 × block17 (0.1), the reduction mixed_7a,
 * 10 × block8 (0.2; the last one scale 1 and no activation); conv_7b; the top avg_pool and predictions.
 * Inputs are preprocessed as Keras's inception_resnet_v2.preprocess_input ('tf' mode).
 *
 * As in Keras, the branch convolutions are Conv2D (no bias) → BatchNormalization (no scale) → ReLU
 * with automatic names (conv2d, batch_normalization, activation, …); each block's residual is
 * `<block>_mixed` (Concatenate) → `<block>_conv` (1×1 Conv2D with bias) → an unnamed
 * CustomScaleLayer (x + scale · r) → `<block>_ac`. Because of the automatic names Keras's ImageNet
 * file is loaded by topology, in Keras's layer order, as InceptionV3's is.
 */
import { ShapeError, ValueError } from '../errors.js';
import * as L from '../layers/index.js';
import { Layer, type LayerArgs } from '../layers/layer.js';
import { registerLayer } from '../layers/registry.js';
import { registerPlainLayer } from '../models/inference_plan.js';
import { formatShapeTuple, type SymShape, type SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessTf } from './imagenet_utils.js';
import { withKerasLayerOrder } from './inception_v3.js';
import { loadApplicationWeights } from './pretrained.js';
import { kerasWeightsFile } from './weight_urls.js';

export interface CustomScaleLayerArgs extends LayerArgs {
  /** The residual's factor: the layer computes inputs[0] + inputs[1] · scale. */
  scale: number;
}

/**
 * Keras 3's inception_resnet_v2.CustomScaleLayer: called on [x, r] (same shapes), returns
 * x + r · scale. No weights. Registered under its Keras class name, so saved models load again.
 */
export class CustomScaleLayer extends Layer {
  static override className = 'CustomScaleLayer';
  readonly scale: number;

  constructor(args: CustomScaleLayerArgs) {
    super(args);
    if (typeof args?.scale !== 'number' || !Number.isFinite(args.scale)) {
      throw new ValueError(`Layer "${this.name}" (CustomScaleLayer): scale must be a finite number, got ${JSON.stringify(args?.scale)}`);
    }
    this.scale = args.scale;
  }

  override computeOutputShape(shapes: SymShape | SymShape[]): SymShape {
    if (shapes.length !== 2 || !Array.isArray(shapes[0]) || !Array.isArray(shapes[1])) {
      throw new ValueError(`Layer "${this.name}" (CustomScaleLayer) must be called on a list of 2 inputs [x, residual]`);
    }
    const [a, b] = shapes as SymShape[];
    if (a.length !== b.length || a.some((d, i) => d !== null && b[i] !== null && d !== b[i])) {
      throw new ShapeError(`Layer "${this.name}" (CustomScaleLayer): inputs must have the same shape, got ${formatShapeTuple(a)} and ${formatShapeTuple(b)}`);
    }
    return a.map((d, i) => d ?? b[i] ?? null);
  }

  override build(shapes: SymShape | SymShape[]): void {
    this.computeOutputShape(shapes);
  }

  call(xs: Tensor | Tensor[]): Tensor {
    if (!Array.isArray(xs) || xs.length !== 2) throw new ValueError(`Layer "${this.name}" (CustomScaleLayer) must be called on a list of 2 inputs [x, residual]`);
    return ops.add(xs[0]!, ops.mul(xs[1]!, this.scale));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), scale: this.scale };
  }
}
registerLayer(CustomScaleLayer.className, CustomScaleLayer as never);
registerPlainLayer(CustomScaleLayer);

/**
 * Keras's conv2d_bn: Conv2D (no bias unless `useBias`) → BatchNormalization (scale=False; only
 * without bias) → activation (unless null). Named `name`, `name_bn`, `name_ac`, or automatically.
 */
function conv2dBn(
  x: SymbolicTensor, filters: number, kernelSize: number | [number, number],
  opts: { strides?: number; padding?: 'same' | 'valid'; activation?: string | null; useBias?: boolean; name?: string } = {},
): SymbolicTensor {
  const { strides = 1, padding = 'same', activation = 'relu', useBias = false, name } = opts;
  x = L.conv2d({ filters, kernelSize, strides, padding, useBias, name }).apply(x) as SymbolicTensor;
  if (!useBias) x = L.batchNormalization({ scale: false, name: name === undefined ? undefined : `${name}_bn` }).apply(x) as SymbolicTensor;
  if (activation !== null) x = L.activation({ activation, name: name === undefined ? undefined : `${name}_ac` }).apply(x) as SymbolicTensor;
  return x;
}

function concat(xs: SymbolicTensor[], name: string): SymbolicTensor {
  return L.concatenate({ axis: -1, name }).apply(xs) as SymbolicTensor;
}

type BlockType = 'block35' | 'block17' | 'block8';

/** Keras's inception_resnet_block: x + scale · conv1×1(concat(branches)), then ReLU (unless null). */
function inceptionResnetBlock(x: SymbolicTensor, scale: number, blockType: BlockType, blockIdx: number, activation: string | null = 'relu'): SymbolicTensor {
  let branches: SymbolicTensor[];
  if (blockType === 'block35') {
    const b0 = conv2dBn(x, 32, 1);
    let b1 = conv2dBn(x, 32, 1);
    b1 = conv2dBn(b1, 32, 3);
    let b2 = conv2dBn(x, 32, 1);
    b2 = conv2dBn(b2, 48, 3);
    b2 = conv2dBn(b2, 64, 3);
    branches = [b0, b1, b2];
  } else if (blockType === 'block17') {
    const b0 = conv2dBn(x, 192, 1);
    let b1 = conv2dBn(x, 128, 1);
    b1 = conv2dBn(b1, 160, [1, 7]);
    b1 = conv2dBn(b1, 192, [7, 1]);
    branches = [b0, b1];
  } else {
    const b0 = conv2dBn(x, 192, 1);
    let b1 = conv2dBn(x, 192, 1);
    b1 = conv2dBn(b1, 224, [1, 3]);
    b1 = conv2dBn(b1, 256, [3, 1]);
    branches = [b0, b1];
  }
  const blockName = `${blockType}_${blockIdx}`;
  const mixed = concat(branches, `${blockName}_mixed`);
  const channels = x.shape[3] as number;
  const up = conv2dBn(mixed, channels, 1, { activation: null, useBias: true, name: `${blockName}_conv` });
  let y = new CustomScaleLayer({ scale }).apply([x, up]) as SymbolicTensor;
  if (activation !== null) y = L.activation({ activation, name: `${blockName}_ac` }).apply(y) as SymbolicTensor;
  return y;
}

function maxPool3x3s2(x: SymbolicTensor): SymbolicTensor {
  return L.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as SymbolicTensor;
}

function buildInceptionResNetV2(args: ApplicationArgs): Model | Promise<Model> {
  const app = resolveApplicationArgs('InceptionResNetV2', args, { defaultSize: 299, minSize: 75 });
  const img = applicationInput(app);

  // Stem: 35 × 35 × 192 at 299 × 299.
  let x = conv2dBn(img, 32, 3, { strides: 2, padding: 'valid' });
  x = conv2dBn(x, 32, 3, { padding: 'valid' });
  x = conv2dBn(x, 64, 3);
  x = maxPool3x3s2(x);
  x = conv2dBn(x, 80, 1, { padding: 'valid' });
  x = conv2dBn(x, 192, 3, { padding: 'valid' });
  x = maxPool3x3s2(x);

  // mixed_5b (Inception-A): 35 × 35 × 320.
  {
    const b0 = conv2dBn(x, 96, 1);
    let b1 = conv2dBn(x, 48, 1);
    b1 = conv2dBn(b1, 64, 5);
    let b2 = conv2dBn(x, 64, 1);
    b2 = conv2dBn(b2, 96, 3);
    b2 = conv2dBn(b2, 96, 3);
    let bp = L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as SymbolicTensor;
    bp = conv2dBn(bp, 64, 1);
    x = concat([b0, b1, b2, bp], 'mixed_5b');
  }
  for (let i = 1; i <= 10; i++) x = inceptionResnetBlock(x, 0.17, 'block35', i);

  // mixed_6a (Reduction-A): 17 × 17 × 1088.
  {
    const b0 = conv2dBn(x, 384, 3, { strides: 2, padding: 'valid' });
    let b1 = conv2dBn(x, 256, 1);
    b1 = conv2dBn(b1, 256, 3);
    b1 = conv2dBn(b1, 384, 3, { strides: 2, padding: 'valid' });
    const bp = maxPool3x3s2(x);
    x = concat([b0, b1, bp], 'mixed_6a');
  }
  for (let i = 1; i <= 20; i++) x = inceptionResnetBlock(x, 0.1, 'block17', i);

  // mixed_7a (Reduction-B): 8 × 8 × 2080.
  {
    let b0 = conv2dBn(x, 256, 1);
    b0 = conv2dBn(b0, 384, 3, { strides: 2, padding: 'valid' });
    let b1 = conv2dBn(x, 256, 1);
    b1 = conv2dBn(b1, 288, 3, { strides: 2, padding: 'valid' });
    let b2 = conv2dBn(x, 256, 1);
    b2 = conv2dBn(b2, 288, 3);
    b2 = conv2dBn(b2, 320, 3, { strides: 2, padding: 'valid' });
    const bp = maxPool3x3s2(x);
    x = concat([b0, b1, b2, bp], 'mixed_7a');
  }
  for (let i = 1; i <= 9; i++) x = inceptionResnetBlock(x, 0.2, 'block8', i);
  x = inceptionResnetBlock(x, 1.0, 'block8', 10, null);

  // Final convolution block: 8 × 8 × 1536.
  x = conv2dBn(x, 1536, 1, { name: 'conv_7b' });

  // Keras names the top's pooling avg_pool but leaves pooling='avg' / 'max' unnamed.
  x = applicationTop(x, app, { avgPoolName: app.includeTop ? 'avg_pool' : undefined });
  const file = () => kerasWeightsFile('inception_resnet_v2', { includeTop: app.includeTop });
  const model = finishApplication({ ...app, weights: null }, img, x, 'inception_resnet_v2', file) as Model;
  if (app.weights === null) return model;
  if (app.weights !== 'imagenet') return loadApplicationWeights(model, app.weights, file);
  // Keras loads its file by topology (the branch layers have automatic names): in Keras's layer order.
  return loadApplicationWeights(withKerasLayerOrder(model), 'imagenet', file).then(() => model);
}

/**
 * keras.applications.InceptionResNetV2: 55,873,736 parameters with the top at 299×299 (60,544 of
 * them BatchNormalization moving statistics); 54,336,736 without it. Inputs at least 75×75.
 * `inceptionResNetV2.preprocessInput` is Keras's inception_resnet_v2.preprocess_input ('tf').
 */
export const inceptionResNetV2: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildInceptionResNetV2(args),
  { preprocessInput: preprocessTf },
);

/** keras.applications.InceptionResNetV2 (the same function as inceptionResNetV2). */
export const InceptionResNetV2 = inceptionResNetV2;
