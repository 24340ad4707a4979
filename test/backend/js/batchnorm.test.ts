import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { assertClose, dot, randArray, rng } from './helpers.js';

const rows = 6, channels = 3, eps = 1e-3;

test('batchNormTrain normalises with batch mean and biased variance', () => {
  const x = Float64Array.from([1, 10, -1, 3, 20, -1, 5, 30, -1, 7, 40, -1, 9, 50, -1, 11, 60, -1]);
  const gamma = Float64Array.from([2, 1, 1]), beta = Float64Array.from([0.5, 0, 3]);
  const { y, mean, variance } = B.batchNormTrain(x, gamma, beta, channels, eps);
  assertClose(mean, [6, 35, -1], 1e-14, 0, 'mean');
  assertClose(variance, [70 / 6, 1750 / 6, 0], 1e-12, 0, 'variance');
  for (let r = 0; r < rows; r++) {
    const want = (x[r * 3] - 6) / Math.sqrt(70 / 6 + eps) * 2 + 0.5;
    assert.ok(Math.abs(y[r * 3] - want) < 1e-13, `row ${r}`);
    assert.equal(y[r * 3 + 2], 3); // constant channel: x − mean = 0, so y = beta
  }
  const inf = B.batchNormInference(x, mean, variance, gamma, beta, channels, eps);
  assertClose(inf, y, 1e-14, 0, 'inference with batch statistics equals training output');
});

test('batchNormTrainGrad matches central finite differences', () => {
  const rand = rng(17);
  const x = Float64Array.from(randArray(rows * channels, rand), (v) => v * 3 + 1);
  const gamma = Float64Array.from(randArray(channels, rand), (v) => v + 1.5);
  const beta = Float64Array.from(randArray(channels, rand));
  const dy = randArray(rows * channels, rand);
  /** L = <batchNormTrain(x, γ, β).y, dy>, whose gradient is (dx, dγ, dβ) at dy. */
  const loss = (xv: Float64Array, g: Float64Array, b: Float64Array) => dot(B.batchNormTrain(xv, g, b, channels, eps).y, dy);
  const { mean, variance } = B.batchNormTrain(x, gamma, beta, channels, eps);
  const grad = B.batchNormTrainGrad(dy, x, gamma, mean, variance, channels, eps);
  const h = 1e-6;
  const fd = (v: Float64Array, i: number, f: () => number) => {
    const old = v[i];
    v[i] = old + h;
    const up = f();
    v[i] = old - h;
    const down = f();
    v[i] = old;
    return (up - down) / (2 * h);
  };
  const L = () => loss(x, gamma, beta);
  for (let i = 0; i < x.length; i++) {
    const n = fd(x, i, L);
    assert.ok(Math.abs(n - grad.dx[i]) < 1e-7, `dx[${i}]: fd ${n} vs ${grad.dx[i]}`);
  }
  for (let c = 0; c < channels; c++) {
    const ng = fd(gamma, c, L), nb = fd(beta, c, L);
    assert.ok(Math.abs(ng - grad.dgamma[c]) < 1e-7, `dgamma[${c}]: fd ${ng} vs ${grad.dgamma[c]}`);
    assert.ok(Math.abs(nb - grad.dbeta[c]) < 1e-7, `dbeta[${c}]: fd ${nb} vs ${grad.dbeta[c]}`);
  }
});

test('batch norm kernels keep the element type', () => {
  for (const type of ['float32', 'float64'] as const) {
    const Ctor = type === 'float32' ? Float32Array : Float64Array;
    const rand = rng(1);
    const x = randArray(rows * channels, rand, type), g = randArray(channels, rand, type), b = randArray(channels, rand, type);
    const t = B.batchNormTrain(x, g, b, channels, eps);
    assert.ok(t.y instanceof Ctor && t.mean instanceof Ctor && t.variance instanceof Ctor);
    assert.ok(B.batchNormInference(x, t.mean, t.variance, g, b, channels, eps) instanceof Ctor);
    const gr = B.batchNormTrainGrad(x, x, g, t.mean, t.variance, channels, eps);
    assert.ok(gr.dx instanceof Ctor && gr.dgamma instanceof Ctor && gr.dbeta instanceof Ctor);
  }
});
