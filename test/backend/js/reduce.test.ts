import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReduceOp } from '../../../src/backend/backend.js';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose, randArray, rng } from './helpers.js';

/** Reference reduction: group elements by their index with the reduced axes dropped. */
function naiveReduce(op: ReduceOp, x: ArrayLike<number>, shape: number[], axes: number[]): number[] {
  const keep = shape.map((_, i) => !axes.includes(i));
  const groups = new Map<string, number[]>();
  const idx = shape.map(() => 0);
  for (let i = 0; i < x.length; i++) {
    const key = idx.filter((_, d) => keep[d]).join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(x[i]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  // Map iteration follows insertion order, which is row-major order of the kept index.
  return [...groups.values()].map((g) => {
    switch (op) {
      case 'sum': return g.reduce((a, b) => a + b, 0);
      case 'mean': return g.reduce((a, b) => a + b, 0) / g.length;
      case 'max': return Math.max(...g);
      case 'min': return Math.min(...g);
      case 'prod': return g.reduce((a, b) => a * b, 1);
    }
  });
}

test('reduce over one or several axes removes them', () => {
  const rand = rng(8);
  const shape = [2, 3, 4, 5];
  const x = randArray(120, rand);
  for (const axes of [[0], [3], [1, 2], [0, 2], [1, 3], [0, 1, 3], [0, 1, 2, 3]]) {
    for (const op of ['sum', 'mean', 'max', 'min', 'prod'] as const) {
      const y = B.reduce(op, x, shape, axes);
      assertClose(y, naiveReduce(op, x, shape, axes), 1e-13, 1e-12, `${op} over [${axes}]`);
    }
  }
});

test('reduce with no axes is a copy', () => {
  const x = Float64Array.from([1, 2, 3]);
  const y = B.reduce('sum', x, [3], []);
  assert.deepEqual(Array.from(y), [1, 2, 3]);
  assert.notEqual(y, x);
});

test('reduce: known values, NaN propagation, float32 type', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2,3]
  const s = B.reduce('sum', x, [2, 3], [1]);
  assert.ok(s instanceof Float32Array);
  assert.deepEqual(Array.from(s), [6, 15]);
  assert.deepEqual(Array.from(B.reduce('mean', x, [2, 3], [0])), [2.5, 3.5, 4.5]);
  assert.deepEqual(Array.from(B.reduce('prod', x, [2, 3], [0, 1])), [720]);
  const y = B.reduce('max', Float64Array.from([1, NaN, 3, 0]), [2, 2], [1]);
  assert.ok(Number.isNaN(y[0]));
  assert.equal(y[1], 3);
  assert.ok(B.reduce('max', Float64Array.from([1]), [1], [0]) instanceof Float64Array);
});

test('argReduce returns the first index on ties and drops the axis', () => {
  // [2,3]: rows [1,3,3] and [2,2,0]
  const x = Float64Array.from([1, 3, 3, 2, 2, 0]);
  assert.deepEqual(Array.from(B.argReduce('argmax', x, [2, 3], 1)), [1, 0]);
  assert.deepEqual(Array.from(B.argReduce('argmin', x, [2, 3], 1)), [0, 2]);
  assert.deepEqual(Array.from(B.argReduce('argmax', x, [2, 3], 0)), [1, 0, 0]);
  assert.deepEqual(Array.from(B.argReduce('argmin', x, [2, 3], 0)), [0, 1, 1]);
  const xi = Int32Array.from([5, 9, 9, 1]);
  const r = B.argReduce('argmax', xi, [4], 0);
  assert.ok(r instanceof Int32Array);
  assert.deepEqual(Array.from(r), [1]);
});
