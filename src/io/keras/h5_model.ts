/**
 * Keras HDF5 files: Keras 2's full model (`model.save('x.h5')`: root attributes `model_config`,
 * `training_config`, `keras_version`, `backend`, and a `model_weights` group), Keras 2's
 * weights-only file (`save_weights('x.h5')`: the per-layer groups at the root) and Keras 3's
 * weights-only file (`x.weights.h5`: `layers/…/vars`).
 */
import { FormatError } from '../../errors.js';
import type { Model } from '../../models/model.js';
import { modelFromConfig } from '../model_config.js';
import { type H5Group, h5Group } from '../hdf5/tree.js';
import { CONVKIT_VERSION } from '../../version.js';
import { type CustomObjects, normalizeModelConfig } from './config_in.js';
import { keras2ModelConfig } from './config_out.js';
import { compileFromKeras, keras2TrainingConfig } from './training_config.js';
import { keras2OptimizerWeightsGroup, restoreKeras2Optimizer } from './optimizer_weights.js';
import { legacyWeightsGroup, legacyWeightsRoot, loadLegacyWeights, loadV3Weights } from './weights.js';

/** The Keras version whose h5 dialect convkit writes. */
export const KERAS2_VERSION = '2.15.0';

export type H5Kind = 'keras2-model' | 'keras2-weights' | 'keras3-weights';

export function h5Kind(root: H5Group): H5Kind | null {
  if (typeof root.attrs.model_config === 'string' && root.children.model_weights) return 'keras2-model';
  if (legacyWeightsRoot(root)) return 'keras2-weights';
  const layers = root.children.layers;
  if (layers && layers.kind === 'group') return 'keras3-weights';
  return null;
}

function parseAttrJson(root: H5Group, attr: string, source: string): unknown {
  const raw = root.attrs[attr];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new FormatError(`${source}: the ${attr} attribute is not a JSON string`);
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new FormatError(`${source}: the ${attr} attribute is not valid JSON (${(e as Error).message})`);
  }
}

export interface H5LoadOptions {
  customObjects?: CustomObjects;
  compile?: boolean;
}

/** Builds, fills and (optionally) compiles the model a Keras 2 full-model h5 file describes, restoring its optimizer state. */
export function modelFromH5(root: H5Group, source: string, opts: H5LoadOptions = {}): Model {
  const kind = h5Kind(root);
  if (kind !== 'keras2-model') {
    const what = kind === null ? 'no Keras model or weights' : 'only weights, no architecture';
    throw new FormatError(`${source}: this HDF5 file holds ${what}. ${kind ? 'Build the model in code and call model.loadWeights() with this file' : 'loadModel reads Keras .h5 files written by model.save()'}`);
  }
  const config = normalizeModelConfig(parseAttrJson(root, 'model_config', source), source, opts.customObjects);
  const model = buildModel(config, source, opts.customObjects);
  loadLegacyWeights(model, legacyWeightsRoot(root)!, source);
  if (opts.compile !== false && compileFromKeras(model, parseAttrJson(root, 'training_config', source), source)) restoreKeras2Optimizer(model, root, source);
  return model;
}

/** modelFromConfig with the file named in its errors. */
export function buildModel(config: Parameters<typeof modelFromConfig>[0], source: string, custom?: CustomObjects): Model {
  try {
    return modelFromConfig(config, custom as never);
  } catch (e) {
    if (e instanceof FormatError && e.message.startsWith(source)) throw e;
    throw new FormatError(`${source}: the model architecture cannot be rebuilt: ${(e as Error).message}`);
  }
}

/** Loads a weights-only file (either Keras layout) or a full model's weights into `model`. */
export function loadWeightsFromH5(model: Model, root: H5Group, source: string): void {
  const kind = h5Kind(root);
  if (kind === 'keras3-weights') loadV3Weights(model, root, source);
  else if (kind) loadLegacyWeights(model, legacyWeightsRoot(root)!, source);
  else throw new FormatError(`${source}: this HDF5 file holds no Keras weights (no layer_names attribute and no layers group)`);
}

const ROOT_ATTRS = { backend: 'tensorflow', keras_version: KERAS2_VERSION, convkit_version: CONVKIT_VERSION };

/** The HDF5 tree tf.keras 2 writes for model.save('x.h5'). */
export function h5ModelTree(model: Model): H5Group {
  const config = keras2ModelConfig(model);
  const training = keras2TrainingConfig(model);
  const attrs: Record<string, string> = { ...ROOT_ATTRS, model_config: JSON.stringify(config) };
  if (training) attrs.training_config = JSON.stringify(training);
  const tree = h5Group(attrs, { model_weights: legacyWeightsGroup(model, ROOT_ATTRS) });
  // tf.keras's include_optimizer=True default: a compiled model's optimizer state goes along.
  if (model.compiled) tree.children.optimizer_weights = keras2OptimizerWeightsGroup(model.compiled.optimizer);
  return tree;
}

/** The HDF5 tree tf.keras 2 writes for save_weights('x.h5'). */
export function h5WeightsTree(model: Model): H5Group {
  return legacyWeightsGroup(model, ROOT_ATTRS);
}
