/**
 * Keras model configs as Keras 2 (tf.keras, standalone keras, TensorFlow.js) and Keras 3 write
 * them → the one dialect convkit's model builder reads (io/model_config.ts): Keras 2 style
 * inbound_nodes lists, plain dtype strings, no `module`/`registered_name` bookkeeping.
 *
 * The dialects differ in: `batch_input_shape` (Keras 2) vs `batch_shape` (Keras 3) on InputLayer;
 * dtype as a string vs a DTypePolicy object; inbound_nodes as [[name, node, tensor, kwargs]] vs
 * [{args: [__keras_tensor__…], kwargs}]; input_layers/output_layers as a list of triples vs a
 * single bare triple; model class names Model / Functional / Sequential.
 *
 * Options convkit does not implement are refused here, with the layer, the option and the file
 * named, rather than silently giving a model that computes something else.
 */
import { FormatError } from '../../errors.js';
// Reading a config needs every built-in layer class registered, whoever imported us.
import '../../layers/index.js';
import { configToArgs, layerClass, registeredLayerNames } from '../../layers/registry.js';
import type { LayerConfig } from '../model_config.js';

export type CustomObjects = Record<string, new (args: never) => unknown>;

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

/** Config keys that are bookkeeping, not behaviour, in every dialect. */
const BOOKKEEPING = new Set(['module', 'registered_name', 'build_config', 'compile_config', 'shared_object_id']);

/** Options that are fine to ignore whatever their value: they do not change what a layer computes. */
const INERT_OPTIONS = new Set([
  'name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape', 'batch_size', 'input_dim',
  'sparse', 'ragged', 'optional', 'input_tensor', 'autocast', 'seed', 'noise_shape_is_default',
  'kernel_initializer', 'bias_initializer', 'depthwise_initializer', 'pointwise_initializer',
  'gamma_initializer', 'beta_initializer', 'moving_mean_initializer', 'moving_variance_initializer',
  'lora_rank', 'lora_alpha', 'quantization_config', 'synchronized', 'renorm_momentum',
]);

/** Options whose only accepted values are "off": anything else changes the layer's maths. */
const MUST_BE_OFF: Record<string, (v: unknown) => boolean> = {
  kernel_constraint: (v) => v == null, bias_constraint: (v) => v == null, depthwise_constraint: (v) => v == null,
  pointwise_constraint: (v) => v == null, gamma_constraint: (v) => v == null, beta_constraint: (v) => v == null,
  activity_regularizer: (v) => v == null, renorm: (v) => v === false || v == null, renorm_clipping: (v) => v == null,
  virtual_batch_size: (v) => v == null, adjustment: (v) => v == null, fused: () => true,
  noise_shape: (v) => v == null, lora_rank: (v) => v == null,
};

/**
 * Options tf.keras 2 writes into some classes' configs with a value that means "nothing": accepted
 * at that value (only there: Keras 3 itself rejects them, so convkit never writes them).
 */
const NEUTRAL_BY_CLASS: Record<string, Record<string, (v: unknown) => boolean>> = {
  DepthwiseConv2D: { groups: (v) => v === 1 },
  Conv2DTranspose: { groups: (v) => v === 1 },
  SeparableConv2D: { groups: (v) => v === 1, kernel_regularizer: (v) => v == null },
};

/** The dtype a config names: a string or a Keras 3 DTypePolicy; mixed policies keep float32 variables. */
function dtypeName(dtype: unknown): string | undefined {
  if (typeof dtype === 'string') return dtype;
  if (dtype && typeof dtype === 'object') {
    const c = (dtype as { config?: { name?: unknown } }).config;
    if (c && typeof c.name === 'string') return c.name;
  }
  return undefined;
}

function cleanDtype(dtype: unknown, where: string, source: string): string {
  const name = dtypeName(dtype) ?? 'float32';
  if (name === 'float32' || name.startsWith('mixed_')) return 'float32';
  if (name === 'float16' || name === 'bfloat16' || name === 'float64') return 'float32'; // weights are cast on load
  throw new FormatError(`${source}: ${where} uses dtype ${JSON.stringify(name)}; convkit models compute in float32`);
}

