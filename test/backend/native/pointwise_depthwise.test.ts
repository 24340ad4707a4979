/**
 * pointwiseDepthwiseConv2d: a 1×1 convolution and the 3×3 depthwise convolution of its output in one
 * pass (native/src/kernels/pointwise_depthwise.cc) must equal the two js kernels one after the other,
 * for every ISA, 1–3 threads, batch 1 and 3 (bands of rows vs whole images per thread), strides 1
 * and 2, 'same', 'valid' and asymmetric padding, ragged channel counts and every epilogue; with a
 * projection (the block's closing 1×1 convolution, with or without a residual, packed or plain
 * weights) it must equal the three js kernels. Narrow rows take the composed path, which must agree
 * too. Bad arguments throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConvStage, Epilogue, FusedActivation } from '../../../src/backend/backend.js';
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

/** A projection of the pair's depthwise output to `oc` channels, with a residual half the time. */
function randomProjection(rand: () => number, p: ReturnType<typeof randomPair>, constantFilter: boolean): ConvStage {
  const d = p.dw;
  const oc = pick(rand, [5, 16, 24, 33]);
  const info = convInfo({ batch: d.batch, h: d.outHeight, w: d.outWidth, c: d.outChannels, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, oc);
  const size = d.batch * d.outHeight * d.outWidth * oc;
  return {
    filter: randF32(d.outChannels * oc, rand), info,
    epilogue: {
      bias: rand() < 0.8 ? randF32(oc, rand, -0.5, 0.5) : undefined,
      activation: pick(rand, ['linear', 'linear', 'relu', 'relu6'] as FusedActivation[]),
      residual: rand() < 0.5 ? randF32(size, rand) : undefined, constantFilter,
    },
  };
}

function threeKernels(p: ReturnType<typeof randomPair>, proj: ConvStage): Float32Array {
  const y = jsBackend.depthwiseConv2d(jsBackend.conv2d(p.x, p.w1, p.pw, p.pwEpi), p.w2, p.dw, p.dwEpi);
  return jsBackend.conv2d(y, proj.filter, proj.info, { ...proj.epilogue, constantFilter: false }) as Float32Array;
}

test('with a projection: one pass equals the three convolutions, residual or not, packed or plain: every ISA, 1–3 threads', () => {
  const rand = rng(64);
  forEachIsa(addon, (isa) => forEachThreads(addon, [1, 2, 3], (threads) => {
    for (let i = 0; i < 6; i++) {
      const p = randomPair(rand, 28);
      const proj = randomProjection(rand, p, i % 2 === 0);
      const want = threeKernels(p, proj);
      const residual = proj.epilogue.residual?.slice();
      const calls = countFused((spied) => {
        const got = spied.pointwiseDepthwiseConv2d!(p.x, p.w1, p.pw, p.pwEpi, p.w2, p.dw, p.dwEpi, proj);
        assertNear(got, want, `${isa} ${threads} thr ${p.what} → ${proj.info.outChannels}${residual ? ' + residual' : ''}`);
        assert.notEqual(got, proj.epilogue.residual, 'not in place unless asked');
      });
      assert.equal(calls, 1, `${p.what}: the one-pass kernel ran`);
      if (residual) assert.deepEqual(proj.epilogue.residual, residual, 'the residual is left alone');
    }
  }));
});

test('without an expansion (null pwFilter / pwInfo): depthwise → projection in one pass equals the two js kernels', () => {
  const rand = rng(66);
  forEachIsa(addon, (isa) => forEachThreads(addon, [1, 2, 3], (threads) => {
    for (let i = 0; i < 4; i++) {
      const p = randomPair(rand, 28);
      const c = p.pw.inChannels;  // the depthwise runs on x itself: channels as x's
      const dw = { ...p.dw, inChannels: c, outChannels: c };
      const w2 = randF32(9 * c, rand);
      const q = { ...p, dw, w2, dwEpi: { ...p.dwEpi, bias: p.dwEpi.bias ? randF32(c, rand) : undefined } };
      const proj = randomProjection(rand, q, i % 2 === 0);
      const y = jsBackend.depthwiseConv2d(p.x, w2, dw, q.dwEpi);
      const want = jsBackend.conv2d(y, proj.filter, proj.info, { ...proj.epilogue, constantFilter: false });
      const calls = countFused((spied) => {
        assertNear(spied.pointwiseDepthwiseConv2d!(p.x, null, null, {}, w2, dw, q.dwEpi, proj), want, `${isa} ${threads} thr ${p.what} (no expansion)`);
      });
      assert.equal(calls, 1);
    }
  }));
  const p = randomPair(rand, 3);  // narrow: composed
  const c = p.pw.inChannels;
  const dw = { ...p.dw, inChannels: c, outChannels: c };
  const w2 = randF32(9 * c, rand);
  const proj = randomProjection(rand, { ...p, dw }, false);
  const want = jsBackend.conv2d(jsBackend.depthwiseConv2d(p.x, w2, dw, {}), proj.filter, proj.info, proj.epilogue);
  assert.equal(countFused((spied) => assertNear(spied.pointwiseDepthwiseConv2d!(p.x, null, null, {}, w2, dw, {}, proj), want, 'narrow, no expansion')), 0);
});

test('with a projection: the residual may be the block input (read, never written) or taken over in place', () => {
  const rand = rng(65);
  for (const stride of [1, 2]) {
    const batch = 1, h = 9, w = 30, c = 24, e = 48;
    const x = randF32(batch * h * w * c, rand);
    const pw = convInfo({ batch, h, w, c, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, e);
    const dw = convInfo({ batch, h, w, c: e, kernel: [3, 3], strides: [stride, stride], dilations: [1, 1], padding: 'same' }, e, 1);
    const pj = convInfo({ batch, h: dw.outHeight, w: dw.outWidth, c: e, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, c);
    const p = { x, pw, dw, w1: randF32(c * e, rand), w2: randF32(9 * e, rand), pwEpi: { activation: 'relu6' as const }, dwEpi: { activation: 'relu6' as const }, what: '' };
    const filter = randF32(e * c, rand);
    const shortcut = stride === 1 ? x : randF32(batch * dw.outHeight * dw.outWidth * c, rand);
    const proj: ConvStage = { filter, info: pj, epilogue: { residual: shortcut, residualInPlace: true } };
    const xBefore = x.slice();
    const want = threeKernels(p, { ...proj, epilogue: { residual: shortcut.slice() } });
    const got = be.pointwiseDepthwiseConv2d!(x, p.w1, pw, p.pwEpi, p.w2, dw, p.dwEpi, proj);
    assertNear(got, want, `stride ${stride}`);
    assert.deepEqual(x, xBefore, `stride ${stride}: the block input is never written`);
    if (stride === 1) assert.notEqual(got, x, 'a shortcut that is the input is not overwritten');
    else assert.equal(got, shortcut, 'a separate shortcut is taken over in place when allowed');
  }
});

test('narrow rows run the two kernels (no one-pass call) with the same result', () => {
  const rand = rng(62);
  for (let i = 0; i < 6; i++) {
    const p = randomPair(rand, 3);
    const want = jsBackend.depthwiseConv2d(jsBackend.conv2d(p.x, p.w1, p.pw, p.pwEpi), p.w2, p.dw, p.dwEpi);
    const calls = countFused((spied) => assertNear(spied.pointwiseDepthwiseConv2d!(p.x, p.w1, p.pw, p.pwEpi, p.w2, p.dw, p.dwEpi), want, p.what));
    assert.equal(calls, 0, p.what);
    const proj = randomProjection(rand, p, i % 2 === 0);
    const want3 = threeKernels(p, proj);
    const calls3 = countFused((spied) => assertNear(spied.pointwiseDepthwiseConv2d!(p.x, p.w1, p.pw, p.pwEpi, p.w2, p.dw, p.dwEpi, proj), want3, `${p.what} projected`));
    assert.equal(calls3, 0, p.what);
  }
});

test('pointwiseDepthwiseConv2d rejects pairs that do not chain and buffers of the wrong size', () => {
  const rand = rng(63);
  const p = randomPair(rand, 30);
  const fn = addon.pointwiseDepthwiseConv2d as (...a: unknown[]) => void;
  const out = new Float32Array(p.dw.batch * p.dw.outHeight * p.dw.outWidth * p.dw.outChannels);
  const args = (o: Partial<Record<string, unknown>> = {}): unknown[] => [
    o.x ?? p.x, o.w1 ?? p.w1, null, 1, o.w2 ?? p.w2, null, 2, o.out ?? out, o.pw ?? convInfoArray(p.pw), o.dw ?? convInfoArray(p.dw),
    o.packed ?? null, null, null, 0, null, null, null,
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
  // A projection: its input must be the depthwise output; `out` then has its size and never overlaps x.
  const d = p.dw, oc = 7;
  const pj = convInfo({ batch: d.batch, h: d.outHeight, w: d.outWidth, c: d.outChannels, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, oc);
  const zOut = new Float32Array(d.batch * d.outHeight * d.outWidth * oc);
  const w3 = randF32(d.outChannels * oc, rand);
  const withProj = (o: Partial<Record<string, unknown>> = {}): unknown[] => {
    const a = args({ out: o.out ?? zOut, x: o.x });
    a.splice(11, 6, o.w3 ?? w3, null, 0, null, o.residual ?? null, o.pj ?? convInfoArray(pj));
    return a;
  };
  fn(...withProj());
  const wrongIn = convInfo({ batch: d.batch, h: d.outHeight, w: d.outWidth, c: d.outChannels + 1, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, oc);
  assert.throws(() => fn(...withProj({ pj: convInfoArray(wrongIn), w3: randF32((d.outChannels + 1) * oc, rand) })), RangeError);
  assert.throws(() => fn(...withProj({ out: out })), RangeError);
  assert.throws(() => fn(...withProj({ w3: w3.subarray(1) })), RangeError);
  assert.throws(() => fn(...withProj({ residual: zOut.subarray(1) })), RangeError);
  const shared = new Float32Array(p.x.length + zOut.length);
  shared.set(p.x);
  assert.throws(() => fn(...withProj({ x: shared.subarray(0, p.x.length), out: shared.subarray(p.x.length - 1, p.x.length - 1 + zOut.length) })),
    /must not share memory with x/);
  // No expansion (pwInfo null): w1 must be null too, and a projection is required.
  const noPw = (a: unknown[]): unknown[] => { a[8] = null; return a; };
  assert.throws(() => fn(...noPw(withProj())), /without pwInfo/);
  assert.throws(() => fn(...noPw(args({ w1: null } as never))), TypeError);
  assert.equal(be.name, 'native');
});
