/**
 * pointwiseDepthwiseConv2d: a 1×1 convolution and the 3×3 depthwise convolution of its output in one
 * pass (native/src/kernels/pointwise_depthwise.cc) must equal the two js kernels one after the other,
 * for every ISA, 1–3 threads, batch 1 and 3 (bands of rows vs whole images per thread), strides 1
 * and 2, 'same', 'valid' and asymmetric padding, ragged channel counts and every epilogue. Narrow
 * rows take the composed path, which must agree too. Bad arguments throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Epilogue, FusedActivation } from '../../../src/backend/backend.js';
import { convInfoArray } from '../../../src/backend/native/conv.js';
import { createNativeBackend, type NativeBackend } from '../../../src/backend/native/index.js';
import type { Padding } from '../../../src/shape/conv.js';
import { assertNear, convInfo, forEachIsa, forEachThreads, jsBackend, nativeOrFail, pick, randF32, rng } from './conv_helpers.js';

const { addon, be } = nativeOrFail();

/** Counts calls of the one-pass addon kernel while fn runs on a backend made with the spy in place. */
function countFused(fn: (spied: NativeBackend) => void): number {
  const original = addon.pointwiseDepthwiseConv2d as (...a: unknown[]) => unknown;
  let calls = 0;
  addon.pointwiseDepthwiseConv2d = (...a: unknown[]) => { calls++; return original(...a); };
  try {
    fn(createNativeBackend());
  } finally {
    addon.pointwiseDepthwiseConv2d = original;
  }
  return calls;
}

function randomPair(rand: () => number, width: number) {
  const batch = pick(rand, [1, 3]);
  const h = 5 + Math.floor(rand() * 9), w = width + Math.floor(rand() * 5);
  const cin = pick(rand, [3, 16, 17]), c = pick(rand, [16, 24, 33, 40]);
  const stride = pick(rand, [1, 2]);
  const padding = pick(rand, ['same', 'valid', [[0, 1], [0, 1]], [[1, 1], [2, 0]]] as Padding[]);
  const pw = convInfo({ batch, h, w, c: cin, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, c);
  const dw = convInfo({ batch, h, w, c, kernel: [3, 3], strides: [stride, stride], dilations: [1, 1], padding }, c, 1);
  const epi = (n: number): Epilogue => ({
    bias: rand() < 0.8 ? randF32(n, rand, -0.5, 0.5) : undefined,
    activation: pick(rand, ['linear', 'relu', 'relu6', 'sigmoid', 'tanh'] as FusedActivation[]),
  });
  return {
    pw, dw, pwEpi: epi(c), dwEpi: epi(c),
    x: randF32(batch * h * w * cin, rand), w1: randF32(cin * c, rand), w2: randF32(9 * c, rand),
    what: `n${batch} ${h}x${w}x${cin}->${c} s${stride} pad ${JSON.stringify(padding)}`,
  };
}

test('one pass equals conv2d then depthwiseConv2d: every ISA, 1–3 threads, strides, paddings, epilogues', () => {
  const rand = rng(61);
  forEachIsa(addon, (isa) => forEachThreads(addon, [1, 2, 3], (threads) => {
    for (let i = 0; i < 6; i++) {
      const p = randomPair(rand, 28);
      const want = jsBackend.depthwiseConv2d(jsBackend.conv2d(p.x, p.w1, p.pw, p.pwEpi), p.w2, p.dw, p.dwEpi);
      const calls = countFused((spied) => {
        assertNear(spied.pointwiseDepthwiseConv2d!(p.x, p.w1, p.pw, p.pwEpi, p.w2, p.dw, p.dwEpi), want, `${isa} ${threads} thr ${p.what}`);
      });
      assert.equal(calls, 1, `${p.what}: the one-pass kernel ran`);
    }
  }));
});

test('narrow rows run the two kernels (no one-pass call) with the same result', () => {
  const rand = rng(62);
  for (let i = 0; i < 6; i++) {
    const p = randomPair(rand, 3);
    const want = jsBackend.depthwiseConv2d(jsBackend.conv2d(p.x, p.w1, p.pw, p.pwEpi), p.w2, p.dw, p.dwEpi);
    const calls = countFused((spied) => assertNear(spied.pointwiseDepthwiseConv2d!(p.x, p.w1, p.pw, p.pwEpi, p.w2, p.dw, p.dwEpi), want, p.what));
    assert.equal(calls, 0, p.what);
  }
});

test('pointwiseDepthwiseConv2d rejects pairs that do not chain and buffers of the wrong size', () => {
  const rand = rng(63);
  const p = randomPair(rand, 30);
  const fn = addon.pointwiseDepthwiseConv2d as (...a: unknown[]) => void;
  const out = new Float32Array(p.dw.batch * p.dw.outHeight * p.dw.outWidth * p.dw.outChannels);
  const args = (o: Partial<Record<string, unknown>> = {}): unknown[] => [
    o.x ?? p.x, o.w1 ?? p.w1, null, 1, o.w2 ?? p.w2, null, 2, o.out ?? out, o.pw ?? convInfoArray(p.pw), o.dw ?? convInfoArray(p.dw),
    o.packed ?? null,
  ];
  fn(...args());
  const other = convInfo({ batch: p.pw.batch, h: p.pw.inHeight, w: p.pw.inWidth, c: p.pw.outChannels + 1, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, p.pw.outChannels + 1, 1);
  assert.throws(() => fn(...args({ dw: convInfoArray(other) })), RangeError);
  const k3 = convInfo({ batch: p.pw.batch, h: p.pw.inHeight, w: p.pw.inWidth, c: p.pw.inChannels, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same' }, p.pw.outChannels);
  assert.throws(() => fn(...args({ pw: convInfoArray(k3) })), RangeError);
  assert.throws(() => fn(...args({ x: p.x.subarray(1) })), RangeError);
  assert.throws(() => fn(...args({ out: out.subarray(1) })), RangeError);
  assert.throws(() => fn(...args({ w2: [1, 2, 3] })), TypeError);
  assert.throws(() => fn(...args().slice(0, 10)), TypeError);
  assert.throws(() => fn(...args({ packed: new Float64Array(8) })), TypeError);
  assert.equal(be.name, 'native');
});