/** tf.keras ≤ 2.3 records a dtype in initializer configs; initializers here always make float32. */
function withoutInitializerDtype(init: unknown): unknown {
  if (!init || typeof init !== 'object') return init;
  const c = (init as { config?: unknown }).config;
  if (!c || typeof c !== 'object' || !('dtype' in c)) return init;
  const { dtype: _dtype, ...rest } = c as Record<string, unknown>;
  return { ...(init as object), config: rest };
}

function isTriple(x: unknown): boolean {
  return Array.isArray(x) && typeof x[0] === 'string';
}

/** Keras 3 writes a single input/output as a bare [name, node, tensor] triple. */
function normalizeEndpoints(x: unknown): unknown[] {
  if (!Array.isArray(x)) return [];
  if (isTriple(x) && x.length >= 3 && typeof x[1] === 'number') return [x.slice(0, 3)];
  return x.map((t) => (Array.isArray(t) ? t.slice(0, 3) : t));
}

/** Keras 3 inbound node → Keras 2 list of [layer, node, tensor, {}] references. */
function kerasTensorRefs(arg: unknown, out: unknown[][]): void {
  if (Array.isArray(arg)) {
    for (const a of arg) kerasTensorRefs(a, out);
    return;
  }
  if (arg && typeof arg === 'object' && (arg as { class_name?: string }).class_name === '__keras_tensor__') {
    const h = (arg as { config?: { keras_history?: unknown[] } }).config?.keras_history;
    if (Array.isArray(h) && typeof h[0] === 'string') out.push([h[0], h[1] ?? 0, h[2] ?? 0, {}]);
  }
}

function normalizeInbound(nodes: unknown, where: string, source: string): unknown[] {
  if (nodes === undefined) return [];
  if (!Array.isArray(nodes)) throw new FormatError(`${source}: ${where} has inbound_nodes that are not a list`);
  return nodes.map((node) => {
    if (Array.isArray(node)) return node.map((ref) => (Array.isArray(ref) ? [ref[0], ref[1] ?? 0, ref[2] ?? 0, {}] : ref));
    if (node && typeof node === 'object' && 'args' in node) {
      const refs: unknown[][] = [];
      kerasTensorRefs((node as { args: unknown }).args, refs);
      return refs;
    }
    throw new FormatError(`${source}: ${where} has an inbound node convkit cannot read: ${JSON.stringify(node).slice(0, 200)}`);
  });
}

/**
 * Checks a layer's options against what convkit implements: the class must be known, options
 * convkit does not have must be inert or off.
 */
function checkLayerOptions(className: string, config: Record<string, unknown>, source: string, custom: CustomObjects): void {
  if (custom[className]) return; // the user's own class takes whatever its config holds
  let ctor;
  try {
    ctor = layerClass(className);
  } catch {
    throw new FormatError(`${source}: layer "${String(config.name)}" has class ${className}, which convkit does not support yet. Supported layer classes: ${registeredLayerNames().sort().join(', ')}. A class of your own can be passed in customObjects`);
  }
  // A layer built from this very config lists, in its own config, every option it understands.
  let known: Set<string>;
  try {
    known = new Set(Object.keys(new ctor(configToArgs(config) as never).getConfig()));
  } catch (e) {
    throw new FormatError(`${source}: layer "${String(config.name)}" (${className}) cannot be built: ${(e as Error).message}`);
  }
  for (const [key, value] of Object.entries(config)) {
    const neutral = known.has(key) ? undefined : NEUTRAL_BY_CLASS[className]?.[key];
    if (neutral) {
      if (!neutral(value)) throw new FormatError(`${source}: layer "${String(config.name)}" (${className}) sets ${key} = ${JSON.stringify(value)}, which convkit does not support yet`);
      continue;
    }
    if (key in MUST_BE_OFF) {
      if (!MUST_BE_OFF[key]!(value)) throw new FormatError(`${source}: layer "${String(config.name)}" (${className}) sets ${key} = ${JSON.stringify(value)}, which convkit does not support yet`);
      continue;
    }
    if (known.has(key) || INERT_OPTIONS.has(key) || BOOKKEEPING.has(key)) continue;
    throw new FormatError(`${source}: layer "${String(config.name)}" (${className}) has option ${key} = ${JSON.stringify(value)}, which convkit does not support yet. ${className} options convkit reads: ${[...known].sort().join(', ')}`);
  }
}

