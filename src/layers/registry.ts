/**
 * Layer classes by Keras class name, for rebuilding models from saved configs. Keras configs use
 * snake_case keys; constructors take camelCase options, so keys are converted on the way in.
 */
import { unknownName } from '../errors.js';
import type { Layer } from './layer.js';

type LayerCtor = new (args: never) => Layer;

const classes = new Map<string, LayerCtor>();
const builtins = new Set<LayerCtor>();

export function registerLayer(className: string, ctor: LayerCtor): void {
  classes.set(className, ctor);
  builtins.add(ctor);
}

export function layerClass(className: string, custom: Record<string, LayerCtor> = {}): LayerCtor {
  const c = custom[className] ?? classes.get(className);
  if (!c) throw unknownName('layer class', className, [...classes.keys(), ...Object.keys(custom)]);
  return c;
}

export function registeredLayerNames(): string[] {
  return [...classes.keys()];
}

export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Keras config → constructor options (top-level keys camelCased; values kept). */
export function configToArgs(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === null) continue;
    out[snakeToCamel(k)] = v;
  }
  return out;
}

/**
 * Whether `layer` is an instance of one of convkit's own layer classes (not a user subclass): those
 * never keep a reference to a tensor they read or return, so the inference executor may reuse the
 * storage of values they alone read.
 */
export function isBuiltinLayer(layer: Layer): boolean {
  return builtins.has(layer.constructor as LayerCtor);
}
