/**
 * Weight regularizers with Keras 3 semantics: L1, L2, L1L2, TensorFlow.js-style factories, name and
 * config resolution, and Keras serialization.
 */
import { ValueError, unknownName } from '../errors.js';
import { L1, L1L2, type L1L2Options, type L1Options, L2, type L2Options } from './l1l2.js';
import { Regularizer } from './regularizer.js';

export { Regularizer } from './regularizer.js';
export { L1, L1L2, L2 } from './l1l2.js';
export type { L1L2Options, L1Options, L2Options } from './l1l2.js';

/** `l1({l1: 0.001})` or `l1(0.001)`; l1 defaults to 0.01. */
export const l1 = (opts: L1Options | number = {}): Regularizer => new L1(opts);
/** `l2({l2: 0.001})` or `l2(0.001)`; l2 defaults to 0.01. */
export const l2 = (opts: L2Options | number = {}): Regularizer => new L2(opts);
/**
 * `l1l2({l1, l2})`. Like TensorFlow.js's `l1l2` and Keras's `l1_l2` string identifier, an omitted
 * factor defaults to 0.01 (the `L1L2` class itself defaults both to 0, as in Keras 3).
 */
export const l1l2 = (opts: L1L2Options = {}): Regularizer => {
  if (typeof opts !== 'object' || opts === null) throw new ValueError(`l1l2: options must be an object {l1, l2}, got ${JSON.stringify(opts)}`);
  return new L1L2({ ...opts, l1: opts.l1 ?? 0.01, l2: opts.l2 ?? 0.01 });
};

/** A Keras/TF.js serialized regularizer: `{class_name, config}` or `{className, config}`. */
export interface RegularizerSpec {
  className?: string;
  class_name?: string;
  config?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export type RegularizerIdentifier = string | Regularizer | RegularizerSpec;

export const REGULARIZER_NAMES: readonly string[] = ['l1', 'l2', 'l1_l2'];

const squash = (s: string) => s.replace(/_/g, '').toLowerCase();

/** By name: the penalty with its default strength (0.01; for 'l1_l2' 0.01 each, as Keras documents). */
function fromName(name: string): Regularizer | undefined {
  switch (squash(name)) {
    case 'l1': return new L1();
    case 'l2': return new L2();
    case 'l1l2': return new L1L2({ l1: 0.01, l2: 0.01 });
    default: return undefined;
  }
}

/** From a config: the class's own defaults apply to missing keys (Keras `cls(**config)`). */
function fromConfig(name: string, config: Record<string, unknown>): Regularizer | undefined {
  switch (squash(name)) {
    case 'l1': return new L1(config as L1Options);
    case 'l2': return new L2(config as L2Options);
    case 'l1l2': return new L1L2(config as L1L2Options);
    default: return undefined;
  }
}

/**
 * A Regularizer from a name ('l1', 'l2', 'l1_l2', also 'L1', 'L1L2'…), an instance (returned as is)
 * or a serialized `{class_name|className, config}`. null/undefined give null (no regularizer).
 */
export function getRegularizer(spec: RegularizerIdentifier): Regularizer;
export function getRegularizer(spec: RegularizerIdentifier | null | undefined): Regularizer | null;
export function getRegularizer(spec: RegularizerIdentifier | null | undefined): Regularizer | null {
  if (spec === null || spec === undefined) return null;
  if (spec instanceof Regularizer) return spec;
  if (typeof spec === 'string') {
    const r = fromName(spec);
    if (!r) throw unknownName('regularizer', spec, REGULARIZER_NAMES);
    return r;
  }
  if (typeof spec === 'object' && !Array.isArray(spec)) {
    const name = spec.class_name ?? spec.className;
    if (typeof name !== 'string') {
      throw new ValueError(`Could not interpret regularizer ${JSON.stringify(spec)}: expected a name, a Regularizer or {class_name, config}`);
    }
    const config = spec.config ?? {};
    if (typeof config !== 'object' || Array.isArray(config)) {
      throw new ValueError(`Regularizer '${name}': config must be an object, got ${JSON.stringify(config)}`);
    }
    const r = fromConfig(name, { ...config });
    if (!r) throw unknownName('regularizer', name, ['L1', 'L2', 'L1L2']);
    return r;
  }
  throw unknownName('regularizer', spec, REGULARIZER_NAMES);
}

/** Keras's serialized form, e.g. `{class_name: 'L2', config: {l2: 0.01}}`. */
export function serializeRegularizer(reg: RegularizerIdentifier): { class_name: string; config: Record<string, unknown> } {
  const r = getRegularizer(reg);
  return { class_name: r.className, config: r.getConfig() };
}

/** Inverse of serializeRegularizer. */
export function deserializeRegularizer(spec: RegularizerSpec): Regularizer {
  return getRegularizer(spec);
}