/** One layer entry of any dialect → convkit's dialect (recursing into nested models). */
function normalizeLayer(entry: unknown, source: string, custom: CustomObjects, topLevel: boolean): LayerConfig {
  if (!entry || typeof entry !== 'object') throw new FormatError(`${source}: a layer entry is not an object`);
  const e = entry as { class_name?: unknown; config?: unknown; name?: unknown; inbound_nodes?: unknown };
  if (typeof e.class_name !== 'string') throw new FormatError(`${source}: a layer entry has no class_name`);
  if (!e.config || typeof e.config !== 'object') throw new FormatError(`${source}: layer entry ${e.class_name} has no config object`);
  const className = e.class_name;
  if (MODEL_CLASSES.has(className)) {
    const inner = normalizeModelConfig({ class_name: className, config: e.config }, source, custom);
    return { ...inner, ...(e.name !== undefined ? { name: e.name as string } : {}), ...(!topLevel && e.inbound_nodes !== undefined ? { inbound_nodes: normalizeInbound(e.inbound_nodes, `model "${String(e.name)}"`, source) } : {}) };
  }
  const raw = e.config as Record<string, unknown>;
  const where = `layer "${String(raw.name ?? e.name)}" (${className})`;
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) if (!BOOKKEEPING.has(k)) config[k] = k.endsWith('_initializer') ? withoutInitializerDtype(v) : v;
  config.dtype = cleanDtype(raw.dtype, where, source);
  if (className === 'InputLayer') {
    const shape = config.batch_shape ?? config.batch_input_shape ?? (Array.isArray(config.shape) ? [config.batch_size ?? null, ...(config.shape as unknown[])] : undefined);
    if (!Array.isArray(shape)) throw new FormatError(`${source}: ${where} has no batch_shape / batch_input_shape`);
    return { class_name: 'InputLayer', config: { name: config.name, batch_shape: shape, dtype: 'float32' }, ...(e.name !== undefined ? { name: e.name as string } : {}), inbound_nodes: [] };
  }
  checkLayerOptions(className, config, source, custom);
  const out: LayerConfig = { class_name: className, config };
  if (e.name !== undefined) out.name = e.name as string;
  if (e.inbound_nodes !== undefined) out.inbound_nodes = normalizeInbound(e.inbound_nodes, where, source);
  return out;
}

/**
 * A whole model config (the JSON of model_config / config.json / a tfjs modelTopology's
 * model_config) → convkit's dialect. `source` names the file in errors.
 */
export function normalizeModelConfig(cfg: unknown, source: string, custom: CustomObjects = {}): LayerConfig {
  if (!cfg || typeof cfg !== 'object') throw new FormatError(`${source}: the model config is not a JSON object`);
  const c = cfg as { class_name?: unknown; config?: unknown };
  if (typeof c.class_name !== 'string' || !MODEL_CLASSES.has(c.class_name)) {
    throw new FormatError(`${source}: the model config has class ${JSON.stringify(c.class_name)}; convkit reads Sequential and functional (Model / Functional) models`);
  }
  // Sequential configs from Keras ≤ 2.2 are a bare list of layers.
  const body = (Array.isArray(c.config) ? { layers: c.config } : c.config) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.layers)) throw new FormatError(`${source}: the ${c.class_name} config has no layers list`);
  const name = typeof body.name === 'string' ? body.name : undefined;
  if (c.class_name === 'Sequential') {
    const layers = (body.layers as unknown[]).map((l) => normalizeLayer(l, source, custom, true));
    const build = (cfg as { build_config?: { input_shape?: unknown } }).build_config ?? (body.build_config as { input_shape?: unknown } | undefined);
    if (layers[0]?.class_name !== 'InputLayer' && !(layers[0]?.config as Record<string, unknown> | undefined)?.batch_input_shape && Array.isArray(build?.input_shape)) {
      layers.unshift({ class_name: 'InputLayer', config: { name: `${name ?? 'sequential'}_input`, batch_shape: build!.input_shape, dtype: 'float32' } });
    }
    return { class_name: 'Sequential', config: { name, trainable: body.trainable !== false, layers } };
  }
  const layers = (body.layers as unknown[]).map((l) => normalizeLayer(l, source, custom, false));
  return {
    class_name: 'Functional',
    config: { name, trainable: body.trainable !== false, layers, input_layers: normalizeEndpoints(body.input_layers), output_layers: normalizeEndpoints(body.output_layers) },
  };
}
