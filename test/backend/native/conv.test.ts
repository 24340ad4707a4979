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

test('conv2d: direct small-channel kernel (KH·KW·C ≤ 32, few filters) and its boundaries, every ISA, 1..3 threads', () => {
  const rand = rng(15);
  const geo = (c: number, k: [number, number], s: [number, number], d: [number, number], padding: ConvCase['padding'],
    batch = 5, h = 28, w = 27): ConvCase => ({ batch, h, w, c, kernel: k, strides: s, dilations: d, padding });
  // [case, filters]: LeNet-5's first layer, then KKC 32 / 33 and OC at the AVX2 (8) and AVX-512 (16)
  // lane limits and one past them (those take two vectors per position).
  const cases: [ConvCase, number][] = [
    [geo(1, [5, 5], [1, 1], [1, 1], 'same'), 6],
    [geo(2, [4, 4], [1, 1], [1, 1], 'valid', 3, 13, 11), 8],
    [geo(2, [4, 4], [2, 1], [1, 2], [[1, 2], [3, 0]], 3, 13, 11), 9],
    [geo(3, [3, 3], [1, 2], [1, 1], 'same', 2, 9, 12), 16],
    [geo(3, [3, 3], [1, 1], [2, 1], 'valid', 2, 9, 12), 17],
    [geo(1, [3, 11], [1, 1], [1, 1], 'same', 2, 6, 15), 5],
    [geo(1, [1, 1], [2, 2], [1, 1], 'valid', 2, 7, 7), 4],
    // The unrolled special cases (5×5×1, 3×3×1, 3×3×3 at stride 1) and their near misses.
    [geo(1, [3, 3], [1, 1], [1, 1], [[1, 0], [2, 1]], 2, 10, 13), 7],
    [geo(1, [3, 3], [1, 1], [2, 2], 'valid', 2, 10, 13), 7],
    [geo(3, [3, 3], [1, 1], [1, 1], 'same', 2, 9, 12), 16],
    [geo(3, [3, 3], [2, 1], [1, 1], 'valid', 2, 9, 12), 11],
    [geo(1, [5, 5], [1, 2], [1, 1], 'same', 2, 11, 12), 3],
    // Two vectors per position (OC 9–16 under AVX2, 17–32 under AVX-512), groups of 6 / 12 positions
    // with ragged row ends: MobileNetV2's first layer (3×3×3 stride 2, pad 0 / 1: column step 6), the
    // CIFAR CNN's (stride 1: step 3), a generic step, KKC 32 with dilation and stride 3, and OC 33
    // (past two AVX-512 vectors: GEMM).
    [geo(3, [3, 3], [2, 2], [1, 1], [[0, 1], [0, 1]], 2, 23, 29), 32],
    [geo(3, [3, 3], [1, 1], [1, 1], 'same', 2, 9, 31), 24],
    [geo(1, [3, 3], [1, 1], [1, 1], 'valid', 3, 12, 28), 20],
    [geo(2, [4, 4], [1, 3], [2, 1], [[1, 2], [3, 0]], 2, 13, 19), 17],
    [geo(3, [3, 3], [1, 1], [1, 1], 'same', 2, 9, 12), 33],
    // Filter gradient in tap blocks of 25 / 27 / 24 (KKC > 32, OC ≤ 16 under AVX-512): LeNet's second
    // layer, then other block sizes, strides, dilations, padding, and KKC 40 (no block: GEMM).
    [geo(6, [5, 5], [1, 1], [1, 1], 'same', 3, 14, 14), 16],
    [geo(6, [3, 3], [2, 1], [1, 2], [[1, 2], [0, 1]], 3, 13, 11), 10],
    [geo(3, [4, 4], [1, 1], [1, 1], 'valid', 3, 12, 9), 5],
    [geo(2, [5, 5], [1, 3], [2, 1], 'same', 2, 15, 14), 16],
    [geo(5, [2, 4], [1, 1], [1, 1], 'valid', 2, 9, 9), 7],
  ];
  forEachThreads(addon, [1, 2, 3], (threads) => {
    forEachIsa(addon, (isa) => {
      for (const [cs, oc] of cases) {
        for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'tanh'] as const) {
          const epi = activation === 'linear' ? undefined : { bias: randF32(oc, rand, -0.5, 0.5), activation };
          checkAll(convInfo(cs, oc), rand, `${isa} t${threads} ${describe(cs)} oc${oc} ${activation}`, epi);
        }
        checkAll(convInfo(cs, oc), rand, `${isa} t${threads} ${describe(cs)} oc${oc} act only`, { activation: 'relu' });
      }
    });
  });
  // NaN inputs reach the outputs (relu maps NaN to 0 like js) and the filter gradient.
  const cs = geo(1, [5, 5], [1, 1], [1, 1], 'same', 2, 9, 9);
  const info = convInfo(cs, 6);
  const x = randF32(2 * 81, rand);
  x[40] = NaN;
  const f = randF32(150, rand), dy = randF32(2 * 81 * 6, rand);
  forEachIsa(addon, (isa) => {
    for (const activation of ['linear', 'relu'] as const) {
      const epi = { bias: randF32(6, rand), activation };
      assertNear(be.conv2d!(x, f, info, epi), jsBackend.conv2d(x, f, info, epi), `${isa} NaN conv2d ${activation}`);
    }
    assertNear(be.conv2dBackpropFilter!(x, dy, info), jsBackend.conv2dBackpropFilter(x, dy, info), `${isa} NaN filter`);
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
  const arr = Array.from(convInfoArray(info));  // a plain array: the parser checks every entry
  const nx = 2 * 5 * 5 * 3, nf = 3 * 3 * 3 * 4, ny = 2 * 3 * 3 * 4;
  const f32 = (n: number) => new Float32Array(n);
  A.conv2d(f32(nx), f32(nf), null, f32(ny), arr, 1, null, null);
  assert.throws(() => A.conv2d(new Float64Array(nx), f32(nf), null, f32(ny), arr, 0, null, null), TypeError);
  assert.throws(() => A.conv2d(f32(nx - 1), f32(nf), null, f32(ny), arr, 0, null, null), RangeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), f32(3), f32(ny), arr, 0, null, null), RangeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr, 7, null, null), RangeError);
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr, 0, null), TypeError, 'missing residual argument');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr, 0, [1, 2], null), TypeError, 'packed filter not a Float32Array');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), arr.slice(0, 17), 0, null, null), RangeError);
  const bad = (k: number, v: number) => arr.map((a, i) => (i === k ? v : a));
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(4, 4), 0, null, null), RangeError, 'outHeight inconsistent');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(9, 0), 0, null, null), RangeError, 'zero stride');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(13, -1), 0, null, null), RangeError, 'negative pad');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(0, 1.5), 0, null, null), RangeError, 'fractional batch');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(17, 2), 0, null, null), RangeError, 'multiplier');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), bad(0, 2 ** 40), 0, null, null), RangeError);
  const typed = convInfoArray(info);
  A.conv2d(f32(nx), f32(nf), null, f32(ny), typed, 0, null, null);
  typed[9] = 0;
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), typed, 0, null, null), RangeError, 'zero stride, Int32Array info');
  typed[9] = 1;
  typed[13] = -1;
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), typed, 0, null, null), /info\[13\] must be an integer in \[0, /, 'negative pad, Int32Array info');
  assert.throws(() => A.conv2d(f32(nx), f32(nf), null, f32(ny), new Float64Array(18), 0, null, null), TypeError, 'Float64Array info');
  assert.throws(() => A.conv2dBackpropInput(f32(ny), f32(nf), f32(nx + 1), arr), RangeError);
  assert.throws(() => A.conv2dBackpropFilter(f32(nx), f32(ny), f32(nf - 1), arr), RangeError);
  assert.throws(() => A.conv2dBackpropFilter(f32(nx), new Int32Array(ny), f32(nf), arr), TypeError);
  assert.throws(() => A.conv2dBackpropInput(f32(ny), f32(nf), f32(nx), 'info'), TypeError);
  // Still alive and correct after the errors.
  const rand = rng(14);
  checkAll(info, rand, 'after bad calls');
});

