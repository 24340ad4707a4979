/** Central finite differences in float64 against the tape's gradients. */
import assert from 'node:assert/strict';
import { valueAndGrads } from '../../src/autograd/tape.js';
import * as ops from '../../src/ops/index.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';

export function rand64(shape: number[], seed: number, scale = 1, offset = 0): Tensor {
  const r = new Random(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = offset + scale * (r.uniform() * 2 - 1);
  return new Tensor(d, shape);
}

/**
 * Checks d/dx sum(f(x…)·R) for a fixed random R against central differences (step 1e-6) at up to
 * `maxPoints` positions per input. Relative error must stay under `tol`.
 */
export function checkGradients(name: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: { tol?: number; maxPoints?: number; seed?: number } = {}): void {
  const tol = opts.tol ?? 1e-6;
  const vars = inputs.map((t, i) => new Variable(t, `${name}_in${i}`, true));
  const probe = f(...vars);
  const weights = rand64([...probe.shape], opts.seed ?? 99);
  const loss = () => ops.sum(ops.mul(f(...vars), weights));
  const { grads } = valueAndGrads(loss, vars);
  const r = new Random(12345);
  vars.forEach((v, k) => {
    const g = grads[k];
    assert.ok(g, `${name}: no gradient for input ${k}`);
    assert.deepEqual([...g.shape], [...v.shape], `${name}: gradient shape for input ${k}`);
    const n = v.size;
    const points = n <= (opts.maxPoints ?? 40) ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: opts.maxPoints ?? 40 }, () => r.int(n));
    for (const i of points) {
      const orig = v.values[i];
      const h = 1e-6 * Math.max(1, Math.abs(orig));
      v.values[i] = orig + h;
      const lp = loss().item();
      v.values[i] = orig - h;
      const lm = loss().item();
      v.values[i] = orig;
      const numeric = (lp - lm) / (2 * h);
      const analytic = g.values[i];
      const err = Math.abs(numeric - analytic) / Math.max(1, Math.abs(numeric), Math.abs(analytic));
      assert.ok(err < tol, `${name}: input ${k} element ${i}: analytic ${analytic} vs numeric ${numeric} (rel. error ${err.toExponential(2)})`);
    }
  });
}
