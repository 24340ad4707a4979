/**
 * Inference fusion (src/models/inference_fusion.ts): conv → BatchNormalization (→ activation) runs as
 * one folded convolution in predict, and must give the same outputs as the layers run one by one.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { Input } from '../../src/layers/input.js';
import { getBackend } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/backend.js';
import { randomNormal } from '../../src/ops/creation.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';
import { noGrad, valueAndGrads } from '../../src/autograd/tape.js';
import * as ops from '../../src/ops/index.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';

/** Give every BN non-trivial statistics so folding has something to fold. */
function randomizeBatchNorms(m: Model, seed: number): void {
  const r = new Random(seed);
  for (const l of m.layers) {
    if (!(l instanceof L.BatchNormalization)) continue;
    const c = l.movingMean.size;
    l.movingMean.assign(Float32Array.from({ length: c }, () => r.uniform() - 0.5));
    l.movingVariance.assign(Float32Array.from({ length: c }, () => 0.2 + r.uniform()));
    l.gamma?.assign(Float32Array.from({ length: c }, () => 0.5 + r.uniform()));
    l.beta?.assign(Float32Array.from({ length: c }, () => r.uniform() - 0.5));
  }
}

function predictBoth(m: Model, x: Tensor): { fused: Tensor; plain: Tensor; bnCallsFused: number } {
  const be = getBackend() as Backend & Record<string, unknown>;
  const original = be.batchNormInference;
  let calls = 0;
  be.batchNormInference = (...a: Parameters<Backend['batchNormInference']>) => { calls++; return original(...a); };
  try {
    const fused = m.predict(x);
    const bnCallsFused = calls;
    process.env.CONVKIT_FUSION = '0';
    const plain = m.predict(x);
    return { fused, plain, bnCallsFused };
  } finally {
    be.batchNormInference = original;
    delete process.env.CONVKIT_FUSION;
  }
}

function maxRelErr(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.size; i++) scale = Math.max(scale, Math.abs(b.values[i]));
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.values[i] - b.values[i]));
  return m / scale;
}

