import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DataArray } from '../../../src/backend/backend.js';
import { assertNear, jsBackend, nativeOrFail, randF32, randI32, randShape, rng, sizeOf } from './elementwise_helpers.js';

const { addon, be } = nativeOrFail();

function data(kind: 'f' | 'i', n: number, rand: () => number): Float32Array | Int32Array {
  return kind === 'f' ? randF32(n, rand, -5, 5) : randI32(n, rand, -1000, 1000);
}

function shuffle(rand: () => number, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function same(got: DataArray, want: DataArray, what: string): void {
  assertNear(got, want, what, 0);
}

test('transpose: random ranks 0-5 and large tiled cases, float32 and int32', () => {
  const rand = rng(41);
  const cases: [number[], number[]][] = [
    [[], []], [[5], [0]], [[128, 129], [1, 0]], [[3, 64, 50], [0, 2, 1]], [[2, 9, 11, 40], [0, 3, 1, 2]],
    [[8, 1, 33], [2, 1, 0]], [[0, 4], [1, 0]], [[7, 300, 6], [2, 0, 1]], [[5, 6, 7, 8, 9], [4, 2, 0, 3, 1]],
  ];
  for (let k = 0; k < 30; k++) {
    const rank = Math.floor(rand() * 6);
    cases.push([randShape(rand, rank, 7), shuffle(rand, rank)]);
  }
  for (const [shape, perm] of cases) {
    for (const kind of ['f', 'i'] as const) {
      const x = data(kind, sizeOf(shape), rand);
      same(be.transpose!(x, shape, perm), jsBackend.transpose(x, shape, perm), `transpose ${kind} [${shape}] perm [${perm}]`);
    }
  }
});

test('slice, pad, broadcastTo: random shapes, float32 and int32', () => {
  const rand = rng(42);
  for (let k = 0; k < 40; k++) {
    const rank = Math.floor(rand() * 6);
    const shape = k === 0 ? [300, 257] : randShape(rand, rank, 7);
    for (const kind of ['f', 'i'] as const) {
      const x = data(kind, sizeOf(shape), rand);
      const begin = shape.map((d) => Math.floor(rand() * d));
      const size = shape.map((d, i) => Math.floor(rand() * (d - begin[i] + 1)));
      same(be.slice!(x, shape, begin, size), jsBackend.slice(x, shape, begin, size), `slice ${kind} [${shape}] ${begin} ${size}`);
      const pads = shape.map(() => [Math.floor(rand() * 3), Math.floor(rand() * 3)] as [number, number]);
      for (const value of [0, -0, 1.7, -2.5, NaN, 1e10]) {
        same(be.pad!(x, shape, pads, value), jsBackend.pad(x, shape, pads, value), `pad ${kind} [${shape}] ${JSON.stringify(pads)} ${value}`);
      }
      const outShape = [...randShape(rand, Math.floor(rand() * 2), 3), ...shape];
      const small = shape.map((d) => (rand() < 0.4 ? 1 : d));
      const xs = data(kind, sizeOf(small), rand);
      const o = outShape.slice(0, outShape.length - shape.length).concat(shape);
      same(be.broadcastTo!(xs, small, o), jsBackend.broadcastTo(xs, small, o), `broadcastTo ${kind} [${small}] → [${o}]`);
    }
  }
});

test('concat: random axes, mixed float32/int32 inputs', () => {
  const rand = rng(43);
  for (let k = 0; k < 40; k++) {
    const rank = 1 + Math.floor(rand() * 5);
    const base = k === 0 ? [2000, 30] : randShape(rand, rank, 6);
    const axis = Math.floor(rand() * base.length);
    const count = 1 + Math.floor(rand() * 4);
    const shapes = Array.from({ length: count }, () => base.map((d, i) => (i === axis ? Math.floor(rand() * 4) : d)));
    for (const kinds of ['f', 'i', 'mixed'] as const) {
      const xs = shapes.map((s, j) => data(kinds === 'mixed' ? (j % 2 ? 'i' : 'f') : kinds, sizeOf(s), rand));
      same(be.concat!(xs, shapes, axis), jsBackend.concat(xs, shapes, axis), `concat ${kinds} ${JSON.stringify(shapes)} axis ${axis}`);
    }
  }
});

test('gather / gatherGrad: negative and repeated indices, every axis', () => {
  const rand = rng(44);
  const shapes = [[5], [6, 3], [3, 7, 4], [2, 3, 4, 5], [1000, 64], [2, 5000, 8]];
  for (const shape of shapes) {
    for (let axis = 0; axis < shape.length; axis++) {
      const len = shape[axis];
      const n = Math.floor(rand() * 12);
      const idx = randI32(n, rand, -len, len - 1);
      if (n > 2) idx[1] = idx[0];
      for (const kind of ['f', 'i'] as const) {
        const x = data(kind, sizeOf(shape), rand);
        same(be.gather!(x, shape, idx, axis), jsBackend.gather(x, shape, idx, axis), `gather ${kind} [${shape}] axis ${axis}`);
      }
      const dyShape = shape.map((d, i) => (i === axis ? n : d));
      const dy = randF32(sizeOf(dyShape), rand);
      same(be.gatherGrad!(dy, shape, idx, axis), jsBackend.gatherGrad(dy, shape, idx, axis), `gatherGrad [${shape}] axis ${axis}`);
    }
  }
});

test('movement: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const x = new Float32Array(12), out = new Float32Array(12);
  assert.throws(() => A.transpose(x, [3, 4], [0, 0], out), RangeError);
  assert.throws(() => A.transpose(x, [3, 4], [0, 2], out), RangeError);
  assert.throws(() => A.transpose(x, [3, 4], [1], out), RangeError);
  assert.throws(() => A.transpose(x, [3, 4], [1, 0], new Int32Array(12)), TypeError);
  assert.throws(() => A.transpose(new Float64Array(12), [3, 4], [1, 0], out), TypeError);
  assert.throws(() => A.transpose(x, [3, 5], [1, 0], out), RangeError);
  assert.throws(() => A.slice(x, [3, 4], [2, 0], [2, 4], new Float32Array(8)), RangeError);
  assert.throws(() => A.slice(x, [3, 4], [-1, 0], [2, 4], new Float32Array(8)), RangeError);
  assert.throws(() => A.pad(x, [3, 4], [1, 1], [1], 0, new Float32Array(30)), RangeError);
  assert.throws(() => A.pad(x, [3, 4], [1, 1], [1, 1], 0, new Float32Array(29)), RangeError);
  assert.throws(() => A.gather(x, [3, 4], new Int32Array([3]), 0, new Float32Array(4)), RangeError);
  assert.throws(() => A.gather(x, [3, 4], new Int32Array([-4]), 0, new Float32Array(4)), RangeError);
  assert.throws(() => A.gather(x, [3, 4], new Float32Array([0]), 0, new Float32Array(4)), TypeError);
  assert.throws(() => A.gather(x, [3, 4], new Int32Array([0]), 2, new Float32Array(4)), RangeError);
  assert.throws(() => A.gatherGrad(new Float32Array(4), [3, 4], new Int32Array([5]), 0, x), RangeError);
  assert.throws(() => A.concat([x, new Int32Array(12)], [[3, 4], [3, 4]], 0, new Float32Array(24)), TypeError);
  assert.throws(() => A.concat([x, x], [[3, 4], [4, 3]], 0, new Float32Array(24)), RangeError);
  assert.throws(() => A.concat([x], [[3, 4], [3, 4]], 0, new Float32Array(24)), RangeError);
  assert.throws(() => A.concat(x, [[3, 4]], 0, new Float32Array(12)), TypeError);
  assert.throws(() => A.broadcastTo(x, [3, 4], [2, 3, 5], new Float32Array(30)), RangeError);
  assert.throws(() => A.broadcastTo(x, [3, 4], [4], new Float32Array(4)), RangeError);
  assert.deepEqual(Array.from(be.transpose!(new Int32Array([1, 2, 3, 4]), [2, 2], [1, 0])), [1, 3, 2, 4]);
});
