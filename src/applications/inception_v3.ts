/**
 * Inception v3 (Szegedy et al., 2016) with the architecture and layer names of
 * keras.applications.InceptionV3 (Keras 3): every convolution is Conv2D (no bias) → BatchNormalization
 * (no scale) → ReLU with Keras's automatic names (conv2d, batch_normalization, activation, …), the
 * blocks are the Concatenate layers mixed0 … mixed10 (and mixed9_0, mixed9_1), the top avg_pool and
 * predictions. Inputs are preprocessed as Keras's inception_v3.preprocess_input ('tf' mode).
 */
import * as L from '../layers/index.js';
import type { Layer } from '../layers/layer.js';
import type { GraphNode, SymbolicTensor } from '../layers/symbolic.js';
import type { Model } from '../models/model.js';
import {
  type ApplicationArgs, type ApplicationBuilder, applicationInput, applicationTop, defineApplication,
  finishApplication, resolveApplicationArgs,
} from './common.js';
import { preprocessTf } from './imagenet_utils.js';
import { loadApplicationWeights } from './pretrained.js';
import { kerasWeightsFile } from './weight_urls.js';

/**
 * The layers of a functional model in Keras's order (Keras's Functional.layers, from map_graph):
 * by decreasing depth (the longest path from the layer to an output), layers of equal depth in the
 * order a depth-first walk from the outputs first reaches them. It is the order in which Keras
 * writes a model's layers into a weights file and loads such a file by topology. For branched
 * graphs (Inception's parallel branches) it differs from convkit's `model.layers`, which lists
 * layers in execution order.
 */
export function kerasLayerOrder(model: Model): Layer[] {
  const index = new Map<Layer, number>();
  const finished = new Set<GraphNode>();
  const decreasingDepth: GraphNode[] = [];
  const walk = (node: GraphNode): void => {
    if (finished.has(node)) return;
    if (!index.has(node.layer)) index.set(node.layer, index.size);
    for (const t of node.inputs) walk(t.node);
    finished.add(node);
    decreasingDepth.push(node);
  };
  for (const t of model.outputs) walk(t.node);
  const nodeDepth = new Map<GraphNode, number>();
  const layerDepth = new Map<Layer, number>();
  for (let i = decreasingDepth.length - 1; i >= 0; i--) {
    const node = decreasingDepth[i]!;
    const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
    layerDepth.set(node.layer, depth);
    nodeDepth.set(node, depth);
    for (const t of node.inputs) nodeDepth.set(t.node, Math.max(depth + 1, nodeDepth.get(t.node) ?? 0));
  }
  return [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || index.get(a)! - index.get(b)!);
}

/**
 * `model` seen with its layers in Keras's order: a view for loading (or writing) a weights file by
 * topology as Keras does. Everything but `layers` is the model's own.
 */
export function withKerasLayerOrder(model: Model): Model {
  const ordered = kerasLayerOrder(model);
  return Object.create(model, { layers: { get: () => [...ordered] } }) as Model;
}

/** Conv2D (no bias) → BatchNormalization (scale=False) → ReLU, with Keras's automatic layer names. */
function conv2dBn(x: SymbolicTensor, filters: number, rows: number, cols: number, padding: 'same' | 'valid' = 'same', strides = 1): SymbolicTensor {
  x = L.conv2d({ filters, kernelSize: [rows, cols], strides, padding, useBias: false }).apply(x) as SymbolicTensor;
  x = L.batchNormalization({ scale: false }).apply(x) as SymbolicTensor;
  return L.activation({ activation: 'relu' }).apply(x) as SymbolicTensor;
}

function concat(xs: SymbolicTensor[], name?: string): SymbolicTensor {
  return L.concatenate({ axis: -1, name }).apply(xs) as SymbolicTensor;
}

function avgPool3x3Same(x: SymbolicTensor): SymbolicTensor {
  return L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as SymbolicTensor;
}

function maxPool3x3(x: SymbolicTensor): SymbolicTensor {
  return L.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as SymbolicTensor;
}

/** mixed0–2 (35×35): 1×1, 1×1→5×5, 1×1→3×3→3×3 and avg-pool→1×1 (`poolFilters`) branches. */
function block35(x: SymbolicTensor, poolFilters: number, name: string): SymbolicTensor {
  const branch1x1 = conv2dBn(x, 64, 1, 1);
  let branch5x5 = conv2dBn(x, 48, 1, 1);
  branch5x5 = conv2dBn(branch5x5, 64, 5, 5);
  let branch3x3dbl = conv2dBn(x, 64, 1, 1);
  branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
  branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
  const branchPool = conv2dBn(avgPool3x3Same(x), poolFilters, 1, 1);
  return concat([branch1x1, branch5x5, branch3x3dbl, branchPool], name);
}

/** mixed4–7 (17×17): factorised 7×7 branches of width `c`. */
function block17(x: SymbolicTensor, c: number, name: string): SymbolicTensor {
  const branch1x1 = conv2dBn(x, 192, 1, 1);
  let branch7x7 = conv2dBn(x, c, 1, 1);
  branch7x7 = conv2dBn(branch7x7, c, 1, 7);
  branch7x7 = conv2dBn(branch7x7, 192, 7, 1);
  let branch7x7dbl = conv2dBn(x, c, 1, 1);
  branch7x7dbl = conv2dBn(branch7x7dbl, c, 7, 1);
  branch7x7dbl = conv2dBn(branch7x7dbl, c, 1, 7);
  branch7x7dbl = conv2dBn(branch7x7dbl, c, 7, 1);
  branch7x7dbl = conv2dBn(branch7x7dbl, 192, 1, 7);
  const branchPool = conv2dBn(avgPool3x3Same(x), 192, 1, 1);
  return concat([branch1x1, branch7x7, branch7x7dbl, branchPool], name);
}

