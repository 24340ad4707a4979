/** Shared by the native element-wise / reduce / movement / softmax / batchnorm tests. */
import assert from 'node:assert/strict';
import { jsBackend } from '../../../src/backend/js/index.js';
import { loadAddon, type NativeAddon } from '../../../src/backend/native/addon.js';
import { createNativeBackend, type NativeBackend } from '../../../src/backend/native/index.js';
import { rng } from '../js/helpers.js';

export { jsBackend, rng };

export function nativeOrFail(): { addon: NativeAddon; be: NativeBackend } {
  const { addon, error } = loadAddon();
  assert.ok(addon, `native addon did not load: ${error}`);
  return { addon, be: createNativeBackend() };
}

/** Runs fn once per ISA path (capped at what the CPU has), restoring the active ISA afterwards. */
export function forEachIsa(addon: NativeAddon, fn: (isa: string) => void): void {
  const orig = addon.info().isa as 'generic' | 'avx2' | 'avx512';
  try {
    for (const isa of ['generic', 'avx2', 'avx512'] as const) fn(addon.setIsa(isa));
  } finally {
    addon.setIsa(orig);
  }
}

/**
 * Same element type and length; NaN where the js has NaN, identical infinities, and finite entries
 * within tol·max|expected| (the brief's per-output relative metric). Int32 outputs must be equal.
 */
export function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.equal(actual.constructor.name, expected.constructor.name, `${what}: element type`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  if (expected instanceof Int32Array) {
    for (let i = 0; i < expected.length; i++) assert.equal(actual[i], expected[i], `${what}[${i}]`);
    return;
  }
  let scale = 0, err = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!Number.isFinite(e)) {
      assert.equal(a, e, `${what}[${i}]`);
      continue;
    }
    assert.ok(Number.isFinite(a), `${what}[${i}]: expected ${e}, got ${a}`);
    scale = Math.max(scale, Math.abs(e));
    if (Math.abs(a - e) > err) {
      err = Math.abs(a - e);
      at = i;
    }
  }
  assert.ok(err <= tol * Math.max(scale, 1e-6),
    `${what}: max error ${err} at [${at}] (got ${actual[at]}, expected ${expected[at]}), scale ${scale}`);
}

export function randF32(n: number, rand: () => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
  return a;
}

export function randI32(n: number, rand: () => number, lo: number, hi: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + Math.floor(rand() * (hi - lo + 1));
  return a;
}

export function randShape(rand: () => number, rank: number, maxDim = 7): number[] {
  return Array.from({ length: rank }, () => 1 + Math.floor(rand() * maxDim));
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Overwrites a few random positions with special values. */
export function sprinkle(a: Float32Array, rand: () => number, specials: readonly number[], count: number): Float32Array {
  for (let k = 0; k < count && a.length > 0; k++) a[Math.floor(rand() * a.length)] = specials[k % specials.length];
  return a;
}
