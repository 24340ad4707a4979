/**
 * Weight initializers with Keras 3 semantics: classes (GlorotUniform, HeNormal…), TensorFlow.js
 * style factories (`glorotUniform({seed})`), name/config resolution and Keras serialization.
 */
import { ValueError, unknownName } from '../errors.js';
import { Initializer, type InitializerConfig, type SeedOptions } from './initializer.js';
import { Constant, type ConstantOptions, Identity, type IdentityOptions, Ones, Zeros } from './constant.js';
import { type NormalOptions, RandomNormal, RandomUniform, TruncatedNormal, type UniformOptions } from './random.js';
import {
  GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, VarianceScaling,
  type VarianceScalingOptions,
} from './variance_scaling.js';
import { Orthogonal, type OrthogonalOptions } from './orthogonal.js';

export { Initializer, RandomInitializer, computeFans } from './initializer.js';
export type { FloatDType, InitializerConfig, SeedOptions } from './initializer.js';
export { Constant, Identity, Ones, Zeros } from './constant.js';
export type { ConstantOptions, IdentityOptions } from './constant.js';
export { RandomNormal, RandomUniform, TruncatedNormal } from './random.js';
export type { NormalOptions, UniformOptions } from './random.js';
export {
  GlorotNormal, GlorotUniform, HeNormal, HeUniform, LecunNormal, LecunUniform, VarianceScaling,
  TRUNCATED_NORMAL_STDDEV,
} from './variance_scaling.js';
export type { Distribution, FanMode, VarianceScalingOptions } from './variance_scaling.js';
export { Orthogonal } from './orthogonal.js';
export type { OrthogonalOptions } from './orthogonal.js';

// TensorFlow.js-style factories.
export const zeros = (): Initializer => new Zeros();
export const ones = (): Initializer => new Ones();
export const constant = (opts: ConstantOptions | number = {}): Initializer => new Constant(opts);
export const identity = (opts: IdentityOptions = {}): Initializer => new Identity(opts);
export const orthogonal = (opts: OrthogonalOptions = {}): Initializer => new Orthogonal(opts);
export const randomNormal = (opts: NormalOptions = {}): Initializer => new RandomNormal(opts);
export const randomUniform = (opts: UniformOptions = {}): Initializer => new RandomUniform(opts);
export const truncatedNormal = (opts: NormalOptions = {}): Initializer => new TruncatedNormal(opts);
export const varianceScaling = (opts: VarianceScalingOptions = {}): Initializer => new VarianceScaling(opts);
export const glorotUniform = (opts: SeedOptions = {}): Initializer => new GlorotUniform(opts);
export const glorotNormal = (opts: SeedOptions = {}): Initializer => new GlorotNormal(opts);
export const heNormal = (opts: SeedOptions = {}): Initializer => new HeNormal(opts);
export const heUniform = (opts: SeedOptions = {}): Initializer => new HeUniform(opts);
export const lecunNormal = (opts: SeedOptions = {}): Initializer => new LecunNormal(opts);
export const lecunUniform = (opts: SeedOptions = {}): Initializer => new LecunUniform(opts);
/** TensorFlow.js spellings. */
export const leCunNormal = lecunNormal;
export const leCunUniform = lecunUniform;

/** A Keras/TF.js serialized initializer: `{class_name, config}` or `{className, config}`. */
export interface InitializerSpec {
  className?: string;
  class_name?: string;
  config?: InitializerConfig | null;
  [key: string]: unknown;
}

export type InitializerIdentifier = string | Initializer | InitializerSpec;

type Maker = (config: InitializerConfig) => Initializer;

// Config objects come from user JSON: the constructors validate every key and value.
const makers: readonly (readonly [string, Maker, readonly string[]])[] = [
  ['zeros', () => new Zeros(), ['zero']],
  ['ones', () => new Ones(), ['one']],
  ['constant', (c) => new Constant(c as ConstantOptions), []],
  ['identity', (c) => new Identity(c as IdentityOptions), ['identity_initializer']],
  ['orthogonal', (c) => new Orthogonal(c as OrthogonalOptions), ['orthogonal_initializer']],
  ['random_normal', (c) => new RandomNormal(c as NormalOptions), ['normal']],
  ['random_uniform', (c) => new RandomUniform(c as UniformOptions), ['uniform']],
  ['truncated_normal', (c) => new TruncatedNormal(c as NormalOptions), []],
  ['variance_scaling', (c) => new VarianceScaling(c as VarianceScalingOptions), []],
  ['glorot_uniform', (c) => new GlorotUniform(c as SeedOptions), ['xavier_uniform']],
  ['glorot_normal', (c) => new GlorotNormal(c as SeedOptions), ['xavier_normal']],
  ['he_normal', (c) => new HeNormal(c as SeedOptions), []],
  ['he_uniform', (c) => new HeUniform(c as SeedOptions), []],
  ['lecun_normal', (c) => new LecunNormal(c as SeedOptions), []],
  ['lecun_uniform', (c) => new LecunUniform(c as SeedOptions), []],
];

/** Names are matched ignoring case and underscores: 'glorot_uniform', 'glorotUniform', 'GlorotUniform'. */
const squash = (s: string) => s.replace(/_/g, '').toLowerCase();

const byKey = new Map<string, Maker>();
for (const [name, make, aliases] of makers) {
  for (const n of [name, ...aliases]) byKey.set(squash(n), make);
}

/** The accepted snake_case names (camelCase and Keras class names work too). */
export const INITIALIZER_NAMES: readonly string[] = makers.map(([name]) => name);

function fromName(name: string, config: InitializerConfig, original: unknown): Initializer {
  const make = byKey.get(squash(name));
  if (!make) throw unknownName('initializer', original, INITIALIZER_NAMES);
  return make(config);
}

/**
 * An Initializer from a name ('glorot_uniform', 'glorotUniform', 'GlorotUniform', 'he_normal',
 * 'zeros', 'random_normal'…, with defaults), an instance (returned as is) or a serialized
 * `{class_name|className, config}` (Keras's `keras.initializers.get`).
 */
export function getInitializer(spec: InitializerIdentifier): Initializer {
  if (spec instanceof Initializer) return spec;
  if (typeof spec === 'string') return fromName(spec, {}, spec);
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const name = spec.class_name ?? spec.className;
    if (typeof name !== 'string') {
      throw new ValueError(`Could not interpret initializer ${JSON.stringify(spec)}: expected a name, an Initializer or {class_name, config}`);
    }
    const config = spec.config ?? {};
    if (typeof config !== 'object' || Array.isArray(config)) {
      throw new ValueError(`Initializer '${name}': config must be an object, got ${JSON.stringify(config)}`);
    }
    return fromName(name, { ...config }, name);
  }
  throw unknownName('initializer', spec, INITIALIZER_NAMES);
}

/** Keras's serialized form, `{class_name, config}`, e.g. `{class_name: 'GlorotUniform', config: {seed: null}}`. */
export function serializeInitializer(init: InitializerIdentifier): { class_name: string; config: InitializerConfig } {
  const i = getInitializer(init);
  return { class_name: i.className, config: i.getConfig() };
}

/** Inverse of serializeInitializer. */
export function deserializeInitializer(spec: InitializerSpec): Initializer {
  return getInitializer(spec);
}
