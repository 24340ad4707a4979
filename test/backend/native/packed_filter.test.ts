/**
 * Constant filters packed ahead of time (packGemmB; Epilogue.constantFilter): the addon's conv2d and
 * pointwiseDepthwiseConv2d must compute with the packed copy (proved by handing them a zeroed plain
 * filter next to it) and agree with the js kernels for every ISA, 1–3 threads, batch 1 and 3, m from
 * 1 to hundreds of rows (split over m or n; a packed B is never split over k), ragged n and the im2col
 * path; a copy packed for another shape or instruction set is ignored (the plain filter is read); bad
 * arguments throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Epilogue } from '../../../src/backend/backend.js';
import { ACT_CODES, convInfoArray } from '../../../src/backend/native/conv.js';
import { MIN_PACKED_FLOATS } from '../../../src/backend/native/packed_filter.js';
import { createNativeBackend } from '../../../src/backend/native/index.js';
import type { Conv2DInfo } from '../../../src/shape/conv.js';
import { assertNear, convInfo, forEachIsa, forEachThreads, jsBackend, nativeOrFail, pick, randF32, rng } from './conv_helpers.js';

const { addon } = nativeOrFail();
const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;

function pack(filter: Float32Array, k: number, n: number): Float32Array | null {
  const floats = A.packedGemmBSize(k, n) as number;
  if (floats === 0) return null;
  const out = new Float32Array(floats);
  A.packGemmB(filter, k, n, out);
  return out;
}

/** conv2d through the addon with `filter` passed plainly and `packed` beside it. */
function nativeConv(x: Float32Array, filter: Float32Array, packed: Float32Array | null, info: Conv2DInfo, epi: Epilogue): Float32Array {
  const out = new Float32Array(info.batch * info.outHeight * info.outWidth * info.outChannels);
  A.conv2d(x, filter, (epi.bias as Float32Array | undefined) ?? null, out, convInfoArray(info), ACT_CODES[epi.activation ?? 'linear'], packed, null);
  return out;
}

function epilogue(rand: () => number, n: number): Epilogue {
  return { bias: rand() < 0.7 ? randF32(n, rand, -0.5, 0.5) : undefined, activation: pick(rand, ['linear', 'relu', 'relu6', 'tanh'] as const) };
}

test('packedGemmBSize: 0 for the portable kernels, header + whole vector panels for the SIMD ones', () => {
  forEachIsa(addon, (isa) => {
    const size = A.packedGemmBSize(10, 33) as number;
    if (isa === 'generic') assert.equal(size, 0);
    else {
      const width = isa === 'avx512' ? 16 : 8;
      assert.equal(size, 16 + Math.ceil(33 / width) * width * 10, isa);
    }
  });
});

