/**
 * Conv1D, Conv2DTranspose and SeparableConv2D (and their ops ops.conv1d, ops.conv2dTranspose,
 * ops.separableConv2d): Keras's output-size arithmetic from hand-computed tables, forward values
 * against naive float64 loops written here (the transposed convolution as its definition, a
 * scatter of every input cell through the kernel, with TensorFlow's padding rule), gradients
 * against central finite differences, Conv1D's causal and grouped semantics, parameter counts,
 * computeOutputShape / summary() against real calls, shape errors, Keras configs read by the
 * option checks, and .keras / .h5 round trips. TensorFlow.js parity: test/parity/conv_more.test.ts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import * as ops from '../../src/ops/index.js';
import { Input } from '../../src/layers/input.js';
import type { Layer } from '../../src/layers/layer.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { loadModel } from '../../src/io/model_io.js';
import { normalizeModelConfig } from '../../src/io/keras/config_in.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-conv-more-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const f32 = (t: Tensor): Tensor => new Tensor(Float32Array.from(t.values), [...t.shape]);

/** max |a − b| / max(1, max |b|). */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    worst = Number.isFinite(d) ? Math.max(worst, d / scale) : Infinity;
  }
  return worst;
}

// ------------------------------------------------------------------------------ naive references

/** Keras's transposed output length, written out per case (backend_utils._get_output_shape_given_tf_padding). */
function kerasDeconvLength(n: number, k: number, s: number, d: number, padding: 'valid' | 'same', op: number | null): number {
  const eff = (k - 1) * d + 1;
  if (padding === 'valid') return (n - 1) * s + eff + (op ?? Math.max(eff, s) - eff);
  return op === null ? n * s : (n - 1) * s + (eff % 2) + op;
}

/**
 * Transposed convolution by its definition: every input cell (i, j) adds x·K[a, b, f, c] to output
 * cell (i·s + a·d − top, j·s + b·d − left), where top/left are the leading paddings TensorFlow's
 * conv2d would use to map the output back onto the input ('same': floor(total / 2)).
 */
function naiveConvTranspose(x: Tensor, k: Tensor, s: [number, number], d: [number, number], padding: 'valid' | 'same', op: [number, number] | null): Tensor {
  const [n, h, w, c] = x.shape;
  const [kh, kw, f] = k.shape;
  const oh = kerasDeconvLength(h, kh, s[0], d[0], padding, op ? op[0] : null);
  const ow = kerasDeconvLength(w, kw, s[1], d[1], padding, op ? op[1] : null);
  const lead = (inLen: number, outLen: number, kk: number, ss: number, dd: number) =>
    (padding === 'valid' ? 0 : Math.floor(Math.max((inLen - 1) * ss + (kk - 1) * dd + 1 - outLen, 0) / 2));
  const top = lead(h, oh, kh, s[0], d[0]);
  const left = lead(w, ow, kw, s[1], d[1]);
  const y = new Float64Array(n * oh * ow * f);
  for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let ci = 0; ci < c; ci++) {
    const xv = x.values[((b * h + i) * w + j) * c + ci];
    for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
      const oi = i * s[0] + a * d[0] - top;
      const oj = j * s[1] + e * d[1] - left;
      if (oi < 0 || oi >= oh || oj < 0 || oj >= ow) continue;
      for (let fi = 0; fi < f; fi++) y[((b * oh + oi) * ow + oj) * f + fi] += xv * k.values[((a * kw + e) * f + fi) * c + ci];
    }
  }
  return new Tensor(y, [n, oh, ow, f]);
}

/** Conv1D by its definition (Keras: 'same' pads floor(total / 2) before, 'causal' (k − 1)·d before). */
function naiveConv1d(x: Tensor, k: Tensor, s: number, d: number, padding: 'valid' | 'same' | 'causal', groups: number): Tensor {
  const [n, steps, c] = x.shape;
  const [kk, cg, f] = k.shape;
  const eff = (kk - 1) * d + 1;
  const out = padding === 'valid' ? Math.floor((steps - eff) / s) + 1 : Math.floor((steps - 1) / s) + 1;
  const before = padding === 'valid' ? 0 : padding === 'causal' ? eff - 1 : Math.floor(Math.max((out - 1) * s + eff - steps, 0) / 2);
  const fg = f / groups;
  const y = new Float64Array(n * out * f);
  for (let b = 0; b < n; b++) for (let t = 0; t < out; t++) for (let fi = 0; fi < f; fi++) {
    const g = Math.floor(fi / fg);
    let acc = 0;
    for (let a = 0; a < kk; a++) {
      const src = t * s + a * d - before;
      if (src < 0 || src >= steps) continue;
      for (let ci = 0; ci < cg; ci++) acc += x.values[(b * steps + src) * c + g * cg + ci] * k.values[(a * cg + ci) * f + fi];
    }
    y[(b * out + t) * f + fi] = acc;
  }
  return new Tensor(y, [n, out, f]);
}