describe('inference fusion of conv → BatchNormalization → activation', () => {
  afterEach(() => { delete process.env.CONVKIT_FUSION; });

  it('Sequential: Conv2D→BN→ReLU(6), DepthwiseConv2D→BN→Activation(relu), Conv2D→BN: same outputs, no BN kernel call', () => {
    const m = new Sequential([
      L.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false, inputShape: [9, 11, 3] }),
      L.batchNormalization(), L.reLU({ maxValue: 6 }),
      L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
      L.batchNormalization({ epsilon: 1e-3 }), L.activation({ activation: 'relu' }),
      L.conv2d({ filters: 5, kernelSize: 1 }), L.batchNormalization({ center: false, scale: false }),
      L.globalAveragePooling2d(), L.dense({ units: 3 }),
    ]);
    randomizeBatchNorms(m, 1);
    const x = randomNormal([4, 9, 11, 3], 0, 2, { seed: 2 });
    const { fused, plain, bnCallsFused } = predictBoth(m, x);
    assert.equal(bnCallsFused, 0, 'every BN was folded');
    assert.ok(maxRelErr(fused, plain) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain)}`);
  });

  it('functional: a conv output that is also read elsewhere is not folded, the rest is; results agree', () => {
    const input = Input({ shape: [8, 8, 4] });
    const a = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(input);
    const bnA = L.batchNormalization().apply(a);
    const reluA = L.reLU().apply(bnA);
    const b = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(reluA);
    const bnB = L.batchNormalization().apply(b);           // b is also the second output: no folding here
    const sum = L.add().apply([bnB, input]);
    const out = L.dense({ units: 2 }).apply(L.globalAveragePooling2d().apply(sum));
    const m = new Model({ inputs: input, outputs: [out, b] });
    randomizeBatchNorms(m, 3);
    const x = randomNormal([3, 8, 8, 4], 0, 1, { seed: 4 });
    const be = getBackend() as Backend & Record<string, unknown>;
    const original = be.batchNormInference;
    let calls = 0;
    be.batchNormInference = (...args: Parameters<Backend['batchNormInference']>) => { calls++; return original(...args); };
    let fused: Tensor[];
    try {
      fused = noGrad(() => m.apply(x, { training: false }) as unknown as Tensor[]);
    } finally {
      be.batchNormInference = original;
    }
    assert.equal(calls, 1, 'only the BN whose input is shared runs as a layer');
    process.env.CONVKIT_FUSION = '0';
    const plain = noGrad(() => m.apply(x, { training: false }) as unknown as Tensor[]);
    fused.forEach((t, i) => assert.ok(maxRelErr(t, plain[i]) < 1e-5, `output ${i}`));
  });

  it('refreshes the folded weights after setWeights / training changes them', () => {
    const m = new Sequential([L.conv2d({ filters: 3, kernelSize: 3, inputShape: [5, 5, 2] }), L.batchNormalization(), L.reLU()]);
    const x = randomNormal([2, 5, 5, 2], 0, 1, { seed: 5 });
    const before = m.predict(x);
    randomizeBatchNorms(m, 6);
    const after = m.predict(x);
    process.env.CONVKIT_FUSION = '0';
    const plain = m.predict(x);
    assert.ok(maxRelErr(after, plain) < 1e-5);
    assert.ok(maxRelErr(before, plain) > 1e-2, 'the statistics changed the output');
  });

  it('training mode is never fused: fit still updates the moving statistics', async () => {
    const m = new Sequential([L.conv2d({ filters: 3, kernelSize: 3, inputShape: [5, 5, 2] }), L.batchNormalization(), L.reLU(), L.flatten(), L.dense({ units: 2 })]);
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const bn = m.layers.find((l) => l instanceof L.BatchNormalization) as L.BatchNormalization;
    const mean0 = Array.from(bn.movingMean.values);
    const x = randomNormal([8, 5, 5, 2], 0, 1, { seed: 7 });
    const conv = m.layers[0] as L.Conv2D;
    const v0 = conv.kernel.version;
    const before = m.predict(x);
    await m.fit(x, new Tensor(Int32Array.from([0, 1, 0, 1, 1, 0, 1, 0]), [8]), { epochs: 1, batchSize: 4, verbose: 0 });
    assert.notDeepEqual(Array.from(bn.movingMean.values), mean0);
    assert.ok(conv.kernel.version > v0, 'in-place optimizer updates bump the variable version');
    // The optimizer updated the kernels in place: the folded weights must follow.
    const after = m.predict(x);
    process.env.CONVKIT_FUSION = '0';
    assert.ok(maxRelErr(after, m.predict(x)) < 1e-5, 'fused predict after fit equals layer-by-layer');
    assert.ok(maxRelErr(after, before) > 1e-4, 'training changed the predictions');
  });

  it('filters large enough for a packed copy (1×1 expand + depthwise in one pass, 3×3 im2col): same outputs, and after fit', async () => {
    const m = new Sequential([
      L.conv2d({ filters: 160, kernelSize: 1, useBias: false, inputShape: [30, 30, 64] }), L.batchNormalization(), L.reLU({ maxValue: 6 }),
      L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }), L.batchNormalization(), L.reLU({ maxValue: 6 }),
      L.conv2d({ filters: 32, kernelSize: 3, strides: 2, useBias: false }), L.batchNormalization(),
      L.globalAveragePooling2d(), L.dense({ units: 2 }),
    ]);
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    randomizeBatchNorms(m, 8);
    const x = randomNormal([2, 30, 30, 64], 0, 1, { seed: 9 });
    const { fused, plain, bnCallsFused } = predictBoth(m, x);
    assert.equal(bnCallsFused, 0, 'every BN was folded');
    assert.ok(maxRelErr(fused, plain) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain)}`);
    await m.fit(x, new Tensor(Int32Array.from([0, 1]), [2]), { epochs: 1, batchSize: 2, verbose: 0 });
    const { fused: after, plain: afterPlain } = predictBoth(m, x);
    assert.ok(maxRelErr(after, afterPlain) < 1e-5, `after fit: ${maxRelErr(after, afterPlain)}`);
    assert.ok(maxRelErr(after, fused) > 1e-4, 'training changed the predictions');
  });
});

/** Runs `fn` counting calls of the named backend kernels. */
function countKernels<T>(names: string[], fn: () => T): { result: T; counts: Record<string, number> } {
  const be = getBackend() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = names.map((n) => be[n]);
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  names.forEach((n, i) => { be[n] = (...a: unknown[]) => { counts[n]++; return originals[i](...a); }; });
  try {
    return { result: fn(), counts };
  } finally {
    names.forEach((n, i) => { be[n] = originals[i]; });
  }
}

