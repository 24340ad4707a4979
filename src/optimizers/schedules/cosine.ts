/**
 * Cosine schedules (Loshchilov & Hutter's SGDR): CosineDecay with Keras 3's optional linear warm-up,
 * and CosineDecayRestarts (keras.optimizers.schedules, same option names, defaults and get_config
 * keys). Both decay the rate by `(1 − α)·½(1 + cos(π·f)) + α` for the fraction f of the period done.
 */
import { NON_NEGATIVE, OptionReader, POSITIVE } from '../options.js';
import { defineReadonly, requiredNumber, ScheduleBase } from './schedule.js';

/** The cosine factor from 1 (f = 0) down to alpha (f = 1). */
function cosineFactor(fraction: number, alpha: number): number {
  const cosineDecayed = 0.5 * (1 + Math.cos(Math.PI * fraction));
  return (1 - alpha) * cosineDecayed + alpha;
}

export interface CosineDecayOptions {
  initialLearningRate?: number;
  initial_learning_rate?: number;
  /** Steps of the cosine decay (after any warm-up). Must be > 0. */
  decaySteps?: number;
  decay_steps?: number;
  /** The final rate as a fraction of the rate the decay starts from. Default 0. */
  alpha?: number;
  name?: string;
  /** Warm up linearly from initialLearningRate to this rate, then decay from it. Default null (no warm-up). */
  warmupTarget?: number | null;
  warmup_target?: number | null;
  /** Length of the warm-up in steps. Default 0. */
  warmupSteps?: number;
  warmup_steps?: number;
}

/**
 * Without warmupTarget: `initial · cosineFactor(min(step, decaySteps) / decaySteps)`.
 * With warmupTarget, s = min(step, warmupSteps + decaySteps):
 *   s < warmupSteps:  `(warmupTarget − initial) · s / warmupSteps + initial`
 *   otherwise:        `warmupTarget · cosineFactor((s − warmupSteps) / decaySteps)`
 * so step warmupSteps is the top of the warm-up and the rate stays at `alpha · warmupTarget` after.
 */
export class CosineDecay extends ScheduleBase {
  static readonly className = 'CosineDecay';
  declare readonly initialLearningRate: number;
  declare readonly decaySteps: number;
  declare readonly alpha: number;
  declare readonly warmupTarget: number | null;
  declare readonly warmupSteps: number;

  constructor(options: CosineDecayOptions) {
    const r = new OptionReader('CosineDecay', options);
    const values = {
      initialLearningRate: requiredNumber(r, ['initialLearningRate', 'initial_learning_rate'], NON_NEGATIVE),
      decaySteps: requiredNumber(r, ['decaySteps', 'decay_steps'], POSITIVE),
      alpha: r.number(['alpha'], 0, NON_NEGATIVE),
      warmupTarget: r.optionalNumber(['warmupTarget', 'warmup_target'], NON_NEGATIVE),
      warmupSteps: r.number(['warmupSteps', 'warmup_steps'], 0, NON_NEGATIVE),
    };
    const name = r.string(['name'], 'CosineDecay');
    r.finish();
    super('CosineDecay', name);
    defineReadonly(this, values);
  }

  at(step: number): number {
    const d = this.decaySteps;
    if (this.warmupTarget === null) return this.initialLearningRate * cosineFactor(Math.min(step, d) / d, this.alpha);
    const w = this.warmupSteps;
    const s = Math.min(step, d + w);
    if (s < w) return (this.warmupTarget - this.initialLearningRate) * (s / w) + this.initialLearningRate;
    return this.warmupTarget * cosineFactor((s - w) / d, this.alpha);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      alpha: this.alpha,
      name: this.scheduleName,
      warmup_target: this.warmupTarget,
      warmup_steps: this.warmupSteps,
    };
  }
}

export interface CosineDecayRestartsOptions {
  initialLearningRate?: number;
  initial_learning_rate?: number;
  /** Length of the first period in steps. Must be > 0. */
  firstDecaySteps?: number;
  first_decay_steps?: number;
  /** Each period is tMul times longer than the one before. Default 2. */
  tMul?: number;
  t_mul?: number;
  /** Each period starts from mMul times the previous period's starting rate. Default 1. */
  mMul?: number;
  m_mul?: number;
  /** The rate at the end of a period as a fraction of initialLearningRate. Default 0. */
  alpha?: number;
  /** Default 'SGDRDecay' (Keras's default). */
  name?: string;
}

/**
 * With f = step / firstDecaySteps, the period index i and the fraction g of period i done are
 * `i = floor(f), g = f − i` for tMul = 1, else `i = floor(log(1 − f·(1 − tMul)) / log(tMul))` and
 * `g = (f − (1 − tMulⁱ)/(1 − tMul)) / tMulⁱ`; the rate is
 * `initial · ((1 − α)·mMulⁱ·½(1 + cos(π·g)) + α)`. So α is a floor fixed to initialLearningRate,
 * not scaled by mMulⁱ. A step exactly on a restart starts the new period: where the logarithms'
 * rounding puts i one off at such a step, i is corrected (Keras's float32 arithmetic has the same
 * hazard without the correction). For tMul < 1 the periods shrink geometrically and the schedule
 * is NaN past their finite sum, as in Keras.
 */
export class CosineDecayRestarts extends ScheduleBase {
  static readonly className = 'CosineDecayRestarts';
  declare readonly initialLearningRate: number;
  declare readonly firstDecaySteps: number;
  declare readonly tMul: number;
  declare readonly mMul: number;
  declare readonly alpha: number;

  constructor(options: CosineDecayRestartsOptions) {
    const r = new OptionReader('CosineDecayRestarts', options);
    const values = {
      initialLearningRate: requiredNumber(r, ['initialLearningRate', 'initial_learning_rate'], NON_NEGATIVE),
      firstDecaySteps: requiredNumber(r, ['firstDecaySteps', 'first_decay_steps'], POSITIVE),
      tMul: r.number(['tMul', 't_mul'], 2, POSITIVE),
      mMul: r.number(['mMul', 'm_mul'], 1, NON_NEGATIVE),
      alpha: r.number(['alpha'], 0, NON_NEGATIVE),
    };
    const name = r.string(['name'], 'SGDRDecay');
    r.finish();
    super('CosineDecayRestarts', name);
    defineReadonly(this, values);
  }

  /** Steps before period i, in units of firstDecaySteps: 1 + tMul + … + tMulⁱ⁻¹. */
  private periodStart(i: number): number {
    return (1 - Math.pow(this.tMul, i)) / (1 - this.tMul);
  }

  at(step: number): number {
    const t = this.tMul;
    let fraction = step / this.firstDecaySteps;
    let i: number;
    if (t === 1) {
      i = Math.floor(fraction);
      fraction -= i;
    } else {
      i = Math.floor(Math.log(1 - fraction * (1 - t)) / Math.log(t));
      if (this.periodStart(i + 1) <= fraction) i += 1;
      else if (this.periodStart(i) > fraction) i -= 1;
      fraction = (fraction - this.periodStart(i)) / Math.pow(t, i);
    }
    const mFac = Math.pow(this.mMul, i);
    const cosineDecayed = 0.5 * mFac * (1 + Math.cos(Math.PI * fraction));
    return this.initialLearningRate * ((1 - this.alpha) * cosineDecayed + this.alpha);
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      first_decay_steps: this.firstDecaySteps,
      t_mul: this.tMul,
      m_mul: this.mMul,
      alpha: this.alpha,
      name: this.scheduleName,
    };
  }
}
