/**
 * The n-d array every op consumes and produces. Storage is a plain typed array owned by the
 * garbage collector: no dispose()/tidy() is ever needed for correctness. Ops never mutate a
 * tensor's data; only Variable.assign writes in place (so optimizers can update weights without
 * reallocating, and a native backend can keep pointing at the same memory).
 */
import type { DataArray } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { type DType, dtypeOf } from './dtype.js';
import { formatTensor } from './format.js';
import type { GradNode } from '../autograd/tape.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`Invalid ${what} [${shape.join(', ')}]: every dimension must be a non-negative integer`);
  }
}

let nextId = 0;

export class Tensor {
  readonly id = nextId++;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Whether gradients flow back through this tensor. */
  requiresGrad = false;
  /** The op that produced this tensor while gradients were being recorded. */
  gradNode: GradNode | null = null;
  protected storage: DataArray;

  constructor(data: DataArray, shape: Shape) {
    checkShape(shape);
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`Tensor data has ${data.length} values but shape [${shape.join(', ')}] needs ${sizeOf(shape)}`);
    }
    this.storage = data;
    // A frozen shape cannot change under us: share it (ops pass one tensor's shape to the next).
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
  }

  /** The backing typed array. Treat as read-only: ops and kernels share it without copying. */
  get values(): DataArray {
    return this.storage;
  }

  get size(): number {
    return this.storage.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values as a flat typed array (TensorFlow.js's dataSync). */
  dataSync(): DataArray {
    return this.storage.slice();
  }

  /** TensorFlow.js spelling: a copy of the values, asynchronously. */
  async data(): Promise<DataArray> {
    return this.dataSync();
  }

  /** Nested JavaScript arrays (a number for a scalar). */
  toArray(): NestedArray {
    const d = this.storage;
    const shape = this.shape;
    if (shape.length === 0) return d[0];
    const build = (dim: number, offset: number): NestedArray[] | number[] => {
      const n = shape[dim];
      if (dim === shape.length - 1) return Array.from(d.subarray(offset, offset + n));
      const stride = sizeOf(shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride) as NestedArray);
      return out;
    };
    return build(0, 0) as NestedArray;
  }

  /** TensorFlow.js spellings. */
  arraySync(): NestedArray {
    return this.toArray();
  }

  async array(): Promise<NestedArray> {
    return this.toArray();
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item() needs a tensor with one element, got shape [${this.shape.join(', ')}]`);
    return this.storage[0];
  }

  toString(): string {
    return formatTensor(this);
  }

  print(): void {
    console.log(this.toString());
  }

  /** A tensor that shares these values but is cut off from the gradient graph. */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape);
  }
}

export type NestedArray = number | NestedArray[];

/**
 * A named, mutable tensor that holds a model's state (weights, moving statistics, optimizer slots).
 * Trainable variables require gradients; freezing a layer flips `trainable`.
 */
export class Variable extends Tensor {
  readonly name: string;
  private trainableFlag: boolean;
  /** Incremented by every assign(), so caches derived from the values (folded inference weights) know when to refresh. */
  version = 0;

  constructor(initial: Tensor | DataArray, name: string, trainable = true, shape?: Shape) {
    const data = initial instanceof Tensor ? initial.values.slice() : initial;
    super(data, shape ?? (initial instanceof Tensor ? initial.shape : [data.length]));
    this.name = name;
    this.trainableFlag = trainable;
    this.requiresGrad = trainable;
  }

  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(t: boolean) {
    this.trainableFlag = t;
    this.requiresGrad = t;
  }

  /** Overwrite the values in place; shape must match. Accepts a tensor, typed array or flat array. */
  assign(value: Tensor | ArrayLike<number>): void {
    const src = value instanceof Tensor ? value.values : value;
    if (value instanceof Tensor && (value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i]))) {
      throw new ShapeError(`Cannot assign a value of shape [${value.shape.join(', ')}] to variable '${this.name}' of shape [${this.shape.join(', ')}]`);
    }
    if (src.length !== this.size) {
      throw new ShapeError(`Cannot assign ${src.length} values to variable '${this.name}' of shape [${this.shape.join(', ')}] (${this.size} values)`);
    }
    const dst = this.storage;
    this.version++;
    for (let i = 0; i < dst.length; i++) {
      const v = src[i];
      if (typeof v !== 'number') throw new ValueError(`Variable '${this.name}': value ${i} is not a number`);
      dst[i] = v;
    }
  }

  /** The current values as a plain tensor (a copy, so later assigns do not change it). */
  read(): Tensor {
    return new Tensor(this.storage.slice(), this.shape);
  }
}