describe('inference fusion of ZeroPadding2D → valid conv', () => {
  afterEach(() => { delete process.env.CONVKIT_FUSION; });

  it('Sequential: pad folds into the following valid DepthwiseConv2D / Conv2D chain, not into a same conv', () => {
    const m = new Sequential([
      L.zeroPadding2d({ padding: [[0, 1], [1, 2]], inputShape: [9, 10, 3] }),
      L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', useBias: false }),
      L.batchNormalization(), L.reLU({ maxValue: 6 }),
      L.zeroPadding2d({ padding: 1 }),
      L.conv2d({ filters: 4, kernelSize: 3, padding: 'valid' }), L.batchNormalization(),
      L.zeroPadding2d({ padding: [2, 1] }),                      // before a 'same' conv: stays a layer
      L.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), L.batchNormalization(), L.reLU(),
    ]);
    randomizeBatchNorms(m, 11);
    const x = randomNormal([3, 9, 10, 3], 0, 2, { seed: 12 });
    const { result: fused, counts } = countKernels(['pad', 'batchNormInference'], () => m.predict(x));
    assert.equal(counts.pad, 1, 'only the pad before the same conv ran');
    assert.equal(counts.batchNormInference, 0);
    process.env.CONVKIT_FUSION = '0';
    const plain = countKernels(['pad'], () => m.predict(x));
    assert.equal(plain.counts.pad, 3);
    assert.ok(maxRelErr(fused, plain.result) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain.result)}`);
  });

  it('functional: pad folded only when the conv chain is its sole reader and it is not an output', () => {
    const input = Input({ shape: [8, 7, 5] });
    const p1 = L.zeroPadding2d({ padding: [[1, 0], [0, 1]] }).apply(input);
    const d1 = L.depthwiseConv2d({ kernelSize: 3, strides: 2, useBias: false }).apply(p1);
    const r1 = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(d1));
    const p2 = L.zeroPadding2d({ padding: 1 }).apply(r1);       // also read by the pooling: not folded
    const d2 = L.depthwiseConv2d({ kernelSize: 3 }).apply(p2);
    const b2 = L.batchNormalization().apply(d2);
    const pool = L.globalAveragePooling2d().apply(p2);
    const p3 = L.zeroPadding2d({ padding: 1 }).apply(b2);       // a model output: not folded
    const d3 = L.depthwiseConv2d({ kernelSize: 3, useBias: false }).apply(p3);
    const r3 = L.reLU().apply(L.batchNormalization().apply(d3));
    const out = L.concatenate().apply([L.globalAveragePooling2d().apply(r3), pool]);
    const m = new Model({ inputs: input, outputs: [out, p3] });
    randomizeBatchNorms(m, 13);
    const x = randomNormal([2, 8, 7, 5], 0, 2, { seed: 14 });
    const run = () => noGrad(() => m.apply(x, { training: false }) as unknown as Tensor[]);
    const { result: fused, counts } = countKernels(['pad', 'batchNormInference'], run);
    assert.equal(counts.pad, 2, 'the shared pad and the output pad ran as layers');
    assert.equal(counts.batchNormInference, 0);
    process.env.CONVKIT_FUSION = '0';
    const plain = countKernels(['pad'], run);
    assert.equal(plain.counts.pad, 3);
    fused.forEach((t, i) => assert.ok(maxRelErr(t, plain.result[i]) < 1e-5, `output ${i}`));
  });
});

describe('inference fusion of an expand → depthwise pair (inverted-residual blocks)', () => {
  afterEach(() => { delete process.env.CONVKIT_FUSION; });

  /** An expand (1×1, BN, ReLU6) → [pad] → depthwise (BN, ReLU6) → project (1×1, BN) block. */
  function block(x: SymbolicTensor, expanded: number, out: number, stride: 1 | 2): SymbolicTensor {
    let y = L.conv2d({ filters: expanded, kernelSize: 1, useBias: false }).apply(x) as SymbolicTensor;
    y = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(y)) as SymbolicTensor;
    if (stride === 2) y = L.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(y) as SymbolicTensor;
    y = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false }).apply(y) as SymbolicTensor;
    y = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(y)) as SymbolicTensor;
    y = L.conv2d({ filters: out, kernelSize: 1, useBias: false }).apply(y) as SymbolicTensor;
    return L.batchNormalization().apply(y) as SymbolicTensor;
  }

  it('functional: each pair runs as one pointwiseDepthwiseConv2d call (width 28+ and narrower), same outputs', () => {
    const input = Input({ shape: [30, 32, 8] });
    const b1 = block(input, 24, 16, 2);                 // 30×32 → 15×16, padded, stride 2
    const b2 = block(b1, 48, 16, 1);                    // 15×16, same padding
    const sum = L.add().apply([b1, b2]) as SymbolicTensor;
    const m = new Model({ inputs: input, outputs: L.globalAveragePooling2d().apply(sum) });
    randomizeBatchNorms(m, 21);
    const x = randomNormal([2, 30, 32, 8], 0, 1, { seed: 22 });
    const { result: fused, counts } = countKernels(['pointwiseDepthwiseConv2d', 'batchNormInference', 'pad'], () => m.predict(x));
    assert.equal(counts.pointwiseDepthwiseConv2d, 2);
    assert.equal(counts.batchNormInference, 0);
    assert.equal(counts.pad, 0);
    process.env.CONVKIT_FUSION = '0';
    const plain = countKernels(['pointwiseDepthwiseConv2d'], () => m.predict(x));
    assert.equal(plain.counts.pointwiseDepthwiseConv2d, 0);
    assert.ok(maxRelErr(fused, plain.result) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain.result)}`);
  });

  it('an expanded activation that something else also reads is not paired; Sequential pairs too', () => {
    const input = Input({ shape: [28, 28, 4] });
    let e = L.conv2d({ filters: 16, kernelSize: 1 }).apply(input) as SymbolicTensor;
    e = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(e)) as SymbolicTensor;
    let d = L.depthwiseConv2d({ kernelSize: 3, padding: 'same' }).apply(e) as SymbolicTensor;
    d = L.batchNormalization().apply(d) as SymbolicTensor;
    const m = new Model({ inputs: input, outputs: L.add().apply([d, e]) });   // e read twice
    randomizeBatchNorms(m, 23);
    const x = randomNormal([1, 28, 28, 4], 0, 1, { seed: 24 });
    const shared = countKernels(['pointwiseDepthwiseConv2d'], () => m.predict(x));
    assert.equal(shared.counts.pointwiseDepthwiseConv2d, 0);

    const seq = new Sequential([
      L.conv2d({ filters: 16, kernelSize: 1, useBias: false, inputShape: [29, 28, 4] }), L.batchNormalization(), L.reLU({ maxValue: 6 }),
      L.zeroPadding2d({ padding: [[1, 1], [0, 1]] }),
      L.depthwiseConv2d({ kernelSize: 3, strides: 2, useBias: false }), L.batchNormalization(), L.activation({ activation: 'relu' }),
      L.conv2d({ filters: 16, kernelSize: 1 }), L.batchNormalization(),
      L.depthwiseConv2d({ kernelSize: 3, padding: 'same' }), L.batchNormalization(),
    ]);
    randomizeBatchNorms(seq, 25);
    const xs = randomNormal([3, 29, 28, 4], 0, 1, { seed: 26 });
    const { result: fused, counts } = countKernels(['pointwiseDepthwiseConv2d', 'pad'], () => seq.predict(xs));
    assert.equal(counts.pointwiseDepthwiseConv2d, 2);
    assert.equal(counts.pad, 0);
    process.env.CONVKIT_FUSION = '0';
    const plain = seq.predict(xs);
    assert.ok(maxRelErr(fused, plain) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain)}`);
  });

  it('fusedPointwiseDepthwise under a gradient tape runs as the two differentiable ops', () => {
    const x = randomNormal([1, 6, 6, 3], 0, 1, { seed: 27 });
    const w1 = randomNormal([1, 1, 3, 8], 0, 1, { seed: 28 });
    const w2 = randomNormal([3, 3, 8, 1], 0, 1, { seed: 29 });
    const xv = new Variable(x, 'x', true);
    const gf = valueAndGrads(() => ops.sum(ops.fusedPointwiseDepthwise(xv, w1, null, 'relu6', w2, null, 'tanh', {}, { padding: 'same' })), [xv]).grads[0] as Tensor;
    const gg = valueAndGrads(() => ops.sum(ops.fusedDepthwiseConv2d(ops.fusedConv2d(xv, w1, null, 'relu6'), w2, null, 'tanh', { padding: 'same' })), [xv]).grads[0] as Tensor;
    assert.ok(gf && gg);
    assert.ok(maxRelErr(gf, gg) < 1e-6);
    assert.ok(ops.sum(ops.abs(gf)).item() > 0);
  });
});

describe('inference fusion of a residual join (conv → BN → Add (→ activation))', () => {
  afterEach(() => { delete process.env.CONVKIT_FUSION; });

  /** expand → depthwise → project, joined to its input; the block input is `x`. */
  function invertedResidual(x: SymbolicTensor, c: number): SymbolicTensor {
    let h = L.conv2d({ filters: 6 * c, kernelSize: 1, useBias: false }).apply(x);
    h = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(h));
    h = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }).apply(h);
    h = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(h));
    h = L.batchNormalization().apply(L.conv2d({ filters: c, kernelSize: 1, useBias: false }).apply(h));
    return L.add().apply([x, h]);
  }

  it('MobileNetV2 blocks (the second reads the first sum) and a ResNet join with ReLU: no add or relu kernel runs, same outputs', () => {
    const input = Input({ shape: [29, 29, 8] });
    const stem = L.reLU().apply(L.batchNormalization().apply(L.conv2d({ filters: 24, kernelSize: 3, padding: 'same' }).apply(input)));
    const b2 = invertedResidual(invertedResidual(stem, 24), 24);
    const res = L.batchNormalization().apply(L.conv2d({ filters: 24, kernelSize: 3, padding: 'same', useBias: false }).apply(b2));
    const joined = L.reLU().apply(L.add().apply([res, b2]));
    const out = L.dense({ units: 3 }).apply(L.globalAveragePooling2d().apply(joined));
    const m = new Model({ inputs: input, outputs: out });
    randomizeBatchNorms(m, 21);
    const x = randomNormal([2, 29, 29, 8], 0, 1, { seed: 22 });
    const { result: fused, counts } = countKernels(['binary', 'unary', 'batchNormInference'], () => m.predict(x));
    assert.deepEqual(counts, { binary: 0, unary: 0, batchNormInference: 0 }, 'no add, relu or batch-norm kernel runs');
    process.env.CONVKIT_FUSION = '0';
    const plain = countKernels(['binary'], () => m.predict(x));
    assert.equal(plain.counts.binary, 3, 'the three joins run as adds without fusion');
    assert.ok(maxRelErr(fused, plain.result) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain.result)}`);
    delete process.env.CONVKIT_FUSION;
    assert.ok(maxRelErr(m.predict(x), fused) === 0, 'a second pass (recycled storage, in-place sums) gives the same result');
  });

  it('a shortcut read again after the join, or a model output, is not overwritten; a broadcasting Add is not fused', () => {
    const input = Input({ shape: [9, 9, 16] });
    const a = L.reLU().apply(L.batchNormalization().apply(L.conv2d({ filters: 16, kernelSize: 1 }).apply(input)));
    const p = L.batchNormalization().apply(L.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(a));
    const sum1 = L.add().apply([p, a]);
    const again = L.multiply().apply([sum1, a]);                 // `a` is read after the join
    const q = L.batchNormalization().apply(L.conv2d({ filters: 16, kernelSize: 1 }).apply(again));
    const sum2 = L.add().apply([again, q]);                      // `again` is also a model output
    const pooled = L.globalAveragePooling2d({ keepdims: true }).apply(sum2);
    const r = L.batchNormalization().apply(L.conv2d({ filters: 16, kernelSize: 1 }).apply(sum2));
    const sum3 = L.add().apply([r, pooled]);                     // (1, 1, 16) broadcast: stays an Add
    const m = new Model({ inputs: input, outputs: [sum3, again] });
    randomizeBatchNorms(m, 23);
    const x = randomNormal([2, 9, 9, 16], 0, 1, { seed: 24 });
    const { result, counts } = countKernels(['binary'], () => m.predict(x) as unknown as Tensor[]);
    assert.equal(counts.binary, 2, 'the multiply and the broadcasting add run; the two joins are fused');
    process.env.CONVKIT_FUSION = '0';
    const plain = m.predict(x) as unknown as Tensor[];
    result.forEach((t, i) => assert.ok(maxRelErr(t, plain[i]) < 1e-5, `output ${i}: ${maxRelErr(t, plain[i])}`));
  });
});

