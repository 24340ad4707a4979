/**
 * model.save(path) / loadModel(path) in convkit's own format: one file holding the architecture
 * (Keras-style config), the compile settings and the weights, written atomically.
 */
import { readFile } from 'node:fs/promises';
import { FormatError, ValueError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { Tensor } from '../tensor/tensor.js';
import type { Model } from '../models/model.js';
import { decodeConvkitFile, encodeConvkitFile } from './convkit_format.js';
import { writeFileAtomic } from './atomic_write.js';
import { type LayerConfig, modelFromConfig, modelToConfig } from './model_config.js';

export interface LoadOptions {
  /** Custom layer classes by class name, for configs that use them. */
  customObjects?: Record<string, new (args: never) => Layer>;
  /** Restore the optimizer/loss/metrics from the file (default true). */
  compile?: boolean;
}

const FORMAT_HINT = 'convkit reads its own format (written by model.save()); Keras .keras/.h5 and TensorFlow.js files are not supported yet';

export async function saveModel(model: Model, path: string): Promise<void> {
  if (/\.(keras|h5|hdf5)$/i.test(path)) throw new ValueError(`save(${JSON.stringify(path)}): the Keras formats are not supported yet; save to a .convkit file`);
  const config = modelToConfig(model);
  const compiled = model.compiled;
  const metadata: Record<string, unknown> = { convkit_version: '0.1.0', date_saved: new Date().toISOString() };
  if (compiled) {
    metadata.compile_config = {
      optimizer: { class_name: compiled.optimizer.constructor.name, config: compiled.optimizer.getConfig() },
      loss: compiled.loss.name,
      metrics: compiled.metrics.map((m) => (typeof m === 'string' ? m : m.name)),
    };
  }
  const weights = model.weights.map((v) => ({ name: v.name, shape: [...v.shape], dtype: 'float32' as const, data: Float32Array.from(v.values) }));
  await writeFileAtomic(path, encodeConvkitFile({ config, weights, metadata }));
}

export async function loadModel(path: string, opts: LoadOptions = {}): Promise<Model> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(`loadModel: cannot read ${JSON.stringify(path)}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`);
  }
  const file = decodeConvkitFile(bytes, path);
  let model: Model;
  try {
    model = modelFromConfig(file.config as LayerConfig, opts.customObjects);
  } catch (e) {
    throw new FormatError(`${path}: the model architecture cannot be rebuilt: ${(e as Error).message}. ${FORMAT_HINT}`);
  }
  const vars = model.weights;
  if (vars.length !== file.weights.length) {
    throw new FormatError(`${path}: the architecture has ${vars.length} weights but the file stores ${file.weights.length}`);
  }
  vars.forEach((v, i) => {
    const w = file.weights[i];
    if (w.shape.join() !== v.shape.join()) {
      throw new FormatError(`${path}: weight ${i} ("${w.name}") has shape (${w.shape.join(', ')}) but the architecture needs (${v.shape.join(', ')}) for "${v.name}"`);
    }
    v.assign(new Tensor(w.data, w.shape));
  });
  const cc = file.metadata?.compile_config as { optimizer?: { class_name: string; config: Record<string, unknown> }; loss?: string; metrics?: string[] } | undefined;
  if (cc && cc.optimizer && cc.loss && opts.compile !== false) {
    model.compile({ optimizer: { className: cc.optimizer.class_name, config: cc.optimizer.config } as never, loss: cc.loss, metrics: cc.metrics ?? [] });
  }
  return model;
}
