import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNear, jsBackend, nativeOrFail, randF32, randI32, rng, sprinkle } from './elementwise_helpers.js';

const { addon, be } = nativeOrFail();
const SHAPES: [number, number][] = [[0, 5], [1, 1], [1, 10], [7, 3], [33, 17], [4, 1000], [2000, 10], [3, 70001]];

test('softmax / logSoftmax match js, including huge and infinite logits', () => {
  const rand = rng(21);
  for (const [rows, cols] of SHAPES) {
    for (const scale of [1, 30, 1000]) {
      const x = randF32(rows * cols, rand, -scale, scale);
      if (rows > 2 && cols > 2) {
        x[0] = -Infinity;
        x[cols + 1] = Infinity;
        x[2 * cols] = NaN;
      }
      assertNear(be.softmax!(x, rows, cols), jsBackend.softmax(x, rows, cols), `softmax ${rows}x${cols} scale ${scale}`);
      assertNear(be.logSoftmax!(x, rows, cols), jsBackend.logSoftmax(x, rows, cols), `logSoftmax ${rows}x${cols} scale ${scale}`);
    }
  }
});

test('sparseSoftmaxCrossEntropy matches js (loss and dlogits)', () => {
  const rand = rng(22);
  for (const [rows, cols] of SHAPES) {
    if (cols === 0) continue;
    for (const scale of [1, 20, 500]) {
      const x = sprinkle(randF32(rows * cols, rand, -scale, scale), rand, [-Infinity], rows > 5 ? 1 : 0);
      const labels = randI32(rows, rand, 0, cols - 1);
      const got = be.sparseSoftmaxCrossEntropy!(x, labels, rows, cols);
      const want = jsBackend.sparseSoftmaxCrossEntropy(x, labels, rows, cols);
      assertNear(got.loss, want.loss, `loss ${rows}x${cols} scale ${scale}`);
      assertNear(got.dlogits, want.dlogits, `dlogits ${rows}x${cols} scale ${scale}`);
    }
  }
  const x64 = new Float64Array([1, 2, 3]);
  assert.ok(be.softmax!(x64, 1, 3) instanceof Float64Array);
});

test('softmax family: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const x = new Float32Array(6);
  assert.throws(() => A.softmax(x, new Float32Array(5), 2, 3), RangeError);
  assert.throws(() => A.softmax(x, new Float32Array(6), 2, 4), RangeError);
  assert.throws(() => A.softmax(new Float64Array(6), new Float32Array(6), 2, 3), TypeError);
  assert.throws(() => A.logSoftmax(x, new Float32Array(6), -1, 3), RangeError);
  const sce = (labels: Int32Array) => A.sparseSoftmaxCrossEntropy(x, labels, new Float32Array(2), new Float32Array(6), 2, 3);
  assert.throws(() => sce(new Int32Array([0, 3])), RangeError);
  assert.throws(() => sce(new Int32Array([-1, 0])), RangeError);
  assert.throws(() => sce(new Int32Array([0])), RangeError);
  assert.throws(() => A.sparseSoftmaxCrossEntropy(x, new Float32Array(2), new Float32Array(2), new Float32Array(6), 2, 3), TypeError);
  assert.equal(be.softmax!(new Float32Array([0, 0]), 1, 2)[0], 0.5);
});