// ------------------------------------------------------------------------------ output sizes

describe('Conv2DTranspose output size is Keras 3\'s (hand-computed table)', () => {
  // [input, kernel, stride, dilation, padding, output_padding, expected]
  const table: [number, number, number, number, 'valid' | 'same', number | null, number][] = [
    [5, 3, 2, 1, 'valid', null, 11], // 5·2 + max(3 − 2, 0)
    [4, 2, 3, 1, 'valid', null, 12], // 4·3 + max(2 − 3, 0)
    [7, 5, 1, 1, 'valid', null, 11], // 7 + 4
    [5, 3, 2, 1, 'same', null, 10], // 5·2
    [3, 4, 3, 1, 'same', null, 9],
    [5, 3, 2, 1, 'valid', 1, 12], // 4·2 + 3 + 1
    [5, 3, 2, 1, 'valid', 0, 11],
    [5, 3, 2, 1, 'same', 1, 10], // 4·2 + 3 % 2 + 1
    [5, 3, 2, 1, 'same', 0, 9],
    [5, 4, 2, 1, 'same', 0, 8], // 4·2 + 0 + 0
    [5, 4, 3, 1, 'same', 2, 14], // 4·3 + 0 + 2
    [5, 3, 1, 2, 'valid', null, 9], // effective kernel 5: 5 + 4
    [5, 3, 1, 2, 'same', null, 5],
    [6, 2, 1, 3, 'same', 0, 5], // effective kernel 4: 5·1 + 0 + 0
    [1, 1, 3, 1, 'valid', null, 3],
  ];
  for (const [n, k, s, d, padding, op, want] of table) {
    it(`n=${n} k=${k} s=${s} d=${d} ${padding} output_padding=${op}: ${want}`, () => {
      const layer = L.conv2dTranspose({ filters: 2, kernelSize: [k, 1], strides: [s, 1], dilationRate: d > 1 ? [d, 1] : 1, padding, outputPadding: op === null ? null : [op, 0] });
      assert.deepEqual(layer.computeOutputShape([null, n, 3, 2]), [null, want, 3, 2]);
      const y = layer.apply(rand64([1, n, 3, 2], n + k + s) as Tensor);
      assert.deepEqual([...y.shape], [1, want, 3, 2]);
    });
  }
  it('Keras\'s docstring example: Conv2DTranspose(32, 2, 2) on (4, 10, 8, 128) → (4, 20, 16, 32)', () => {
    const layer = L.conv2dTranspose({ filters: 32, kernelSize: 2, strides: 2, activation: 'relu' });
    assert.deepEqual(layer.computeOutputShape([4, 10, 8, 128]), [4, 20, 16, 32]);
    assert.deepEqual([...layer.apply(ops.zeros([4, 10, 8, 128])).shape], [4, 20, 16, 32]);
  });
  it('unknown spatial sizes stay unknown', () => {
    assert.deepEqual(L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 }).computeOutputShape([null, null, 5, 4]), [null, null, 11, 3]);
  });
});

describe('Conv1D output size is Keras 3\'s', () => {
  const table: [number, number, number, number, 'valid' | 'same' | 'causal', number][] = [
    [10, 3, 1, 1, 'valid', 8], [11, 3, 2, 1, 'valid', 5], [13, 5, 3, 1, 'valid', 3], [7, 3, 1, 2, 'valid', 3],
    [11, 3, 2, 1, 'same', 6], [13, 4, 3, 1, 'same', 5], [7, 3, 1, 2, 'same', 7],
    [11, 3, 2, 1, 'causal', 6], [7, 3, 1, 3, 'causal', 7], [1, 5, 1, 1, 'causal', 1],
  ];
  for (const [n, k, s, d, padding, want] of table) {
    it(`steps=${n} k=${k} s=${s} d=${d} ${padding}: ${want}`, () => {
      const layer = L.conv1d({ filters: 3, kernelSize: k, strides: s, dilationRate: d, padding });
      assert.deepEqual(layer.computeOutputShape([null, n, 2]), [null, want, 3]);
      assert.deepEqual([...layer.apply(ops.ones([2, n, 2])).shape], [2, want, 3]);
    });
  }
  it('Keras\'s docstring example: Conv1D(32, 3) on (4, 10, 128) → (4, 8, 32)', () => {
    assert.deepEqual([...L.conv1d({ filters: 32, kernelSize: 3, activation: 'relu' }).apply(ops.zeros([4, 10, 128])).shape], [4, 8, 32]);
  });
});