test('conv2d 1×1 reads the packed filter: matches js for every ISA, 1–3 threads, m from 1 to hundreds of rows', () => {
  const rand = rng(71);
  forEachIsa(addon, (isa) => {
    if (isa === 'generic') return;
    forEachThreads(addon, [1, 2, 3], (threads) => {
      for (let i = 0; i < 12; i++) {
        const batch = pick(rand, [1, 3]);
        const h = pick(rand, [1, 3, 7, 14]), w = pick(rand, [1, 7, 9]);
        const c = pick(rand, [5, 16, 64, 160, 300]), oc = pick(rand, [1, 8, 9, 16, 17, 40, 96, 160, 1000]);
        const info = convInfo({ batch, h, w, c, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, oc);
        const x = randF32(batch * h * w * c, rand), f = randF32(c * oc, rand);
        const epi = epilogue(rand, oc);
        const packed = pack(f, c, oc);
        assert.ok(packed, `${isa} packs`);
        const what = `${isa} t${threads} ${batch}×${h}×${w}×${c}→${oc} ${epi.activation}`;
        // A zeroed plain filter: any output that matches js came from the packed copy.
        assertNear(nativeConv(x, new Float32Array(f.length), packed, info, epi), jsBackend.conv2d(x, f, info, epi), what);
      }
    });
  });
});

test('conv2d through im2col (3×3, strides, padding) reads the packed filter too', () => {
  const rand = rng(72);
  forEachIsa(addon, (isa) => {
    if (isa === 'generic') return;
    for (const [batch, h, c, oc, stride] of [[1, 14, 32, 64, 1], [3, 9, 17, 33, 2], [1, 30, 24, 48, 1], [2, 7, 64, 128, 1], [1, 7, 256, 40, 1]]) {
      const info = convInfo({ batch, h, w: h, c, kernel: [3, 3], strides: [stride, stride], dilations: [1, 1], padding: 'same' }, oc);
      const x = randF32(batch * h * h * c, rand), f = randF32(9 * c * oc, rand);
      const epi = epilogue(rand, oc);
      const packed = pack(f, 9 * c, oc);
      assertNear(nativeConv(x, new Float32Array(f.length), packed, info, epi), jsBackend.conv2d(x, f, info, epi), `${isa} 3×3 ${batch}×${h}×${c}→${oc} s${stride}`);
    }
  });
});

test('a packed copy made for another shape or instruction set is ignored: the plain filter is read', () => {
  const rand = rng(73);
  const c = 64, oc = 48;
  const info = convInfo({ batch: 1, h: 7, w: 7, c, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, oc);
  const x = randF32(49 * c, rand), f = randF32(c * oc, rand);
  const want = jsBackend.conv2d(x, f, info, {});
  const transposed = pack(randF32(c * oc, rand), oc, c);
  assertNear(nativeConv(x, f, transposed, info, {}), want, 'k and n swapped');
  const notPacked = randF32((A.packedGemmBSize(c, oc) as number), rand);
  assertNear(nativeConv(x, f, notPacked, info, {}), want, 'right length, no header');
  const detected = addon.info().detectedIsa;
  if (detected !== 'avx512') return;
  const orig = addon.info().isa as 'avx512';
  try {
    // Packed for avx512 whatever CONVKIT_ISA capped the active set to, then read under the narrower ones.
    addon.setIsa('avx512');
    const wide = pack(randF32(c * oc, rand), c, oc);
    addon.setIsa('avx2');
    assertNear(nativeConv(x, f, wide, info, {}), want, 'avx512 panels under avx2');
    addon.setIsa('generic');
    assertNear(nativeConv(x, f, wide, info, {}), want, 'avx512 panels under the portable kernels');
  } finally {
    addon.setIsa(orig);
  }
});

test('pointwiseDepthwiseConv2d reads the packed 1×1 filter', () => {
  const rand = rng(74);
  forEachThreads(addon, [1, 2], () => {
    for (const [batch, h, w, cin, c, stride] of [[1, 30, 30, 24, 144, 1], [3, 12, 29, 17, 40, 2], [1, 28, 28, 32, 192, 2]]) {
      const pw = convInfo({ batch, h, w, c: cin, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, c);
      const dw = convInfo({ batch, h, w, c, kernel: [3, 3], strides: [stride, stride], dilations: [1, 1], padding: 'same' }, c, 1);
      const x = randF32(batch * h * w * cin, rand), w1 = randF32(cin * c, rand), w2 = randF32(9 * c, rand);
      const b1 = randF32(c, rand), b2 = randF32(c, rand);
      const out = new Float32Array(batch * dw.outHeight * dw.outWidth * c);
      A.pointwiseDepthwiseConv2d(x, new Float32Array(w1.length), b1, ACT_CODES.relu6, w2, b2, ACT_CODES.relu6, out,
        convInfoArray(pw), convInfoArray(dw), pack(w1, cin, c), null, null, 0, null, null, null);
      const mid = jsBackend.conv2d(x, w1, pw, { bias: b1, activation: 'relu6' });
      assertNear(out, jsBackend.depthwiseConv2d(mid, w2, dw, { bias: b2, activation: 'relu6' }), `${batch}×${h}×${w}×${cin}→${c} s${stride}`);
    }
  });
});

test('the backend packs a constantFilter once per filter array and matches js; plain filters are never packed', () => {
  const rand = rng(75);
  const original = A.packGemmB;
  let packs = 0;
  A.packGemmB = (...a: unknown[]) => { packs++; return original(...a); };
  try {
    const be = createNativeBackend();
    const c = 128, oc = 96;
    assert.ok(c * oc >= MIN_PACKED_FLOATS);
    const info = convInfo({ batch: 1, h: 7, w: 7, c, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, oc);
    const x = randF32(49 * c, rand), f = randF32(c * oc, rand);
    const epi: Epilogue = { bias: randF32(oc, rand), activation: 'relu' };
    const want = jsBackend.conv2d(x, f, info, epi);
    assertNear(be.conv2d!(x, f, info, { ...epi, constantFilter: true }), want, 'first call');
    assertNear(be.conv2d!(x, f, info, { ...epi, constantFilter: true }), want, 'second call');
    assert.equal(packs, addon.info().isa === 'generic' ? 0 : 1, 'packed once');
    assertNear(be.conv2d!(x, f, info, epi), want, 'not constant');
    const small = randF32(MIN_PACKED_FLOATS / 2, rand);
    const smallInfo = convInfo({ batch: 1, h: 7, w: 7, c: 64, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padding: 'valid' }, 64);
    be.conv2d!(randF32(49 * 64, rand), small, smallInfo, { constantFilter: true });
    assert.equal(packs, addon.info().isa === 'generic' ? 0 : 1, 'small filters stay as they are');
  } finally {
    A.packGemmB = original;
  }
});

test('packGemmB / packedGemmBSize: bad calls throw and the process survives', () => {
  const f = new Float32Array(12 * 20);
  assert.throws(() => A.packedGemmBSize(0, 5), RangeError);
  assert.throws(() => A.packedGemmBSize(5), TypeError);
  const size = A.packedGemmBSize(12, 20) as number;
  if (size > 0) {
    assert.throws(() => A.packGemmB(f, 12, 20, new Float32Array(size - 1)), RangeError);
    assert.throws(() => A.packGemmB(f.subarray(1), 12, 20, new Float32Array(size)), RangeError);
    assert.throws(() => A.packGemmB(f, 12, 20, new Float64Array(size)), TypeError);
    assert.throws(() => A.packGemmB(f, 12.5, 20, new Float32Array(size)), RangeError);
  }
  const orig = addon.info().isa as 'generic' | 'avx2' | 'avx512';
  try {
    addon.setIsa('generic');
    assert.throws(() => A.packGemmB(f, 12, 20, new Float32Array(16 + 240)), /no packed operand/);
  } finally {
    addon.setIsa(orig);
  }
  assert.equal(A.packedGemmBSize(12, 20), size, 'still answering');
});