test('conv2d with a residual (a copy, or in place over it) matches js: 1×1 plain and packed, 3×3 im2col, a tiny conv', () => {
  const rand = rng(15);
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const cases: [number, number, number, number, [number, number], number][] = [
    // batch, h, c, oc, kernel, stride
    [1, 7, 160, 160, [1, 1], 1], [2, 14, 64, 96, [1, 1], 1], [1, 9, 24, 33, [3, 3], 2], [3, 6, 2, 4, [3, 3], 1],
  ];
  forEachThreads(addon, [1, 2, 3], (threads) => forEachIsa(addon, (isa) => {
    for (const [batch, h, c, oc, kernel, stride] of cases) {
      const info = convInfo({ batch, h, w: h, c, kernel, strides: [stride, stride], dilations: [1, 1], padding: 'same' }, oc);
      const x = randF32(batch * h * h * c, rand), f = randF32(kernel[0] * kernel[1] * c * oc, rand);
      const size = batch * info.outHeight * info.outWidth * oc;
      const residual = randF32(size, rand);
      for (const activation of ['linear', 'relu'] as const) {
        const epi: Epilogue = { bias: randF32(oc, rand), activation };
        const want = jsBackend.conv2d(x, f, info, { ...epi, residual });
        const what = `${isa} t${threads} ${batch}×${h}×${c}→${oc} k${kernel[0]} s${stride} ${activation}`;
        assertNear(be.conv2d!(x, f, info, { ...epi, residual }), want, `${what} copy`);
        const r = residual.slice();
        const y = be.conv2d!(x, f, info, { ...epi, residual: r, residualInPlace: true });
        assert.equal(y, r, `${what}: written over the residual`);
        assertNear(y, want, `${what} in place`);
        const packed = isa === 'generic' ? null : (() => {
          const p = new Float32Array(A.packedGemmBSize(f.length / oc, oc) as number);
          A.packGemmB(f, f.length / oc, oc, p);
          return p;
        })();
        const out = new Float32Array(size);
        A.conv2d(x, f, epi.bias, out, convInfoArray(info), activation === 'relu' ? 1 : 0, packed, residual);
        assertNear(out, want, `${what} packed`);
      }
    }
  }));
  const info = convInfo({ batch: 1, h: 4, w: 4, c: 3, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, 5);
  const f32 = (n: number) => new Float32Array(n);
  assert.throws(() => A.conv2d(f32(48), f32(15), null, f32(80), convInfoArray(info), 0, null, f32(79)), RangeError, 'short residual');
  assert.throws(() => A.conv2d(f32(48), f32(15), null, f32(80), convInfoArray(info), 0, null, new Float64Array(80)), TypeError, 'f64 residual');
  assert.throws(() => A.depthwiseConv2d(f32(48), f32(27), null, f32(48), convInfoArray(convInfo({ batch: 1, h: 4, w: 4, c: 3, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, 3)), 0, null, f32(48)), TypeError, 'depthwise residual');
});
