import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose, dot, randArray, rng } from './helpers.js';

const iota = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

test('transpose permutes axes', () => {
  // [2,3] → [3,2]
  assert.deepEqual(Array.from(B.transpose(iota(6), [2, 3], [1, 0])), [0, 3, 1, 4, 2, 5]);
  // [2,3,4] with perm [2,0,1]: out[k][i][j] = x[i][j][k]
  const x = iota(24);
  const y = B.transpose(x, [2, 3, 4], [2, 0, 1]);
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
    assert.equal(y[(k * 2 + i) * 3 + j], x[(i * 3 + j) * 4 + k]);
  }
  // Identity permutation is a copy, not the same array.
  const id = B.transpose(x, [2, 3, 4], [0, 1, 2]);
  assert.deepEqual(Array.from(id), Array.from(x));
  assert.notEqual(id, x);
});

test('slice takes a box', () => {
  // x[3,4] = 0..11, rows 1..2, cols 1..3
  assert.deepEqual(Array.from(B.slice(iota(12), [3, 4], [1, 1], [2, 3])), [5, 6, 7, 9, 10, 11]);
  const y = B.slice(iota(24), [2, 3, 4], [1, 0, 2], [1, 3, 1]);
  assert.deepEqual(Array.from(y), [14, 18, 22]);
});

test('concat joins along any axis', () => {
  const a = Float64Array.from([1, 2, 3, 4, 5, 6]); // [2,3]
  const b = Float64Array.from([7, 8, 9, 10]); // [2,2]
  assert.deepEqual(Array.from(B.concat([a, b], [[2, 3], [2, 2]], 1)), [1, 2, 3, 7, 8, 4, 5, 6, 9, 10]);
  const c = Float64Array.from([7, 8, 9]); // [1,3]
  assert.deepEqual(Array.from(B.concat([a, c], [[2, 3], [1, 3]], 0)), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Three inputs along the last axis of a 3-D shape.
  const r = B.concat([iota(4), iota(2), iota(6)], [[2, 1, 2], [2, 1, 1], [2, 1, 3]], 2);
  assert.deepEqual(Array.from(r), [0, 1, 0, 0, 1, 2, 2, 3, 1, 3, 4, 5]);
});

test('pad surrounds with a constant', () => {
  const y = B.pad(Float64Array.from([1, 2, 3, 4]), [2, 2], [[1, 0], [0, 2]], 9);
  assert.deepEqual(Array.from(y), [9, 9, 9, 9, 1, 2, 9, 9, 3, 4, 9, 9]);
  const z = B.pad(Float64Array.from([5]), [1, 1, 1], [[0, 1], [1, 0], [0, 0]], 0);
  assert.deepEqual(Array.from(z), [0, 5, 0, 0]);
});

test('gather along an axis, and gatherGrad accumulates repeated indices', () => {
  const x = iota(12); // [3,4]
  assert.deepEqual(Array.from(B.gather(x, [3, 4], Int32Array.from([2, 0, 2]), 0)), [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11]);
  assert.deepEqual(Array.from(B.gather(x, [3, 4], Int32Array.from([3, 1]), 1)), [3, 1, 7, 5, 11, 9]);
  // Negative indices count from the end.
  assert.deepEqual(Array.from(B.gather(x, [3, 4], Int32Array.from([-1]), 0)), [8, 9, 10, 11]);
  assert.deepEqual(Array.from(B.gatherGrad(Float64Array.from([1, 2, 3]), [3, 1], Int32Array.from([-1, 0, -1]), 0)), [2, 0, 4]);
  const dx = B.gatherGrad(Float64Array.from([1, 2, 3, 4, 5, 6]), [3, 4], Int32Array.from([3, 3]), 1);
  assert.deepEqual(Array.from(dx), [0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 11]);
  // Adjoint: <gather(x), dy> = <x, gatherGrad(dy)> on a 3-D array with repeats.
  const rand = rng(3);
  const shape = [2, 5, 3];
  const idx = Int32Array.from([4, 0, 4, 2, 4]);
  const x3 = randArray(30, rand), dy = randArray(2 * 5 * 3, rand);
  const lhs = dot(B.gather(x3, shape, idx, 1), dy), rhs = dot(x3, B.gatherGrad(dy, shape, idx, 1));
  assert.ok(Math.abs(lhs - rhs) < 1e-12, `${lhs} vs ${rhs}`);
});

test('broadcastTo repeats size-1 and missing leading dimensions', () => {
  assert.deepEqual(Array.from(B.broadcastTo(Float64Array.from([1, 2, 3]), [3], [2, 3])), [1, 2, 3, 1, 2, 3]);
  assert.deepEqual(Array.from(B.broadcastTo(Float64Array.from([1, 2]), [2, 1], [2, 3])), [1, 1, 1, 2, 2, 2]);
  assert.deepEqual(Array.from(B.broadcastTo(Float64Array.from([7]), [], [2, 2])), [7, 7, 7, 7]);
  assertClose(B.broadcastTo(Float64Array.from([1, 2]), [2, 1, 1], [2, 2, 2]), [1, 1, 1, 1, 2, 2, 2, 2]);
});

test('movement ops keep the element type, including int32', () => {
  for (const x of [new Float32Array(6), new Float64Array(6), new Int32Array(6)]) {
    const Ctor = x.constructor;
    assert.equal(B.transpose(x, [2, 3], [1, 0]).constructor, Ctor);
    assert.equal(B.slice(x, [2, 3], [0, 1], [2, 2]).constructor, Ctor);
    assert.equal(B.concat([x, x], [[2, 3], [2, 3]], 0).constructor, Ctor);
    assert.equal(B.pad(x, [2, 3], [[1, 1], [0, 0]], 0).constructor, Ctor);
    assert.equal(B.gather(x, [2, 3], Int32Array.from([1]), 0).constructor, Ctor);
    assert.equal(B.broadcastTo(x, [2, 3], [2, 2, 3]).constructor, Ctor);
  }
  assert.ok(B.gatherGrad(new Float32Array(3), [2, 3], Int32Array.from([1]), 0) instanceof Float32Array);
});
