import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REDUCE_OPS } from '../../../src/backend/native/reduce.js';
import { assertNear, forEachIsa, jsBackend, nativeOrFail, randF32, randI32, randShape, rng, sizeOf, sprinkle } from './elementwise_helpers.js';

const { addon, be } = nativeOrFail();

function randomAxes(rand: () => number, rank: number): number[] {
  const axes: number[] = [];
  for (let i = 0; i < rank; i++) if (rand() < 0.5) axes.push(i);
  return axes;
}

test('reduce: every op over random shapes and axis sets, every ISA', () => {
  const rand = rng(11);
  const cases: [number[], number[]][] = [
    [[], []], [[7], [0]], [[7], []], [[0, 3], [0]], [[3, 0], [1]], [[4, 0], [0]],
    [[1000, 70], [0]], [[70, 1000], [1]], [[80000], [0]], [[16, 33, 17, 5], [0, 1, 2]], [[64, 40, 31], [1]],
    [[2, 40000], [0]], [[5, 20000, 3], [0, 2]], [[3, 50000], [0, 1]],
  ];
  for (let k = 0; k < 25; k++) {
    const rank = Math.floor(rand() * 6);
    const shape = randShape(rand, rank, 6);
    cases.push([shape, randomAxes(rand, rank)]);
  }
  forEachIsa(addon, (isa) => {
    for (const [shape, axes] of cases) {
      const n = sizeOf(shape);
      for (const op of REDUCE_OPS) {
        const x = op === 'prod' ? randF32(n, rand, 0.9, 1.1) : randF32(n, rand, -3, 3);
        assertNear(be.reduce!(op, x, shape, axes), jsBackend.reduce(op, x, shape, axes), `${isa} ${op} [${shape}] axes [${axes}]`);
      }
    }
  });
});

test('reduce: NaN propagates through max/min/sum, infinities', () => {
  const rand = rng(12);
  for (const shape of [[6, 9], [50, 3000]]) {
    const x = sprinkle(randF32(sizeOf(shape), rand), rand, [NaN, Infinity, -Infinity], 3);
    for (const op of REDUCE_OPS) {
      for (const axes of [[0], [1], [0, 1]]) {
        assertNear(be.reduce!(op, x, shape, axes), jsBackend.reduce(op, x, shape, axes), `${op} [${shape}] [${axes}]`);
      }
    }
  }
});

test('reduce: long sums stay within tolerance (double accumulation)', () => {
  const rand = rng(13);
  const x = randF32(1 << 20, rand, 0, 1);
  assertNear(be.reduce!('sum', x, [1 << 20], [0]), jsBackend.reduce('sum', x, [1 << 20], [0]), 'sum 1M', 1e-7);
  assertNear(be.reduce!('mean', x, [1024, 1024], [0]), jsBackend.reduce('mean', x, [1024, 1024], [0]), 'mean rows', 1e-7);
});

test('argReduce: float32 and int32, ties pick the first index, NaN wins', () => {
  const rand = rng(14);
  const shapes = [[1], [9], [4, 7], [7, 4], [3, 5, 6], [2, 3, 1, 4], [0, 3], [3, 0], [2, 3, 4, 5, 3], [500, 100]];
  for (const shape of shapes) {
    for (let axis = 0; axis < shape.length; axis++) {
      const n = sizeOf(shape);
      const xf = sprinkle(new Float32Array(randI32(n, rand, -3, 3)), rand, [NaN], n > 20 ? 2 : 0);
      const xi = randI32(n, rand, -3, 3);
      for (const op of ['argmax', 'argmin'] as const) {
        assertNear(be.argReduce!(op, xf, shape, axis), jsBackend.argReduce(op, xf, shape, axis), `${op} f32 [${shape}] axis ${axis}`);
        assertNear(be.argReduce!(op, xi, shape, axis), jsBackend.argReduce(op, xi, shape, axis), `${op} i32 [${shape}] axis ${axis}`);
      }
    }
  }
  const x64 = new Float64Array([1, 3, 2]);
  assert.deepEqual(Array.from(be.argReduce!('argmax', x64, [3], 0)), [1]);
});

test('reduce: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const x = new Float32Array(12);
  assert.throws(() => A.reduce(0, x, [3, 4], [1, 0], new Float32Array(1)), RangeError);
  assert.throws(() => A.reduce(0, x, [3, 4], [2], new Float32Array(3)), RangeError);
  assert.throws(() => A.reduce(0, x, [3, 4], [1], new Float32Array(4)), RangeError);
  assert.throws(() => A.reduce(0, x, [3, 5], [1], new Float32Array(3)), RangeError);
  assert.throws(() => A.reduce(7, x, [3, 4], [1], new Float32Array(3)), RangeError);
  assert.throws(() => A.reduce(0, new Int32Array(12), [3, 4], [1], new Float32Array(3)), TypeError);
  assert.throws(() => A.argReduce(true, x, [3, 4], 2, new Int32Array(3)), RangeError);
  assert.throws(() => A.argReduce(true, x, [3, 4], 1, new Float32Array(3)), TypeError);
  assert.throws(() => A.argReduce(true, new Float64Array(12), [3, 4], 1, new Int32Array(3)), TypeError);
  assert.deepEqual(Array.from(be.reduce!('sum', new Float32Array([1, 2]), [2], [0])), [3]);
});

test('allFinite: agrees with js on NaN / ±∞ anywhere (first, last, past a 4096 block), finite extremes, every ISA', () => {
  const rand = rng(17);
  const A = addon as unknown as Record<string, (...a: unknown[]) => unknown>;
  forEachIsa(addon, (isa) => {
    const extremes = new Float32Array([0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -1e-45, 1.17549435e-38]);
    assert.equal(A.allFinite(extremes), true, `${isa}: denormals, ±0 and ±max are finite`);
    assert.equal(A.allFinite(new Float32Array(0)), true, `${isa}: empty`);
    for (const n of [1, 3, 4, 17, 4095, 4096, 4097, 150_528]) {
      const x = randF32(n, rand);
      assert.equal(be.allFinite!(x), true, `${isa} n=${n} clean`);
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of [0, n - 1, Math.floor(rand() * n), Math.min(n - 1, 5000)]) {
          const y = x.slice();
          y[at] = bad;
          assert.equal(be.allFinite!(y), false, `${isa} n=${n} ${bad} at ${at}`);
          assert.equal(jsBackend.allFinite(y), false, `js n=${n} ${bad} at ${at}`);
        }
      }
    }
  });
  assert.equal(be.allFinite!(new Float64Array([1, NaN])), false, 'float64 goes to js');
  assert.equal(be.allFinite!(new Int32Array([1, 2])), true, 'int32 is always finite');
  assert.throws(() => A.allFinite(new Float64Array(3)), TypeError);
  assert.throws(() => A.allFinite(), TypeError);
  assert.equal(A.allFinite(new Float32Array([1, 2])), true, 'still answering');
});
