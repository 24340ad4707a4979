/**
 * Argument handling shared by the vision functions: every input becomes a float64 copy with a
 * shape (SciPy computes these filters in float64, and matching it to 1e-5 needs the same), every
 * output becomes a float32 Tensor (what the rest of convkit consumes). Validation lives here so each
 * function's errors read the same way: `fn: what is wrong; expected what`.
 */
import { ShapeError, ValueError, unknownName } from '../errors.js';
import { type NestedArray, Tensor } from '../tensor/tensor.js';

/** What the vision functions accept for arrays: a Tensor, nested number arrays, or a flat typed array (1-D). */
export type ArrayInput = Tensor | NestedArray | Float32Array | Float64Array | Int32Array | Uint8Array | Uint8ClampedArray;

export interface Array64 {
  data: Float64Array;
  shape: number[];
}

const fmtShape = (s: readonly number[]): string => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

function nestedShape(fn: string, what: string, v: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  if (!Array.isArray(cur) && typeof cur !== 'number') {
    throw new ValueError(`${fn}: ${what} must hold numbers, got ${typeof cur}`);
  }
  return shape;
}

function flattenNested(fn: string, what: string, v: NestedArray, shape: number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof v !== 'number') throw new ValueError(`${fn}: ${what} must hold numbers, got ${Array.isArray(v) ? 'an array' : typeof v} at depth ${dim}`);
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[dim]) {
    throw new ShapeError(`${fn}: ${what} is a ragged nested array: expected length ${shape[dim]} at depth ${dim}, got ${Array.isArray(v) ? v.length : typeof v}`);
  }
  for (const e of v) flattenNested(fn, what, e, shape, dim + 1, out);
}

/** A float64 copy of `x` with its shape; rejects non-numbers and non-finite values (naming the index). */
export function toArray64(fn: string, what: string, x: ArrayInput): Array64 {
  let data: Float64Array;
  let shape: number[];
  if (x instanceof Tensor) {
    data = Float64Array.from(x.values);
    shape = [...x.shape];
  } else if (ArrayBuffer.isView(x)) {
    data = Float64Array.from(x as ArrayLike<number>);
    shape = [data.length];
  } else if (Array.isArray(x)) {
    shape = nestedShape(fn, what, x);
    const flat: number[] = [];
    flattenNested(fn, what, x, shape, 0, flat);
    data = Float64Array.from(flat);
  } else {
    throw new ValueError(`${fn}: ${what} must be a Tensor, a (nested) number array or a typed array, got ${x === null ? 'null' : typeof x}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ValueError(`${fn}: ${what} has a non-finite value (${data[i]}) at flat index ${i}; expected finite numbers`);
    }
  }
  return { data, shape };
}

/** Accepts (h, w) or (h, w, c) and reports which it was; c = 0 means "no channel axis". */
export function asImage(fn: string, what: string, x: ArrayInput): { data: Float64Array; h: number; w: number; c: number; shape: number[] } {
  const a = toArray64(fn, what, x);
  if (a.shape.length !== 2 && a.shape.length !== 3) {
    throw new ShapeError(`${fn}: ${what} must be 2-D (h, w) or 3-D (h, w, channels), got shape ${fmtShape(a.shape)}`);
  }
  if (a.data.length === 0) throw new ShapeError(`${fn}: ${what} is empty (shape ${fmtShape(a.shape)}); expected at least one pixel`);
  return { data: a.data, h: a.shape[0], w: a.shape[1], c: a.shape.length === 3 ? a.shape[2] : 0, shape: a.shape };
}

/** Filter kernels are 2-D (kh, kw) and non-empty; a channel axis would be ambiguous (per channel or summed?). */
export function asKernel2d(fn: string, k: ArrayInput): { data: Float64Array; kh: number; kw: number } {
  const a = toArray64(fn, 'kernel', k);
  if (a.shape.length !== 2) throw new ShapeError(`${fn}: kernel must be 2-D (kh, kw), got shape ${fmtShape(a.shape)}`);
  if (a.data.length === 0) throw new ShapeError(`${fn}: kernel is empty (shape ${fmtShape(a.shape)}); expected kh ≥ 1 and kw ≥ 1`);
  return { data: a.data, kh: a.shape[0], kw: a.shape[1] };
}

/** A pair of integers from `number | [a, b]`, each checked against `min`. */
export function intPair(fn: string, what: string, v: unknown, min: number): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((e) => typeof e === 'number' && Number.isInteger(e) && e >= min)) {
    throw new ValueError(`${fn}: ${what} must be an integer ≥ ${min} or a pair [rows, cols] of them, got ${JSON.stringify(v)}`);
  }
  return [pair[0], pair[1]];
}

export function checkChoice<T extends string>(fn: string, kind: string, v: unknown, valid: readonly T[]): T {
  if (typeof v === 'string' && (valid as readonly string[]).includes(v)) return v as T;
  throw new ValueError(`${fn}: ${unknownName(kind, v, valid).message}`);
}

export function checkFinite(fn: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${fn}: ${what} must be a finite number, got ${JSON.stringify(v) ?? String(v)}`);
  return v;
}

/** Rejects option names that are not known (a typo like `stride` must not be silently ignored). */
export function checkOptions(fn: string, opts: object | undefined, known: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object') throw new ValueError(`${fn}: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  for (const key of Object.keys(opts)) {
    if (!known.includes(key)) throw new ValueError(`${fn}: unknown option ${JSON.stringify(key)}. Valid options: ${known.join(', ')}`);
  }
}

export function toTensor(data: Float64Array, shape: readonly number[]): Tensor {
  return new Tensor(Float32Array.from(data), shape);
}

export { fmtShape };
