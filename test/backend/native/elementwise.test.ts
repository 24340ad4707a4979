import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReluAttrs } from '../../../src/backend/backend.js';
import { BINARY_OPS, UNARY_OPS } from '../../../src/backend/native/elementwise.js';
import { assertNear, forEachIsa, jsBackend, nativeOrFail, randF32, randI32, randShape, rng, sizeOf, sprinkle } from './elementwise_helpers.js';

const { addon, be } = nativeOrFail();
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 0.5, 1.5, 2.5, -2.5, -0.5, 3, -3, 6, 1e-7, -1e-7, 100, -100, 1e30, -1e30];

function unaryInput(n: number, rand: () => number): Float32Array {
  const x = randF32(n, rand, -6, 6);
  for (let i = 0; i < Math.min(n, SPECIALS.length); i++) x[i] = SPECIALS[i];
  return x;
}

test('unary: every op matches js, every ISA, with special values', () => {
  const rand = rng(1);
  forEachIsa(addon, (isa) => {
    for (const n of [0, 1, 19, 37, 1000, 70001]) {
      const x = unaryInput(n, rand);
      for (const op of UNARY_OPS) {
        for (const alpha of op === 'elu' ? [1, 0.3] : [1]) {
          assertNear(be.unary!(op, x, alpha), jsBackend.unary(op, x, alpha), `${isa} ${op} n=${n} alpha=${alpha}`);
        }
      }
    }
  });
});

test('unaryGrad: every op matches js, every ISA', () => {
  const rand = rng(2);
  forEachIsa(addon, (isa) => {
    for (const n of [1, 23, 1001, 65537]) {
      const x = unaryInput(n, rand);
      const dy = randF32(n, rand, -2, 2);
      for (const op of UNARY_OPS) {
        const alpha = op === 'elu' ? 0.7 : 1;
        const y = jsBackend.unary(op, x, alpha);
        assertNear(be.unaryGrad!(op, dy, x, y, alpha), jsBackend.unaryGrad(op, dy, x, y, alpha), `${isa} ${op}' n=${n}`);
      }
    }
  });
});

test('round is half to even; float64 goes to js', () => {
  const x = new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 2.4999998]);
  assert.deepEqual(Array.from(be.unary!('round', x)), [0, 2, 2, -0, -2, -2, 4, 2]);
  const x64 = new Float64Array([0.1, -2]);
  const y64 = be.unary!('exp', x64);
  assert.ok(y64 instanceof Float64Array);
  assert.deepEqual(Array.from(y64), Array.from(jsBackend.unary('exp', x64)));
});

test('relu / reluGrad: Keras attributes, NaN and infinities', () => {
  const rand = rng(3);
  const attrsList: ReluAttrs[] = [
    { negativeSlope: 0, threshold: 0 },
    { negativeSlope: 0.3, threshold: 0 },
    { negativeSlope: 0.1, threshold: 0.5, maxValue: 6 },
    { negativeSlope: 0, threshold: -1, maxValue: 2 },
    { negativeSlope: 0.2, threshold: 1 },
    { negativeSlope: 0, threshold: 0, maxValue: 6 },
    { negativeSlope: 0, threshold: 0, maxValue: 0 },
  ];
  forEachIsa(addon, (isa) => {
    for (const n of [1, 17, 40000]) {
      const x = unaryInput(n, rand);
      const dy = sprinkle(randF32(n, rand, -2, 2), rand, [NaN, Infinity], n > 100 ? 4 : 0);
      for (const attrs of attrsList) {
        const what = `${isa} ${JSON.stringify(attrs)} n=${n}`;
        assertNear(be.relu!(x, attrs), jsBackend.relu(x, attrs), `relu ${what}`);
        assertNear(be.reluGrad!(dy, x, attrs), jsBackend.reluGrad(dy, x, attrs), `reluGrad ${what}`);
      }
    }
  });
});

function binaryCases(rand: () => number): [number[], number[], number[]][] {
  const cases: [number[], number[], number[]][] = [
    [[], [], []], [[5], [5], [5]], [[3, 4], [], [3, 4]], [[], [2, 3], [2, 3]], [[4, 6, 9], [9], [4, 6, 9]],
    [[2, 3, 3, 13], [2, 1, 1, 13], [2, 3, 3, 13]], [[3, 1, 5], [1, 4, 1], [3, 4, 5]], [[7, 1], [7, 11], [7, 11]],
    [[1], [2, 3, 1, 2, 3], [2, 3, 1, 2, 3]], [[0, 3], [3], [0, 3]], [[300, 129], [129], [300, 129]],
    [[257, 300], [257, 1], [257, 300]], [[70001], [70001], [70001]], [[1], [40000], [40000]],
  ];
  for (let k = 0; k < 12; k++) {
    const rank = Math.floor(rand() * 6);
    const out = randShape(rand, rank, 5);
    const pick = () => {
      const r = Math.floor(rand() * (rank + 1));
      return out.slice(rank - r).map((d) => (rand() < 0.3 ? 1 : d));
    };
    cases.push([pick(), pick(), out]);
  }
  return cases;
}

function binaryOperand(type: 'f' | 'i', n: number, rand: () => number, op: string): Float32Array | Int32Array {
  if (type === 'i') {
    const a = randI32(n, rand, -6, 6);
    const big = [2147483647, -2147483648, 65536 * 3 + 7, -100000];
    if (op !== 'pow') for (let k = 0; k < Math.min(4, n >> 2); k++) a[Math.floor(rand() * n)] = big[k];
    return a;
  }
  const a = op === 'pow' ? randF32(n, rand, -3, 3) : randF32(n, rand, -5, 5);
  if (op === 'pow') for (let i = 0; i < n; i += 3) a[i] = Math.round(a[i]);
  return sprinkle(a, rand, [NaN, 0, -0, Infinity, -Infinity, 1, -1], n > 8 ? 7 : 0);
}

