/**
 * Learning-rate schedules (keras.optimizers.schedules). A schedule is a callable that maps the
 * optimizer's iteration count (the number of steps applied so far, so 0 for the first step) to a
 * learning rate, plus `getConfig()` for serialisation.
 */
import { unknownName, ValueError } from '../errors.js';
import { NON_NEGATIVE, OptionReader, POSITIVE } from './options.js';

export interface LearningRateSchedule {
  (step: number): number;
  getConfig(): Record<string, unknown>;
  /** Keras class name used when serialising (`ExponentialDecay`). */
  readonly className?: string;
}

/** A schedule is a function that also has `getConfig`; a bare function is a plain callable rate. */
export function isLearningRateSchedule(x: unknown): x is LearningRateSchedule {
  return typeof x === 'function' && typeof (x as { getConfig?: unknown }).getConfig === 'function';
}

export interface ExponentialDecayOptions {
  initialLearningRate?: number;
  initial_learning_rate?: number;
  /** Must be > 0. */
  decaySteps?: number;
  decay_steps?: number;
  decayRate?: number;
  decay_rate?: number;
  /** Decay at whole multiples of decaySteps only (`floor(step / decaySteps)`). Default false. */
  staircase?: boolean;
  name?: string;
}

/**
 * `initialLearningRate * decayRate ** (step / decaySteps)`; with `staircase` the exponent is
 * `floor(step / decaySteps)`. Instances are callable: `schedule(step)`.
 */
export interface ExponentialDecay extends LearningRateSchedule {}
export class ExponentialDecay {
  static readonly className = 'ExponentialDecay';
  declare readonly className: string;
  declare readonly initialLearningRate: number;
  declare readonly decaySteps: number;
  declare readonly decayRate: number;
  declare readonly staircase: boolean;
  /** Keras's `name` argument (a function's own `name` property holds it too). */
  declare readonly scheduleName: string;

  constructor(options: ExponentialDecayOptions) {
    const r = new OptionReader('ExponentialDecay', options);
    const initialLearningRate = r.take('initialLearningRate', 'initial_learning_rate');
    const decaySteps = r.take('decaySteps', 'decay_steps');
    const decayRate = r.take('decayRate', 'decay_rate');
    if (initialLearningRate === undefined || decaySteps === undefined || decayRate === undefined) {
      throw new ValueError('ExponentialDecay needs initialLearningRate, decaySteps and decayRate');
    }
    const values = {
      initialLearningRate: r.number(['initialLearningRate', 'initial_learning_rate'], 0, NON_NEGATIVE),
      decaySteps: r.number(['decaySteps', 'decay_steps'], 1, POSITIVE),
      decayRate: r.number(['decayRate', 'decay_rate'], 1, POSITIVE),
      staircase: r.boolean(['staircase'], false),
      scheduleName: r.string(['name'], 'ExponentialDecay'),
      className: 'ExponentialDecay',
    };
    r.finish();
    const self = ((step: number) => self.at(step)) as unknown as ExponentialDecay;
    Object.setPrototypeOf(self, new.target.prototype);
    for (const [k, v] of Object.entries(values)) Object.defineProperty(self, k, { value: v, enumerable: true });
    Object.defineProperty(self, 'name', { value: values.scheduleName });
    return self;
  }

  /** The learning rate at optimizer step `step` (0-based count of steps already applied). */
  at(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.scheduleName,
    };
  }
}

export const SCHEDULE_NAMES = ['ExponentialDecay'] as const;

/** Keras's serialised form: `{module, class_name, config, registered_name}`. */
export function serializeSchedule(s: LearningRateSchedule): Record<string, unknown> {
  return {
    module: 'keras.optimizers.schedules',
    class_name: s.className ?? 'LearningRateSchedule',
    config: s.getConfig(),
    registered_name: null,
  };
}

/** Rebuilds a schedule from `{class_name | className, config}` (as produced by serializeSchedule). */
export function deserializeSchedule(spec: unknown): LearningRateSchedule {
  if (isLearningRateSchedule(spec)) return spec;
  if (spec === null || typeof spec !== 'object') throw new ValueError(`Cannot read a learning rate schedule from ${String(spec)}`);
  const o = spec as Record<string, unknown>;
  const name = o.class_name ?? o.className;
  if (typeof name !== 'string' || name.toLowerCase() !== 'exponentialdecay') {
    throw unknownName('learning rate schedule', name, SCHEDULE_NAMES);
  }
  return new ExponentialDecay((o.config ?? {}) as ExponentialDecayOptions);
}
