import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose, randArray, rng } from './helpers.js';

/** C = op(A)·op(B) from the definition; A stored m×k (k×m if transA), B k×n (n×k if transB). */
function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, bBatch: number): Float64Array {
  const c = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = t * m * k, bo = (bBatch === 1 ? 0 : t) * k * n;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[ao + p * m + i] : a[ao + i * k + p];
        const bv = transB ? b[bo + j * k + p] : b[bo + p * n + j];
        s += av * bv;
      }
      c[t * m * n + i * n + j] = s;
    }
  }
  return c;
}

const rand = rng(42);
// Sizes around the 4×4 register blocking (remainder rows and k), and one larger than a k-tile.
const sizes: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [9, 13, 6], [4, 8, 4], [3, 2, 11], [17, 300, 260]];

for (const transA of [false, true]) {
  for (const transB of [false, true]) {
    test(`matmul transA=${transA} transB=${transB} matches the definition`, () => {
      for (const [m, k, n] of sizes) {
        for (const [batch, bBatch] of [[1, 1], [3, 3], [3, 1]]) {
          const a = randArray(batch * m * k, rand), b = randArray(bBatch * k * n, rand);
          const c = B.matmul(a, b, batch, m, k, n, transA, transB, bBatch);
          assertClose(c, naiveMatmul(a, b, batch, m, k, n, transA, transB, bBatch), 1e-12, 1e-12,
            `m${m} k${k} n${n} batch ${batch}/${bBatch}`);
        }
      }
    });
  }
}

test('matmul keeps the element type and is accurate in float32', () => {
  const a = randArray(6 * 10, rand, 'float32'), b = randArray(10 * 7, rand, 'float32');
  const c = B.matmul(a, b, 1, 6, 10, 7, false, false, 1);
  assert.ok(c instanceof Float32Array);
  assertClose(c, naiveMatmul(a, b, 1, 6, 10, 7, false, false, 1), 1e-5, 1e-5, 'float32');
  assert.ok(B.matmul(Float64Array.from(a), Float64Array.from(b), 1, 6, 10, 7, false, false, 1) instanceof Float64Array);
});

test('matmul with k = 0 gives zeros', () => {
  assert.deepEqual(Array.from(B.matmul(new Float64Array(0), new Float64Array(0), 1, 2, 0, 2, false, false, 1)), [0, 0, 0, 0]);
});
