/** Shared by the native conv / depthwise / pool tests: addon loading, ISA loop, comparison, shapes. */
import type { NativeAddon } from '../../../src/backend/native/addon.js';
import { conv2dInfo, pool2dInfo, type Conv2DInfo, type Padding, type Pool2DInfo } from '../../../src/shape/conv.js';

export { jsBackend, rng, nativeOrFail, forEachIsa, assertNear, randF32 } from './elementwise_helpers.js';

/** Runs fn with the pool resized to each thread count, restoring it afterwards. */
export function forEachThreads(addon: NativeAddon, counts: number[], fn: (threads: number) => void): void {
  const orig = addon.info().threads;
  try {
    for (const n of counts) fn(addon.setNumThreads(n));
  } finally {
    addon.setNumThreads(orig);
  }
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