test('binary: every op, float32/int32 mixes, broadcasting patterns, every ISA', () => {
  const rand = rng(4);
  const cases = binaryCases(rand);
  forEachIsa(addon, (isa) => {
    for (const [aShape, bShape, outShape] of cases) {
      for (const types of ['ff', 'ii', 'fi', 'if'] as const) {
        for (const op of BINARY_OPS) {
          const a = binaryOperand(types[0] as 'f' | 'i', sizeOf(aShape), rand, op);
          const b = binaryOperand(types[1] as 'f' | 'i', sizeOf(bShape), rand, op);
          const what = `${isa} ${op} ${types} [${aShape}] ⊕ [${bShape}]`;
          assertNear(be.binary!(op, a, aShape, b, bShape, outShape), jsBackend.binary(op, a, aShape, b, bShape, outShape), what);
        }
      }
    }
  });
});

test('binary: js edge cases of pow, maximum/minimum and int32 division', () => {
  const a = new Float32Array([1, -1, 1, NaN, 0, -0, 2, NaN, -0, 0]);
  const b = new Float32Array([NaN, Infinity, -Infinity, 0, -0, 0, NaN, 1, 0, -0]);
  for (const op of ['pow', 'maximum', 'minimum', 'equal', 'notEqual', 'less'] as const) {
    const got = be.binary!(op, a, [10], b, [10], [10]), want = jsBackend.binary(op, a, [10], b, [10], [10]);
    assert.deepEqual(Array.from(got).map((v) => Object.is(v, -0) ? '-0' : v), Array.from(want).map((v) => Object.is(v, -0) ? '-0' : v), op);
  }
  const ia = new Int32Array([7, -7, 1, 0, 2147483647, -2147483648]), ib = new Int32Array([2, 2, 0, 0, 2147483647, -1]);
  for (const op of ['div', 'mul', 'add', 'sub', 'pow'] as const) {
    assert.deepEqual(be.binary!(op, ia, [6], ib, [6], [6]), jsBackend.binary(op, ia, [6], ib, [6], [6]), op);
  }
});

test('clip, where, cast', () => {
  const rand = rng(5);
  forEachIsa(addon, (isa) => {
    for (const n of [0, 9, 50001]) {
      const x = sprinkle(randF32(n, rand, -3, 3), rand, [NaN, Infinity, -Infinity, 1e10, -3e9, 2.5, -2.5, -0], n > 10 ? 8 : 0);
      for (const [lo, hi] of [[-1, 1], [0.1, 0.7], [-Infinity, 0], [0, 0]]) {
        assertNear(be.clip!(x, lo, hi), jsBackend.clip(x, lo, hi), `${isa} clip [${lo}, ${hi}]`);
      }
      const a = randF32(n, rand), b = randF32(n, rand);
      const condF = sprinkle(randF32(n, rand).map((v) => (v > 0 ? 1 : 0)), rand, [NaN, -0, 0.5], n > 10 ? 3 : 0);
      const condI = randI32(n, rand, -1, 1);
      assertNear(be.where!(condF, a, b), jsBackend.where(condF, a, b), `${isa} where f32`);
      assertNear(be.where!(condI, a, b), jsBackend.where(condI, a, b), `${isa} where i32`);
      const xi = randI32(n, rand, -2e9, 2e9);
      for (const dt of ['float32', 'int32', 'float64'] as const) {
        assertNear(be.cast!(x, dt), jsBackend.cast(x, dt), `${isa} cast f32→${dt}`);
        assertNear(be.cast!(xi, dt), jsBackend.cast(xi, dt), `${isa} cast i32→${dt}`);
      }
    }
  });
});

test('bad calls throw and the process survives', () => {
  const f = new Float32Array(4), f64 = new Float64Array(4), i = new Int32Array(4);
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  assert.throws(() => A.unary(99, f, new Float32Array(4), 1), RangeError);
  assert.throws(() => A.unary(0, f64, new Float64Array(4), 1), TypeError);
  assert.throws(() => A.unary(0, f, new Float32Array(3), 1), RangeError);
  assert.throws(() => A.unary(0, f, new Float32Array(4)), TypeError);
  assert.throws(() => A.unaryGrad(0, f, f, new Float32Array(2), new Float32Array(4), 1), RangeError);
  assert.throws(() => A.binary(0, f, [4], f, [4], new Float32Array(3), [4]), RangeError);
  assert.throws(() => A.binary(0, f, [4], f, [3], new Float32Array(4), [4]), RangeError);
  assert.throws(() => A.binary(0, f, [4], f, [5, 4], new Float32Array(4), [4]), RangeError);
  assert.throws(() => A.binary(0, i, [4], i, [4], new Float32Array(4), [4]), TypeError);
  assert.throws(() => A.binary(0, f64, [4], f, [4], new Float32Array(4), [4]), TypeError);
  assert.throws(() => A.binary(0, f, [-4], f, [4], new Float32Array(4), [4]), RangeError);
  assert.throws(() => A.binary(0, f, [4.5], f, [4], new Float32Array(4), [4]), RangeError);
  assert.throws(() => A.relu(f, new Float32Array(4), 0, 0, 'no', 0), TypeError);
  assert.throws(() => A.where(new Float64Array(4), f, f, new Float32Array(4)), TypeError);
  assert.throws(() => A.cast(f, new Float64Array(4)), TypeError);
  assert.throws(() => A.clip(f, new Float32Array(5), 0, 1), RangeError);
  assert.deepEqual(Array.from(be.unary!('abs', new Float32Array([-2]))), [2]);
});
