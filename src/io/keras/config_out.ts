/**
 * convkit models → the model configs Keras writes: Keras 2's dialect (h5 `model_config`, and
 * TensorFlow.js's model.json, which follows it) and Keras 3's (.keras `config.json`).
 *
 * io/model_config.ts gives the Keras 2 shape of the config; Keras 3 adds `module` /
 * `registered_name` / `build_config` to every object, dtype policies, and inbound nodes that
 * pass `__keras_tensor__` objects carrying shapes, which come from the model's graph.
 */
import { InputLayer } from '../../layers/input.js';
import type { Layer } from '../../layers/layer.js';
import type { GraphNode, SymShape, SymbolicTensor } from '../../layers/symbolic.js';
import { Model } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import { type LayerConfig, layerToConfig, modelNodes, modelToConfig } from '../model_config.js';

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Keras 2

/** Keras 2's names for what io/model_config.ts writes in Keras 3 spelling. */
function keras2Layer(cfg: LayerConfig): LayerConfig {
  if (cfg.class_name === 'Sequential' || cfg.class_name === 'Functional') return { ...cfg, config: keras2ModelBody(cfg.config) };
  if (cfg.class_name !== 'InputLayer') return cfg;
  const { batch_shape, ...rest } = cfg.config;
  return { ...cfg, config: { batch_input_shape: batch_shape, ...rest, ragged: false } };
}

function keras2ModelBody(body: Json): Json {
  return { ...body, layers: (body.layers as LayerConfig[]).map(keras2Layer) };
}

/** The model config as tf.keras 2 writes it (h5 `model_config`, TensorFlow.js `modelTopology.model_config`). */
export function keras2ModelConfig(model: Model): LayerConfig {
  return keras2Layer(modelToConfig(model));
}

// ---------------------------------------------------------------------------------------------
// Keras 3

const DTYPE_POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

const OBJECT_MODULES: [RegExp, string][] = [
  [/_initializer$/, 'keras.initializers'],
  [/_regularizer$/, 'keras.regularizers'],
  [/_constraint$/, 'keras.constraints'],
];

/** Keras 3 wraps nested {class_name, config} objects with their module. */
function keras3Options(config: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'batch_input_shape') continue; // Keras 3 layers take their input shape from the InputLayer
    if (k === 'dtype') {
      out.dtype = DTYPE_POLICY;
      continue;
    }
    const module = OBJECT_MODULES.find(([re]) => re.test(k))?.[1];
    if (module && v && typeof v === 'object' && 'class_name' in (v as Json)) {
      out[k] = { module, ...(v as Json), registered_name: null };
    } else out[k] = v;
  }
  return out;
}

function shapeList(shape: SymShape | SymShape[] | null): unknown {
  if (!shape) return null;
  return Array.isArray(shape[0]) ? (shape as SymShape[]).map((s) => [...s]) : [...(shape as SymShape)];
}

function buildConfig(layer: Layer): Json | undefined {
  const shape = layer instanceof Sequential ? layer.inputShape : layer.builtInputShape;
  return shape ? { input_shape: shapeList(shape) } : undefined;
}

function keras3Layer(layer: Layer, inbound?: unknown[]): Json {
  if (layer instanceof Model) return keras3Model(layer, inbound);
  const cfg = layerToConfig(layer);
  const entry: Json = { module: 'keras.layers', class_name: cfg.class_name, config: layer instanceof InputLayer ? cfg.config : keras3Options(cfg.config), registered_name: null };
  const build = layer instanceof InputLayer ? undefined : buildConfig(layer);
  if (build) entry.build_config = build;
  if (inbound) {
    entry.name = layer.name;
    entry.inbound_nodes = inbound;
  }
  return entry;
}

/** Node indices as Keras counts them: per layer, among the nodes of this model's graph. */
function nodeIndexer(model: Model): (t: SymbolicTensor) => [string, number, number] {
  const inModel = modelNodes(model);
  const index = new Map<GraphNode, number>();
  for (const l of model.layers) l.inboundNodes.filter((n) => inModel.has(n)).forEach((n, i) => index.set(n, i));
  return (t) => [t.node.layer.name, index.get(t.node) ?? 0, t.outputIndex];
}

function kerasTensor(t: SymbolicTensor, ref: (t: SymbolicTensor) => [string, number, number]): Json {
  return { class_name: '__keras_tensor__', config: { shape: [...t.shape], dtype: t.dtype, keras_history: ref(t) } };
}

function keras3Model(model: Model, inbound?: unknown[]): Json {
  const base: Json = { name: model.name, trainable: model.trainable, dtype: DTYPE_POLICY };
  let entry: Json;
  if (model instanceof Sequential) {
    const layers = model.layers.map((l) => keras3Layer(l));
    const input = model.inputShape;
    if (input) layers.unshift({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [...input], dtype: 'float32', sparse: false, name: `${model.name}_input` }, registered_name: null });
    entry = { module: 'keras', class_name: 'Sequential', config: { ...base, layers }, registered_name: null };
  } else {
    const ref = nodeIndexer(model);
    const inModel = modelNodes(model);
    const layers = model.layers.map((l) => {
      const calls = l.inboundNodes.filter((n) => inModel.has(n) && n.inputs.length > 0);
      const nodes = calls.map((n) => {
        const tensors = n.inputs.map((t) => kerasTensor(t, ref));
        return { args: n.inputsAsList ? [tensors] : tensors, kwargs: {} };
      });
      return keras3Layer(l, nodes);
    });
    const ends = (ts: SymbolicTensor[]) => (ts.length === 1 ? ref(ts[0]!) : ts.map(ref));
    entry = {
      module: 'keras.src.models.functional',
      class_name: 'Functional',
      config: { ...base, layers, input_layers: ends(model.inputs), output_layers: ends(model.outputs) },
      registered_name: 'Functional',
    };
  }
  const build = buildConfig(model) ?? (model.inputs?.length ? { input_shape: shapeList(model.inputs.length === 1 ? model.inputs[0]!.shape : model.inputs.map((t) => t.shape)) } : undefined);
  if (build) entry.build_config = build;
  if (inbound) {
    entry.name = model.name;
    entry.inbound_nodes = inbound;
  }
  return entry;
}

/** The model config as Keras 3 writes it in a .keras archive's config.json (without compile_config). */
export function keras3ModelConfig(model: Model): Json {
  modelToConfig(model); // refuses subclassed models with the same message as every other format
  return keras3Model(model);
}
