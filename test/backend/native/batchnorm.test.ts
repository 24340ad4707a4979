import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNear, forEachIsa, jsBackend, nativeOrFail, randF32, rng } from './elementwise_helpers.js';

const { addon, be } = nativeOrFail();
const SHAPES: [number, number][] = [[1, 1], [7, 3], [1, 16], [33, 17], [128, 5], [4096, 64], [20000, 3], [3, 40000]];

test('batchNormTrain / Inference / TrainGrad match js, every ISA', () => {
  const rand = rng(31);
  forEachIsa(addon, (isa) => {
    for (const [rows, c] of SHAPES) {
      for (const offset of [0, 100]) {
        const x = randF32(rows * c, rand, offset - 2, offset + 2);
        const gamma = randF32(c, rand, 0.5, 1.5), beta = randF32(c, rand, -1, 1);
        const what = `${isa} ${rows}x${c} offset ${offset}`;
        const got = be.batchNormTrain!(x, gamma, beta, c, 1e-3);
        const want = jsBackend.batchNormTrain(x, gamma, beta, c, 1e-3);
        assertNear(got.y, want.y, `y ${what}`);
        assertNear(got.mean, want.mean, `mean ${what}`);
        assertNear(got.variance, want.variance, `variance ${what}`);
        const mean = want.mean, variance = want.variance;
        assertNear(be.batchNormInference!(x, mean, variance, gamma, beta, c, 1e-3),
          jsBackend.batchNormInference(x, mean, variance, gamma, beta, c, 1e-3), `inference ${what}`);
        const dy = randF32(rows * c, rand, -1, 1);
        const g = be.batchNormTrainGrad!(dy, x, gamma, mean, variance, c, 1e-3);
        const w = jsBackend.batchNormTrainGrad(dy, x, gamma, mean, variance, c, 1e-3);
        assertNear(g.dx, w.dx, `dx ${what}`);
        assertNear(g.dgamma, w.dgamma, `dgamma ${what}`);
        assertNear(g.dbeta, w.dbeta, `dbeta ${what}`);
      }
    }
  });
  const x64 = new Float64Array([1, 2, 3, 4]);
  assert.ok(be.batchNormTrain!(x64, new Float64Array([1, 1]), new Float64Array(2), 2, 1e-3).y instanceof Float64Array);
});

test('batchnorm: bad calls throw and the process survives', () => {
  const A = addon as unknown as Record<string, (...args: unknown[]) => unknown>;
  const f = (n: number) => new Float32Array(n);
  assert.throws(() => A.batchNormTrain(f(10), f(3), f(3), f(10), f(3), f(3), 3, 1e-3), RangeError);
  assert.throws(() => A.batchNormTrain(f(9), f(2), f(3), f(9), f(3), f(3), 3, 1e-3), RangeError);
  assert.throws(() => A.batchNormTrain(f(9), f(3), f(3), f(9), f(3), f(3), 0, 1e-3), RangeError);
  assert.throws(() => A.batchNormTrain(new Float64Array(9), f(3), f(3), f(9), f(3), f(3), 3, 1e-3), TypeError);
  assert.throws(() => A.batchNormInference(f(9), f(3), f(3), f(3), f(3), f(8), 3, 1e-3), RangeError);
  assert.throws(() => A.batchNormTrainGrad(f(8), f(9), f(3), f(3), f(3), f(9), f(3), f(3), 3, 1e-3), RangeError);
  assert.throws(() => A.batchNormTrainGrad(f(9), f(9), f(3), f(3), f(3), f(9), f(3), f(3), 3, 'x'), TypeError);
  assert.equal(be.batchNormInference!(f(3).fill(1), f(3), f(3).fill(1), f(3).fill(1), f(3), 3, 0)[0], 1);
});
