/**
 * The initializer base class and the helpers every family shares: dtype checks, option
 * validation and Keras's fan computation. Initializers write straight into typed arrays, so
 * creating weights never needs a backend.
 */
import { ValueError } from '../errors.js';
import { allocArray } from '../tensor/dtype.js';
import type { FloatArray } from '../backend/backend.js';
import { Tensor, checkShape, sizeOf } from '../tensor/tensor.js';
import { Random, randomFor } from '../tensor/random.js';

export type FloatDType = 'float32' | 'float64';

/** Config values as they appear in a Keras `{class_name, config}` dictionary. */
export type InitializerConfig = Record<string, unknown>;

/**
 * Makes the initial value of a weight from its shape (keras.initializers.Initializer).
 * `className` is the Keras class name used in serialized configs.
 */
export abstract class Initializer {
  abstract readonly className: string;

  /** A new tensor of `shape` (float32 unless `dtype` says float64). */
  abstract apply(shape: readonly number[], dtype?: FloatDType): Tensor;

  /** The constructor arguments, Keras-named, JSON-ready. */
  abstract getConfig(): InitializerConfig;
}

/** A float typed array for `shape`, after validating both. */
export function allocFor(shape: readonly number[], dtype: unknown, who: string): { data: FloatArray; shape: readonly number[] } {
  checkShape(shape);
  const dt = dtype ?? 'float32';
  if (dt !== 'float32' && dt !== 'float64') {
    throw new ValueError(`${who}: dtype must be 'float32' or 'float64', got ${JSON.stringify(dt)}`);
  }
  return { data: allocArray(dt, sizeOf(shape)) as FloatArray, shape };
}

/**
 * Keras's compute_fans: rank 0 → (1, 1); rank 1 → (n, n); rank 2 (Dense [in, out]) → (in, out);
 * higher ranks are convolution kernels [...spatial, in, out] whose receptive field (product of the
 * spatial dims) multiplies both, so a depthwise kernel [kh, kw, in, multiplier] has
 * fan_in = kh·kw·in and fan_out = kh·kw·multiplier.
 */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 1) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (shape.length === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptive = 1;
  for (let i = 0; i < shape.length - 2; i++) receptive *= shape[i];
  return { fanIn: shape[shape.length - 2] * receptive, fanOut: shape[shape.length - 1] * receptive };
}

export function checkFinite(value: unknown, name: string, who: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${who}: '${name}' must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkNonNegative(value: unknown, name: string, who: string): number {
  const v = checkFinite(value, name, who);
  if (v < 0) throw new ValueError(`${who}: '${name}' must be non-negative, got ${v}`);
  return v;
}

/** A seed is an integer, or null/undefined for "draw from the global generator". */
export function checkSeed(seed: unknown, who: string): number | undefined {
  if (seed === undefined || seed === null) return undefined;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new ValueError(`${who}: 'seed' must be an integer, got ${JSON.stringify(seed)}`);
  }
  return seed;
}

/** Rejects config keys the class does not take (Keras would fail with a TypeError). */
export function checkKeys(opts: object | undefined, allowed: readonly string[], who: string): void {
  if (opts === undefined || opts === null) return;
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new ValueError(`${who}: options must be an object, got ${JSON.stringify(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) {
      throw new ValueError(`${who}: unknown option '${k}'. Valid options: ${allowed.length > 0 ? allowed.join(', ') : '(none)'}`);
    }
  }
}

export interface SeedOptions {
  /** Same seed → same values on every call. Without one, each call draws from the global generator (see setRandomSeed). */
  seed?: number | null;
}

/**
 * Base of the random initializers. A seeded instance returns the same values on every call (as in
 * Keras 3); an unseeded one draws a fresh generator from convkit's global one on each call, so a
 * whole model is reproducible under setRandomSeed while distinct weights still differ.
 */
export abstract class RandomInitializer extends Initializer {
  readonly seed: number | undefined;

  constructor(seed: unknown, who: string) {
    super();
    this.seed = checkSeed(seed, who);
  }

  protected rng(): Random {
    return randomFor(this.seed);
  }

  getConfig(): InitializerConfig {
    return { seed: this.seed ?? null };
  }
}

/** Fill with mean + stddev·N(0, 1). */
export function fillNormal(out: FloatArray, rng: Random, mean: number, stddev: number): void {
  for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.normal();
}

/** Fill with U[minval, maxval). */
export function fillUniform(out: FloatArray, rng: Random, minval: number, maxval: number): void {
  const span = maxval - minval;
  for (let i = 0; i < out.length; i++) out[i] = minval + span * rng.uniform();
}

/** Fill with a normal whose draws beyond two standard deviations are discarded and redrawn (TF/Keras). */
export function fillTruncatedNormal(out: FloatArray, rng: Random, mean: number, stddev: number): void {
  for (let i = 0; i < out.length; i++) {
    let z: number;
    do z = rng.normal(); while (z < -2 || z > 2);
    out[i] = mean + stddev * z;
  }
}
