/** Broadcasting arithmetic and element-wise math, each with its gradient. */
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { broadcastAxes, broadcastShapes } from '../shape/broadcast.js';
import { type Shape, Tensor } from '../tensor/tensor.js';
import { scalar } from './creation.js';
import { floats, sameShape, wrap } from './util.js';
import { broadcastTo, reshape } from './movement.js';
import { sum } from './reduce.js';

type Operand = Tensor | number;

function toTensor(v: Operand, like: Tensor): Tensor {
  return v instanceof Tensor ? v : scalar(v, like.dtype === 'int32' ? 'float32' : like.dtype);
}

/** Sum a broadcast gradient back down to the shape of the operand it came from. */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const axes = broadcastAxes(shape, g.shape);
  const reduced = axes.length > 0 ? sum(g, axes) : g;
  return reshape(reduced, shape);
}

function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(a.shape, b.shape, op);
  // Mixed float widths compute in the wider type so float64 gradient checks stay exact.
  let av = a.values;
  let bv = b.values;
  if (av.constructor !== bv.constructor) {
    const wide = av instanceof Float64Array || bv instanceof Float64Array ? 'float64' : 'float32';
    av = floats(a);
    bv = floats(b);
    if (wide === 'float64') {
      av = be().cast(av, 'float64');
      bv = be().cast(bv, 'float64');
    }
  }
  return wrap(be().binary(op, av, a.shape, bv, b.shape, outShape), outShape);
}

function binary(op: BinaryOp, aIn: Operand, bIn: Operand, grad: (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]): Tensor {
  const a = aIn instanceof Tensor ? aIn : toTensor(aIn, bIn as Tensor);
  const b = toTensor(bIn, a);
  const y = binaryRaw(op, a, b);
  return record(op, y, [a, b], (dy) => {
    const [ga, gb] = grad(dy, a, b, y);
    return [ga && a.requiresGrad ? sumToShape(ga, a.shape) : null, gb && b.requiresGrad ? sumToShape(gb, b.shape) : null];
  });
}

export const add = (a: Operand, b: Operand): Tensor => binary('add', a, b, (dy) => [dy, dy]);
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', a, b, (dy) => [dy, neg(dy)]);
export const mul = (a: Operand, b: Operand): Tensor => binary('mul', a, b, (dy, x, w) => [mul(dy, w), mul(dy, x)]);
export const div = (a: Operand, b: Operand): Tensor =>
  binary('div', a, b, (dy, x, w) => [div(dy, w), neg(div(mul(dy, x), mul(w, w)))]);
export const pow = (a: Operand, b: Operand): Tensor =>
  binary('pow', a, b, (dy, x, e, y) => [
    mul(dy, mul(e, pow(x, sub(e, 1)))),
    // d/de x^e = y·ln x, defined where x > 0 (0 elsewhere, as TensorFlow does).
    mul(dy, mul(y, where(greater(x, 0), log(maximum(x, 1e-38)), 0))),
  ]);
export const maximum = (a: Operand, b: Operand): Tensor =>
  binary('maximum', a, b, (dy, x, w) => [mul(dy, greaterEqual(x, w)), mul(dy, less(x, w))]);
export const minimum = (a: Operand, b: Operand): Tensor =>
  binary('minimum', a, b, (dy, x, w) => [mul(dy, lessEqual(x, w)), mul(dy, greater(x, w))]);

function compare(op: BinaryOp, a: Operand, b: Operand): Tensor {
  const at = a instanceof Tensor ? a : toTensor(a, b as Tensor);
  return binaryRaw(op, at, toTensor(b, at));
}
/** Comparisons return 0/1 tensors and have no gradient. */
export const equal = (a: Operand, b: Operand): Tensor => compare('equal', a, b);
export const notEqual = (a: Operand, b: Operand): Tensor => compare('notEqual', a, b);
export const greater = (a: Operand, b: Operand): Tensor => compare('greater', a, b);
export const greaterEqual = (a: Operand, b: Operand): Tensor => compare('greaterEqual', a, b);
export const less = (a: Operand, b: Operand): Tensor => compare('less', a, b);
export const lessEqual = (a: Operand, b: Operand): Tensor => compare('lessEqual', a, b);

/** Element-wise op whose derivative the backend computes from x and y. */
export function unary(op: UnaryOp, x: Tensor, alpha?: number): Tensor {
  const xv = floats(x);
  const y = wrap(be().unary(op, xv, alpha), x.shape);
  return record(op, y, [x], (dy) => [wrap(be().unaryGrad(op, floats(dy), xv, y.values as typeof xv, alpha), x.shape)]);
}

export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const sign = (x: Tensor): Tensor => unary('sign', x);
export const square = (x: Tensor): Tensor => unary('square', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const rsqrt = (x: Tensor): Tensor => unary('rsqrt', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const log1p = (x: Tensor): Tensor => unary('log1p', x);
export const reciprocal = (x: Tensor): Tensor => unary('reciprocal', x);
export const floor = (x: Tensor): Tensor => unary('floor', x);
export const ceil = (x: Tensor): Tensor => unary('ceil', x);
export const round = (x: Tensor): Tensor => unary('round', x);
export const isNaN = (x: Tensor): Tensor => unary('isnan', x);

/** Clamp into [lo, hi]; the gradient passes where the value was inside the range. */
export function clipByValue(x: Tensor, lo: number, hi: number): Tensor {
  const xv = floats(x);
  const y = wrap(be().clip(xv, lo, hi), x.shape);
  return record('clipByValue', y, [x], (dy) => [mul(dy, mul(greaterEqual(x, lo), lessEqual(x, hi)))]);
}

/** cond ? a : b with broadcasting of all three. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  let at = toTensor(a, like);
  let bt = toTensor(b, like);
  const shape = broadcastShapes(broadcastShapes(cond.shape, at.shape, 'where'), bt.shape, 'where');
  const c = broadcastTo(cond, shape);
  at = broadcastTo(at, shape);
  bt = broadcastTo(bt, shape);
  const y = wrap(be().where(c.values, floats(at), floats(bt)), shape);
  return record('where', y, [at, bt], (dy) => [mul(dy, c), mul(dy, sub(1, c))]);
}
