import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose, randArray, rng } from './helpers.js';

test('softmax is stable for huge and tiny logits', () => {
  const x = Float64Array.from([1000, 1000, -1000, 0, -1000, 1000]);
  const y = B.softmax(x, 2, 3);
  assertClose(y, [0.5, 0.5, 0, 0, 0, 1], 1e-15, 0, 'softmax');
  const z = B.softmax(Float32Array.from([-1000, -1000]), 1, 2);
  assert.ok(z instanceof Float32Array);
  assert.deepEqual(Array.from(z), [0.5, 0.5]);
});

test('logSoftmax is stable and equals log(softmax) where that is finite', () => {
  const y = B.logSoftmax(Float64Array.from([1000, 0, -1000, -1000]), 2, 2);
  assertClose(y, [0, -1000, -Math.LN2, -Math.LN2], 1e-12, 0, 'logSoftmax');
  const rand = rng(2);
  const x = randArray(4 * 7, rand).map((v) => v * 5);
  const s = B.softmax(x, 4, 7), l = B.logSoftmax(x, 4, 7);
  assertClose(l, Array.from(s, Math.log), 1e-13, 1e-13, 'log(softmax)');
  for (let r = 0; r < 4; r++) {
    let sum = 0;
    for (let j = 0; j < 7; j++) sum += s[r * 7 + j];
    assert.ok(Math.abs(sum - 1) < 1e-14, `row ${r} sums to ${sum}`);
  }
  assert.ok(B.logSoftmax(Float32Array.from([1, 2]), 1, 2) instanceof Float32Array);
});
