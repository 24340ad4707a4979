import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Conv2DInfo } from '../../../src/shape/conv.js';
import type { Epilogue, FusedActivation } from '../../../src/backend/backend.js';
import { convInfoArray } from '../../../src/backend/native/conv.js';
import {
  assertNear, convInfo, describe, forEachIsa, forEachThreads, jsBackend, nativeOrFail, pick, randF32, randomConvCase,
  rng, type ConvCase,
} from './conv_helpers.js';

const { addon, be } = nativeOrFail();

function checkAll(info: Conv2DInfo, rand: () => number, what: string): void {
  const cm = info.inChannels * info.channelMultiplier;
  const x = randF32(info.batch * info.inHeight * info.inWidth * info.inChannels, rand);
  const f = randF32(info.filterHeight * info.filterWidth * cm, rand);
  const dy = randF32(info.batch * info.outHeight * info.outWidth * cm, rand);
  assertNear(be.depthwiseConv2d!(x, f, info), jsBackend.depthwiseConv2d(x, f, info), `forward ${what}`);
  assertNear(be.depthwiseConv2dBackpropInput!(dy, f, info), jsBackend.depthwiseConv2dBackpropInput(dy, f, info),
    `backpropInput ${what}`);
  assertNear(be.depthwiseConv2dBackpropFilter!(x, dy, info), jsBackend.depthwiseConv2dBackpropFilter(x, dy, info),
    `backpropFilter ${what}`);
}

test('depthwise forward / backprop input / backprop filter match js on random geometries, every ISA', () => {
  const rand = rng(21);
  forEachIsa(addon, (isa) => {
    for (let i = 0; i < 60; i++) {
      const cs = randomConvCase(rand, [1, 3, 5, 17, 40, 67]);
      const m = pick(rand, [1, 1, 2]);
      checkAll(convInfo(cs, cs.c * m, m), rand, `${isa} ${describe(cs)} m${m}`);
    }
  });
});

test('depthwise: every kernel / stride / dilation / padding combination, multipliers 1 and 2', () => {
  const rand = rng(22);
  for (const kernel of [[1, 1], [3, 3], [5, 5], [2, 3]] as [number, number][]) {
    for (const s of [1, 2, 3]) {
      for (const d of [1, 2]) {
        for (const padding of ['valid', 'same', [[1, 2], [2, 0]], [[0, 0], [0, 0]]] as ConvCase['padding'][]) {
          for (const m of [1, 2]) {
            const cs: ConvCase = { batch: 2, h: 11, w: 9, c: 19, kernel, strides: [s, s], dilations: [d, d], padding };
            checkAll(convInfo(cs, 19 * m, m), rand, `${describe(cs)} m${m}`);
          }
        }
      }
    }
  }
});

