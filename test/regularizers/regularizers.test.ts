import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as regularizers from '../../src/regularizers/index.js';
import { L1, L1L2, L2, Regularizer, getRegularizer, serializeRegularizer } from '../../src/regularizers/index.js';
import { ones, tensor } from '../../src/ops/index.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import { type Tensor, Variable } from '../../src/tensor/tensor.js';
import { ValueError } from '../../src/errors.js';

const X = [[0.5, -1.5, 2], [-0.25, 3, -4]];
const SUM_ABS = 0.5 + 1.5 + 2 + 0.25 + 3 + 4; // 11.25
const SUM_SQ = 0.25 + 2.25 + 4 + 0.0625 + 9 + 16; // 31.5625

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('regularizer values', () => {
  it('L1 = l1 · Σ|x|, default l1 = 0.01', () => {
    const x = tensor(X);
    const p = new L1().apply(x);
    assert.deepEqual(p.shape, []);
    assert.equal(p.dtype, 'float32');
    close(p.item(), 0.01 * SUM_ABS, 1e-6, 'L1()');
    close(new L1({ l1: 0.3 }).apply(x).item(), 0.3 * SUM_ABS, 1e-6, 'L1(0.3)');
    close(regularizers.l1(0.5).apply(x).item(), 0.5 * SUM_ABS, 1e-6, 'l1(0.5)');
  });

  it('L2 = l2 · Σx² (no ½), default l2 = 0.01', () => {
    const x = tensor(X);
    close(new L2().apply(x).item(), 0.01 * SUM_SQ, 1e-6, 'L2()');
    close(regularizers.l2({ l2: 0.001 }).apply(x).item(), 0.001 * SUM_SQ, 1e-6, 'l2({l2})');
    close(regularizers.l2(0.001).apply(x).item(), 0.001 * SUM_SQ, 1e-6, 'l2(0.001)');
    // Keras docstring: L2(2.) on ones((5, 5)) is 50.
    close(new L2({ l2: 2 }).apply(ones([5, 5])).item(), 50, 1e-7, 'L2(2) on ones');
    // Keras docstring: an L1(0.01) Dense kernel of ones (5×5) contributes 0.25.
    close(new L1(0.01).apply(ones([5, 5])).item(), 0.25, 1e-6, 'L1(0.01) on ones');
  });

  it('L1L2 sums both terms; the class defaults to 0 and the factory to 0.01', () => {
    const x = tensor(X, undefined, 'float64');
    const p = new L1L2({ l1: 0.2, l2: 0.1 }).apply(x);
    assert.equal(p.dtype, 'float64');
    close(p.item(), 0.2 * SUM_ABS + 0.1 * SUM_SQ, 1e-14, 'L1L2(0.2, 0.1)');
    close(new L1L2({ l2: 0.1 }).apply(x).item(), 0.1 * SUM_SQ, 1e-14, 'L1L2(l2 only)');
    const zero = new L1L2().apply(x);
    assert.deepEqual(zero.shape, []);
    assert.equal(zero.item(), 0);
    close(regularizers.l1l2().apply(x).item(), 0.01 * SUM_ABS + 0.01 * SUM_SQ, 1e-14, 'l1l2()');
    close(regularizers.l1l2({ l1: 0.5, l2: 0 }).apply(x).item(), 0.5 * SUM_ABS, 1e-14, 'l1l2({l1: 0.5, l2: 0})');
  });

  it('rejects negative, non-finite or non-numeric factors and unknown options', () => {
    assert.throws(() => new L1({ l1: -0.1 }), ValueError);
    assert.throws(() => new L2({ l2: Infinity }), ValueError);
    assert.throws(() => new L1L2({ l1: NaN }), ValueError);
    assert.throws(() => regularizers.l2('0.1' as never), ValueError);
    assert.throws(() => new L2({ l1: 0.1 } as never), /unknown option 'l1'/);
  });
});

