/**
 * The decaying schedules that are closed-form functions of the step: ExponentialDecay,
 * InverseTimeDecay and PolynomialDecay (keras.optimizers.schedules, same option names, defaults
 * and get_config keys).
 */
import { NON_NEGATIVE, OptionReader, POSITIVE } from '../options.js';
import { defineReadonly, requiredNumber, ScheduleBase } from './schedule.js';

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
 * `initialLearningRate · decayRate^(step / decaySteps)`; with `staircase` the exponent is
 * `floor(step / decaySteps)`. Instances are callable: `schedule(step)`.
 */
export class ExponentialDecay extends ScheduleBase {
  static readonly className = 'ExponentialDecay';
  declare readonly initialLearningRate: number;
  declare readonly decaySteps: number;
  declare readonly decayRate: number;
  declare readonly staircase: boolean;

  constructor(options: ExponentialDecayOptions) {
    const r = new OptionReader('ExponentialDecay', options);
    const values = {
      initialLearningRate: requiredNumber(r, ['initialLearningRate', 'initial_learning_rate'], NON_NEGATIVE),
      decaySteps: requiredNumber(r, ['decaySteps', 'decay_steps'], POSITIVE),
      decayRate: requiredNumber(r, ['decayRate', 'decay_rate'], POSITIVE),
      staircase: r.boolean(['staircase'], false),
    };
    const name = r.string(['name'], 'ExponentialDecay');
    r.finish();
    super('ExponentialDecay', name);
    defineReadonly(this, values);
  }

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

export interface InverseTimeDecayOptions {
  initialLearningRate?: number;
  initial_learning_rate?: number;
  /** Must be > 0. */
  decaySteps?: number;
  decay_steps?: number;
  decayRate?: number;
  decay_rate?: number;
  /** Use `floor(step / decaySteps)`. Default false. */
  staircase?: boolean;
  name?: string;
}

/** `initialLearningRate / (1 + decayRate · step / decaySteps)`; `staircase` floors `step / decaySteps`. */
export class InverseTimeDecay extends ScheduleBase {
  static readonly className = 'InverseTimeDecay';
  declare readonly initialLearningRate: number;
  declare readonly decaySteps: number;
  declare readonly decayRate: number;
  declare readonly staircase: boolean;

  constructor(options: InverseTimeDecayOptions) {
    const r = new OptionReader('InverseTimeDecay', options);
    const values = {
      initialLearningRate: requiredNumber(r, ['initialLearningRate', 'initial_learning_rate'], NON_NEGATIVE),
      decaySteps: requiredNumber(r, ['decaySteps', 'decay_steps'], POSITIVE),
      decayRate: requiredNumber(r, ['decayRate', 'decay_rate'], NON_NEGATIVE),
      staircase: r.boolean(['staircase'], false),
    };
    const name = r.string(['name'], 'InverseTimeDecay');
    r.finish();
    super('InverseTimeDecay', name);
    defineReadonly(this, values);
  }

  at(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
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

export interface PolynomialDecayOptions {
  initialLearningRate?: number;
  initial_learning_rate?: number;
  /** Must be > 0. */
  decaySteps?: number;
  decay_steps?: number;
  /** Default 0.0001. */
  endLearningRate?: number;
  end_learning_rate?: number;
  /** Default 1 (linear). */
  power?: number;
  /** Start again after each multiple of decaySteps. Default false. */
  cycle?: boolean;
  name?: string;
}

/**
 * `(initial − end) · (1 − s / d)^power + end` with s = min(step, decaySteps) and d = decaySteps.
 * With `cycle`, s = step and d = decaySteps · ceil(step / decaySteps) (1 · decaySteps at step 0):
 * the rate reaches `end` at every multiple of decaySteps and jumps back up on the next step.
 */
export class PolynomialDecay extends ScheduleBase {
  static readonly className = 'PolynomialDecay';
  declare readonly initialLearningRate: number;
  declare readonly decaySteps: number;
  declare readonly endLearningRate: number;
  declare readonly power: number;
  declare readonly cycle: boolean;

  constructor(options: PolynomialDecayOptions) {
    const r = new OptionReader('PolynomialDecay', options);
    const values = {
      initialLearningRate: requiredNumber(r, ['initialLearningRate', 'initial_learning_rate'], NON_NEGATIVE),
      decaySteps: requiredNumber(r, ['decaySteps', 'decay_steps'], POSITIVE),
      endLearningRate: r.number(['endLearningRate', 'end_learning_rate'], 0.0001, NON_NEGATIVE),
      power: r.number(['power'], 1, NON_NEGATIVE),
      cycle: r.boolean(['cycle'], false),
    };
    const name = r.string(['name'], 'PolynomialDecay');
    r.finish();
    super('PolynomialDecay', name);
    defineReadonly(this, values);
  }

  at(step: number): number {
    let s = step;
    let d = this.decaySteps;
    if (this.cycle) d = d * (s === 0 ? 1 : Math.ceil(s / this.decaySteps));
    else s = Math.min(s, d);
    const p = s / d;
    return (this.initialLearningRate - this.endLearningRate) * Math.pow(1 - p, this.power) + this.endLearningRate;
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      end_learning_rate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.scheduleName,
    };
  }
}
