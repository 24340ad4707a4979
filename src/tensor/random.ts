/**
 * Seeded pseudo-random numbers. Every random draw in convkit (initializers, dropout, shuffling)
 * comes from a Random instance so that a seed reproduces a whole training run.
 */

import { ValueError } from '../errors.js';

/** A generator's complete state, as plain JSON-safe numbers (for backups and resumed runs). */
export interface RandomState {
  s: [number, number, number, number];
  spare: number | null;
}

/** xoshiro128** : small state, good statistical quality, fast in 32-bit JS integer math. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed = Date.now()) {
    // splitmix32 spreads any seed (including 0 and small integers) over the whole state.
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The exact state; `setState` of it makes the generator repeat the same draws. */
  getState(): RandomState {
    return { s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spare: this.spare };
  }

  setState(state: RandomState): void {
    const s = state?.s;
    const ok = Array.isArray(s) && s.length === 4 && s.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff) && s.some((v) => v !== 0);
    if (!ok || !(state.spare === null || Number.isFinite(state.spare))) {
      throw new ValueError(`Random.setState: expected {s: four 32-bit unsigned integers (not all 0), spare: number | null}; got ${JSON.stringify(state)}`);
    }
    [this.s0, this.s1, this.s2, this.s3] = s;
    this.spare = state.spare;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalRandom = new Random(1337);

/** Seed convkit's global generator (keras.utils.set_random_seed). */
export function setRandomSeed(seed: number): void {
  globalRandom = new Random(seed);
}

export function getGlobalRandom(): Random {
  return globalRandom;
}

/** A generator for a component: seeded if a seed is given, else drawn from the global one. */
export function randomFor(seed?: number): Random {
  return seed === undefined ? new Random(globalRandom.nextUint32()) : new Random(seed);
}