describe('inference fusion of a whole inverted-residual block ([expand →] depthwise → projection [+ shortcut])', () => {
  afterEach(() => { delete process.env.CONVKIT_FUSION; });

  function depthwise(x: SymbolicTensor, stride: 1 | 2): SymbolicTensor {
    let y = x;
    if (stride === 2) y = L.zeroPadding2d({ padding: [[0, 1], [0, 1]] }).apply(y) as SymbolicTensor;
    y = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false }).apply(y) as SymbolicTensor;
    return L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(y)) as SymbolicTensor;
  }
  const expand = (x: SymbolicTensor, c: number) =>
    L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(L.conv2d({ filters: c, kernelSize: 1, useBias: false }).apply(x))) as SymbolicTensor;
  const project = (x: SymbolicTensor, c: number) =>
    L.batchNormalization().apply(L.conv2d({ filters: c, kernelSize: 1, useBias: false }).apply(x)) as SymbolicTensor;

  it('MobileNetV2-like: the first block (no expansion), a joined block and a stride-2 block each run as one call; same outputs', () => {
    const input = Input({ shape: [30, 31, 3] });
    const stem = L.reLU({ maxValue: 6 }).apply(L.batchNormalization().apply(
      L.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false }).apply(input))) as SymbolicTensor;
    const first = project(depthwise(stem, 1), 8);                                     // 30×31×16 → 8, no expansion
    const joined = L.add().apply([first, project(depthwise(expand(first, 48), 1), 8)]) as SymbolicTensor;
    const down = project(depthwise(expand(joined, 48), 2), 12);                       // 30×31 → 15×16
    const m = new Model({ inputs: input, outputs: L.globalAveragePooling2d().apply(down) });
    randomizeBatchNorms(m, 31);
    const x = randomNormal([2, 30, 31, 3], 0, 1, { seed: 32 });
    const names = ['pointwiseDepthwiseConv2d', 'conv2d', 'depthwiseConv2d', 'binary', 'batchNormInference', 'pad'];
    const { result: fused, counts } = countKernels(names, () => m.predict(x));
    assert.deepEqual(counts, { pointwiseDepthwiseConv2d: 3, conv2d: 1, depthwiseConv2d: 0, binary: 0, batchNormInference: 0, pad: 0 },
      'the stem conv, then one call per block');
    process.env.CONVKIT_FUSION = '0';
    const plain = m.predict(x);
    assert.ok(maxRelErr(fused, plain) < 1e-5, `fused vs layer-by-layer: ${maxRelErr(fused, plain)}`);
    delete process.env.CONVKIT_FUSION;
    assert.ok(maxRelErr(m.predict(x), fused) === 0, 'a second pass (recycled storage) gives the same result');
  });

  it('a depthwise output something else reads keeps the projection separate; a shortcut that is the depthwise input is read, not overwritten', () => {
    const input = Input({ shape: [28, 28, 8] });
    const d = depthwise(expand(input, 24), 1);
    const p = project(d, 8);
    const side = L.globalAveragePooling2d().apply(d) as SymbolicTensor;       // d read twice
    const m = new Model({ inputs: input, outputs: [L.globalAveragePooling2d().apply(p) as SymbolicTensor, side] });
    randomizeBatchNorms(m, 33);
    const x = randomNormal([1, 28, 28, 8], 0, 1, { seed: 34 });
    const { result: fused, counts } = countKernels(['pointwiseDepthwiseConv2d', 'conv2d'], () => m.predict(x) as unknown as Tensor[]);
    assert.deepEqual(counts, { pointwiseDepthwiseConv2d: 1, conv2d: 1 }, 'pair fused, projection on its own');
    process.env.CONVKIT_FUSION = '0';
    const plain = m.predict(x) as unknown as Tensor[];
    fused.forEach((t, i) => assert.ok(maxRelErr(t, plain[i]) < 1e-5, `output ${i}`));
    delete process.env.CONVKIT_FUSION;

    // The shortcut is the expanded activation, read twice: no pair, but depthwise → projection + join in one
    // call whose shortcut is its own input (the kernel reads it to the end, so the sum goes to new storage).
    const input2 = Input({ shape: [28, 28, 8] });
    const e = expand(input2, 16);
    const inner = L.add().apply([e, project(depthwise(e, 1), 16)]) as SymbolicTensor;
    const m2 = new Model({ inputs: input2, outputs: inner });
    randomizeBatchNorms(m2, 35);
    const x2 = randomNormal([1, 28, 28, 8], 0, 1, { seed: 36 });
    const r2 = countKernels(['pointwiseDepthwiseConv2d', 'conv2d', 'binary'], () => m2.predict(x2));
    assert.deepEqual(r2.counts, { pointwiseDepthwiseConv2d: 1, conv2d: 1, binary: 0 });
    process.env.CONVKIT_FUSION = '0';
    assert.ok(maxRelErr(r2.result, m2.predict(x2)) < 1e-5);
  });
});
