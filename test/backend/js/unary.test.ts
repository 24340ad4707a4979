import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UnaryOp } from '../../../src/backend/backend.js';
import { erf, erfc } from '../../../src/backend/js/erf.js';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose } from './helpers.js';

/** erf by its everywhere-positive series (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)): no cancellation. */
function erfSeries(x: number): number {
  let term = x, sum = x;
  for (let n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
    term *= 2 * x * x / (2 * n + 1);
    sum += term;
  }
  return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
}

/** erfc(x) for x ≥ 2 by its continued fraction, evaluated bottom-up. */
function erfcContinuedFraction(x: number): number {
  let t = x;
  for (let n = 300; n >= 1; n--) t = x + n / 2 / t;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * t);
}

test('erf and erfc are accurate to near double precision', () => {
  let worstErf = 0, worstErfc = 0;
  for (let i = -600; i <= 600; i++) {
    const x = i / 100 + 0.00123;
    if (Math.abs(x) <= 3) worstErf = Math.max(worstErf, Math.abs(erf(x) - erfSeries(x)));
    if (x >= 2) {
      const ref = erfcContinuedFraction(x);
      worstErfc = Math.max(worstErfc, Math.abs(erfc(x) - ref) / ref, Math.abs(erfc(-x) - (2 - ref)) / 2);
    }
  }
  for (const x of [0.46875, 0.46876, 4, 4.0001, 10, 25]) {
    const ref = erfcContinuedFraction(x);
    if (x >= 2) worstErfc = Math.max(worstErfc, Math.abs(erfc(x) - ref) / ref);
    else worstErf = Math.max(worstErf, Math.abs(erf(x) - erfSeries(x)), Math.abs(erf(-x) + erfSeries(x)));
  }
  assert.ok(worstErf < 4e-15, `erf abs error ${worstErf}`);
  assert.ok(worstErfc < 1e-13, `erfc rel error ${worstErfc}`);
  assert.equal(erf(0), 0);
  assert.equal(erf(Infinity), 1);
  assert.equal(erf(-Infinity), -1);
  assert.equal(erfc(30), 0);
  assert.ok(Number.isNaN(erf(NaN)));
});

const SELU_A = 1.6732632423543772, SELU_S = 1.0507009873554805;

