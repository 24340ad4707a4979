/**
 * Xception (Chollet, CVPR 2017) with the architecture and layer names of keras.applications.Xception
 * (Keras 3): an entry flow (block1–block4), eight middle-flow blocks (block5–block12) and an exit flow
 * (block13, block14) of SeparableConv2D (no bias) → BatchNormalization, with 1×1 stride-2
 * projections on the shortcuts of blocks 2, 3, 4 and 13. Inputs are preprocessed as Keras's
 * xception.preprocess_input ('tf' mode).
 *
 * Keras leaves the four shortcut projections unnamed (Conv2D and BatchNormalization with automatic
 * names: conv2d, batch_normalization, conv2d_1, …), so Keras's ImageNet file is loaded by topology,
 * in Keras's layer order, as InceptionV3's is.
 */
import * as L from '../layers/index.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessTf } from './imagenet_utils.js';
import { withKerasLayerOrder } from './inception_v3.js';
import { loadApplicationWeights } from './pretrained.js';
import { kerasWeightsFile } from './weight_urls.js';

/** Keras's BatchNormalization defaults (momentum 0.99, epsilon 1e-3). */
function bn(x: SymbolicTensor, name?: string): SymbolicTensor {
  return L.batchNormalization({ name }).apply(x) as SymbolicTensor;
}

function relu(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;
}

/** SeparableConv2D 3×3, 'same', no bias. */
function sepConv(x: SymbolicTensor, filters: number, name: string): SymbolicTensor {
  return L.separableConv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, name }).apply(x) as SymbolicTensor;
}

/** The unnamed 1×1 stride-2 Conv2D (no bias) + BatchNormalization projection of a shortcut. */
function projection(x: SymbolicTensor, filters: number): SymbolicTensor {
  const r = L.conv2d({ filters, kernelSize: 1, strides: 2, padding: 'same', useBias: false }).apply(x) as SymbolicTensor;
  return bn(r);
}

function maxPool(x: SymbolicTensor, name: string): SymbolicTensor {
  return L.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name }).apply(x) as SymbolicTensor;
}

/**
 * Blocks 2, 3, 4 and 13: two separable convolutions (each after a ReLU, except block 2's first)
 * then a 3×3 stride-2 max pool, added (unnamed Add) to the projected shortcut.
 */
function downBlock(x: SymbolicTensor, block: number, filters: [number, number], firstRelu: boolean): SymbolicTensor {
  const residual = projection(x, filters[1]);
  const p = `block${block}`;
  if (firstRelu) x = relu(x, `${p}_sepconv1_act`);
  x = bn(sepConv(x, filters[0], `${p}_sepconv1`), `${p}_sepconv1_bn`);
  x = relu(x, `${p}_sepconv2_act`);
  x = bn(sepConv(x, filters[1], `${p}_sepconv2`), `${p}_sepconv2_bn`);
  x = maxPool(x, `${p}_pool`);
  return L.add().apply([x, residual]) as SymbolicTensor;
}

function buildXception(args: ApplicationArgs): Model | Promise<Model> {
  const app = resolveApplicationArgs('Xception', args, { defaultSize: 299, minSize: 71 });
  const img = applicationInput(app);

  // Entry flow.
  let x = L.conv2d({ filters: 32, kernelSize: 3, strides: 2, useBias: false, name: 'block1_conv1' }).apply(img) as SymbolicTensor;
  x = relu(bn(x, 'block1_conv1_bn'), 'block1_conv1_act');
  x = L.conv2d({ filters: 64, kernelSize: 3, useBias: false, name: 'block1_conv2' }).apply(x) as SymbolicTensor;
  x = relu(bn(x, 'block1_conv2_bn'), 'block1_conv2_act');
  x = downBlock(x, 2, [128, 128], false);
  x = downBlock(x, 3, [256, 256], true);
  x = downBlock(x, 4, [728, 728], true);

  // Middle flow: eight identity blocks of three ReLU → SeparableConv2D → BN.
  for (let i = 0; i < 8; i++) {
    const residual = x;
    const p = `block${i + 5}`;
    for (let k = 1; k <= 3; k++) {
      x = relu(x, `${p}_sepconv${k}_act`);
      x = bn(sepConv(x, 728, `${p}_sepconv${k}`), `${p}_sepconv${k}_bn`);
    }
    x = L.add().apply([x, residual]) as SymbolicTensor;
  }

  // Exit flow.
  x = downBlock(x, 13, [728, 1024], true);
  x = relu(bn(sepConv(x, 1536, 'block14_sepconv1'), 'block14_sepconv1_bn'), 'block14_sepconv1_act');
  x = relu(bn(sepConv(x, 2048, 'block14_sepconv2'), 'block14_sepconv2_bn'), 'block14_sepconv2_act');

  // Keras names the top's pooling avg_pool but leaves pooling='avg' / 'max' unnamed.
  x = applicationTop(x, app, { avgPoolName: app.includeTop ? 'avg_pool' : undefined });
  const file = () => kerasWeightsFile('xception', { includeTop: app.includeTop });
  const model = finishApplication({ ...app, weights: null }, img, x, 'xception', file) as Model;
  if (app.weights === null) return model;
  if (app.weights !== 'imagenet') return loadApplicationWeights(model, app.weights, file);
  // Keras loads its file by topology (the shortcut projections have automatic names): in Keras's layer order.
  return loadApplicationWeights(withKerasLayerOrder(model), 'imagenet', file).then(() => model);
}

/**
 * keras.applications.Xception: 22,910,480 parameters with the top at 299×299 (54,528 of them
 * BatchNormalization moving statistics); 20,861,480 without it. Inputs at least 71×71.
 * `xception.preprocessInput` is Keras's xception.preprocess_input ('tf': x / 127.5 − 1).
 */
export const xception: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildXception(args),
  { preprocessInput: preprocessTf },
);

/** keras.applications.Xception (the same function as xception). */
export const Xception = xception;