// ------------------------------------------------------------------------------ forward values

describe('ops.conv2dTranspose against the definition (naive float64 scatter)', () => {
  const cases: { k: [number, number]; s: [number, number]; d: [number, number]; padding: 'valid' | 'same'; op: [number, number] | null; hw: [number, number] }[] = [];
  for (const padding of ['valid', 'same'] as const) {
    for (const s of [1, 2, 3]) {
      for (const k of [1, 2, 3, 5]) {
        for (const op of [null, 0, s - 1]) {
          cases.push({ k: [k, k === 1 ? 2 : k - 1], s: [s, s === 1 ? 2 : 1], d: [1, 1], padding, op: op === null ? null : [op, 0], hw: [3 + (k % 2), 5] });
        }
      }
    }
    cases.push({ k: [3, 2], s: [1, 1], d: [2, 3], padding, op: null, hw: [5, 4] });
    cases.push({ k: [3, 3], s: [1, 1], d: [2, 2], padding, op: [0, 0], hw: [4, 3] });
  }
  it(`${cases.length} geometries (odd sizes, strides 1–3, kernels 1–5, both paddings, output_padding, dilation), float64 exact and float32 through the backend`, () => {
    for (const [i, c] of cases.entries()) {
      const x = rand64([2, ...c.hw, 3], 10 + i);
      const k = rand64([...c.k, 5, 3], 500 + i);
      const want = naiveConvTranspose(x, k, c.s, c.d, c.padding, c.op);
      const opts = { strides: c.s, dilations: c.d, padding: c.padding, outputPadding: c.op };
      const got = ops.conv2dTranspose(x, k, opts);
      const tag = JSON.stringify(c);
      assert.deepEqual([...got.shape], [...want.shape], `${tag}: shape`);
      assert.ok(maxRelDiff(got.values, want.values) < 1e-12, `${tag}: float64 error ${maxRelDiff(got.values, want.values)}`);
      const got32 = ops.conv2dTranspose(f32(x), f32(k), opts);
      assert.ok(got32.values instanceof Float32Array);
      assert.ok(maxRelDiff(got32.values, want.values) < 1e-5, `${tag}: float32 error ${maxRelDiff(got32.values, want.values)}`);
    }
  });
});

