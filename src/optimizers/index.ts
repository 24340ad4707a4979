/**
 * Optimizers with Keras 3 semantics. Classes (`SGD`, `Adam`, `AdamW`, `Nadam`, `Adamax`, `RMSprop`,
 * `Adagrad`, `Adadelta`), lower-case factories as TensorFlow.js users write them
 * (`optimizers.adam({learningRate: 1e-3})`, `optimizers.sgd(0.1)`), `getOptimizer` for Keras names
 * and configs, and the learning-rate schedules (also as the `schedules` namespace, like
 * `keras.optimizers.schedules`).
 */
import { unknownName, ValueError } from '../errors.js';
import { Adadelta, type AdadeltaOptions } from './adadelta.js';
import { Adagrad, type AdagradOptions } from './adagrad.js';
import { Adam, type AdamOptions } from './adam.js';
import { Adamax, type AdamaxOptions } from './adamax.js';
import { AdamW, type AdamWOptions } from './adamw.js';
import { Nadam, type NadamOptions } from './nadam.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';
import { RMSprop, type RMSpropOptions } from './rmsprop.js';
import { SGD, type SGDOptions } from './sgd.js';

export {
  Optimizer,
  ExponentialDecay,
  isLearningRateSchedule,
  serializeSchedule,
  deserializeSchedule,
  type LearningRate,
  type LearningRateSchedule,
  type ExponentialDecayOptions,
  type GradientPair,
  type NamedTensor,
  type OptimizerOptions,
  type SlotSpec,
  type ScalarStateSpec,
  type FloatData,
} from './optimizer.js';
export {
  PiecewiseConstantDecay,
  PolynomialDecay,
  InverseTimeDecay,
  CosineDecay,
  CosineDecayRestarts,
  SCHEDULE_NAMES,
  type PiecewiseConstantDecayOptions,
  type PolynomialDecayOptions,
  type InverseTimeDecayOptions,
  type CosineDecayOptions,
  type CosineDecayRestartsOptions,
} from './schedules.js';
export * as schedules from './schedules.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdamW, type AdamWOptions } from './adamw.js';
export { Nadam, type NadamOptions } from './nadam.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';

/** Gradient descent (with momentum / Nesterov). A number is the learning rate. */
export function sgd(options?: SGDOptions | number): SGD {
  return new SGD(options);
}

export function adam(options?: AdamOptions | number): Adam {
  return new Adam(options);
}

/** Adam with decoupled weight decay (default weightDecay 0.004). */
export function adamw(options?: AdamWOptions | number): AdamW {
  return new AdamW(options);
}

export function nadam(options?: NadamOptions | number): Nadam {
  return new Nadam(options);
}

export function adamax(options?: AdamaxOptions | number): Adamax {
  return new Adamax(options);
}

export function rmsprop(options?: RMSpropOptions | number): RMSprop {
  return new RMSprop(options);
}

export function adagrad(options?: AdagradOptions | number): Adagrad {
  return new Adagrad(options);
}

export function adadelta(options?: AdadeltaOptions | number): Adadelta {
  return new Adadelta(options);
}

type OptimizerClass = new (options?: OptimizerOptions) => Optimizer;

const CLASSES: Record<string, OptimizerClass> = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  nadam: Nadam,
  adamax: Adamax,
  rmsprop: RMSprop,
  adagrad: Adagrad,
  adadelta: Adadelta,
};

/** The names getOptimizer accepts (case-insensitively: 'Adam', 'RMSprop', 'SGD' work too). */
export const OPTIMIZER_NAMES: readonly string[] = Object.keys(CLASSES);

/** A Keras-style serialised optimizer: `{className, config}` or Keras's `{class_name, config}`. */
export interface OptimizerSpec {
  className?: string;
  class_name?: string;
  config?: Record<string, unknown>;
}

function lookup(name: unknown): OptimizerClass {
  const cls = typeof name === 'string' ? CLASSES[name.toLowerCase()] : undefined;
  if (!cls) throw unknownName('optimizer', name, OPTIMIZER_NAMES);
  return cls;
}

/**
 * Resolves an optimizer: an Optimizer instance is returned as is; a name ('adam', 'SGD',
 * 'rmsprop'…, any case) gives that optimizer with Keras's defaults; `{className, config}` (or
 * `{class_name, config}`, as Keras serialises) builds it from the config, whose keys may be
 * snake_case or camelCase.
 */
export function getOptimizer(spec: string | Optimizer | OptimizerSpec): Optimizer {
  if (spec instanceof Optimizer) return spec;
  if (typeof spec === 'string') return new (lookup(spec))();
  if (spec !== null && typeof spec === 'object') {
    const name = spec.className ?? spec.class_name;
    if (name === undefined) throw new ValueError(`getOptimizer: an optimizer spec object needs a className (or class_name); got keys ${Object.keys(spec).join(', ') || '(none)'}`);
    const config = spec.config ?? {};
    if (config === null || typeof config !== 'object') throw new ValueError(`getOptimizer: config must be an object; got ${String(config)}`);
    return new (lookup(name))(config as OptimizerOptions);
  }
  throw new ValueError(`getOptimizer: expected an optimizer name, an Optimizer or {className, config}; got ${String(spec)}`);
}

/** Keras's serialised form of an optimizer, which getOptimizer reads back. */
export function serializeOptimizer(optimizer: Optimizer): { class_name: string; config: Record<string, unknown> } {
  return { class_name: optimizer.className, config: optimizer.getConfig() };
}