describe('regularizer gradients (float64, central differences)', () => {
  const data = [0.7, -1.3, 0.45, 2.2, -0.9, 1.1, -0.35, 0.6, -2.4, 1.9, 0.25, -0.55];
  const shape = [3, 4];

  function numericGrad(reg: Regularizer, values: number[], h: number): number[] {
    const f = (v: number[]) => reg.apply(tensor(new Float64Array(v), shape, 'float64')).item();
    return values.map((_, i) => {
      const plus = values.slice();
      const minus = values.slice();
      plus[i] += h;
      minus[i] -= h;
      return (f(plus) - f(minus)) / (2 * h);
    });
  }

  const cases: [string, Regularizer, (x: number) => number][] = [
    ['L1(0.3)', new L1({ l1: 0.3 }), (x) => 0.3 * Math.sign(x)],
    ['L2(0.2)', new L2({ l2: 0.2 }), (x) => 0.4 * x],
    ['L1L2(0.05, 0.7)', new L1L2({ l1: 0.05, l2: 0.7 }), (x) => 0.05 * Math.sign(x) + 1.4 * x],
  ];
  for (const [name, reg, exact] of cases) {
    it(`${name}`, () => {
      const w = new Variable(new Float64Array(data), 'w', true, shape);
      const { value, grads } = valueAndGrads(() => reg.apply(w), [w]);
      assert.equal(value.dtype, 'float64');
      const g = grads[0] as Tensor;
      assert.ok(g, 'no gradient reached the weight');
      assert.deepEqual(g.shape, shape);
      const num = numericGrad(reg, data, 1e-6);
      for (let i = 0; i < data.length; i++) {
        close(g.values[i], num[i], 1e-7, `${name} d/dw[${i}] vs finite difference`);
        close(g.values[i], exact(data[i]), 1e-12, `${name} d/dw[${i}] vs closed form`);
      }
    });
  }
});

describe('getRegularizer and serializeRegularizer', () => {
  it('resolves names with Keras defaults', () => {
    const a = getRegularizer('l1');
    assert.ok(a instanceof L1);
    assert.deepEqual(a.getConfig(), { l1: 0.01 });
    assert.ok(getRegularizer('L2') instanceof L2);
    assert.deepEqual(getRegularizer('l2').getConfig(), { l2: 0.01 });
    for (const n of ['l1_l2', 'l1l2', 'L1L2']) {
      const r = getRegularizer(n);
      assert.ok(r instanceof L1L2, n);
      assert.deepEqual(r.getConfig(), { l1: 0.01, l2: 0.01 }, n);
    }
  });

  it('returns instances unchanged and null for null', () => {
    const r = new L2({ l2: 0.5 });
    assert.equal(getRegularizer(r), r);
    assert.equal(getRegularizer(null), null);
  });

  it('builds from {class_name, config} with the class defaults', () => {
    assert.deepEqual(getRegularizer({ class_name: 'L2', config: { l2: 0.001 } }).getConfig(), { l2: 0.001 });
    assert.deepEqual(getRegularizer({ className: 'L1', config: {} }).getConfig(), { l1: 0.01 });
    assert.deepEqual(getRegularizer({ class_name: 'L1L2', config: { l1: 0.3 } }).getConfig(), { l1: 0.3, l2: 0 });
    assert.deepEqual(getRegularizer({ module: 'keras.regularizers', class_name: 'L1L2', config: { l1: 0, l2: 0.2 }, registered_name: null }).getConfig(), { l1: 0, l2: 0.2 });
  });

  it('throws for unknown names', () => {
    assert.throws(() => getRegularizer('l3'), (e: unknown) => {
      assert.ok(e instanceof ValueError);
      assert.match(e.message, /Unknown regularizer "l3"/);
      assert.match(e.message, /l1, l2, l1_l2/);
      return true;
    });
    assert.throws(() => getRegularizer({ class_name: 'OrthogonalRegularizer', config: {} }), /Unknown regularizer/);
    assert.throws(() => getRegularizer({ config: {} }), ValueError);
  });

  it('serializes to Keras {class_name, config} and round-trips', () => {
    assert.deepEqual(serializeRegularizer(regularizers.l2(0.001)), { class_name: 'L2', config: { l2: 0.001 } });
    assert.deepEqual(serializeRegularizer('l1'), { class_name: 'L1', config: { l1: 0.01 } });
    assert.deepEqual(serializeRegularizer(new L1L2({ l1: 0.1 })), { class_name: 'L1L2', config: { l1: 0.1, l2: 0 } });
    for (const r of [new L1({ l1: 0.2 }), new L2({ l2: 0.3 }), new L1L2({ l1: 0.4, l2: 0.5 })]) {
      const back = getRegularizer(JSON.parse(JSON.stringify(serializeRegularizer(r))));
      assert.equal(back.className, r.className);
      assert.deepEqual(back.getConfig(), r.getConfig());
    }
  });
});