describe('ops.conv1d against the definition (naive float64 loop)', () => {
  it('valid / same / causal, strides 1–3, dilation 2, groups 1 / 2 / 3, float64 exact and float32 through the backend', () => {
    let seed = 900;
    for (const padding of ['valid', 'same', 'causal'] as const) {
      for (const [k, s, d, groups, c, f] of [[3, 1, 1, 1, 5, 4], [4, 2, 1, 1, 3, 2], [5, 3, 1, 1, 6, 7], [3, 1, 2, 1, 2, 3], [2, 2, 1, 2, 6, 4], [3, 1, 2, 3, 6, 9], [1, 1, 1, 1, 7, 3]]) {
        const x = rand64([3, 13, c], seed++);
        const kernel = rand64([k, c / groups, f], seed++);
        const want = naiveConv1d(x, kernel, s, d, padding, groups);
        const opts = { strides: s, dilations: d, padding, groups };
        const tag = `${padding} k=${k} s=${s} d=${d} groups=${groups} c=${c} f=${f}`;
        const got = ops.conv1d(x, kernel, opts);
        assert.deepEqual([...got.shape], [...want.shape], tag);
        assert.ok(maxRelDiff(got.values, want.values) < 1e-12, `${tag}: float64`);
        const got32 = ops.conv1d(f32(x), f32(kernel), opts);
        assert.ok(maxRelDiff(got32.values, want.values) < 1e-5, `${tag}: float32 ${maxRelDiff(got32.values, want.values)}`);
      }
    }
  });

  it('causal: output step t does not depend on input steps after t', () => {
    const layer = L.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'causal' });
    const x = new Variable(rand64([1, 9, 3], 3), 'x', true);
    layer.apply(f32(x));
    layer.setWeights(layer.getWeights().map((w, i) => rand64([...w.shape], 40 + i)));
    for (const t of [0, 4, 8]) {
      const { grads } = valueAndGrads(() => ops.sum(ops.slice(layer.apply(x), [0, t, 0], [1, 1, -1])), [x]);
      const g = grads[0]!;
      for (let step = 0; step < 9; step++) {
        const mag = [0, 1, 2].reduce((m, ch) => m + Math.abs(g.values[step * 3 + ch]), 0);
        if (step > t) assert.equal(mag, 0, `output ${t} depends on input step ${step}`);
        // Taps at t, t − 2, t − 4 (dilation 2): those inputs do matter.
        if (step <= t && (t - step) % 2 === 0 && t - step <= 4) assert.ok(mag > 0, `output ${t} ignores input step ${step}`);
      }
    }
  });

  it('groups: equals an ungrouped convolution with a block-diagonal kernel', () => {
    const x = rand64([2, 11, 6], 71);
    const kernel = rand64([3, 2, 6], 72); // 3 groups of 2 channels → 2 filters each
    const full = new Float64Array(3 * 6 * 6);
    for (let a = 0; a < 3; a++) for (let ci = 0; ci < 6; ci++) for (let fi = 0; fi < 6; fi++) {
      if (Math.floor(ci / 2) === Math.floor(fi / 2)) full[(a * 6 + ci) * 6 + fi] = kernel.values[(a * 2 + (ci % 2)) * 6 + fi];
    }
    const grouped = ops.conv1d(x, kernel, { groups: 3, padding: 'same', strides: 2 });
    const dense = ops.conv1d(x, new Tensor(full, [3, 6, 6]), { padding: 'same', strides: 2 });
    assert.ok(maxRelDiff(grouped.values, dense.values) < 1e-12);
  });
});

describe('ops.separableConv2d against depthwise then 1×1', () => {
  it('equals a naive pointwise product of depthwiseConv2d\'s output; the layer adds bias and activation', () => {
    const x = rand64([2, 7, 6, 3], 81);
    const dk = rand64([3, 2, 3, 2], 82);
    const pk = rand64([1, 1, 6, 4], 83);
    const mid = ops.depthwiseConv2d(x, dk, { strides: 2, padding: 'same' });
    const got = ops.separableConv2d(x, dk, pk, { strides: 2, padding: 'same' });
    assert.deepEqual([...got.shape], [2, 4, 3, 4]);
    const rows = mid.size / 6;
    for (let r = 0; r < rows; r++) for (let f = 0; f < 4; f++) {
      let acc = 0;
      for (let m = 0; m < 6; m++) acc += mid.values[r * 6 + m] * pk.values[m * 4 + f];
      assert.ok(Math.abs(got.values[r * 4 + f] - acc) < 1e-12);
    }
  });
});

// ------------------------------------------------------------------------------ gradients

