/** Shared by the native conv / depthwise / pool tests: addon loading, ISA loop, comparison, shapes. */
import assert from 'node:assert/strict';
import { jsBackend } from '../../../src/backend/js/index.js';
import { loadAddon, type NativeAddon } from '../../../src/backend/native/addon.js';
import { createNativeBackend, type NativeBackend } from '../../../src/backend/native/index.js';
import { conv2dInfo, pool2dInfo, type Conv2DInfo, type Padding, type Pool2DInfo } from '../../../src/shape/conv.js';
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

/** Runs fn with the pool resized to each thread count, restoring it afterwards. */
export function forEachThreads(addon: NativeAddon, counts: number[], fn: (threads: number) => void): void {
  const orig = addon.info().threads;
  try {
    for (const n of counts) fn(addon.setNumThreads(n));
  } finally {
    addon.setNumThreads(orig);
  }
}

/**
 * Same type and length; NaN and infinities exactly where the js has them; finite entries within
 * tol·max(max|expected|, 1e-6).
 */
export function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.equal(actual.constructor.name, expected.constructor.name, `${what}: element type`);
  assert.equal(actual.length, expected.length, `${what}: length`);
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

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

export interface ConvCase {
  batch: number;
  h: number;
  w: number;
  c: number;
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  padding: Padding;
}

export const PADDINGS: Padding[] = ['valid', 'same', [[1, 2], [0, 1]], [[0, 0], [0, 0]], [[2, 0], [1, 3]]];

/** A random geometry with a non-empty output (odd sizes, channels not multiples of the vector width). */
export function randomConvCase(rand: () => number, channels: readonly number[]): ConvCase {
  for (;;) {
    const kernel = pick(rand, [[1, 1], [3, 3], [5, 5], [2, 3]] as [number, number][]);
    const cs: ConvCase = {
      batch: pick(rand, [1, 7]),
      h: 3 + Math.floor(rand() * 11),
      w: 3 + Math.floor(rand() * 11),
      c: pick(rand, channels),
      kernel,
      strides: [1 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 3)],
      dilations: rand() < 0.3 ? [2, 1 + Math.floor(rand() * 2)] : [1, 1],
      padding: pick(rand, PADDINGS),
    };
    try {
      convInfo(cs, 1);
      return cs;
    } catch {
      // empty output for this geometry: draw again
    }
  }
}

export function describe(cs: ConvCase): string {
  return `n${cs.batch} ${cs.h}x${cs.w}x${cs.c} k${cs.kernel.join('x')} s${cs.strides.join('x')} ` +
    `d${cs.dilations.join('x')} pad ${JSON.stringify(cs.padding)}`;
}

export function convInfo(cs: ConvCase, outChannels: number, multiplier = 1): Conv2DInfo {
  return conv2dInfo({ inShape: [cs.batch, cs.h, cs.w, cs.c], filterSize: cs.kernel, strides: cs.strides,
    dilations: cs.dilations, padding: cs.padding, name: 'test' }, outChannels, multiplier);
}

export function poolInfo(batch: number, h: number, w: number, c: number, pool: [number, number],
  strides: [number, number], padding: Padding): Pool2DInfo {
  return pool2dInfo({ inShape: [batch, h, w, c], filterSize: pool, strides, padding, name: 'test' });
}
