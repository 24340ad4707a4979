import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { pool2dInfo, type Padding, type Pool2DInfo } from '../../../src/shape/conv.js';
import { absDot, assertAdjoint, assertClose, dot, randArray, randInt, rng } from './helpers.js';

function info(inShape: number[], pool: [number, number], strides: [number, number], padding: Padding): Pool2DInfo {
  return pool2dInfo({ inShape, filterSize: pool, strides, padding, name: 'test' });
}

const inSize = (p: Pool2DInfo) => p.batch * p.inHeight * p.inWidth * p.channels;
const outSize = (p: Pool2DInfo) => p.batch * p.outHeight * p.outWidth * p.channels;

/** Whether some window lies wholly in explicit padding (its max is −∞: no input to take). */
function hasEmptyWindow(p: Pool2DInfo): boolean {
  return p.padTop >= p.poolHeight || p.padBottom >= p.poolHeight || p.padLeft >= p.poolWidth || p.padRight >= p.poolWidth;
}

function randomPoolInfos(rand: () => number, count: number, allowEmptyWindows: boolean): Pool2DInfo[] {
  const out: Pool2DInfo[] = [];
  while (out.length < count) {
    const shape = [randInt(rand, 1, 2), randInt(rand, 1, 7), randInt(rand, 1, 7), randInt(rand, 1, 4)];
    const r = rand();
    const padding: Padding = r < 0.4 ? 'same' : r < 0.8 ? 'valid' : [[randInt(rand, 0, 1), randInt(rand, 0, 1)], [randInt(rand, 0, 1), randInt(rand, 0, 1)]];
    try {
      const p = info(shape, [randInt(rand, 1, 3), randInt(rand, 1, 3)], [randInt(rand, 1, 3), randInt(rand, 1, 3)], padding);
      if (allowEmptyWindows || !hasEmptyWindow(p)) out.push(p);
    } catch {
      // empty output for this draw
    }
  }
  return out;
}

test('maxPool on [[4,3],[2,1]] with a 2x2 pool, stride 1', () => {
  const x = new Float64Array([4, 3, 2, 1]);
  assert.deepEqual(Array.from(B.maxPool(x, info([1, 2, 2, 1], [2, 2], [1, 1], 'valid'))), [4]);
  const same = info([1, 2, 2, 1], [2, 2], [1, 1], 'same');
  assert.deepEqual([same.outHeight, same.outWidth], [2, 2]);
  assert.deepEqual(Array.from(B.maxPool(x, same)), [4, 3, 2, 1]);
});

test('maxPool: padding cells never win, even over negative inputs', () => {
  const x = new Float64Array([-4, -3, -2, -1]);
  assert.deepEqual(Array.from(B.maxPool(x, info([1, 2, 2, 1], [2, 2], [1, 1], 'same'))), [-1, -1, -1, -1]);
  // Explicit padding around a 1×1 input: every window holds the single input.
  assert.deepEqual(Array.from(B.maxPool(new Float64Array([-5]), info([1, 1, 1, 1], [2, 2], [1, 1], [[1, 1], [1, 1]]))), [-5, -5, -5, -5]);
  // A window wholly in explicit padding has nothing to take: −∞ for max, 0 for average.
  const empty = info([1, 1, 1, 1], [1, 1], [1, 1], [[1, 0], [0, 0]]);
  assert.deepEqual(Array.from(B.maxPool(new Float64Array([3]), empty)), [-Infinity, 3]);
  assert.deepEqual(Array.from(B.avgPool(new Float64Array([3]), empty)), [0, 3]);
});

test('avgPool divides by the number of in-bounds cells (TF same semantics)', () => {
  // 3×3 input 1..9, 3×3 pool, stride 1, same: corner averages 4 cells, edge 6, centre 9.
  const x = Float64Array.from({ length: 9 }, (_, i) => i + 1);
  const y = B.avgPool(x, info([1, 3, 3, 1], [3, 3], [1, 1], 'same'));
  assertClose(y, [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7], 1e-15, 0, 'avgPool same');
});

test('maxPoolBackprop routes to the first maximum of a window in row-major order', () => {
  const x = new Float64Array([7, 7, 7, 7]);
  const dx = B.maxPoolBackprop(new Float64Array([1]), x, info([1, 2, 2, 1], [2, 2], [1, 1], 'valid'));
  assert.deepEqual(Array.from(dx), [1, 0, 0, 0]);
  // Tie between the second and fourth cells: the second (earlier in scan order) gets it.
  const dx2 = B.maxPoolBackprop(new Float64Array([2]), new Float64Array([1, 5, 3, 5]), info([1, 2, 2, 1], [2, 2], [1, 1], 'valid'));
  assert.deepEqual(Array.from(dx2), [0, 2, 0, 0]);
  // Overlapping windows accumulate: with 'same' on [[4,3],[2,1]], the 4 wins only the first window.
  const dx3 = B.maxPoolBackprop(new Float64Array([1, 10, 100, 1000]), new Float64Array([4, 3, 2, 1]), info([1, 2, 2, 1], [2, 2], [1, 1], 'same'));
  assert.deepEqual(Array.from(dx3), [1, 10, 100, 1000]);
});

test('avgPoolBackprop is the adjoint of avgPool', () => {
  const rand = rng(5);
  for (const p of randomPoolInfos(rand, 60, true)) {
    const x = randArray(inSize(p), rand), dy = randArray(outSize(p), rand);
    const dx = B.avgPoolBackprop(dy, p);
    assert.equal(dx.length, x.length);
    const scale = absDot(B.avgPool(x.map(Math.abs), p), dy.map(Math.abs)) || 1;
    assertAdjoint(dot(B.avgPool(x, p), dy), dot(x, dx), scale, 1e-12, JSON.stringify(p));
  }
});

test('maxPoolBackprop matches finite differences on tie-free inputs', () => {
  const rand = rng(11);
  for (const p of randomPoolInfos(rand, 40, false)) {
    const n = inSize(p);
    // A shuffled ramp: all values distinct by ≥ 0.01, so a 1e-4 step never changes a window's winner.
    const x = Float64Array.from({ length: n }, (_, i) => i * 0.01);
    for (let i = n - 1; i > 0; i--) {
      const j = randInt(rand, 0, i);
      [x[i], x[j]] = [x[j], x[i]];
    }
    const dy = randArray(outSize(p), rand);
    const dx = B.maxPoolBackprop(dy, x, p);
    const h = 1e-4;
    for (let i = 0; i < n; i++) {
      const xp = x.slice(), xm = x.slice();
      xp[i] += h;
      xm[i] -= h;
      const fd = (dot(B.maxPool(xp, p), dy) - dot(B.maxPool(xm, p), dy)) / (2 * h);
      assert.ok(Math.abs(fd - dx[i]) < 1e-9, `${JSON.stringify(p)} [${i}]: fd ${fd} vs ${dx[i]}`);
    }
  }
});

test('pooling keeps the element type', () => {
  const p = info([2, 5, 5, 3], [2, 2], [2, 2], 'same');
  for (const type of ['float32', 'float64'] as const) {
    const Ctor = type === 'float32' ? Float32Array : Float64Array;
    const rand = rng(1);
    const x = randArray(inSize(p), rand, type), dy = randArray(outSize(p), rand, type);
    assert.ok(B.maxPool(x, p) instanceof Ctor);
    assert.ok(B.maxPoolBackprop(dy, x, p) instanceof Ctor);
    assert.ok(B.avgPool(x, p) instanceof Ctor);
    assert.ok(B.avgPoolBackprop(dy, p) instanceof Ctor);
  }
});