describe('gradients match central finite differences (float64)', () => {
  it('conv2dTranspose w.r.t. input and kernel: strides 1–3, both paddings, output_padding, dilation, non-square', () => {
    const cases: [number[], number[], Parameters<typeof ops.conv2dTranspose>[2]][] = [
      [[2, 3, 4, 3], [3, 3, 2, 3], { strides: 2, padding: 'same' }],
      [[1, 3, 2, 2], [2, 3, 3, 2], { strides: [3, 2], padding: 'valid' }],
      [[2, 2, 3, 2], [3, 2, 2, 2], { strides: 2, padding: 'valid', outputPadding: [1, 0] }],
      [[1, 4, 3, 3], [4, 3, 2, 3], { strides: [2, 3], padding: 'same', outputPadding: [0, 2] }],
      [[1, 4, 4, 2], [3, 2, 3, 2], { strides: 1, padding: 'same', dilations: [2, 1] }],
      [[1, 3, 3, 1], [1, 1, 2, 1], { strides: 1, padding: 'valid' }],
    ];
    cases.forEach(([xs, ks, opts], i) => checkGradients(`conv2dTranspose#${i}`, (x, k) => ops.conv2dTranspose(x, k, opts), [rand64(xs, 30 + i), rand64(ks, 60 + i)]));
  });

  it('conv1d and fusedConv1d w.r.t. input, kernel and bias: valid / same / causal, strides, dilation, groups', () => {
    checkGradients('conv1d same s2', (x, k) => ops.conv1d(x, k, { strides: 2, padding: 'same' }), [rand64([2, 7, 3], 1), rand64([3, 3, 4], 2)]);
    checkGradients('conv1d causal d2', (x, k) => ops.conv1d(x, k, { dilations: 2, padding: 'causal' }), [rand64([1, 6, 2], 3), rand64([3, 2, 3], 4)]);
    checkGradients('conv1d valid s3 groups 2', (x, k) => ops.conv1d(x, k, { strides: 3, groups: 2 }), [rand64([2, 8, 4], 5), rand64([2, 2, 6], 6)]);
    checkGradients('fusedConv1d tanh groups 3', (x, k, b) => ops.fusedConv1d(x, k, b, 'tanh', { groups: 3, padding: 'same' }),
      [rand64([1, 5, 3], 7), rand64([2, 1, 6], 8), rand64([6], 9)]);
  });

  it('separableConv2d and fusedSeparableConv2d w.r.t. input, both kernels and bias', () => {
    checkGradients('separableConv2d s2 same x2', (x, d, p) => ops.separableConv2d(x, d, p, { strides: 2, padding: 'same' }),
      [rand64([2, 5, 4, 3], 11), rand64([3, 3, 3, 2], 12), rand64([1, 1, 6, 4], 13)]);
    checkGradients('fusedSeparableConv2d sigmoid dilation 2', (x, d, p, b) => ops.fusedSeparableConv2d(x, d, p, b, 'sigmoid', { dilations: 2, padding: 'valid' }),
      [rand64([1, 6, 5, 2], 14), rand64([2, 2, 2, 1], 15), rand64([1, 1, 2, 3], 16), rand64([3], 17)]);
  });
});

// ------------------------------------------------------------------------------ layers

function params(layer: Layer): number[] {
  return layer.weights.map((w) => w.size);
}