/** mixed9, mixed10 (8×8): expanded 1×3 / 3×1 branches (mixed9_<i> and an unnamed concatenate). */
function block8(x: SymbolicTensor, i: number): SymbolicTensor {
  const branch1x1 = conv2dBn(x, 320, 1, 1);
  let branch3x3 = conv2dBn(x, 384, 1, 1);
  const branch3x3a = conv2dBn(branch3x3, 384, 1, 3);
  const branch3x3b = conv2dBn(branch3x3, 384, 3, 1);
  branch3x3 = concat([branch3x3a, branch3x3b], `mixed9_${i}`);
  let branch3x3dbl = conv2dBn(x, 448, 1, 1);
  branch3x3dbl = conv2dBn(branch3x3dbl, 384, 3, 3);
  const branch3x3dblA = conv2dBn(branch3x3dbl, 384, 1, 3);
  const branch3x3dblB = conv2dBn(branch3x3dbl, 384, 3, 1);
  branch3x3dbl = concat([branch3x3dblA, branch3x3dblB]);
  const branchPool = conv2dBn(avgPool3x3Same(x), 192, 1, 1);
  return concat([branch1x1, branch3x3, branch3x3dbl, branchPool], `mixed${9 + i}`);
}

function buildInceptionV3(args: ApplicationArgs) {
  const app = resolveApplicationArgs('InceptionV3', args, { defaultSize: 299, minSize: 75 });
  const img = applicationInput(app);
  let x = conv2dBn(img, 32, 3, 3, 'valid', 2);
  x = conv2dBn(x, 32, 3, 3, 'valid');
  x = conv2dBn(x, 64, 3, 3);
  x = maxPool3x3(x);
  x = conv2dBn(x, 80, 1, 1, 'valid');
  x = conv2dBn(x, 192, 3, 3, 'valid');
  x = maxPool3x3(x);

  x = block35(x, 32, 'mixed0');
  x = block35(x, 64, 'mixed1');
  x = block35(x, 64, 'mixed2');

  // mixed3 (17×17×768): strided 3×3 and 1×1→3×3→3×3 branches and a max pool.
  {
    const branch3x3 = conv2dBn(x, 384, 3, 3, 'valid', 2);
    let branch3x3dbl = conv2dBn(x, 64, 1, 1);
    branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3);
    branch3x3dbl = conv2dBn(branch3x3dbl, 96, 3, 3, 'valid', 2);
    x = concat([branch3x3, branch3x3dbl, maxPool3x3(x)], 'mixed3');
  }

  x = block17(x, 128, 'mixed4');
  x = block17(x, 160, 'mixed5');
  x = block17(x, 160, 'mixed6');
  x = block17(x, 192, 'mixed7');

  // mixed8 (8×8×1280).
  {
    let branch3x3 = conv2dBn(x, 192, 1, 1);
    branch3x3 = conv2dBn(branch3x3, 320, 3, 3, 'valid', 2);
    let branch7x7x3 = conv2dBn(x, 192, 1, 1);
    branch7x7x3 = conv2dBn(branch7x7x3, 192, 1, 7);
    branch7x7x3 = conv2dBn(branch7x7x3, 192, 7, 1);
    branch7x7x3 = conv2dBn(branch7x7x3, 192, 3, 3, 'valid', 2);
    x = concat([branch3x3, branch7x7x3, maxPool3x3(x)], 'mixed8');
  }

  x = block8(x, 0);
  x = block8(x, 1);

  // Keras names the top's pooling avg_pool but leaves pooling='avg' / 'max' unnamed.
  x = applicationTop(x, app, { avgPoolName: app.includeTop ? 'avg_pool' : undefined });
  const file = () => kerasWeightsFile('inception_v3', { includeTop: app.includeTop });
  const model = finishApplication({ ...app, weights: null }, img, x, 'inception_v3', file) as Model;
  if (app.weights === null) return model;
  if (app.weights !== 'imagenet') return loadApplicationWeights(model, app.weights, file);
  // Keras loads its file by topology: layer k of the file (in Keras's layer order) goes to layer k
  // of the model. The automatic names need not match the file's, and convkit's execution order
  // differs from Keras's layer order across the parallel branches, so load in Keras's order.
  return loadApplicationWeights(withKerasLayerOrder(model), 'imagenet', file).then(() => model);
}

/**
 * keras.applications.InceptionV3: 23,851,784 parameters with the top at 299×299 (34,432 of them
 * BatchNormalization moving statistics); 21,802,784 without it. Inputs at least 75×75.
 */
export const inceptionV3: ApplicationBuilder = defineApplication(
  (args: ApplicationArgs) => buildInceptionV3(args),
  { preprocessInput: preprocessTf },
);

/** keras.applications.InceptionV3 (the same function as inceptionV3). */
export const InceptionV3 = inceptionV3;
