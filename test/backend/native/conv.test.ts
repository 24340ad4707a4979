import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Epilogue } from '../../../src/backend/backend.js';
import type { Conv2DInfo } from '../../../src/shape/conv.js';
import { convInfoArray } from '../../../src/backend/native/conv.js';
import {
  assertNear, convInfo, describe, forEachIsa, forEachThreads, jsBackend, nativeOrFail, pick, randF32, randomConvCase,
  rng, type ConvCase,
} from './conv_helpers.js';

const { addon, be } = nativeOrFail();

function checkAll(info: Conv2DInfo, rand: () => number, what: string, epilogue?: Epilogue): void {
  const x = randF32(info.batch * info.inHeight * info.inWidth * info.inChannels, rand);
  const f = randF32(info.filterHeight * info.filterWidth * info.inChannels * info.outChannels, rand);
  const dy = randF32(info.batch * info.outHeight * info.outWidth * info.outChannels, rand);
  assertNear(be.conv2d!(x, f, info, epilogue), jsBackend.conv2d(x, f, info, epilogue), `conv2d ${what}`);
  assertNear(be.conv2dBackpropInput!(dy, f, info), jsBackend.conv2dBackpropInput(dy, f, info), `backpropInput ${what}`);
  assertNear(be.conv2dBackpropFilter!(x, dy, info), jsBackend.conv2dBackpropFilter(x, dy, info), `backpropFilter ${what}`);
}

function epilogueFor(rand: () => number, oc: number): Epilogue | undefined {
  const kind = pick(rand, ['none', 'bias', 'relu', 'relu6', 'sigmoid', 'tanh', 'act-only'] as const);
  if (kind === 'none') return undefined;
  const bias = randF32(oc, rand, -0.5, 0.5);
  if (kind === 'bias') return { bias };
  if (kind === 'act-only') return { activation: 'relu' };
  return { bias, activation: kind };
}

test('conv2d forward / backprop input / backprop filter match js on random geometries, every ISA', () => {
  const rand = rng(11);
  forEachIsa(addon, (isa) => {
    for (let i = 0; i < 40; i++) {
      const cs = randomConvCase(rand, [1, 3, 5, 17]);
      const oc = pick(rand, [1, 3, 5, 17]);
      const epi = epilogueFor(rand, oc);
      checkAll(convInfo(cs, oc), rand, `${isa} ${describe(cs)} oc${oc} epi ${JSON.stringify(epi?.activation)}`, epi);
    }
  });
});

test('conv2d: every kernel / stride / dilation / padding combination at odd sizes', () => {
  const rand = rng(12);
  for (const kernel of [[1, 1], [3, 3], [5, 5], [2, 3]] as [number, number][]) {
    for (const s of [1, 2, 3]) {
      for (const d of [1, 2]) {
        for (const padding of ['valid', 'same', [[1, 2], [2, 0]], [[0, 0], [0, 0]]] as ConvCase['padding'][]) {
          const cs: ConvCase = { batch: 2, h: 11, w: 9, c: 5, kernel, strides: [s, s], dilations: [d, d], padding };
          checkAll(convInfo(cs, 3), rand, describe(cs), { bias: randF32(3, rand), activation: 'relu' });
        }
      }
    }
  }
});

test('conv2d: larger shapes take the threaded paths (per-chunk, per-image, per-thread partials), 1..3 threads', () => {
  const rand = rng(13);
  const cases: [ConvCase, number][] = [
    [{ batch: 7, h: 48, w: 48, c: 3, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, 8],
    [{ batch: 7, h: 20, w: 21, c: 17, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, 33],
    [{ batch: 1, h: 40, w: 37, c: 17, kernel: [5, 5], strides: [2, 1], dilations: [1, 1], padding: [[2, 1], [0, 3]] }, 20],
    [{ batch: 1, h: 7, w: 7, c: 64, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, 96],
    [{ batch: 9, h: 16, w: 16, c: 32, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, 17],
    [{ batch: 3, h: 30, w: 30, c: 8, kernel: [3, 3], strides: [2, 2], dilations: [2, 2], padding: 'same' }, 16],
  ];
  forEachThreads(addon, [1, 2, 3], (threads) => {
    forEachIsa(addon, (isa) => {
      for (const [cs, oc] of cases) {
        checkAll(convInfo(cs, oc), rand, `${isa} t${threads} ${describe(cs)} oc${oc}`, { bias: randF32(oc, rand), activation: 'relu6' });
      }
    });
  });
});

test('conv2d: float64 inputs are delegated to js', () => {
  const info = convInfo({ batch: 1, h: 4, w: 4, c: 2, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, 2);
  const x = new Float64Array(32).fill(1), f = new Float64Array(36).fill(0.5);
  const y = be.conv2d!(x, f, info);
  assert.ok(y instanceof Float64Array);
  assert.deepEqual(Array.from(y), Array.from(jsBackend.conv2d(x, f, info)));
});

test('conv2d: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const info = convInfo({ batch: 2, h: 5, w: 5, c: 3, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, 4);
  const arr = convInfoArray(info);
  const nx = 2 * 5 * 5 * 3, nf = 3 * 3 * 3 * 4, ny = 2 * 3 * 3 * 4;
  const f32 = (n: number) => new Float32Array(n);
  A.conv2d(f32(nx), f32(nf), null, f32(ny), arr, 1);
  assert.throws(() => A.conv2d(new Float64Array(nx), f32(nf), null, f32(ny), arr, 0), TypeError);
  assert.throws(() => A.conv2d(f32(nx - 1), f32(nf), null, f32(ny), arr, 0), RangeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), f32(3), f32(ny), arr, 0), RangeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr, 7), RangeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr), TypeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr.slice(0, 17), 0), RangeError);
  const bad = (k: number, v: number) => arr.map((a, i) => (i === k ? v : a));
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(4, 4), 0), RangeError, 'outHeight inconsistent');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(9, 0), 0), RangeError, 'zero stride');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(13, -1), 0), RangeError, 'negative pad');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(0, 1.5), 0), RangeError, 'fractional batch');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(17, 2), 0), RangeError, 'multiplier');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(0, 2 ** 40), 0), RangeError);
  assert.throws(() => A.conv2dBackpropInput(f32(ny), f32(nf), f32(nx + 1), arr), RangeError);
  assert.throws(() => A.conv2dBackpropFilter(f32(nx), f32(ny), f32(nf - 1), arr), RangeError);
  assert.throws(() => A.conv2dBackpropFilter(f32(nx), new Int32Array(ny), f32(nf), arr), TypeError);
  assert.throws(() => A.conv2dBackpropInput(f32(ny), f32(nf), f32(nx), 'info'), TypeError);
  // Still alive and correct after the errors.
  const rand = rng(14);
  checkAll(info, rand, 'after bad calls');
});
