/** Creating tensors: from (nested) arrays or typed arrays, constants and seeded random values. */
import type { DataArray } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { allocArray, checkDType, type DType, dtypeOf } from '../tensor/dtype.js';
import { randomFor } from '../tensor/random.js';
import { type NestedArray, type Shape, sizeOf, Tensor, checkShape } from '../tensor/tensor.js';

export type TensorLike = NestedArray | DataArray | Uint8Array | Uint8ClampedArray | Int8Array | Int16Array | Uint16Array | Uint32Array | number[] | Tensor;

function inferShape(v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function flatten(v: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof v !== 'number') throw new ValueError(`tensor(): expected a number at depth ${dim}, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim]) {
    throw new ShapeError(`tensor(): ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(v) ? v.length : typeof v}`);
  }
  for (const e of v) flatten(e, shape, dim + 1, out);
}

/**
 * A tensor from a number, nested arrays or a typed array (with an explicit shape for flat data).
 * Float32 by default; integer typed arrays (e.g. uint8 pixels) are converted to float32 unless
 * `dtype` says otherwise.
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType): Tensor {
  if (values instanceof Tensor) return cast(values, dtype ?? values.dtype, shape);
  const dt = dtype === undefined ? undefined : checkDType(dtype);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values as ArrayLike<number>;
    inferred = [flat.length];
  } else if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values);
    const out: number[] = [];
    flatten(values, inferred, 0, out);
    flat = out;
  } else {
    throw new ValueError(`tensor(): cannot make a tensor from ${typeof values}`);
  }
  const finalShape = shape ? [...shape] : inferred;
  checkShape(finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new ShapeError(`tensor(): ${flat.length} values do not fit shape [${finalShape.join(', ')}] (${sizeOf(finalShape)} values)`);
  }
  if (flat instanceof Float32Array || flat instanceof Float64Array || flat instanceof Int32Array) {
    if (dt === undefined || dt === dtypeOf(flat)) return new Tensor(flat.slice(), finalShape);
  }
  const data = allocArray(dt ?? 'float32', flat.length);
  for (let i = 0; i < flat.length; i++) data[i] = flat[i];
  return new Tensor(data, finalShape);
}

function cast(t: Tensor, dtype: DType, shape?: Shape): Tensor {
  const data = allocArray(dtype, t.size);
  data.set(t.values);
  return new Tensor(data, shape ?? t.shape);
}

export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  return tensor(v, [], dtype);
}

export function fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  checkShape(shape);
  const data = allocArray(checkDType(dtype), sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape);
}

export const zeros = (shape: Shape, dtype: DType = 'float32') => fill(shape, 0, dtype);
export const ones = (shape: Shape, dtype: DType = 'float32') => fill(shape, 1, dtype);
export const zerosLike = (t: Tensor) => fill(t.shape, 0, t.dtype);
export const onesLike = (t: Tensor) => fill(t.shape, 1, t.dtype);

export interface RandomOptions {
  seed?: number;
  dtype?: DType;
}

function randomTensor(shape: Shape, dtype: DType, gen: () => number): Tensor {
  checkShape(shape);
  const data = allocArray(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = gen();
  return new Tensor(data, shape);
}

export function randomNormal(shape: Shape, mean = 0, stddev = 1, opts: RandomOptions = {}): Tensor {
  const r = randomFor(opts.seed);
  return randomTensor(shape, opts.dtype ?? 'float32', () => mean + stddev * r.normal());
}

export function randomUniform(shape: Shape, minval = 0, maxval = 1, opts: RandomOptions = {}): Tensor {
  const r = randomFor(opts.seed);
  return randomTensor(shape, opts.dtype ?? 'float32', () => minval + (maxval - minval) * r.uniform());
}

/** Normal values redrawn until within two standard deviations of the mean (Keras/TF semantics). */
export function truncatedNormal(shape: Shape, mean = 0, stddev = 1, opts: RandomOptions = {}): Tensor {
  const r = randomFor(opts.seed);
  return randomTensor(shape, opts.dtype ?? 'float32', () => {
    for (;;) {
      const z = r.normal();
      if (z >= -2 && z <= 2) return mean + stddev * z;
    }
  });
}

/** [start, stop) with step, like numpy.arange. */
export function range(start: number, stop: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (step === 0) throw new ValueError('range(): step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocArray(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

export function eye(n: number, dtype: DType = 'float32'): Tensor {
  const t = fill([n, n], 0, dtype);
  for (let i = 0; i < n; i++) t.values[i * n + i] = 1;
  return t;
}
