/**
 * Models in convkit's own format: one file holding the architecture (Keras-style config), the
 * compile settings, the weights and, for a compiled model, its optimizer's state
 * (io/convkit_format.ts has the byte layout).
 *
 * The optimizer state is `optimizer.getWeights()` in its order, recorded in the metadata as
 * `optimizer_state: {class_name, variables: [{name, shape, dtype, stored | values}]}`. float32
 * tensors (the slots) are stored as extra weights named `optimizer/<name>` after the model's;
 * the others (the int32 iteration count, the float64 learning rate) are exact JSON numbers in
 * `values`, since the data section holds float32 only and a resumed run needs the rate to the bit.
 * Files without `optimizer_state` (older ones, uncompiled models) load with a fresh optimizer.
 */
import { FormatError } from '../errors.js';
import type { Model } from '../models/model.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import { CONVKIT_VERSION } from '../version.js';
import { headsCompileConfig } from '../models/heads.js';
import { type StoredWeight, decodeConvkitFile, encodeConvkitFile } from './convkit_format.js';
import type { CustomObjects } from './keras/config_in.js';
import { type LayerConfig, modelFromConfig, modelToConfig } from './model_config.js';
import { type StoredValue, restoreStateByName, skipUnreadableState } from './optimizer_state.js';

/** Prefix of the stored weights that hold optimizer state rather than model weights. */
const OPTIMIZER_PREFIX = 'optimizer/';

interface StateRecordEntry {
  name: string;
  shape: number[];
  dtype: string;
  stored?: string;
  values?: number[];
}

/** The optimizer's state as convkit files keep it: a metadata record plus the float32 tensors as extra weights. */
export function optimizerState(optimizer: Optimizer): { record: Record<string, unknown>; weights: StoredWeight[] } {
  const weights: StoredWeight[] = [];
  const variables = optimizer.getWeights().map(({ name, tensor }): StateRecordEntry => {
    const shape = [...tensor.shape];
    if (tensor.dtype === 'float32') {
      const stored = `${OPTIMIZER_PREFIX}${name}`;
      weights.push({ name: stored, shape, dtype: 'float32', data: Float32Array.from(tensor.values) });
      return { name, shape, dtype: 'float32', stored };
    }
    return { name, shape, dtype: tensor.dtype, values: Array.from(tensor.values) };
  });
  return { record: { class_name: optimizer.className, variables }, weights };
}

export function convkitModelBytes(model: Model): Uint8Array {
  const config = modelToConfig(model);
  const compiled = model.compiled;
  const metadata: Record<string, unknown> = { convkit_version: CONVKIT_VERSION, date_saved: new Date().toISOString() };
  const weights: StoredWeight[] = model.weights.map((v) => ({ name: v.name, shape: [...v.shape], dtype: 'float32' as const, data: Float32Array.from(v.values) }));
  if (compiled) {
    metadata.compile_config = {
      optimizer: { class_name: compiled.optimizer.constructor.name, config: compiled.optimizer.getConfig() },
      ...headsCompileConfig(compiled.heads, (m) => (typeof m === 'string' ? m : m.name)),
    };
    const state = optimizerState(compiled.optimizer);
    metadata.optimizer_state = state.record;
    weights.push(...state.weights);
  }
  return encodeConvkitFile({ config, weights, metadata });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How many of the file's last weights are optimizer state (0 for files without optimizer_state). */
function optimizerWeightCount(weights: readonly StoredWeight[], metadata: Record<string, unknown> | undefined): number {
  if (!metadata || !('optimizer_state' in metadata)) return 0;
  let n = 0;
  while (n < weights.length && weights[weights.length - 1 - n]!.name.startsWith(OPTIMIZER_PREFIX)) n++;
  return n;
}

/** The recorded state as stored values, or why it cannot be read. */
export function readState(record: unknown, stored: readonly StoredWeight[]): (StoredValue & { name: string })[] | string {
  const variables = isRecord(record) ? record.variables : undefined;
  if (!Array.isArray(variables)) return 'metadata.optimizer_state has no "variables" list';
  const byName = new Map(stored.map((w) => [w.name, w]));
  const out: (StoredValue & { name: string })[] = [];
  for (const [i, e] of variables.entries()) {
    if (!isRecord(e) || typeof e.name !== 'string' || !Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      return `metadata.optimizer_state.variables[${i}] is not {name, shape, …}`;
    }
    const shape = e.shape as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    if (typeof e.stored === 'string') {
      const w = byName.get(e.stored);
      if (!w || w.data.length !== size) return `optimizer variable "${e.name}" refers to stored weight "${e.stored}", which the file ${w ? `holds with ${w.data.length} values, not ${size}` : 'lacks'}`;
      out.push({ name: e.name, shape, data: w.data });
    } else if (Array.isArray(e.values) && e.values.length === size && e.values.every((x) => typeof x === 'number')) {
      out.push({ name: e.name, shape, data: e.values as number[] });
    } else {
      return `optimizer variable "${e.name}" has neither a stored weight nor ${size} numeric values`;
    }
  }
  return out;
}

export function modelFromConvkitBytes(bytes: Uint8Array, source: string, opts: { customObjects?: CustomObjects; compile?: boolean } = {}): Model {
  const file = decodeConvkitFile(bytes, source);
  let model: Model;
  try {
    model = modelFromConfig(file.config as LayerConfig, opts.customObjects as never);
  } catch (e) {
    throw new FormatError(`${source}: the model architecture cannot be rebuilt: ${(e as Error).message}`);
  }
  const nState = optimizerWeightCount(file.weights, file.metadata);
  const modelWeights = file.weights.slice(0, file.weights.length - nState);
  const vars = model.weights;
  if (vars.length !== modelWeights.length) {
    throw new FormatError(`${source}: the architecture has ${vars.length} weights but the file stores ${modelWeights.length}`);
  }
  vars.forEach((v, i) => {
    const w = modelWeights[i]!;
    if (w.shape.join() !== v.shape.join()) {
      throw new FormatError(`${source}: weight ${i} ("${w.name}") has shape (${w.shape.join(', ')}) but the architecture needs (${v.shape.join(', ')}) for "${v.name}"`);
    }
    v.assign(new Tensor(w.data, w.shape));
  });
  const cc = file.metadata?.compile_config as { optimizer?: { class_name: string; config: Record<string, unknown> }; loss?: string | Record<string, string>; loss_weights?: Record<string, number> | null; metrics?: string[] | Record<string, string[]> } | undefined;
  if (cc && cc.optimizer && cc.loss && opts.compile !== false) {
    model.compile({ optimizer: { className: cc.optimizer.class_name, config: cc.optimizer.config } as never, loss: cc.loss, lossWeights: cc.loss_weights ?? undefined, metrics: cc.metrics ?? [] });
    if (file.metadata && 'optimizer_state' in file.metadata) {
      const state = readState(file.metadata.optimizer_state, file.weights.slice(file.weights.length - nState));
      if (typeof state === 'string') skipUnreadableState(model, source, state);
      else restoreStateByName(model, state, source);
    }
  }
  return model;
}
