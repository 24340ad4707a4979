/** Initializers with fixed distribution parameters: RandomNormal, RandomUniform, TruncatedNormal. */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import {
  type FloatDType, type InitializerConfig, RandomInitializer, type SeedOptions,
  allocFor, checkFinite, checkKeys, checkNonNegative, fillNormal, fillTruncatedNormal, fillUniform,
} from './initializer.js';

export interface NormalOptions extends SeedOptions {
  /** Defaults to 0. */
  mean?: number;
  /** Defaults to 0.05. */
  stddev?: number;
}

export interface UniformOptions extends SeedOptions {
  /** Inclusive lower bound. Defaults to -0.05. */
  minval?: number;
  /** Exclusive upper bound. Defaults to 0.05. */
  maxval?: number;
}

/** N(mean, stddev²) (Keras `RandomNormal(mean=0.0, stddev=0.05)`). */
export class RandomNormal extends RandomInitializer {
  readonly className = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;

  constructor(opts: NormalOptions = {}) {
    checkKeys(opts, ['mean', 'stddev', 'seed'], 'RandomNormal');
    super(opts.seed, 'RandomNormal');
    this.mean = checkFinite(opts.mean ?? 0, 'mean', 'RandomNormal');
    this.stddev = checkNonNegative(opts.stddev ?? 0.05, 'stddev', 'RandomNormal');
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, this.className);
    fillNormal(data, this.rng(), this.mean, this.stddev);
    return new Tensor(data, shape);
  }

  override getConfig(): InitializerConfig {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

/**
 * N(mean, stddev²) with draws more than two standard deviations from the mean redrawn
 * (Keras `TruncatedNormal(mean=0.0, stddev=0.05)`). The resulting standard deviation is
 * about 0.88·stddev.
 */
export class TruncatedNormal extends RandomInitializer {
  readonly className = 'TruncatedNormal';
  readonly mean: number;
  readonly stddev: number;

  constructor(opts: NormalOptions = {}) {
    checkKeys(opts, ['mean', 'stddev', 'seed'], 'TruncatedNormal');
    super(opts.seed, 'TruncatedNormal');
    this.mean = checkFinite(opts.mean ?? 0, 'mean', 'TruncatedNormal');
    this.stddev = checkNonNegative(opts.stddev ?? 0.05, 'stddev', 'TruncatedNormal');
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, this.className);
    fillTruncatedNormal(data, this.rng(), this.mean, this.stddev);
    return new Tensor(data, shape);
  }

  override getConfig(): InitializerConfig {
    return { ...super.getConfig(), mean: this.mean, stddev: this.stddev };
  }
}

/** U[minval, maxval) (Keras `RandomUniform(minval=-0.05, maxval=0.05)`). */
export class RandomUniform extends RandomInitializer {
  readonly className = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;

  constructor(opts: UniformOptions = {}) {
    checkKeys(opts, ['minval', 'maxval', 'seed'], 'RandomUniform');
    super(opts.seed, 'RandomUniform');
    this.minval = checkFinite(opts.minval ?? -0.05, 'minval', 'RandomUniform');
    this.maxval = checkFinite(opts.maxval ?? 0.05, 'maxval', 'RandomUniform');
    if (this.maxval < this.minval) {
      throw new ValueError(`RandomUniform: 'maxval' (${this.maxval}) must not be less than 'minval' (${this.minval})`);
    }
  }

  apply(shape: readonly number[], dtype?: FloatDType): Tensor {
    const { data } = allocFor(shape, dtype, this.className);
    fillUniform(data, this.rng(), this.minval, this.maxval);
    return new Tensor(data, shape);
  }

  override getConfig(): InitializerConfig {
    return { ...super.getConfig(), minval: this.minval, maxval: this.maxval };
  }
}
