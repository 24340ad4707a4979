/** Small helpers shared by the js kernels: typed-array allocation and row-major shape arithmetic. */
import type { DataArray } from '../backend.js';

/** A zeroed array of `n` elements with the same element type as `like` (kernels' output rule). */
export function allocLike<T extends DataArray>(like: T, n: number): T {
  return new (like.constructor as new (len: number) => T)(n);
}

/** For kernels that take several inputs of possibly mixed types: prefer a float element type. */
export function floatLike(a: DataArray, b: DataArray): DataArray {
  return a instanceof Int32Array && !(b instanceof Int32Array) ? b : a;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major element strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Strides for reading an array of `shape` as if it had the (numpy-broadcast) `outShape`: dimensions
 * are aligned from the right and broadcast dimensions (size 1, or missing) get stride 0.
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  const s = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] !== 1) s[i + off] = own[i];
  }
  return s;
}

/** Product of shape[from..to). */
export function prodRange(shape: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}
