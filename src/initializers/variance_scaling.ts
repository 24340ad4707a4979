/**
 * Shape-adaptive initializers: VarianceScaling and its named presets (Glorot/Xavier, He, LeCun),
 * following keras/src/initializers/random_initializers.py.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import {
  type FloatDType, type InitializerConfig, RandomInitializer, type SeedOptions,
  allocFor, checkFinite, checkKeys, computeFans, fillNormal, fillTruncatedNormal, fillUniform,
} from './initializer.js';

export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/** Standard deviation of a standard normal truncated to [-2, 2]; dividing by it restores unit variance. */
export const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

export interface VarianceScalingOptions extends SeedOptions {
  /** Positive scaling factor. Defaults to 1. */
  scale?: number;
  /** 'fan_in' (default), 'fan_out' or 'fan_avg' (TensorFlow.js spellings fanIn/fanOut/fanAvg accepted). */
  mode?: FanMode | 'fanIn' | 'fanOut' | 'fanAvg';
  /** 'truncated_normal' (default; 'normal' is an alias), 'untruncated_normal' or 'uniform'. */
  distribution?: Distribution | 'normal' | 'truncatedNormal' | 'untruncatedNormal';
}

const MODES: Record<string, FanMode> = { fanin: 'fan_in', fanout: 'fan_out', fanavg: 'fan_avg' };
const DISTRIBUTIONS: Record<string, Distribution> = {
  truncatednormal: 'truncated_normal', normal: 'truncated_normal',
  untruncatednormal: 'untruncated_normal', uniform: 'uniform',
};

const squash = (s: string) => s.replace(/_/g, '').toLowerCase();

/**
 * With n = fan_in, fan_out or (fan_in + fan_out)/2 (at least 1):
 * - 'truncated_normal': truncated normal with stddev √(scale/n) / 0.8796… (so the truncated
 *   samples have standard deviation √(scale/n)), cut at two of those stddevs;
 * - 'untruncated_normal': N(0, scale/n);
 * - 'uniform': U[-√(3·scale/n), √(3·scale/n)].
 * Defaults: scale 1, mode 'fan_in', distribution 'truncated_normal' (Keras `VarianceScaling`).
 */
export class VarianceScaling extends RandomInitializer {
  readonly className: string = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;

  constructor(opts: VarianceScalingOptions = {}, who = 'VarianceScaling') {
    checkKeys(opts, ['scale', 'mode', 'distribution', 'seed'], who);
    super(opts.seed, who);
    const scale = checkFinite(opts.scale ?? 1, 'scale', who);
    if (!(scale > 0)) throw new ValueError(`${who}: 'scale' must be a positive number, got ${scale}`);
    const mode = opts.mode ?? 'fan_in';
    const m = typeof mode === 'string' ? MODES[squash(mode)] : undefined;
    if (!m) throw new ValueError(`${who}: invalid mode ${JSON.stringify(mode)}. Valid modes: fan_in, fan_out, fan_avg`);
    const dist = opts.distribution ?? 'truncated_normal';
    const d = typeof dist === 'string' ? DISTRIBUTIONS[squash(dist)] : undefined;
    if (!d) throw new ValueError(`${who}: invalid distribution ${JSON.stringify(dist)}. Valid distributions: truncated_normal, untruncated_normal, uniform`);
    this.scale = scale;
    this.mode = m;
    this.distribution = d;
  }

  /** The variance scale/n the samples have for a weight of this shape. */
  varianceFor(shape: readonly number[]): number {
    const { fanIn, fanOut } = computeFans(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    return this.scale / Math.max(1, n);
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, this.className);
    const variance = this.varianceFor(shape);
    const rng = this.rng();
    if (this.distribution === 'truncated_normal') {
      fillTruncatedNormal(data, rng, 0, Math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV);
    } else if (this.distribution === 'untruncated_normal') {
      fillNormal(data, rng, 0, Math.sqrt(variance));
    } else {
      const limit = Math.sqrt(3 * variance);
      fillUniform(data, rng, -limit, limit);
    }
    return new Tensor(data, shape);
  }

  override getConfig(): InitializerConfig {
    return { ...super.getConfig(), scale: this.scale, mode: this.mode, distribution: this.distribution };
  }
}

/** The presets' config is just the seed, as in Keras. */
abstract class Preset extends VarianceScaling {
  override getConfig(): InitializerConfig {
    return { seed: this.seed ?? null };
  }
}

function presetOpts(opts: SeedOptions, who: string): SeedOptions {
  checkKeys(opts, ['seed'], who);
  return { seed: opts.seed };
}

/** U[-limit, limit], limit = √(6 / (fan_in + fan_out)) (Keras `GlorotUniform`, Xavier uniform). */
export class GlorotUniform extends Preset {
  override readonly className: string = 'GlorotUniform';
  constructor(opts: SeedOptions = {}) {
    super({ ...presetOpts(opts, 'GlorotUniform'), scale: 1, mode: 'fan_avg', distribution: 'uniform' }, 'GlorotUniform');
  }
}

/** Truncated normal with stddev √(2 / (fan_in + fan_out)) (Keras `GlorotNormal`, Xavier normal). */
export class GlorotNormal extends Preset {
  override readonly className: string = 'GlorotNormal';
  constructor(opts: SeedOptions = {}) {
    super({ ...presetOpts(opts, 'GlorotNormal'), scale: 1, mode: 'fan_avg', distribution: 'truncated_normal' }, 'GlorotNormal');
  }
}

/** Truncated normal with stddev √(2 / fan_in) (Keras `HeNormal`). */
export class HeNormal extends Preset {
  override readonly className: string = 'HeNormal';
  constructor(opts: SeedOptions = {}) {
    super({ ...presetOpts(opts, 'HeNormal'), scale: 2, mode: 'fan_in', distribution: 'truncated_normal' }, 'HeNormal');
  }
}

/** U[-limit, limit], limit = √(6 / fan_in) (Keras `HeUniform`). */
export class HeUniform extends Preset {
  override readonly className: string = 'HeUniform';
  constructor(opts: SeedOptions = {}) {
    super({ ...presetOpts(opts, 'HeUniform'), scale: 2, mode: 'fan_in', distribution: 'uniform' }, 'HeUniform');
  }
}

/** Truncated normal with stddev √(1 / fan_in) (Keras `LecunNormal`). */
export class LecunNormal extends Preset {
  override readonly className: string = 'LecunNormal';
  constructor(opts: SeedOptions = {}) {
    super({ ...presetOpts(opts, 'LecunNormal'), scale: 1, mode: 'fan_in', distribution: 'truncated_normal' }, 'LecunNormal');
  }
}

/** U[-limit, limit], limit = √(3 / fan_in) (Keras `LecunUniform`). */
export class LecunUniform extends Preset {
  override readonly className: string = 'LecunUniform';
  constructor(opts: SeedOptions = {}) {
    super({ ...presetOpts(opts, 'LecunUniform'), scale: 1, mode: 'fan_in', distribution: 'uniform' }, 'LecunUniform');
  }
}
