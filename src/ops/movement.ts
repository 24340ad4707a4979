/** Shape and data-movement ops: reshape, transpose, slice, concat, gather, pad, broadcast… */
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { ShapeError, ValueError } from '../errors.js';
import { broadcastShapes, normAxis } from '../shape/broadcast.js';
import { allocArray, type DType } from '../tensor/dtype.js';
import { type Shape, sizeOf, Tensor } from '../tensor/tensor.js';
import { floats, sameShape, shapeStr, wrap } from './util.js';
import { sumToShape } from './elementwise.js';

/** Reshape; one dimension may be -1 (inferred). Shares the data (no copy). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const out = [...shape];
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    if (out.indexOf(-1, unknown + 1) >= 0) throw new ShapeError(`reshape: only one dimension can be -1, got ${shapeStr(shape)}`);
    const known = sizeOf(out.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape a tensor of shape ${shapeStr(x.shape)} (${x.size} values) into ${shapeStr(shape)}`);
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape a tensor of shape ${shapeStr(x.shape)} (${x.size} values) into ${shapeStr(shape)} (${sizeOf(out)} values)`);
  }
  if (sameShape(out, x.shape)) return x;
  const y = wrap(x.values, out);
  return record('reshape', y, [x], (dy) => [reshape(dy, x.shape)]);
}

export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0] ?? 1, -1]);
}

export function expandDims(x: Tensor, axis = 0): Tensor {
  const a = normAxis(axis, x.rank + 1, 'expandDims');
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, axis?: number[]): Tensor {
  const axes = axis?.map((a) => normAxis(a, x.rank, 'squeeze'));
  for (const a of axes ?? []) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: dimension ${a} of shape ${shapeStr(x.shape)} is ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normAxis(a, x.rank, 'transpose')) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length) {
    throw new ShapeError(`transpose: perm [${perm?.join(', ')}] is not a permutation of the ${x.rank} axes of ${shapeStr(x.shape)}`);
  }
  const outShape = p.map((a) => x.shape[a]);
  const y = wrap(be().transpose(x.values, x.shape, p), outShape);
  const inverse: number[] = [];
  p.forEach((a, i) => { inverse[a] = i; });
  return record('transpose', y, [x], (dy) => [transpose(dy, inverse)]);
}

/** Slice `size` elements from `begin` on each axis (size -1 = to the end). */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length !== x.rank) throw new ShapeError(`slice: begin [${begin.join(', ')}] must have one entry per axis of ${shapeStr(x.shape)}`);
  const sz = x.shape.map((d, i) => {
    const s = size?.[i] ?? -1;
    return s === -1 ? d - begin[i] : s;
  });
  for (let i = 0; i < x.rank; i++) {
    if (begin[i] < 0 || sz[i] < 0 || begin[i] + sz[i] > x.shape[i]) {
      throw new ShapeError(`slice: begin [${begin.join(', ')}] size [${sz.join(', ')}] is out of bounds for shape ${shapeStr(x.shape)}`);
    }
  }
  const y = wrap(be().slice(x.values, x.shape, begin, sz), sz);
  return record('slice', y, [x], (dy) => [pad(dy, x.shape.map((d, i) => [begin[i], d - begin[i] - sz[i]] as [number, number]))]);
}

export function concat(xs: readonly Tensor[], axis = -1): Tensor {
  if (xs.length === 0) throw new ValueError('concat: needs at least one tensor');
  const rank = xs[0].rank;
  const a = normAxis(axis, rank, 'concat');
  for (const t of xs) {
    if (t.rank !== rank || t.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new ShapeError(`concat: shapes ${xs.map((u) => shapeStr(u.shape)).join(', ')} must match except on axis ${a}`);
    }
  }
  if (xs.length === 1) return xs[0];
  const outShape = [...xs[0].shape];
  outShape[a] = xs.reduce((s, t) => s + t.shape[a], 0);
  const dtype = xs.some((t) => t.dtype === 'float64') ? 'float64' : xs[0].dtype;
  const parts = xs.map((t) => (t.dtype === dtype ? t.values : be().cast(t.values, dtype)));
  const y = wrap(be().concat(parts, xs.map((t) => t.shape), a), outShape);
  return record('concat', y, xs, (dy) => {
    let offset = 0;
    return xs.map((t) => {
      const begin = dy.shape.map((_, i) => (i === a ? offset : 0));
      offset += t.shape[a];
      return slice(dy, begin, t.shape);
    });
  });
}

export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError('stack: needs at least one tensor');
  const a = normAxis(axis, xs[0].rank + 1, 'stack');
  return concat(xs.map((t) => expandDims(t, a)), a);
}

/** Constant padding: `paddings[i] = [before, after]` per axis. */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  if (paddings.length !== x.rank) throw new ShapeError(`pad: paddings must have one [before, after] pair per axis of ${shapeStr(x.shape)}`);
  for (const [p0, p1] of paddings) {
    if (!Number.isInteger(p0) || !Number.isInteger(p1) || p0 < 0 || p1 < 0) throw new ValueError(`pad: paddings must be non-negative integers, got ${JSON.stringify(paddings)}`);
  }
  const outShape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const y = wrap(be().pad(x.values, x.shape, paddings, value), outShape);
  return record('pad', y, [x], (dy) => [slice(dy, paddings.map((p) => p[0]), x.shape)]);
}

function indexArray(indices: Tensor | readonly number[], n: number, op: string): Int32Array {
  const src = indices instanceof Tensor ? indices.values : indices;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) throw new ValueError(`${op}: index ${v} is out of range [0, ${n})`);
    out[i] = v;
  }
  return out;
}

/** Take rows (or entries along `axis`) by index; indices' shape replaces that axis. */
export function gather(x: Tensor, indices: Tensor | readonly number[], axis = 0): Tensor {
  const a = normAxis(axis, x.rank, 'gather');
  const idx = indexArray(indices, x.shape[a], 'gather');
  const idxShape = indices instanceof Tensor ? indices.shape : [idx.length];
  const flatShape = [...x.shape.slice(0, a), idx.length, ...x.shape.slice(a + 1)];
  const outShape = [...x.shape.slice(0, a), ...idxShape, ...x.shape.slice(a + 1)];
  const y = wrap(be().gather(x.values, x.shape, idx, a), outShape);
  return record('gather', y, [x], (dy) => [wrap(be().gatherGrad(floats(reshape(dy, flatShape)), x.shape, idx, a), x.shape)]);
}

export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const out = broadcastShapes(x.shape, shape, 'broadcastTo');
  if (!sameShape(out, shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
  if (sameShape(x.shape, shape)) return x;
  const y = wrap(be().broadcastTo(x.values, x.shape, shape), shape);
  return record('broadcastTo', y, [x], (dy) => [sumToShape(dy, x.shape)]);
}

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const y = wrap(be().cast(x.values, dtype), x.shape);
  if (dtype === 'int32') return y;
  return record('cast', y, [x], (dy) => [x.dtype === 'int32' ? null : cast(dy, x.dtype)]);
}

/** One-hot encode integer labels: shape [...labels.shape, depth]. */
export function oneHot(labels: Tensor | readonly number[], depth: number, dtype: DType = 'float32'): Tensor {
  const idx = indexArray(labels, depth, 'oneHot');
  const shape = labels instanceof Tensor ? [...labels.shape, depth] : [idx.length, depth];
  const data = allocArray(dtype, idx.length * depth);
  for (let i = 0; i < idx.length; i++) data[i * depth + idx[i]] = 1;
  return wrap(data, shape);
}