describe('weights, parameter counts, shapes from computeOutputShape and summary()', () => {
  it('Keras\'s weight names, shapes and order', () => {
    const c1 = L.conv1d({ filters: 6, kernelSize: 5, groups: 3 });
    c1.apply(ops.zeros([1, 9, 9]));
    assert.deepEqual(c1.weights.map((w) => [w.name.split('/')[1], [...w.shape]]), [['kernel', [5, 3, 6]], ['bias', [6]]]);
    const ct = L.conv2dTranspose({ filters: 7, kernelSize: [3, 2] });
    ct.apply(ops.zeros([1, 4, 4, 5]));
    assert.deepEqual(ct.weights.map((w) => [w.name.split('/')[1], [...w.shape]]), [['kernel', [3, 2, 7, 5]], ['bias', [7]]]);
    const sc = L.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2 });
    sc.apply(ops.zeros([1, 5, 5, 3]));
    assert.deepEqual(sc.weights.map((w) => [w.name.split('/')[1], [...w.shape]]), [['depthwise_kernel', [3, 3, 3, 2]], ['pointwise_kernel', [1, 1, 6, 4]], ['bias', [4]]]);
    // Keras 3 defaults: glorot_uniform kernels (non-zero), zero biases.
    for (const l of [c1, ct, sc]) {
      const ws = l.getWeights();
      assert.ok(ws.slice(0, -1).every((w) => w.values.some((v) => v !== 0)));
      assert.ok(ws[ws.length - 1].values.every((v) => v === 0));
    }
    const noBias = L.separableConv2d({ filters: 4, kernelSize: 3, useBias: false });
    noBias.apply(ops.zeros([1, 5, 5, 3]));
    assert.equal(noBias.weights.length, 2);
  });

  it('a model with all three: parameter counts by formula, summary() shapes equal the real outputs of each layer', () => {
    const layers: Layer[] = [
      L.reshape({ targetShape: [12, 15] }),
      L.conv1d({ filters: 9, kernelSize: 3, strides: 2, padding: 'causal', groups: 3, activation: 'relu' }), // (6, 9)
      L.reshape({ targetShape: [6, 3, 3] }),
      L.conv2dTranspose({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', outputPadding: 1 }), // (12, 6, 5)
      L.separableConv2d({ filters: 7, kernelSize: [3, 2], strides: 3, depthMultiplier: 2, activation: 'tanh' }), // valid: (4, 2, 7)
      L.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, useBias: false }), // (12, 6, 2)
      L.separableConv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false, activation: 'softmax' }),
    ];
    const model = new Sequential([Input({ shape: [12, 3, 5] }) as never, ...layers]);
    const info = model.summary({ printFn: null });
    const expectParams = [0, 3 * 5 * 9 + 9, 0, 3 * 3 * 5 * 3 + 5, 3 * 2 * 5 * 2 + 10 * 7 + 7, 2 * 2 * 2 * 7, 3 * 3 * 2 + 2 * 3];
    assert.deepEqual(layers.map((l) => params(l).reduce((a, b) => a + b, 0)), expectParams);
    assert.deepEqual(info.layers.map((r) => r.params), expectParams);
    assert.equal(info.totalParams, expectParams.reduce((a, b) => a + b, 0));
    // Eager calls, layer by layer, give the shapes summary() printed (batch 3).
    let h = rand64([3, 12, 3, 5], 5) as Tensor;
    h = f32(h);
    layers.forEach((l, i) => {
      h = l.apply(h);
      assert.deepEqual([null, ...h.shape.slice(1)], info.layers[i].outputShape, `layer ${l.name}`);
    });
    assert.deepEqual([...h.shape], [3, 12, 6, 3]);
    assert.deepEqual([...model.predict(f32(rand64([2, 12, 3, 5], 6))).shape], [2, 12, 6, 3]);
    assert.deepEqual(info.layers.map((r) => r.className), ['Reshape', 'Conv1D', 'Reshape', 'Conv2DTranspose', 'SeparableConv2D', 'Conv2DTranspose', 'SeparableConv2D']);
    assert.match(info.text, /\(Conv2DTranspose\)\s*│\s*│\s*│/); // the class name, wrapped under the layer name as Keras does
    assert.match(info.text, /\(None, 12, 6, 5\)\s*│\s*140 │/);
  });

  it('computeOutputShape equals the shape of a real call over a grid of geometries', () => {
    for (const padding of ['valid', 'same'] as const) {
      for (const s of [1, 2, 3]) {
        for (const k of [1, 2, 3]) {
          for (const [h, w] of [[5, 7], [6, 3]]) {
            const x = ops.zeros([1, h, w, 2]);
            for (const layer of [
              L.conv2dTranspose({ filters: 3, kernelSize: k, strides: s, padding, outputPadding: s > 1 ? [s - 1, 0] : null }),
              L.separableConv2d({ filters: 3, kernelSize: k, strides: s, padding }),
            ]) {
              if (padding === 'valid' && layer instanceof L.SeparableConv2D && (k > h || k > w)) continue;
              assert.deepEqual([1, ...layer.computeOutputShape([null, h, w, 2]).slice(1)], [...layer.apply(x).shape], `${layer.className} ${padding} s=${s} k=${k} ${h}x${w}`);
            }
            const c1 = L.conv1d({ filters: 2, kernelSize: k, strides: s, padding });
            assert.deepEqual([1, ...c1.computeOutputShape([null, h + w, 2]).slice(1)], [...c1.apply(ops.zeros([1, h + w, 2])).shape]);
          }
        }
      }
    }
  });

  it('regularizers add penalties for every regularised weight', () => {
    const sc = L.separableConv2d({ filters: 2, kernelSize: 2, depthwiseRegularizer: 'l2', pointwiseRegularizer: 'l1', biasRegularizer: 'l2' });
    sc.apply(ops.zeros([1, 3, 3, 2]));
    assert.equal(sc.regularizationLosses().length, 3);
    const ct = L.conv2dTranspose({ filters: 2, kernelSize: 2, kernelRegularizer: 'l2' });
    ct.apply(ops.zeros([1, 3, 3, 2]));
    assert.equal(ct.regularizationLosses().length, 1);
    const c1 = L.conv1d({ filters: 2, kernelSize: 2, kernelRegularizer: 'l1', biasRegularizer: 'l1' });
    c1.apply(ops.zeros([1, 3, 2]));
    assert.equal(c1.regularizationLosses().length, 2);
  });
});