/** Independent scalar definitions the kernels are checked against. */
const reference: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x, abs: Math.abs, sign: Math.sign, square: (x) => x * x, sqrt: Math.sqrt, rsqrt: (x) => x ** -0.5,
  exp: Math.exp, log: Math.log, log1p: Math.log1p, reciprocal: (x) => 1 / x, relu: (x) => Math.max(x, 0),
  relu6: (x) => Math.min(Math.max(x, 0), 6), sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh,
  elu: (x) => (x > 0 ? x : Math.exp(x) - 1), selu: (x) => SELU_S * (x > 0 ? x : SELU_A * (Math.exp(x) - 1)),
  softplus: (x) => Math.log(1 + Math.exp(x)), softsign: (x) => x / (1 + Math.abs(x)),
  gelu: (x) => 0.5 * x * (1 + (Math.abs(x) <= 3 ? erfSeries(x / Math.SQRT2) : Math.sign(x) * (1 - erfcContinuedFraction(Math.abs(x) / Math.SQRT2)))),
  gelu_tanh: (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
  swish: (x) => x / (1 + Math.exp(-x)), hard_sigmoid: (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  floor: Math.floor, ceil: Math.ceil, round: (x) => x, step: (x) => (x > 0 ? 1 : 0), isnan: (x) => (Number.isNaN(x) ? 1 : 0),
};
const ops = Object.keys(reference) as UnaryOp[];

/** Points inside each op's domain and away from its kinks. */
function samplePoints(op: UnaryOp): number[] {
  const pts: number[] = [];
  for (let i = 0; i < 41; i++) pts.push(-4.1 + i * 0.2 + 0.013);
  if (op === 'sqrt' || op === 'rsqrt' || op === 'log') return pts.map((x) => Math.abs(x) + 0.05);
  if (op === 'log1p') return pts.map((x) => Math.abs(x) - 0.9);
  if (op === 'relu6') return pts.map((x) => x * 2);
  if (op === 'round') return pts.map((x) => Math.round(x)); // integers: round is identity there
  return pts;
}

test('every unary op matches its definition away from edge cases', () => {
  for (const op of ops) {
    const x = Float64Array.from(samplePoints(op));
    assertClose(B.unary(op, x), Array.from(x, reference[op]), 1e-14, 1e-13, op);
  }
});

test('unary ops: edge values', () => {
  const u = (op: UnaryOp, v: number[], alpha?: number) => Array.from(B.unary(op, Float64Array.from(v), alpha));
  assert.deepEqual(u('round', [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6]), [0, 2, 2, -0, -2, -2, 2, -3]);
  assert.deepEqual(u('sigmoid', [-1000, 1000]), [0, 1]);
  assert.deepEqual(u('softplus', [-1000, 1000]), [0, 1000]);
  assert.deepEqual(u('swish', [-1000]), [-0]);
  assert.deepEqual(u('hard_sigmoid', [-3, 0, 3, 10]), [0, 0.5, 1, 1]);
  assert.deepEqual(u('step', [-1, 0, 2]), [0, 0, 1]);
  assert.deepEqual(u('isnan', [NaN, 0, Infinity]), [1, 0, 0]);
  assertClose(u('elu', [-1, 2], 0.5), [0.5 * (Math.exp(-1) - 1), 2], 1e-15, 0, 'elu alpha');
  assertClose(u('selu', [-1]), [SELU_S * SELU_A * (Math.exp(-1) - 1)], 1e-15, 0, 'selu');
  assertClose(u('gelu', [-10, 1]), [-10 * 0.5 * erfcContinuedFraction(10 / Math.SQRT2), 0.8413447460685429], 1e-300, 1e-13, 'gelu');
  assert.ok(B.unary('exp', new Float32Array(2)) instanceof Float32Array);
  assert.ok(B.unary('exp', new Float64Array(2)) instanceof Float64Array);
});

test('unaryGrad equals the derivative (central finite differences) for every differentiable op', () => {
  const h = 1e-6;
  for (const op of ops) {
    for (const alpha of op === 'elu' ? [1, 0.3] : [1]) {
      const x = Float64Array.from(samplePoints(op));
      const y = B.unary(op, x, alpha);
      const dy = Float64Array.from(x, (_, i) => 1 + i / 10);
      const dx = B.unaryGrad(op, dy, x, y, alpha);
      const up = B.unary(op, x.map((v) => v + h), alpha), down = B.unary(op, x.map((v) => v - h), alpha);
      const piecewiseConstant = ['sign', 'floor', 'ceil', 'step', 'isnan', 'round'].includes(op);
      for (let i = 0; i < x.length; i++) {
        const fd = piecewiseConstant ? 0 : dy[i] * (up[i] - down[i]) / (2 * h);
        assert.ok(Math.abs(dx[i] - fd) <= 1e-6 * (1 + Math.abs(fd)), `${op}(alpha ${alpha}) at ${x[i]}: ${dx[i]} vs fd ${fd}`);
      }
    }
  }
});

test('unaryGrad at kinks: relu-like ops give 0', () => {
  const g = (op: UnaryOp, v: number[]) => {
    const x = Float64Array.from(v);
    return Array.from(B.unaryGrad(op, Float64Array.from(v, () => 1), x, B.unary(op, x)));
  };
  assert.deepEqual(g('relu', [0, -1, 1]), [0, 0, 1]);
  assert.deepEqual(g('relu6', [0, 6, 3]), [0, 0, 1]);
  assert.deepEqual(g('abs', [0]), [0]);
  assert.deepEqual(g('hard_sigmoid', [-3, 3, 0]), [0, 0, 1 / 6]);
  assert.deepEqual(g('round', [0.5, 1]), [0, 0]);
  assert.ok(B.unaryGrad('tanh', new Float32Array(1), new Float32Array(1), new Float32Array(1)) instanceof Float32Array);
});
