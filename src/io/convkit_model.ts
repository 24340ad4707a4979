/**
 * Models in convkit's own format: one file holding the architecture (Keras-style config), the
 * compile settings and the weights (io/convkit_format.ts has the byte layout).
 */
import { FormatError } from '../errors.js';
import type { Model } from '../models/model.js';
import { Tensor } from '../tensor/tensor.js';
import { CONVKIT_VERSION } from '../version.js';
import { decodeConvkitFile, encodeConvkitFile } from './convkit_format.js';
import type { CustomObjects } from './keras/config_in.js';
import { type LayerConfig, modelFromConfig, modelToConfig } from './model_config.js';

export function convkitModelBytes(model: Model): Uint8Array {
  const config = modelToConfig(model);
  const compiled = model.compiled;
  const metadata: Record<string, unknown> = { convkit_version: CONVKIT_VERSION, date_saved: new Date().toISOString() };
  if (compiled) {
    metadata.compile_config = {
      optimizer: { class_name: compiled.optimizer.constructor.name, config: compiled.optimizer.getConfig() },
      loss: compiled.loss.name,
      metrics: compiled.metrics.map((m) => (typeof m === 'string' ? m : m.name)),
    };
  }
  const weights = model.weights.map((v) => ({ name: v.name, shape: [...v.shape], dtype: 'float32' as const, data: Float32Array.from(v.values) }));
  return encodeConvkitFile({ config, weights, metadata });
}

export function modelFromConvkitBytes(bytes: Uint8Array, source: string, opts: { customObjects?: CustomObjects; compile?: boolean } = {}): Model {
  const file = decodeConvkitFile(bytes, source);
  let model: Model;
  try {
    model = modelFromConfig(file.config as LayerConfig, opts.customObjects as never);
  } catch (e) {
    throw new FormatError(`${source}: the model architecture cannot be rebuilt: ${(e as Error).message}`);
  }
  const vars = model.weights;
  if (vars.length !== file.weights.length) {
    throw new FormatError(`${source}: the architecture has ${vars.length} weights but the file stores ${file.weights.length}`);
  }
  vars.forEach((v, i) => {
    const w = file.weights[i]!;
    if (w.shape.join() !== v.shape.join()) {
      throw new FormatError(`${source}: weight ${i} ("${w.name}") has shape (${w.shape.join(', ')}) but the architecture needs (${v.shape.join(', ')}) for "${v.name}"`);
    }
    v.assign(new Tensor(w.data, w.shape));
  });
  const cc = file.metadata?.compile_config as { optimizer?: { class_name: string; config: Record<string, unknown> }; loss?: string; metrics?: string[] } | undefined;
  if (cc && cc.optimizer && cc.loss && opts.compile !== false) {
    model.compile({ optimizer: { className: cc.optimizer.class_name, config: cc.optimizer.config } as never, loss: cc.loss, metrics: cc.metrics ?? [] });
  }
  return model;
}
