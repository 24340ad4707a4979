/**
 * Every differentiable op, in one namespace. Layers and models use these only; only ops call
 * backend kernels. Importing this module also wires the tape's helpers and the Tensor methods.
 */
import { setTapeHelpers } from '../autograd/tape.js';
import { Tensor, type Shape } from '../tensor/tensor.js';
import * as el from './elementwise.js';
import * as act from './activations.js';
import * as mv from './movement.js';
import * as red from './reduce.js';
import { matMul } from './matmul.js';
import { fill } from './creation.js';
import type { DType } from '../tensor/dtype.js';

export * from './creation.js';
export * from './elementwise.js';
export * from './activations.js';
export * from './movement.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './conv.js';
export * from './conv1d.js';
export * from './conv_transpose.js';
export * from './separable_conv.js';
export * from './fused.js';
export * from './pool.js';
export * from './normalization.js';
export * from './random.js';
export * from './layer_norm.js';
export * from './stochastic_pool.js';
export * from './hard_silu.js';
export * from './resize.js';

setTapeHelpers(el.add, (shape, value, like) => fill(shape, value, like.dtype === 'int32' ? 'float32' : like.dtype));

type Operand = Tensor | number;
type Axis = red.Axis;

declare module '../tensor/tensor.js' {
  interface Tensor {
    add(b: Operand): Tensor;
    sub(b: Operand): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    pow(b: Operand): Tensor;
    neg(): Tensor;
    square(): Tensor;
    sqrt(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    abs(): Tensor;
    relu(): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softmax(axis?: number): Tensor;
    matMul(b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
    reshape(shape: Shape): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    flatten(): Tensor;
    expandDims(axis?: number): Tensor;
    squeeze(axis?: number[]): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    gather(indices: Tensor | readonly number[], axis?: number): Tensor;
    cast(dtype: DType): Tensor;
    sum(axis?: Axis, keepDims?: boolean): Tensor;
    mean(axis?: Axis, keepDims?: boolean): Tensor;
    max(axis?: Axis, keepDims?: boolean): Tensor;
    min(axis?: Axis, keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
    argMin(axis?: number): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
  add(this: Tensor, b: Operand) { return el.add(this, b); },
  sub(this: Tensor, b: Operand) { return el.sub(this, b); },
  mul(this: Tensor, b: Operand) { return el.mul(this, b); },
  div(this: Tensor, b: Operand) { return el.div(this, b); },
  pow(this: Tensor, b: Operand) { return el.pow(this, b); },
  neg(this: Tensor) { return el.neg(this); },
  square(this: Tensor) { return el.square(this); },
  sqrt(this: Tensor) { return el.sqrt(this); },
  exp(this: Tensor) { return el.exp(this); },
  log(this: Tensor) { return el.log(this); },
  abs(this: Tensor) { return el.abs(this); },
  relu(this: Tensor) { return act.relu(this); },
  sigmoid(this: Tensor) { return act.sigmoid(this); },
  tanh(this: Tensor) { return act.tanh(this); },
  softmax(this: Tensor, axis?: number) { return act.softmax(this, axis); },
  matMul(this: Tensor, b: Tensor, ta?: boolean, tb?: boolean) { return matMul(this, b, ta, tb); },
  reshape(this: Tensor, shape: Shape) { return mv.reshape(this, shape); },
  transpose(this: Tensor, perm?: readonly number[]) { return mv.transpose(this, perm); },
  flatten(this: Tensor) { return mv.flatten(this); },
  expandDims(this: Tensor, axis?: number) { return mv.expandDims(this, axis); },
  squeeze(this: Tensor, axis?: number[]) { return mv.squeeze(this, axis); },
  slice(this: Tensor, begin: readonly number[], size?: readonly number[]) { return mv.slice(this, begin, size); },
  gather(this: Tensor, indices: Tensor | readonly number[], axis?: number) { return mv.gather(this, indices, axis); },
  cast(this: Tensor, dtype: DType) { return mv.cast(this, dtype); },
  sum(this: Tensor, axis?: Axis, keepDims?: boolean) { return red.sum(this, axis, keepDims); },
  mean(this: Tensor, axis?: Axis, keepDims?: boolean) { return red.mean(this, axis, keepDims); },
  max(this: Tensor, axis?: Axis, keepDims?: boolean) { return red.max(this, axis, keepDims); },
  min(this: Tensor, axis?: Axis, keepDims?: boolean) { return red.min(this, axis, keepDims); },
  argMax(this: Tensor, axis?: number) { return red.argMax(this, axis); },
  argMin(this: Tensor, axis?: number) { return red.argMin(this, axis); },
};
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
