/** Small helpers shared by op files. */
import type { DataArray, FloatArray } from '../backend/backend.js';
import { be } from '../backend/registry.js';
import { ValueError } from '../errors.js';
import { type Shape, Tensor } from '../tensor/tensor.js';

export function wrap(values: DataArray, shape: Shape): Tensor {
  return new Tensor(values, shape);
}

/** The values as floats: int32 tensors are converted (ops on labels, masks…). */
export function floats(x: Tensor): FloatArray {
  const v = x.values;
  return v instanceof Int32Array ? (be().cast(v, 'float32') as FloatArray) : v;
}

/** `v` as the float type of `like` (converted only when it differs): a bias or gradient joining x's precision. */
export function asFloatsOf<T extends FloatArray>(v: DataArray, like: T): T {
  return (v.constructor === like.constructor ? v : be().cast(v, like instanceof Float64Array ? 'float64' : 'float32')) as T;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function shapeStr(s: Shape): string {
  return `(${s.join(', ')})`;
}

export function assertTensor(x: unknown, op: string, arg = 'x'): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: argument '${arg}' must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}
