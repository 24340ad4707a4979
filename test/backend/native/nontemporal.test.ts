/**
 * Outputs of 16 MB and more are written with non-temporal stores (native/src/kernels/nontemporal.h):
 * the 1×1 GEMM path, the im2col path (chunks of a large output) and the depthwise 3×3 interior must
 * still match the js kernels exactly as the cached path does, for every ISA and thread count.
 */
import { test } from 'node:test';
import type { Epilogue } from '../../../src/backend/backend.js';
import { assertNear, convInfo, forEachIsa, forEachThreads, jsBackend, nativeOrFail, randF32, rng, type ConvCase } from './conv_helpers.js';

const { addon, be } = nativeOrFail();
const BIG = 4 * 1024 * 1024;  // floats: 16 MB

function layer(h: number, w: number, c: number, k: number, padding: 'valid' | 'same'): ConvCase {
  return { batch: 1, h, w, c, kernel: [k, k], strides: [1, 1], dilations: [1, 1], padding };
}

test('conv2d with a ≥ 16 MB output (1×1 and im2col) matches js, every ISA, 1 and 2 threads', () => {
  const rand = rng(51);
  for (const [cs, oc] of [[layer(128, 128, 32, 1, 'valid'), 256], [layer(258, 258, 3, 3, 'valid'), 64]] as const) {
    const info = convInfo(cs, oc);
    const x = randF32(cs.h * cs.w * cs.c, rand);
    const f = randF32(cs.kernel[0] * cs.kernel[1] * cs.c * oc, rand);
    const epi: Epilogue = { bias: randF32(oc, rand, -0.5, 0.5), activation: 'relu6' };
    const want = jsBackend.conv2d(x, f, info, epi);
    if (want.length < BIG) throw new Error('test case too small to stream');
    forEachIsa(addon, (isa) => forEachThreads(addon, [1, 2], (t) => {
      assertNear(be.conv2d!(x, f, info, epi), want, `${isa} ${t} thr k${cs.kernel[0]} ${cs.h}x${cs.w}x${cs.c}->${oc}`);
    }));
  }
});

test('depthwise 3×3 with a ≥ 16 MB output matches js, every ISA, 1 and 2 threads', () => {
  const rand = rng(52);
  const cs = layer(256, 256, 64, 3, 'same');
  const info = convInfo(cs, 64);
  const x = randF32(256 * 256 * 64, rand);
  const f = randF32(9 * 64, rand);
  const epi: Epilogue = { bias: randF32(64, rand, -0.5, 0.5), activation: 'relu' };
  const want = jsBackend.depthwiseConv2d(x, f, info, epi);
  if (want.length < BIG) throw new Error('test case too small to stream');
  forEachIsa(addon, (isa) => forEachThreads(addon, [1, 2], (t) => {
    assertNear(be.depthwiseConv2d!(x, f, info, epi), want, `${isa} ${t} thr depthwise 256x256x64`);
  }));
});
