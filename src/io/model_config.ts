/**
 * Model architecture ⇄ Keras-style JSON config ({class_name, config}). Sequential models list
 * their layers; functional models also record each layer's inbound nodes, Keras 2 style
 * ([[layer_name, node_index, tensor_index, {}], …]), with node indices counted within the model.
 */
import { FormatError, ValueError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
// Reading a config needs every built-in layer class registered, whoever imported us.
import '../layers/index.js';
import { configToArgs, layerClass } from '../layers/registry.js';
import type { SymbolicTensor } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';

export interface LayerConfig {
  class_name: string;
  config: Record<string, unknown>;
  name?: string;
  inbound_nodes?: unknown[];
}

type Custom = Record<string, new (args: never) => Layer>;

export function modelToConfig(model: Model): LayerConfig {
  if (model instanceof Sequential) {
    const layers: LayerConfig[] = [];
    if (model.inputShape) layers.push({ class_name: 'InputLayer', config: { batch_shape: [...model.inputShape], dtype: 'float32', sparse: false, name: 'input_layer' } });
    for (const l of model.layers) layers.push(layerToConfig(l));
    return { class_name: 'Sequential', config: { name: model.name, trainable: model.trainable, layers } };
  }
  if (!model.isFunctional) {
    throw new ValueError(`Model "${model.name}" is a subclassed model (${model.className}): its architecture is code, not a config. Save it with saveWeights(), or rebuild it as a functional or Sequential model`);
  }
  const nodeIndex = new Map<object, number>();
  const perLayer = new Map<Layer, number>();
  const layers: LayerConfig[] = [];
  const seen = new Set<Layer>();
  const inModel = modelNodes(model);
  const nodes = model.layers.flatMap((l) => l.inboundNodes.filter((n) => inModel.has(n)));
  for (const n of nodes) {
    const k = perLayer.get(n.layer) ?? 0;
    nodeIndex.set(n, k);
    perLayer.set(n.layer, k + 1);
  }
  const ref = (t: SymbolicTensor) => [t.node.layer.name, nodeIndex.get(t.node) ?? 0, t.outputIndex, {}];
  for (const l of model.layers) {
    if (seen.has(l)) continue;
    seen.add(l);
    const inbound = nodes.filter((n) => n.layer === l && n.inputs.length > 0).map((n) => n.inputs.map(ref));
    layers.push({ ...layerToConfig(l), name: l.name, inbound_nodes: inbound });
  }
  return {
    class_name: 'Functional',
    config: { name: model.name, trainable: model.trainable, layers, input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) },
  };
}

/** Every graph node between the model's inputs and outputs. */
export function modelNodes(model: Model): Set<object> {
  const set = new Set<object>();
  const visit = (t: SymbolicTensor) => {
    if (set.has(t.node)) return;
    set.add(t.node);
    t.node.inputs.forEach(visit);
  };
  model.outputs.forEach(visit);
  return set;
}

export function layerToConfig(layer: Layer): LayerConfig {
  if (layer instanceof Model) return modelToConfig(layer);
  return { class_name: layer.className, config: layer.getConfig() };
}

function makeLayer(cfg: LayerConfig, custom: Custom): Layer {
  if (cfg.class_name === 'Sequential' || cfg.class_name === 'Functional' || cfg.class_name === 'Model') return modelFromConfig(cfg, custom);
  const Ctor = layerClass(cfg.class_name, custom);
  return new Ctor(configToArgs(cfg.config) as never);
}

/** Rebuild a model (fresh weights) from its config. */
export function modelFromConfig(cfg: LayerConfig, custom: Custom = {}): Model {
  if (!cfg || typeof cfg !== 'object' || typeof cfg.class_name !== 'string' || typeof cfg.config !== 'object') {
    throw new FormatError('Model config must be an object {class_name, config}');
  }
  const c = cfg.config as { name?: string; layers?: LayerConfig[]; input_layers?: unknown[]; output_layers?: unknown[]; trainable?: boolean };
  if (!Array.isArray(c.layers)) throw new FormatError(`Model config "${c.name}" has no layers list`);
  if (cfg.class_name === 'Sequential') {
    const model = new Sequential({ name: c.name });
    for (const lc of c.layers) {
      if (lc.class_name === 'InputLayer') {
        model.add(new InputLayer(configToArgs(lc.config) as never));
      } else {
        model.add(makeLayer(lc, custom));
      }
    }
    if (c.trainable === false) model.trainable = false;
    return model;
  }
  // Functional: create layers, then replay their calls in dependency order.
  const byName = new Map<string, Layer>();
  for (const lc of c.layers) byName.set(lc.name ?? (lc.config.name as string), makeLayer(lc, custom));
  const outputs = new Map<string, SymbolicTensor[][]>();
  for (const [name, layer] of byName) if (layer instanceof InputLayer) outputs.set(name, [[layer.output]]);
  const pending = c.layers.filter((lc) => lc.class_name !== 'InputLayer');
  const get = (r: unknown): SymbolicTensor | undefined => {
    const [lname, node, tensor] = r as [string, number, number];
    return outputs.get(lname)?.[node]?.[tensor];
  };
  let progress = true;
  while (pending.length > 0 && progress) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const lc = pending[i];
      const name = lc.name ?? (lc.config.name as string);
      const layer = byName.get(name) as Layer;
      const calls = (lc.inbound_nodes ?? []) as unknown[][];
      const done = outputs.get(name)?.length ?? 0;
      if (done >= calls.length) continue;
      const args = calls[done].map(get);
      if (args.some((a) => !a)) continue;
      const out = layer.apply((args.length === 1 ? args[0] : args) as never) as SymbolicTensor | SymbolicTensor[];
      outputs.set(name, [...(outputs.get(name) ?? []), Array.isArray(out) ? out : [out]]);
      progress = true;
      if ((outputs.get(name)?.length ?? 0) >= calls.length) {
        pending.splice(i, 1);
        i--;
      }
    }
  }
  if (pending.length > 0) throw new FormatError(`Model config "${c.name}": cannot resolve the inputs of layer(s) ${pending.map((p) => p.name).join(', ')}`);
  const ins = (c.input_layers ?? []).map(get);
  const outs = (c.output_layers ?? []).map(get);
  if (ins.some((t) => !t) || outs.some((t) => !t)) throw new FormatError(`Model config "${c.name}": input_layers/output_layers refer to unknown layers`);
  const model = new Model({ name: c.name, inputs: ins as SymbolicTensor[], outputs: outs as SymbolicTensor[] });
  if (c.trainable === false) model.trainable = false;
  return model;
}
