import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BinaryOp } from '../../../src/backend/backend.js';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose, randArray, rng } from './helpers.js';

/** numpy broadcasting from the definition: index each operand by the output index, right-aligned. */
function naiveBinary(f: (a: number, b: number) => number, a: ArrayLike<number>, aShape: number[], b: ArrayLike<number>,
  bShape: number[], outShape: number[]): number[] {
  const at = (x: ArrayLike<number>, shape: number[], idx: number[]) => {
    let off = 0;
    const lead = idx.length - shape.length;
    for (let d = 0; d < shape.length; d++) off = off * shape[d] + (shape[d] === 1 ? 0 : idx[d + lead]);
    return x[off];
  };
  const total = outShape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  const idx = outShape.map(() => 0);
  for (let i = 0; i < total; i++) {
    out.push(f(at(a, aShape, idx), at(b, bShape, idx)));
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const fns: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, pow: (a, b) => Math.abs(a) ** b,
  maximum: Math.max, minimum: Math.min, equal: (a, b) => +(a === b), notEqual: (a, b) => +(a !== b),
  greater: (a, b) => +(a > b), greaterEqual: (a, b) => +(a >= b), less: (a, b) => +(a < b), lessEqual: (a, b) => +(a <= b),
};

test('binary ops broadcast like numpy', () => {
  const rand = rng(21);
  const cases: [number[], number[], number[]][] = [
    [[2, 1, 3], [4, 1], [2, 4, 3]],
    [[4, 1], [2, 1, 3], [2, 4, 3]],
    [[2, 3], [2, 3], [2, 3]],
    [[2, 3], [], [2, 3]],
    [[], [3], [3]],
    [[3, 1, 5], [1, 4, 1], [3, 4, 5]],
    [[2, 3, 4, 5], [5], [2, 3, 4, 5]],
    [[1, 1], [1], [1, 1]],
  ];
  for (const [aShape, bShape, outShape] of cases) {
    const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
    // Small integers so equality and ordering comparisons see ties; pow uses |a| to stay real.
    const a = Float64Array.from(randArray(size(aShape), rand), (v) => Math.round(v * 3));
    const b = Float64Array.from(randArray(size(bShape), rand), (v) => Math.round(v * 3));
    for (const op of Object.keys(fns) as BinaryOp[]) {
      const aa = op === 'pow' ? a.map(Math.abs) : a;
      const y = B.binary(op, aa, aShape, b, bShape, outShape);
      assertClose(y, naiveBinary(fns[op], aa, aShape, b, bShape, outShape), 0, 1e-15, `${op} ${JSON.stringify([aShape, bShape])}`);
    }
  }
});

test('binary: [2,1,3] + [4,1] explicit values', () => {
  const a = Float64Array.from([0, 1, 2, 10, 11, 12]);
  const b = Float64Array.from([100, 200, 300, 400]);
  const y = B.binary('add', a, [2, 1, 3], b, [4, 1], [2, 4, 3]);
  assert.deepEqual(Array.from(y.slice(0, 6)), [100, 101, 102, 200, 201, 202]);
  assert.deepEqual(Array.from(y.slice(21)), [410, 411, 412]);
});

test('binary: element types, comparisons give 1/0 in the output type', () => {
  const f32 = Float32Array.from([1, 2]), i32 = Int32Array.from([2, 2]);
  const r1 = B.binary('less', f32, [2], f32.map((v) => v + 0.5), [2], [2]);
  assert.ok(r1 instanceof Float32Array);
  assert.deepEqual(Array.from(r1), [1, 1]);
  const r2 = B.binary('equal', i32, [2], Int32Array.from([2, 3]), [2], [2]);
  assert.ok(r2 instanceof Int32Array);
  assert.deepEqual(Array.from(r2), [1, 0]);
  // A float operand wins so int32 ⊕ float does not truncate.
  const r3 = B.binary('add', i32, [2], Float64Array.from([0.5]), [1], [2]);
  assert.ok(r3 instanceof Float64Array);
  assert.deepEqual(Array.from(r3), [2.5, 2.5]);
  assert.ok(B.binary('mul', new Float64Array(1), [1], new Float64Array(1), [1], [1]) instanceof Float64Array);
});

test('relu with Keras attrs: threshold, max value, negative slope', () => {
  const x = Float64Array.from([-2, -1, 0, 0.5, 1, 2, 5, 7]);
  const plain = { negativeSlope: 0, threshold: 0 };
  assert.deepEqual(Array.from(B.relu(x, plain)), [0, 0, 0, 0.5, 1, 2, 5, 7]);
  assert.deepEqual(Array.from(B.relu(x, { ...plain, maxValue: 6 })), [0, 0, 0, 0.5, 1, 2, 5, 6]);
  const leaky = { negativeSlope: 0.1, threshold: 0 };
  assertClose(B.relu(x, leaky), [-0.2, -0.1, 0, 0.5, 1, 2, 5, 7], 1e-15, 0, 'leaky');
  // Keras: positive part x where x > threshold (else 0), clipped to [0, max], minus slope·max(t − x, 0);
  // so x == threshold gives 0, as keras.activations.relu does.
  const thr = { negativeSlope: 0.5, threshold: 1, maxValue: 5 };
  assertClose(B.relu(x, thr), [-1.5, -1, -0.5, -0.25, 0, 2, 5, 5], 1e-15, 0, 'threshold');
  // A negative threshold lets (threshold, 0) through unless maxValue's clip at 0 applies.
  assert.deepEqual(Array.from(B.relu(Float64Array.from([-2, -0.5, 3]), { negativeSlope: 0, threshold: -1 })), [0, -0.5, 3]);
  assert.deepEqual(Array.from(B.relu(Float64Array.from([-2, -0.5, 3]), { negativeSlope: 0, threshold: -1, maxValue: 6 })), [0, 0, 3]);
  const dy = Float64Array.from(x, () => 1);
  assert.deepEqual(Array.from(B.reluGrad(dy, x, plain)), [0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(B.reluGrad(dy, x, { ...plain, maxValue: 6 })), [0, 0, 0, 1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(B.reluGrad(dy, x, thr)), [0.5, 0.5, 0.5, 0.5, 0, 1, 0, 0]);
  assert.ok(B.relu(new Float32Array(2), plain) instanceof Float32Array);
  assert.ok(B.reluGrad(new Float32Array(2), new Float32Array(2), plain) instanceof Float32Array);
});

test('clip, where and cast', () => {
  assert.deepEqual(Array.from(B.clip(Float64Array.from([-5, 0.5, 5]), -1, 1)), [-1, 0.5, 1]);
  assert.ok(Number.isNaN(B.clip(Float64Array.from([NaN]), 0, 1)[0]));
  assert.ok(B.clip(new Float32Array(1), 0, 1) instanceof Float32Array);
  const w = B.where(Int32Array.from([1, 0, 2]), Float32Array.from([1, 2, 3]), Float32Array.from([-1, -2, -3]));
  assert.ok(w instanceof Float32Array);
  assert.deepEqual(Array.from(w), [1, -2, 3]);
  const c = B.cast(Float64Array.from([1.7, -1.7, 2.5]), 'int32');
  assert.ok(c instanceof Int32Array);
  assert.deepEqual(Array.from(c), [1, -1, 2]);
  const f = B.cast(Int32Array.from([3]), 'float32');
  assert.ok(f instanceof Float32Array);
  assert.equal(f[0], 3);
  const src = Float64Array.from([0.1]);
  const same = B.cast(src, 'float64');
  assert.ok(same instanceof Float64Array && same !== src);
  assert.equal(B.cast(src, 'float32')[0], Math.fround(0.1));
});