test('depthwise: MobileNet-like shapes, 1..3 threads, every ISA', () => {
  const rand = rng(23);
  const cases: ConvCase[] = [
    { batch: 2, h: 28, w: 28, c: 32, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' },
    { batch: 1, h: 29, w: 27, c: 96, kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padding: 'same' },
    { batch: 7, h: 7, w: 7, c: 144, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' },
    { batch: 3, h: 14, w: 14, c: 72, kernel: [5, 5], strides: [2, 2], dilations: [1, 1], padding: 'valid' },
  ];
  forEachThreads(addon, [1, 2, 3], (threads) => {
    forEachIsa(addon, (isa) => {
      for (const cs of cases) checkAll(convInfo(cs, cs.c), rand, `${isa} t${threads} ${describe(cs)}`);
    });
  });
});

const ACTIVATIONS: FusedActivation[] = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh'];

/** Forward with a fused epilogue vs the js kernel; inputs spread to ±3 so relu6 clips at 6 too. */
function checkEpilogue(info: Conv2DInfo, rand: () => number, epilogue: Epilogue, what: string): void {
  const cm = info.inChannels * info.channelMultiplier;
  const x = randF32(info.batch * info.inHeight * info.inWidth * info.inChannels, rand, -3, 3);
  const f = randF32(info.filterHeight * info.filterWidth * cm, rand, -3, 3);
  assertNear(be.depthwiseConv2d!(x, f, info, epilogue), jsBackend.depthwiseConv2d(x, f, info, epilogue),
    `forward epilogue ${what}`);
}

test('depthwise forward epilogue: every activation, with and without bias, every ISA, multipliers 1 and 2', () => {
  const rand = rng(25);
  const cases: ConvCase[] = [
    { batch: 1, h: 9, w: 11, c: 37, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' },
    { batch: 7, h: 8, w: 7, c: 96, kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padding: [[0, 1], [1, 0]] },
    { batch: 2, h: 6, w: 5, c: 5, kernel: [2, 3], strides: [1, 2], dilations: [2, 1], padding: 'valid' },
  ];
  forEachIsa(addon, (isa) => {
    for (const cs of cases) {
      for (const m of [1, 2]) {
        const info = convInfo(cs, cs.c * m, m);
        for (const activation of ACTIVATIONS) {
          for (const withBias of [false, true]) {
            const epi: Epilogue = withBias ? { bias: randF32(cs.c * m, rand, -3, 3), activation } : { activation };
            checkEpilogue(info, rand, epi, `${isa} ${describe(cs)} m${m} ${activation} bias=${withBias}`);
          }
        }
        checkEpilogue(info, rand, { bias: randF32(cs.c * m, rand) }, `${isa} ${describe(cs)} m${m} bias only`);
      }
    }
  });
});

test('depthwise forward epilogue: MobileNet-like relu6 + bias, 1..3 threads', () => {
  const rand = rng(26);
  const cs: ConvCase = { batch: 3, h: 14, w: 14, c: 144, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' };
  forEachThreads(addon, [1, 2, 3], (threads) => {
    checkEpilogue(convInfo(cs, cs.c), rand, { bias: randF32(cs.c, rand), activation: 'relu6' }, `t${threads}`);
  });
});

test('depthwise: float64 inputs are delegated to js', () => {
  const info = convInfo({ batch: 1, h: 4, w: 4, c: 2, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, 2);
  const y = be.depthwiseConv2d!(new Float64Array(32).fill(1), new Float64Array(18).fill(1), info);
  assert.ok(y instanceof Float64Array);
});

test('depthwise: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const info = convInfo({ batch: 2, h: 5, w: 5, c: 3, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, 6, 2);
  const arr = Array.from(convInfoArray(info));  // a plain array: the parser checks every entry
  const nx = 2 * 5 * 5 * 3, nf = 3 * 3 * 3 * 2, ny = 2 * 3 * 3 * 6;
  const f32 = (n: number) => new Float32Array(n);
  A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), arr, 0, null, null);
  A.depthwiseConv2d(f32(nx), f32(nf), f32(6), f32(ny), arr, 2, null, null);
  assert.throws(() => A.depthwiseConv2d(new Float64Array(nx), f32(nf), null, f32(ny), arr, 0, null, null), TypeError);
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf + 1), null, f32(ny), arr, 0, null, null), RangeError);
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny - 1), arr, 0, null, null), RangeError);
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), f32(5), f32(ny), arr, 0, null, null), RangeError, 'short bias');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), new Float64Array(6), f32(ny), arr, 0, null, null), TypeError, 'f64 bias');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), arr, 5, null, null), RangeError, 'act code');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), arr, 0, null), Error, 'missing residual argument');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), arr, 0, f32(64), null), TypeError, 'packed filter given to depthwise');
  const bad = (k: number, v: number) => arr.map((a, i) => (i === k ? v : a));
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), bad(6, 5), 0, null, null), RangeError, 'oc != c*m');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), bad(5, 4), 0, null, null), RangeError, 'outWidth');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), bad(11, 0), 0, null, null), RangeError, 'dilation 0');
  assert.throws(() => A.depthwiseConv2d(f32(nx), f32(nf), null, f32(ny), bad(16, -2), 0, null, null), RangeError, 'negative pad');
  assert.throws(() => A.depthwiseConv2dBackpropInput(f32(ny), f32(nf), f32(nx - 1), arr), RangeError);
  assert.throws(() => A.depthwiseConv2dBackpropFilter(f32(nx), f32(ny), f32(nf), arr, 1), TypeError);
  assert.throws(() => A.depthwiseConv2dBackpropFilter(f32(nx), [1, 2], f32(nf), arr), TypeError);
  checkAll(info, rng(24), 'after bad calls');
});
