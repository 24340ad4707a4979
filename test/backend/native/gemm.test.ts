/**
 * Native matmul (blocked SIMD GEMM) against the js kernel: odd sizes around every register tile
 * (4×8, 6×16, 12×8, 12×16, 12×32, 14×8) and their narrowed edge tiles, short k with A read in
 * place and the fused epilogue, k across several k blocks (and the split-k path), all
 * transpose combinations, batches, fused bias/activation, every ISA path, 1 and 2 threads.
 *
 * Error metric: max|native − js| / max(max|js|, 1e-6) over each output. Both sides round each
 * product to float32 inputs, but the js kernel accumulates in float64 while the native one sums in
 * float32 in a different order: the difference grows like sqrt(k)·2^-24·max|term|, and with inputs
 * in [-1, 1] max|C| itself grows like sqrt(k), so the ratio stays ~1e-7 even at k = 4096.
 * Sigmoid and tanh squash the outputs to |y| ≤ 1 but not the error (both are 1-Lipschitz, slope
 * 1 near 0), so for them the scale is the magnitude of the pre-activation result instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Epilogue, FusedActivation } from '../../../src/backend/backend.js';
import { forEachIsa, forEachThreads, jsBackend, nativeOrFail, rng } from './conv_helpers.js';

const TOL = 1e-5;
const rand = rng(20261123);

function randF32(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1;
  return a;
}

function maxAbsOf(x: ArrayLike<number>): number {
  let r = 0;
  for (let i = 0; i < x.length; i++) r = Math.max(r, Math.abs(x[i]));
  return r;
}

function relErr(actual: Float32Array, expected: ArrayLike<number>, scale = 0): number {
  assert.equal(actual.length, expected.length);
  let maxAbs = Math.max(1e-6, scale), maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i], a = actual[i];
    assert.ok(Number.isFinite(a), `non-finite output ${a} at ${i}`);
    maxAbs = Math.max(maxAbs, Math.abs(e));
    maxDiff = Math.max(maxDiff, Math.abs(a - e));
  }
  return maxDiff / maxAbs;
}

interface Case {
  m: number; k: number; n: number; batch?: number; bBatch?: number; ta?: boolean; tb?: boolean; epi?: 'bias' | FusedActivation | 'bias+relu' | 'bias+relu6' | 'bias+tanh';
}

const ODD = [1, 7, 13, 17, 31, 33, 65, 127, 300];
const ACTS: FusedActivation[] = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh'];

function epilogueOf(c: Case): Epilogue | undefined {
  if (!c.epi) return undefined;
  const bias = c.epi.startsWith('bias') ? randF32(c.n) : undefined;
  const act = c.epi === 'bias' ? undefined : (c.epi.replace('bias+', '') as FusedActivation);
  return { bias, activation: act };
}

function check(c: Case, label: string): void {
  const { m, k, n } = c;
  const batch = c.batch ?? 1, bBatch = c.bBatch ?? 1, ta = c.ta ?? false, tb = c.tb ?? false;
  const { be } = nativeOrFail();
  const a = randF32(batch * m * k), b = randF32(bBatch * k * n);
  const epi = epilogueOf(c);
  const want = jsBackend.matmul(a, b, batch, m, k, n, ta, tb, bBatch, epi);
  const got = be.matmul!(a, b, batch, m, k, n, ta, tb, bBatch, epi);
  assert.ok(got instanceof Float32Array);
  const squash = epi?.activation === 'sigmoid' || epi?.activation === 'tanh';
  const scale = squash ? maxAbsOf(jsBackend.matmul(a, b, batch, m, k, n, ta, tb, bBatch, { bias: epi?.bias })) : 0;
  const err = relErr(got as Float32Array, want, scale);
  assert.ok(err <= TOL, `${label} m=${m} k=${k} n=${n} batch=${batch}/${bBatch} ta=${ta} tb=${tb} epi=${c.epi}: rel err ${err}`);
}

// Shapes that hit the kernel selection and the thread split in distinct ways.
const FIXED: Case[] = [
  { m: 1, k: 1, n: 1 },
  { m: 1, k: 1, n: 1, epi: 'bias+relu' },
  { m: 1, k: 300, n: 1 }, { m: 300, k: 1, n: 7 }, { m: 7, k: 13, n: 300 },
  // im2col conv forward: m = N·OH·OW, k = kh·kw·cin, n = cout (LeNet/CIFAR scaled down).
  { m: 2 * 12 * 12, k: 25, n: 6, epi: 'bias+tanh' },
  { m: 2 * 8 * 8, k: 150, n: 16, epi: 'bias+relu' },
  { m: 3 * 10 * 10, k: 27, n: 32, epi: 'relu6' },
  { m: 2 * 6 * 6, k: 288, n: 64, epi: 'sigmoid' },
  { m: 128, k: 576, n: 64 },
  // backward filter: dW = im2col(x)ᵀ·dY, k = N·OH·OW long (several k blocks; split-k with 2 threads).
  { m: 150, k: 2 * 8 * 8, n: 16, ta: true },
  { m: 27, k: 2048, n: 32, ta: true },
  { m: 25, k: 3000, n: 6, ta: true },
  { m: 288, k: 1100, n: 64, ta: true },
  // backward input: dX_col = dY·Wᵀ.
  { m: 2 * 8 * 8, k: 16, n: 150, tb: true },
  // dense layers, forward and both gradients.
  { m: 32, k: 400, n: 120, epi: 'bias+relu' }, { m: 128, k: 84, n: 10, epi: 'bias' },
  { m: 400, k: 32, n: 120, ta: true }, { m: 32, k: 120, n: 400, tb: true },
  { m: 17, k: 1030, n: 84, epi: 'bias+tanh' },
  // small m with a ragged n: whole vectors read B in place, the last columns run packed
  // (a 1000-class classifier at batch 1; transposed A; bias and activation on both parts).
  { m: 1, k: 1280, n: 1000, epi: 'bias' }, { m: 3, k: 40, n: 50, ta: true, epi: 'bias+relu6' },
  // one row against a large row-major B: the matrix-vector path (k split over threads, rows four at
  // a time with a remainder, ragged n, the epilogue after the partial sums are added up).
  { m: 1, k: 257, n: 300, epi: 'bias+tanh' }, { m: 1, k: 70, n: 1001, epi: 'relu6' }, { m: 1, k: 4099, n: 17 },
  { m: 1, k: 300, n: 300, batch: 3, bBatch: 3, epi: 'bias' },
  // 1×1 conv.
  { m: 4 * 14 * 14, k: 16, n: 96, epi: 'bias+relu' }, { m: 2 * 7 * 7, k: 160, n: 33 },
  // MobileNetV2 1×1 convs: short k read in place with the epilogue fused into the register tile
  // (bias + relu6 / linear), ragged m (49 = 4·12 + 1, m below one tile) and n that is not a
  // multiple of the vector width (narrowed edge tiles), and the 7×7 layers split over n or k.
  { m: 7 * 7, k: 16, n: 96, epi: 'bias+relu6' }, { m: 5, k: 24, n: 144, epi: 'bias+relu6' },
  { m: 3 * 7 * 7, k: 32, n: 192, epi: 'bias+relu6' }, { m: 14 * 14, k: 24, n: 150, epi: 'bias' },
  { m: 11, k: 32, n: 40, epi: 'relu6' }, { m: 13, k: 144, n: 24, epi: 'bias' }, { m: 29, k: 96, n: 17, epi: 'bias+relu6' },
  { m: 7 * 7, k: 576, n: 160, epi: 'bias+relu6' }, { m: 7 * 7, k: 960, n: 160, epi: 'bias' },
  { m: 7 * 7, k: 320, n: 1280, epi: 'bias+relu6' }, { m: 14 * 14, k: 384, n: 72, epi: 'bias+relu6' },
  // A's row stride a multiple of 4 KiB: A is packed rather than read in place.
  { m: 25, k: 1024, n: 200, epi: 'bias+relu' },
  // batches: shared B (bBatch 1) and per-entry B, small m (parallel over the batch) and larger.
  { m: 7, k: 13, n: 17, batch: 7, bBatch: 1 }, { m: 7, k: 13, n: 17, batch: 7, bBatch: 7, ta: true, tb: true },
  { m: 65, k: 33, n: 31, batch: 3, bBatch: 3, epi: 'bias+relu' }, { m: 127, k: 65, n: 33, batch: 2, bBatch: 1, tb: true },
  { m: 300, k: 127, n: 65, batch: 3, bBatch: 1, ta: true, epi: 'sigmoid' },
];

test('native matmul: the addon loaded', () => {
  const { addon } = nativeOrFail();
  assert.equal(typeof addon.matmul, 'function');
});

test('native matmul matches js on fixed shapes, every ISA, 1 and 2 threads', () => {
  const { addon } = nativeOrFail();
  // Threads outermost: the pool is resized only twice.
  forEachThreads(addon, [2, 1], (threads) => forEachIsa(addon, (isa) => {
    for (const c of FIXED) for (const ta of [false, true]) for (const tb of [false, true]) {
      if ((c.ta !== undefined || c.tb !== undefined) && (ta !== (c.ta ?? false) || tb !== (c.tb ?? false))) continue;
      check({ ...c, ta, tb }, `${isa}/${threads}t`);
    }
  }));
});

test('native matmul matches js on random odd shapes, all transposes and epilogues', () => {
  const { addon } = nativeOrFail();
  forEachThreads(addon, [2, 1], (threads) => forEachIsa(addon, (isa) => {
    for (let t = 0; t < 24; t++) {
      const pick = () => ODD[Math.floor(rand() * ODD.length)];
      const c: Case = { m: pick(), k: pick(), n: pick(), ta: (t & 1) === 1, tb: (t & 2) === 2 };
      if (t % 3 === 0) c.epi = ACTS[t % 5];
      if (t % 4 === 1) c.epi = 'bias';
      if (t % 6 === 5) c.epi = 'bias+tanh';
      if (t % 8 === 7) { c.batch = 3; c.bBatch = t % 16 === 7 ? 1 : 3; }
      check(c, `${isa}/${threads}t`);
    }
  }));
});

test('native matmul: k = 0 gives zeros plus the epilogue', () => {
  const { be } = nativeOrFail();
  const bias = new Float32Array([1, -2, 3]);
  const out = be.matmul!(new Float32Array(0), new Float32Array(0), 2, 2, 0, 3, false, false, 1, { bias, activation: 'relu' });
  assert.deepEqual(Array.from(out), [1, 0, 3, 1, 0, 3, 1, 0, 3, 1, 0, 3]);
  assert.equal(be.matmul!(new Float32Array(0), new Float32Array(6), 1, 0, 2, 3, false, false, 1).length, 0);
});

test('native matmul: float64 inputs go to the js kernel', () => {
  const { be } = nativeOrFail();
  const a = new Float64Array([1, 2, 3, 4]), b = new Float64Array([5, 6, 7, 8]);
  const out = be.matmul!(a, b, 1, 2, 2, 2, false, false, 1, { bias: new Float64Array([1, 1]) });
  assert.ok(out instanceof Float64Array);
  assert.deepEqual(Array.from(out), [20, 23, 44, 51]);
});

test('native matmul: bad calls throw and the process keeps running', () => {
  const { addon } = nativeOrFail();
  const mm = addon.matmul as (...args: unknown[]) => void;
  const f = (n: number) => new Float32Array(n);
  const ok = [f(6), f(12), f(8), 1, 2, 3, 4, false, false, 1];
  mm(...ok);
  mm(...ok, f(4), 1);
  mm(...ok, null, 4);
  assert.throws(() => mm(...ok.slice(0, 9)), Error);                       // too few args
  assert.throws(() => mm(...ok, f(4)), Error);                             // 11 args
  assert.throws(() => mm(new Float64Array(6), ...ok.slice(1)), Error);     // wrong type
  assert.throws(() => mm(f(5), ...ok.slice(1)), Error);                    // short a
  assert.throws(() => mm(f(6), f(11), ...ok.slice(2)), Error);             // short b
  assert.throws(() => mm(f(6), f(12), f(7), ...ok.slice(3)), Error);       // short out
  assert.throws(() => mm(f(6), f(12), f(8), 1, -2, 3, 4, false, false, 1), Error);   // negative m
  assert.throws(() => mm(f(6), f(12), f(8), 1, 2.5, 3, 4, false, false, 1), Error);  // fractional m
  assert.throws(() => mm(f(6), f(12), f(8), 0, 2, 3, 4, false, false, 1), Error);    // batch 0
  assert.throws(() => mm(f(12), f(12), f(16), 2, 2, 3, 4, false, false, 3), Error);  // bBatch not 1/batch
  assert.throws(() => mm(f(6), f(12), f(8), 1, 2, 3, 4, 0, false, 1), Error);        // transA not boolean
  assert.throws(() => mm(...ok, f(3), 1), Error);                          // short bias
  assert.throws(() => mm(...ok, new Float64Array(4), 1), Error);           // bias type
  assert.throws(() => mm(...ok, f(4), 5), Error);                          // activation code
  assert.throws(() => mm(...ok, f(4), 'relu'), Error);                     // activation type
  mm(...ok);
});
