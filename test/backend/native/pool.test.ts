import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Padding, Pool2DInfo } from '../../../src/shape/conv.js';
import { poolInfoArray } from '../../../src/backend/native/pool.js';
import {
  assertNear, forEachIsa, forEachThreads, jsBackend, nativeOrFail, pick, poolInfo, randF32, rng, PADDINGS,
} from './conv_helpers.js';

const { addon, be } = nativeOrFail();

/** Max pooling must match exactly (no arithmetic); averages within the relative tolerance. */
const dyRand = rng(30);

function checkAll(info: Pool2DInfo, x: Float32Array, what: string): void {
  const dy = randF32(info.batch * info.outHeight * info.outWidth * info.channels, dyRand);
  assert.deepEqual(be.maxPool!(x, info), jsBackend.maxPool(x, info), `maxPool ${what}`);
  assert.deepEqual(be.maxPoolBackprop!(dy, x, info), jsBackend.maxPoolBackprop(dy, x, info), `maxPoolBackprop ${what}`);
  assertNear(be.avgPool!(x, info), jsBackend.avgPool(x, info), `avgPool ${what}`);
  assertNear(be.avgPoolBackprop!(dy, info), jsBackend.avgPoolBackprop(dy, info), `avgPoolBackprop ${what}`);
}

function describe(i: Pool2DInfo): string {
  return `n${i.batch} ${i.inHeight}x${i.inWidth}x${i.channels} pool ${i.poolHeight}x${i.poolWidth} ` +
    `s${i.strideHeight}x${i.strideWidth} pad ${i.padTop},${i.padBottom},${i.padLeft},${i.padRight}`;
}

function randomInfo(rand: () => number): Pool2DInfo {
  for (;;) {
    const pool = pick(rand, [[2, 2], [3, 3], [2, 3]] as [number, number][]);
    const s = 1 + Math.floor(rand() * 3);
    try {
      return poolInfo(pick(rand, [1, 7]), 3 + Math.floor(rand() * 11), 3 + Math.floor(rand() * 11),
        pick(rand, [1, 3, 5, 17, 67]), pool, [s, 1 + Math.floor(rand() * 3)], pick(rand, PADDINGS));
    } catch {
      // empty output: draw again
    }
  }
}

test('pooling matches js on random geometries and values, every ISA', () => {
  const rand = rng(31);
  forEachIsa(addon, (isa) => {
    for (let i = 0; i < 60; i++) {
      const info = randomInfo(rand);
      const n = info.batch * info.inHeight * info.inWidth * info.channels;
      checkAll(info, randF32(n, rand), `${isa} ${describe(info)}`);
    }
  });
});

test('max pooling ties: dy goes to the first maximum (rounded values, all-equal input), every ISA', () => {
  const rand = rng(32);
  forEachIsa(addon, (isa) => {
    for (let i = 0; i < 40; i++) {
      const info = randomInfo(rand);
      const n = info.batch * info.inHeight * info.inWidth * info.channels;
      const rounded = randF32(n, rand, -1, 2).map(Math.round);
      checkAll(info, rounded, `${isa} rounded ${describe(info)}`);
      checkAll(info, new Float32Array(n).fill(0.25), `${isa} equal ${describe(info)}`);
      checkAll(info, new Float32Array(n).fill(-Infinity), `${isa} all -inf ${describe(info)}`);
    }
  });
});

test('max pooling: NaN propagates and is routed like js', () => {
  const rand = rng(33);
  forEachIsa(addon, (isa) => {
    for (let i = 0; i < 20; i++) {
      const info = randomInfo(rand);
      const n = info.batch * info.inHeight * info.inWidth * info.channels;
      const x = randF32(n, rand);
      for (let k = 0; k < n; k += 7) x[k] = NaN;
      checkAll(info, x, `${isa} NaN ${describe(info)}`);
    }
  });
});

test('pooling: windows wholly in the padding give -inf / 0 and no gradient', () => {
  const pads: Padding[] = [[[3, 0], [0, 4]], [[0, 3], [3, 0]]];
  for (const padding of pads) {
    const info = poolInfo(2, 4, 5, 17, [2, 2], [1, 1], padding);
    checkAll(info, randF32(2 * 4 * 5 * 17, rng(34)), describe(info));
  }
});

