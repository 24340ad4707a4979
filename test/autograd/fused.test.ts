/**
 * Fused ops (conv2d/matmul + bias + activation, softmax cross-entropy from logits): gradients against
 * central differences, and values against the unfused composition they replace.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/ops/index.js';
import type { FusedActivation } from '../../src/backend/backend.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

const ACTS: FusedActivation[] = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh'];

function unfused(act: FusedActivation, z: Tensor): Tensor {
  switch (act) {
    case 'relu': return ops.relu(z);
    case 'relu6': return ops.relu6(z);
    case 'sigmoid': return ops.sigmoid(z);
    case 'tanh': return ops.tanh(z);
    default: return z;
  }
}

function maxAbsDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.values[i] - b.values[i]));
  return m;
}

describe('fused conv2d + bias + activation', () => {
  for (const act of ACTS) {
    it(`${act}: equals conv2d → add bias → ${act}, and its gradients match finite differences`, () => {
      // Scale 4 so relu6 saturates somewhere; values stay clear of the kinks at 0 and 6 with high probability.
      const x = rand64([2, 6, 5, 3], 1, 2);
      const w = rand64([3, 2, 3, 4], 2, 1);
      const b = rand64([4], 3, 2);
      const opts = { strides: [2, 1], padding: 'same' as const, dilations: 1 };
      const fused = ops.fusedConv2d(x, w, b, act, opts);
      const ref = unfused(act, ops.add(ops.conv2d(x, w, opts), b));
      assert.ok(maxAbsDiff(fused, ref) < 1e-12, `${act}: fused vs unfused`);
      if (act === 'relu6') assert.ok(Array.from(fused.values).some((v) => v === 6), 'relu6 saturates somewhere in this test');
      checkGradients(`fusedConv2d-${act}`, (a, f, bb) => ops.fusedConv2d(a, f, bb, act, opts), [x, w, b], { maxPoints: 25, tol: 1e-5 });
    });
  }
  it('without bias', () => {
    checkGradients('fusedConv2d-nobias', (a, f) => ops.fusedConv2d(a, f, null, 'tanh', { padding: 'valid' }), [rand64([1, 4, 4, 2], 4), rand64([2, 2, 2, 3], 5)], { maxPoints: 20 });
  });
  it('rejects a bias of the wrong length, naming both shapes', () => {
    assert.throws(() => ops.fusedConv2d(rand64([1, 4, 4, 2], 4), rand64([2, 2, 2, 3], 5), rand64([2], 6), 'relu'), /bias must have shape \(3,\), got \(2\)/);
  });
  for (const act of ['linear', 'relu', 'tanh'] as const) {
    it(`with a residual (${act}): equals conv2d → add bias → add residual → ${act}; gradients reach the residual`, () => {
      const x = rand64([2, 5, 5, 3], 11, 2);
      const w = rand64([3, 3, 3, 4], 12, 1);
      const b = rand64([4], 13, 2);
      const r = rand64([2, 5, 5, 4], 14, 3);
      const opts = { padding: 'same' as const };
      const fused = ops.fusedConv2d(x, w, b, act, opts, { tensor: r });
      const ref = unfused(act, ops.add(ops.add(ops.conv2d(x, w, opts), b), r));
      assert.ok(maxAbsDiff(fused, ref) < 1e-12, `${act}: fused vs unfused`);
      checkGradients(`fusedConv2d-residual-${act}`, (a, f, bb, rr) => ops.fusedConv2d(a, f, bb, act, opts, { tensor: rr }), [x, w, b, r], { maxPoints: 25, tol: 1e-5 });
    });
  }
  it('rejects a residual whose shape is not the output\'s, naming both', () => {
    assert.throws(() => ops.fusedConv2d(rand64([1, 4, 4, 2], 4), rand64([1, 1, 2, 3], 5), null, 'relu', {}, { tensor: rand64([1, 4, 4, 2], 6) }),
      /residual must have the output's shape \(1, 4, 4, 3\), got \(1, 4, 4, 2\)/);
  });
});

describe('fused matmul + bias + activation (Dense)', () => {
  for (const act of ACTS) {
    it(`${act}: equals matMul → add → ${act}, gradients match finite differences (rank 2 and 3 inputs)`, () => {
      const x = rand64([5, 7], 7, 2);
      const w = rand64([7, 3], 8);
      const b = rand64([3], 9, 2);
      const ref = unfused(act, ops.add(ops.matMul(x, w), b));
      assert.ok(maxAbsDiff(ops.fusedMatMul(x, w, b, act), ref) < 1e-12);
      checkGradients(`fusedMatMul-${act}`, (a, k, bb) => ops.fusedMatMul(a, k, bb, act), [x, w, b], { tol: 1e-5 });
      checkGradients(`fusedMatMul3-${act}`, (a, k) => ops.fusedMatMul(a, k, null, act), [rand64([2, 3, 7], 10, 2), w], { maxPoints: 20, tol: 1e-5 });
    });
  }
});

describe('sparse softmax cross-entropy from logits', () => {
  it('equals −log softmax at the label, and its gradient matches finite differences', () => {
    const logits = rand64([4, 5], 11, 3);
    const labels = Int32Array.from([0, 4, 2, 2]);
    const loss = ops.sparseSoftmaxCrossEntropy(logits, labels);
    const lp = ops.logSoftmax(logits, -1);
    labels.forEach((l, r) => assert.ok(Math.abs(loss.values[r] + lp.values[r * 5 + l]) < 1e-12));
    checkGradients('sparseSoftmaxCE', (z) => ops.sparseSoftmaxCrossEntropy(z, labels), [logits]);
  });
  it('stays finite for huge logits', () => {
    const loss = ops.sparseSoftmaxCrossEntropy(new Tensor(Float32Array.from([1000, -1000, 0, 0]), [2, 2]), Int32Array.from([1, 0]));
    assert.ok(Math.abs(loss.values[0] - 2000) < 1e-3 && Math.abs(loss.values[1] - Math.log(2)) < 1e-6);
  });
});