describe('shape and argument errors name the layer, the shapes and the arithmetic', () => {
  it('Conv1D', () => {
    assert.throws(() => L.conv1d({ filters: 2, kernelSize: 5, name: 'c1_short' }).apply(ops.zeros([2, 4, 3])),
      (e: Error) => e.name === 'ShapeError' && /c1_short.*Conv1D.*\(None, 4, 3\).*floor\(\(4 - 5\) \/ 1\) \+ 1/.test(e.message));
    assert.throws(() => L.conv1d({ filters: 2, kernelSize: 3, name: 'c1_rank' }).apply(ops.zeros([2, 4, 4, 3])), /c1_rank.*3-D input \(batch, steps, channels\).*\(None, 4, 4, 3\)/);
    const c = L.conv1d({ filters: 2, kernelSize: 3, name: 'c1_chan' });
    c.apply(ops.zeros([1, 6, 3]));
    assert.throws(() => c.apply(ops.zeros([1, 6, 4])), /c1_chan.*axis -1.*value 3.*\(1, 6, 4\)/);
    assert.throws(() => L.conv1d({ filters: 4, kernelSize: 3, groups: 2, name: 'c1_groups' }).apply(ops.zeros([1, 6, 3])), /c1_groups.*3 channels are not divisible by groups \(2\)/);
    assert.throws(() => L.conv1d({ filters: 3, kernelSize: 3, groups: 2 }), /filters \(3\) must be divisible by groups \(2\)/);
    assert.throws(() => L.conv1d({ filters: 3, kernelSize: 3, strides: 2, dilationRate: 2 }), /strides > 1 are not supported together with dilation_rate > 1/);
    assert.throws(() => L.conv1d({ filters: 3, kernelSize: [3, 3] }), /kernel_size must be a positive integer or a list of one/);
    assert.throws(() => L.conv1d({ filters: 3, kernelSize: 3, padding: 'full' as never }), /Unknown padding.*valid, same, causal/);
    assert.throws(() => ops.conv1d(ops.zeros([1, 5, 4]), ops.zeros([3, 3, 2])), /input has 4 channels.*kernel expects 3/);
  });

  it('Conv2DTranspose', () => {
    assert.throws(() => L.conv2dTranspose({ filters: 2, kernelSize: 2, padding: 'same', outputPadding: 0, name: 'ct_empty' }).apply(ops.zeros([1, 1, 3, 2])),
      (e: Error) => e.name === 'ShapeError' && /ct_empty.*\(None, 1, 3, 2\).*height 'same' with output_padding 0: \(1 - 1\) \* 1 \+ 2 % 2 \+ 0 = 0/.test(e.message));
    assert.throws(() => L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 2 }), /output_padding must be .*smaller than strides.*\[2,2\].*\[2,2\]/);
    assert.throws(() => L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }), /strides > 1 are not supported together with dilation_rate > 1/);
    assert.throws(() => L.conv2dTranspose({ filters: 2, kernelSize: 3, name: 'ct_rank' }).apply(ops.zeros([1, 4, 3])), /ct_rank.*4-D input.*\(None, 4, 3\)/);
    assert.throws(() => L.conv2dTranspose({ filters: 2, kernelSize: 3, groups: 2 }), /groups must be 1/);
    assert.throws(() => ops.conv2dTranspose(ops.zeros([1, 4, 4, 3]), ops.zeros([3, 3, 3, 2])), /input has 3 channels.*kernel expects 2.*\(height, width, filters, in_channels\)/);
  });

  it('SeparableConv2D', () => {
    assert.throws(() => L.separableConv2d({ filters: 2, kernelSize: 5, name: 'sc_small' }).apply(ops.zeros([1, 4, 6, 2])),
      (e: Error) => e.name === 'ShapeError' && /sc_small.*SeparableConv2D.*\(None, 4, 6, 2\).*height 'valid': floor\(\(4 - 5\) \/ 1\) \+ 1 = none/.test(e.message));
    assert.throws(() => L.separableConv2d({ filters: 2, kernelSize: 3, depthMultiplier: 0 }), /depth_multiplier must be a positive integer/);
    assert.throws(() => L.separableConv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }), /strides > 1 are not supported together with dilation_rate > 1/);
    assert.throws(() => ops.separableConv2d(ops.zeros([1, 5, 5, 3]), ops.zeros([3, 3, 3, 2]), ops.zeros([1, 1, 3, 4])), /pointwise kernel must have shape \(1, 1, 6, filters\).*got \(1, 1, 3, 4\)/);
  });
});

// ------------------------------------------------------------------------------ files