test('pooling: windows 2 and 3, strides 1..3, all paddings, larger shapes, 1..3 threads', () => {
  const rand = rng(35);
  forEachThreads(addon, [1, 2, 3], (threads) => {
    forEachIsa(addon, (isa) => {
      for (const pool of [2, 3]) {
        for (const s of [1, 2, 3]) {
          for (const padding of PADDINGS) {
            const info = poolInfo(3, 23, 19, 37, [pool, pool], [s, s], padding);
            checkAll(info, randF32(3 * 23 * 19 * 37, rand), `${isa} t${threads} ${describe(info)}`);
          }
        }
      }
      const gap = poolInfo(7, 7, 7, 160, [7, 7], [1, 1], 'valid');
      checkAll(gap, randF32(7 * 49 * 160, rand), `${isa} t${threads} global ${describe(gap)}`);
    });
  });
});

test('max pooling, non-overlapping windows (single-pass backprop): ties, NaN, gaps, clipped windows, 1..3 threads', () => {
  const rand = rng(36);
  // [pool, stride]: 2×2/2 (LeNet, CIFAR), 3×3/3, stride > pool (uncovered gap cells), mixed axes.
  const geoms: [[number, number], [number, number]][] = [[[2, 2], [2, 2]], [[3, 3], [3, 3]], [[2, 2], [3, 3]], [[2, 3], [3, 3]], [[1, 2], [2, 2]]];
  forEachThreads(addon, [1, 2, 3], (threads) => {
    forEachIsa(addon, (isa) => {
      for (const [pool, strides] of geoms) {
        for (const c of [1, 6, 16, 19]) {
          for (const padding of ['valid', 'same', [[1, 0], [0, 1]]] as Padding[]) {
            for (const [h, w] of [[28, 28], [13, 11]]) {
              const info = poolInfo(5, h, w, c, pool, strides, padding);
              const n = 5 * h * w * c;
              const what = `${isa} t${threads} ${describe(info)}`;
              checkAll(info, randF32(n, rand), what);
              checkAll(info, randF32(n, rand, -1, 2).map(Math.round), `ties ${what}`);
              const x = randF32(n, rand);
              for (let k = 3; k < n; k += 11) x[k] = NaN;
              checkAll(info, x, `NaN ${what}`);
            }
          }
        }
      }
      // dy = −0 must arrive as +0, like js's 0 + dy.
      const info = poolInfo(2, 6, 6, 6, [2, 2], [2, 2], 'valid');
      const dy = new Float32Array(2 * 3 * 3 * 6).fill(-0);
      const x = randF32(2 * 36 * 6, rand);
      assert.deepEqual(be.maxPoolBackprop!(dy, x, info), jsBackend.maxPoolBackprop(dy, x, info), `${isa} -0 dy`);
    });
  });
});

test('pooling: float64 inputs are delegated to js', () => {
  const info = poolInfo(1, 4, 4, 2, [2, 2], [2, 2], 'valid');
  assert.ok(be.maxPool!(new Float64Array(32), info) instanceof Float64Array);
  assert.ok(be.avgPoolBackprop!(new Float64Array(8), info) instanceof Float64Array);
});

test('pooling: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const info = poolInfo(2, 5, 5, 3, [2, 2], [2, 2], 'valid');
  const arr = poolInfoArray(info);
  const nx = 2 * 5 * 5 * 3, ny = 2 * 2 * 2 * 3;
  const f32 = (n: number) => new Float32Array(n);
  A.maxPool(f32(nx), f32(ny), arr);
  assert.throws(() => A.maxPool(new Float64Array(nx), f32(ny), arr), TypeError);
  assert.throws(() => A.maxPool(f32(nx), f32(ny + 1), arr), RangeError);
  assert.throws(() => A.avgPool(f32(nx - 3), f32(ny), arr), RangeError);
  const bad = (k: number, v: number) => arr.map((a, i) => (i === k ? v : a));
  assert.throws(() => A.maxPool(f32(nx), f32(ny), bad(4, 3)), RangeError, 'outHeight');
  assert.throws(() => A.maxPool(f32(nx), f32(ny), bad(8, 0)), RangeError, 'stride 0');
  assert.throws(() => A.maxPool(f32(nx), f32(ny), bad(10, -1)), RangeError, 'negative pad');
  assert.throws(() => A.maxPool(f32(nx), f32(ny), bad(6, NaN)), RangeError, 'NaN pool');
  assert.throws(() => A.maxPool(f32(nx), f32(ny), arr.slice(1)), RangeError);
  assert.throws(() => A.maxPoolBackprop(f32(ny), f32(nx), f32(nx)), TypeError);
  assert.throws(() => A.maxPoolBackprop(f32(ny), f32(nx - 1), f32(nx), arr), RangeError);
  assert.throws(() => A.avgPoolBackprop(f32(ny), f32(nx + 1), arr), RangeError);
  assert.throws(() => A.avgPoolBackprop(f32(ny), null, arr), TypeError);
  checkAll(info, randF32(nx, rng(36)), 'after bad calls');
});
