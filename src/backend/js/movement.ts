/** Data movement: transpose, slice, concat, pad, gather (and its gradient), broadcastTo. */
import type { DataArray, FloatArray } from '../backend.js';
import { coalesce, forEachRow } from './broadcast.js';
import { allocLike, broadcastStrides, prodRange, sizeOf, stridesOf } from './util.js';

/** out[o..o+len) = x[xi + j·s] — the strided gather every movement op reduces to. */
function copyRow(out: DataArray, o: number, x: DataArray, xi: number, s: number, len: number): void {
  if (s === 1) for (let j = 0; j < len; j++) out[o + j] = x[xi + j];
  else for (let j = 0; j < len; j++) out[o + j] = x[xi + j * s];
}

export function transpose(x: DataArray, shape: readonly number[], perm: readonly number[]): DataArray {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const out = allocLike(x, x.length);
  const loop = coalesce(outShape, [perm.map((p) => inStrides[p])]);
  const s = loop.strides[0][loop.dims.length - 1];
  forEachRow(loop, (o, offs, len) => copyRow(out, o, x, offs[0], s, len));
  return out;
}

export function slice(x: DataArray, shape: readonly number[], begin: readonly number[], size: readonly number[]): DataArray {
  const inStrides = stridesOf(shape);
  let base = 0;
  for (let i = 0; i < shape.length; i++) base += begin[i] * inStrides[i];
  const out = allocLike(x, sizeOf(size));
  const loop = coalesce(size, [inStrides]);
  const s = loop.strides[0][loop.dims.length - 1];
  forEachRow(loop, (o, offs, len) => copyRow(out, o, x, base + offs[0], s, len));
  return out;
}

/** Inputs are laid side by side along `axis`: per outer index, each input contributes one block. */
export function concat(xs: readonly DataArray[], shapes: readonly (readonly number[])[], axis: number): DataArray {
  const outer = prodRange(shapes[0], 0, axis);
  const blocks = shapes.map((s) => prodRange(s, axis, s.length));
  const outBlock = blocks.reduce((a, b) => a + b, 0);
  // A float input decides the element type, like binary ops.
  const like = xs.find((x) => !(x instanceof Int32Array)) ?? xs[0];
  const out = allocLike(like, outer * outBlock);
  let col = 0;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k], blk = blocks[k];
    for (let o = 0; o < outer; o++) copyRow(out, o * outBlock + col, x, o * blk, 1, blk);
    col += blk;
  }
  return out;
}

export function pad(x: DataArray, shape: readonly number[], paddings: readonly (readonly [number, number])[], value: number): DataArray {
  const outShape = shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const outStrides = stridesOf(outShape);
  const out = allocLike(x, sizeOf(outShape));
  if (value !== 0) out.fill(value);
  let base = 0;
  for (let i = 0; i < shape.length; i++) base += paddings[i][0] * outStrides[i];
  // Walk the input contiguously and scatter each row to its place inside the padded output.
  const loop = coalesce(shape, [outStrides]);
  const s = loop.strides[0][loop.dims.length - 1];
  forEachRow(loop, (xi, offs, len) => {
    const o = base + offs[0];
    for (let j = 0; j < len; j++) out[o + j * s] = x[xi + j];
  });
  return out;
}

/** Negative indices count from the end (the op validates the range). */
function wrapIndex(i: number, len: number): number {
  return i < 0 ? i + len : i;
}

export function gather(x: DataArray, shape: readonly number[], indices: Int32Array, axis: number): DataArray {
  const outer = prodRange(shape, 0, axis), len = shape[axis], inner = prodRange(shape, axis + 1, shape.length);
  const n = indices.length;
  const out = allocLike(x, outer * n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      copyRow(out, (o * n + i) * inner, x, (o * len + wrapIndex(indices[i], len)) * inner, 1, inner);
    }
  }
  return out;
}

/** Repeated indices accumulate, which is what makes this the gradient of gather. */
export function gatherGrad(dy: FloatArray, shape: readonly number[], indices: Int32Array, axis: number): FloatArray {
  const outer = prodRange(shape, 0, axis), len = shape[axis], inner = prodRange(shape, axis + 1, shape.length);
  const n = indices.length;
  const dx = allocLike(dy, sizeOf(shape));
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const d = (o * len + wrapIndex(indices[i], len)) * inner, s = (o * n + i) * inner;
      for (let q = 0; q < inner; q++) dx[d + q] += dy[s + q];
    }
  }
  return dx;
}

export function broadcastTo(x: DataArray, shape: readonly number[], outShape: readonly number[]): DataArray {
  const out = allocLike(x, sizeOf(outShape));
  const loop = coalesce(outShape, [broadcastStrides(shape, outShape)]);
  const s = loop.strides[0][loop.dims.length - 1];
  forEachRow(loop, (o, offs, len) => copyRow(out, o, x, offs[0], s, len));
  return out;
}
