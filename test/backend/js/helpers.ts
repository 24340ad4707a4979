/** Shared test utilities for the js backend: seeded randomness, closeness checks, inner products. */
import assert from 'node:assert/strict';

/** Deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform values in [-1, 1). */
export function randArray(n: number, rand: () => number, type: 'float32' | 'float64' = 'float64'): Float32Array | Float64Array {
  const a = type === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'dot: length mismatch');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Σ|a_i·b_i|: the scale against which an inner product's rounding error is judged. */
export function absDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] * b[i]);
  return s;
}

/** Element-wise |a − e| ≤ atol + rtol·|e|, with the first failing index in the message. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-12, rtol = 1e-12, what = ''): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (a === e) continue;
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: got ${a}, expected ${e} (diff ${a - e})`);
  }
}

/** The three numbers of an adjoint identity agree to `rtol` relative to the inner products' scale. */
export function assertAdjoint(lhs: number, rhs: number, scale: number, rtol: number, what: string): void {
  assert.ok(Math.abs(lhs - rhs) <= rtol * scale, `${what}: ${lhs} vs ${rhs} (scale ${scale}, rel diff ${Math.abs(lhs - rhs) / scale})`);
}
