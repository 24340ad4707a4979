/** Keras 3 `.keras` models: the archive's config.json rebuilt, model.weights.h5 loaded, compile_config applied, optimizer state restored. */
import type { Model } from '../../models/model.js';
import { encodeHdf5, readHdf5 } from '../hdf5/hdf5.js';
import { normalizeModelConfig } from './config_in.js';
import { keras3ModelConfig } from './config_out.js';
import { type H5LoadOptions, buildModel } from './h5_model.js';
import { readKerasArchive, writeKerasArchive } from './keras_archive.js';
import { compileFromKeras, keras3CompileConfig } from './training_config.js';
import { keras3OptimizerGroup, restoreKeras3Optimizer } from './optimizer_weights.js';
import { loadV3Weights, v3WeightsTree } from './weights.js';

/** The Keras version whose .keras dialect convkit writes. */
export const KERAS3_VERSION = '3.11.3';

export async function modelFromKerasArchive(bytes: Uint8Array, source: string, opts: H5LoadOptions = {}): Promise<Model> {
  const archive = readKerasArchive(bytes, source);
  const config = normalizeModelConfig(archive.config, source, opts.customObjects);
  const model = buildModel(config, source, opts.customObjects);
  const weights = await readHdf5(archive.weights, `${source} (model.weights.h5)`);
  loadV3Weights(model, weights, source);
  const compileConfig = (archive.config as { compile_config?: unknown }).compile_config;
  if (opts.compile !== false && compileFromKeras(model, compileConfig, source)) restoreKeras3Optimizer(model, weights, source);
  return model;
}

/** Loads only the weights stored in a .keras archive into an existing model. */
export async function loadWeightsFromKerasArchive(model: Model, bytes: Uint8Array, source: string): Promise<void> {
  const archive = readKerasArchive(bytes, source);
  loadV3Weights(model, await readHdf5(archive.weights, `${source} (model.weights.h5)`), source);
}

export async function kerasArchiveBytes(model: Model): Promise<Uint8Array> {
  const config = keras3ModelConfig(model);
  const compile = keras3CompileConfig(model);
  if (compile) config.compile_config = compile;
  const tree = v3WeightsTree(model);
  // As Keras 3's saving_lib: a compiled model's optimizer variables go beside the layers'.
  if (model.compiled) tree.children.optimizer = keras3OptimizerGroup(model.compiled.optimizer);
  return writeKerasArchive(config, await encodeHdf5(tree), KERAS3_VERSION);
}

export async function keras3WeightsBytes(model: Model): Promise<Uint8Array> {
  return encodeHdf5(v3WeightsTree(model));
}