function threeLayerModel(): Model {
  const inp = Input({ shape: [10, 4] });
  let h = L.conv1d({ filters: 6, kernelSize: 3, padding: 'causal', dilationRate: 2, groups: 2, activation: 'relu' }).apply(inp);
  h = L.reshape({ targetShape: [5, 2, 6] }).apply(h);
  h = L.conv2dTranspose({ filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', outputPadding: [1, 0], activation: 'elu' }).apply(h);
  h = L.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'sigmoid', pointwiseRegularizer: 'l2' }).apply(h);
  const out = L.dense({ units: 3, activation: 'softmax' }).apply(L.flatten().apply(h));
  const model = new Model({ inputs: inp, outputs: out });
  model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
  return model;
}

describe('saving and loading', () => {
  it('a model with the three layers round-trips through .keras and .h5 with identical configs and bit-identical predictions', async () => {
    const model = threeLayerModel();
    const x = f32(rand64([3, 10, 4], 9));
    model.trainOnBatch(x, new Tensor(Float32Array.from([0, 2, 1]), [3]));
    const want = Array.from(model.predict(x).values);
    const configs = model.layers.map((l) => l.getConfig());
    for (const file of ['m.keras', 'm.h5']) {
      await model.save(join(dir, file));
      const back = await loadModel(join(dir, file));
      assert.deepEqual(back.layers.map((l) => l.className), model.layers.map((l) => l.className), file);
      assert.deepEqual(back.layers.map((l) => l.getConfig()), configs, `${file}: configs`);
      assert.deepEqual(Array.from(back.predict(x).values), want, `${file}: predictions`);
      assert.deepEqual(back.getWeights().map((w) => Array.from(w.values)), model.getWeights().map((w) => Array.from(w.values)), `${file}: weights`);
    }
  });

  it('the option checks accept the configs Keras 3 writes for these layers (and the Keras aliases)', () => {
    const init = (c: string) => ({ module: 'keras.initializers', class_name: c, config: { seed: null }, registered_name: null });
    const dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const layer = (class_name: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name, config: { trainable: true, dtype, ...config }, registered_name: null });
    const cfg = {
      module: 'keras', class_name: 'Sequential', registered_name: null,
      config: {
        name: 'sequential', trainable: true, dtype,
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 16, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
          layer('Conv1D', {
            name: 'conv1d', filters: 4, kernel_size: [3], strides: [1], padding: 'causal', data_format: 'channels_last', dilation_rate: [2], groups: 1,
            activation: 'relu', use_bias: true, kernel_initializer: init('GlorotUniform'), bias_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null },
            kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
          }),
          layer('Reshape', { name: 'reshape', target_shape: [4, 4, 4] }),
          layer('Conv2DTranspose', {
            name: 'conv2d_transpose', filters: 3, kernel_size: [3, 3], strides: [2, 2], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1],
            activation: 'linear', use_bias: true, kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'),
            kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
          }),
          layer('SeparableConv2D', {
            name: 'separable_conv2d', depth_multiplier: 2, filters: 5, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1],
            activation: 'relu', use_bias: true, depthwise_initializer: init('GlorotUniform'), pointwise_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'),
            depthwise_regularizer: null, pointwise_regularizer: null, bias_regularizer: null, activity_regularizer: null,
            depthwise_constraint: null, pointwise_constraint: null, bias_constraint: null,
          }),
          layer('Convolution2DTranspose', { name: 'alias_t', filters: 2, kernel_size: [2, 2], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: false }),
          layer('SeparableConvolution2D', { name: 'alias_s', filters: 2, kernel_size: [1, 1], depth_multiplier: 1 }),
        ],
      },
    };
    const out = normalizeModelConfig(cfg, 'config.json');
    const names = (out.config.layers as { class_name: string }[]).map((l) => l.class_name);
    assert.deepEqual(names, ['InputLayer', 'Conv1D', 'Reshape', 'Conv2DTranspose', 'SeparableConv2D', 'Convolution2DTranspose', 'SeparableConvolution2D']);
    // An option convkit does not implement is refused, naming the layer and the option.
    const bad = structuredClone(cfg);
    (bad.config.layers[3].config as Record<string, unknown>).kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } };
    assert.throws(() => normalizeModelConfig(bad, 'config.json'), /conv2d_transpose.*Conv2DTranspose.*kernel_constraint/);
  });
});
