/**
 * Cropping1D/2D, UpSampling2D, the element-wise merges (Multiply, Average, Maximum, Minimum,
 * Subtract), GlobalPooling keepdims and squeeze-and-excitation blocks, without TensorFlow.js
 * (test/parity/reshape_merge.test.ts compares with it):
 *
 *  - forward values against naive loops (crop, repeat) and TensorFlow's documented half-pixel
 *    bilinear formula evaluated corner by corner in float64;
 *  - computeOutputShape equals the shape of real calls (odd sizes, batch 1 and 3), Keras 3's merge
 *    broadcasting and unknown-dimension rules, and errors that name the layer and the shapes;
 *  - central finite differences in float64 for every new op and layer (repeat, resize bilinear and
 *    nearest, cropping, each merge with broadcasting), TensorFlow's tie rule for Maximum/Minimum;
 *  - an SE block (GAP keepdims → Conv 1×1 relu → Conv 1×1 sigmoid → Multiply) end to end, with its
 *    input gradient by finite differences and its weight gradients against the same block in ops;
 *  - save/load (.keras, .h5, .convkit, tfjs) of a functional model using every new layer, and
 *    Keras 3 configs naming them (unsupported options refused with the layer named).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { SymbolicTensor } from '../../src/layers/symbolic.js';
import type { Layer } from '../../src/layers/layer.js';
import { Model } from '../../src/models/model.js';
import { loadModel } from '../../src/io/model_io.js';
import { normalizeModelConfig } from '../../src/io/keras/config_in.js';
import { modelFromConfig } from '../../src/io/model_config.js';
import { FormatError, ShapeError, ValueError } from '../../src/errors.js';
import * as ops from '../../src/ops/index.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-reshape-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function randn(shape: number[], seed: number, std = 1): Tensor {
  return ops.randomNormal(shape, 0, std, { seed });
}

/** The shape a layer predicts for a concrete input (batch kept) must be the shape of the call. */
function checkShape(layer: Layer, xs: Tensor | Tensor[]): Tensor {
  const out = layer.apply(xs as never) as Tensor;
  const predicted = layer.computeOutputShape(Array.isArray(xs) ? xs.map((t) => [...t.shape]) : [...xs.shape]);
  assert.deepEqual(predicted, [...out.shape], `${layer.className}: computeOutputShape vs the call`);
  const symbolic = layer.computeOutputShape(Array.isArray(xs) ? xs.map((t) => [null, ...t.shape.slice(1)]) : [null, ...xs.shape.slice(1)]);
  assert.deepEqual(symbolic, [null, ...out.shape.slice(1)], `${layer.className}: computeOutputShape with an unknown batch`);
  return out;
}

/** at(t, b, i, j, c) for NHWC tensors. */
function at(t: Tensor, ...idx: number[]): number {
  let off = 0;
  for (let k = 0; k < idx.length; k++) off = off * t.shape[k] + idx[k];
  return t.values[off];
}

// ---------------------------------------------------------------- Cropping

describe('Cropping1D and Cropping2D', () => {
  it('Cropping2D takes an int, a [height, width] pair or [[top, bottom], [left, right]] and crops exactly those rows and columns', () => {
    assert.deepEqual(L.cropping2d().cropping, [[0, 0], [0, 0]]);
    assert.deepEqual(L.cropping2d({ cropping: 2 }).cropping, [[2, 2], [2, 2]]);
    assert.deepEqual(L.cropping2d({ cropping: [1, 3] }).cropping, [[1, 1], [3, 3]]);
    for (const batch of [1, 3]) {
      const x = randn([batch, 7, 9, 2], 1 + batch);
      for (const cropping of [[[2, 1], [0, 3]], [[0, 0], [4, 4]], [[6, 0], [0, 8]]] as [[number, number], [number, number]][]) {
        const layer = L.cropping2d({ cropping });
        const y = checkShape(layer, x);
        const [[t, bo], [l, r]] = cropping;
        assert.deepEqual([...y.shape], [batch, 7 - t - bo, 9 - l - r, 2]);
        for (let b = 0; b < batch; b++) for (let i = 0; i < y.shape[1]; i++) for (let j = 0; j < y.shape[2]; j++) for (let c = 0; c < 2; c++) {
          assert.equal(at(y, b, i, j, c), at(x, b, i + t, j + l, c));
        }
      }
    }
  });

  it('Cropping2D keeps unknown spatial sizes unknown and refuses crops that leave nothing, naming the layer and the shapes', () => {
    const layer = L.cropping2d({ cropping: [[1, 2], [3, 0]], name: 'crop_me' });
    assert.deepEqual(layer.computeOutputShape([null, null, 10, 4]), [null, null, 7, 4]);
    assert.throws(() => layer.computeOutputShape([null, 3, 10, 4]), (e: Error) => e instanceof ShapeError && /"crop_me" \(Cropping2D\)/.test(e.message) && /\(None, 3, 10, 4\)/.test(e.message) && /\[\[1,2\],\[3,0\]\]/.test(e.message));
    assert.throws(() => layer.apply(randn([1, 5, 3, 1], 3)), /"crop_me" \(Cropping2D\).*\(1, 5, 3, 1\).*\(1, 2, 0, 1\)/);
    assert.throws(() => layer.apply(randn([2, 5, 3], 3)), /expected ndim=4, found ndim=3/);
    assert.throws(() => L.cropping2d({ cropping: -1 }), (e: Error) => e instanceof ValueError && /non-negative/.test(e.message));
    assert.throws(() => L.cropping2d({ cropping: [[1, 2, 3], [0, 0]] as never }), /Cropping2D: cropping must be/);
    assert.throws(() => L.cropping2d({ cropping: 1, dataFormat: 'channels_first' as never }), /only data_format 'channels_last'/);
  });

  it('Cropping1D crops axis 1 of (batch, steps, features), default [1, 1]', () => {
    assert.deepEqual(L.cropping1d().cropping, [1, 1]);
    assert.deepEqual(L.cropping1d({ cropping: 2 }).cropping, [2, 2]);
    for (const batch of [1, 3]) {
      const x = randn([batch, 5, 3], 10 + batch);
      const y = checkShape(L.cropping1d({ cropping: [1, 2] }), x);
      assert.deepEqual([...y.shape], [batch, 2, 3]);
      for (let b = 0; b < batch; b++) for (let i = 0; i < 2; i++) for (let f = 0; f < 3; f++) assert.equal(at(y, b, i, f), at(x, b, i + 1, f));
    }
    assert.throws(() => L.cropping1d({ cropping: [2, 3], name: 'c1' }).apply(randn([3, 5, 7], 1)), (e: Error) => e instanceof ShapeError && /"c1" \(Cropping1D\)/.test(e.message) && /\(3, 5, 7\)/.test(e.message));
    assert.throws(() => L.cropping1d({ cropping: [1, 2, 3] as never }), /Cropping1D: cropping must be an integer or a pair/);
    assert.deepEqual(L.cropping1d({ cropping: [1, 2] }).computeOutputShape([4, null, 7]), [4, null, 7]);
  });

  it('gradients match central finite differences (float64)', () => {
    const c2 = L.cropping2d({ cropping: [[1, 2], [2, 0]] });
    checkGradients('Cropping2D', (t) => c2.apply(t), [rand64([2, 6, 5, 3], 1)]);
    const c1 = L.cropping1d({ cropping: [0, 2] });
    checkGradients('Cropping1D', (t) => c1.apply(t), [rand64([2, 5, 3], 2)]);
  });
});

// ---------------------------------------------------------------- UpSampling2D and resize

/** TensorFlow's half-pixel bilinear resize, corner by corner, in float64 (an independent formula). */
function naiveBilinear(x: Tensor, outH: number, outW: number): Float64Array {
  const [n, h, w, c] = x.shape;
  const out = new Float64Array(n * outH * outW * c);
  const src = (i: number, inSize: number, outSize: number) => (i + 0.5) * (inSize / outSize) - 0.5;
  let k = 0;
  for (let b = 0; b < n; b++) for (let i = 0; i < outH; i++) for (let j = 0; j < outW; j++) for (let ch = 0; ch < c; ch++) {
    const sy = src(i, h, outH);
    const sx = src(j, w, outW);
    const y0 = Math.max(Math.floor(sy), 0), y1 = Math.min(Math.ceil(sy), h - 1), ty = sy - Math.floor(sy);
    const x0 = Math.max(Math.floor(sx), 0), x1 = Math.min(Math.ceil(sx), w - 1), tx = sx - Math.floor(sx);
    const tl = at(x, b, y0, x0, ch), tr = at(x, b, y0, x1, ch), bl = at(x, b, y1, x0, ch), br = at(x, b, y1, x1, ch);
    out[k++] = (1 - ty) * ((1 - tx) * tl + tx * tr) + ty * ((1 - tx) * bl + tx * br);
  }
  return out;
}

function assertAllClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `${what}: element ${i}: ${got[i]} vs ${want[i]}`);
  }
}

describe('UpSampling2D and ops.resize', () => {
  it("'nearest' repeats every row size[0] times and every column size[1] times (odd sizes, batch 1 and 3)", () => {
    for (const batch of [1, 3]) {
      for (const size of [[2, 2], [3, 1], [1, 4]] as [number, number][]) {
        const x = randn([batch, 5, 3, 2], 20 + batch);
        const y = checkShape(L.upSampling2d({ size }), x);
        assert.deepEqual([...y.shape], [batch, 5 * size[0], 3 * size[1], 2]);
        for (let b = 0; b < batch; b++) for (let i = 0; i < y.shape[1]; i++) for (let j = 0; j < y.shape[2]; j++) for (let c = 0; c < 2; c++) {
          assert.equal(at(y, b, i, j, c), at(x, b, Math.floor(i / size[0]), Math.floor(j / size[1]), c));
        }
      }
    }
    assert.deepEqual(L.upSampling2d().size, [2, 2]);
    assert.deepEqual(L.upSampling2d({ size: 3 }).size, [3, 3]);
  });

  it("'bilinear' is TensorFlow 2's half-pixel resize: [[1, 2], [3, 4]] ×2 gives tf.image.resize's values", () => {
    const x = ops.tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const y = L.upSampling2d({ size: 2, interpolation: 'bilinear' }).apply(x);
    assert.deepEqual(Array.from(y.values), [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4]);
    // align_corners would put the input values at the corners AND spread them evenly: not what Keras does.
    assert.notEqual(y.values[1], 1 + 1 / 3);
  });

  it("'bilinear' equals the half-pixel formula evaluated corner by corner (odd sizes, batch 1 and 3, several factors)", () => {
    for (const batch of [1, 3]) {
      for (const [h, w, size] of [[5, 3, [2, 2]], [3, 7, [3, 2]], [1, 1, [2, 3]], [4, 1, [1, 5]]] as [number, number, [number, number]][]) {
        const x = randn([batch, h, w, 3], 30 + h + w + batch);
        const layer = L.upSampling2d({ size, interpolation: 'BILINEAR' });
        assert.equal(layer.interpolation, 'bilinear', 'interpolation is lower-cased as in Keras');
        const y = checkShape(layer, x);
        assertAllClose(y.values, naiveBilinear(x, h * size[0], w * size[1]), 2e-6, `bilinear ${h}x${w} ×[${size}] batch ${batch}`);
      }
    }
  });

  it('ops.resize also downsamples and takes any target size; nearest uses half-pixel centres too', () => {
    const x = rand64([2, 7, 5, 2], 40);
    for (const size of [[3, 2], [7, 8], [10, 3], [1, 1]] as [number, number][]) {
      const y = ops.resize(x, size, { interpolation: 'bilinear' });
      assert.equal(y.dtype, 'float64');
      assertAllClose(y.values, naiveBilinear(x, size[0], size[1]), 1e-6, `resize bilinear to ${size}`);
      const n = ops.resize(x, size, { interpolation: 'nearest' });
      assert.deepEqual([...n.shape], [2, size[0], size[1], 2]);
      for (let i = 0; i < size[0]; i++) for (let j = 0; j < size[1]; j++) {
        const si = Math.min(Math.floor((i + 0.5) * 7 / size[0]), 6), sj = Math.min(Math.floor((j + 0.5) * 5 / size[1]), 4);
        assert.equal(at(n, 1, i, j, 1), at(x, 1, si, sj, 1), `nearest ${size} at (${i}, ${j})`);
      }
    }
    // One image (rank 3) works as well; the default is bilinear, as keras.ops.image.resize.
    const one = ops.resize(ops.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]).reshape([7, 5, 2]), [4, 4]);
    assertAllClose(one.values, naiveBilinear(ops.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]), 4, 4), 1e-6, 'rank-3 resize');
    assert.throws(() => ops.resize(x, [0, 3]), /size must be \[height, width\] with positive integers/);
    assert.throws(() => ops.resize(x, [2, 2], { interpolation: 'bicubic' as never }), /interpolation must be one of 'bilinear', 'nearest'/);
    assert.throws(() => ops.resize(rand64([2, 3], 1), [2, 2]), /rank 4 .* or 3 .* got shape \(2, 3\)/);
  });

  it('options are checked: unsupported interpolations, channels_first, bad sizes, wrong rank', () => {
    assert.throws(() => L.upSampling2d({ interpolation: 'bicubic' }), (e: Error) => e instanceof ValueError && /'nearest' and 'bilinear'/.test(e.message));
    assert.throws(() => L.upSampling2d({ size: 0 }), /size must be positive integers/);
    assert.throws(() => L.upSampling2d({ dataFormat: 'channels_first' as never }), /only data_format 'channels_last'/);
    assert.throws(() => L.upSampling2d({ name: 'up' }).apply(randn([2, 3, 4], 1)), /layer "up".*expected ndim=4, found ndim=3/);
    assert.deepEqual(L.upSampling2d({ size: [2, 3] }).computeOutputShape([null, null, 5, 2]), [null, null, 15, 2]);
  });

  it('gradients match central finite differences (float64): repeat, resize bilinear/nearest, both UpSampling2D modes', () => {
    const x = rand64([2, 3, 4, 2], 50);
    checkGradients('repeat axis 1', (t) => ops.repeat(t, 3, 1), [x]);
    checkGradients('repeat axis -1', (t) => ops.repeat(t, 2, -1), [x]);
    checkGradients('resize bilinear up ×[2.67, 1.25]', (t) => ops.resize(t, [8, 5]), [x]);
    checkGradients('resize bilinear down', (t) => ops.resize(t, [2, 3]), [rand64([1, 5, 7, 2], 51)]);
    checkGradients('resize nearest', (t) => ops.resize(t, [5, 3], { interpolation: 'nearest' }), [x]);
    const up = L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' });
    checkGradients('UpSampling2D bilinear', (t) => up.apply(t), [rand64([1, 3, 3, 2], 52)]);
    const upN = L.upSampling2d({ size: [3, 2] });
    checkGradients('UpSampling2D nearest', (t) => upN.apply(t), [rand64([2, 2, 3, 1], 53)]);
  });
});

// ---------------------------------------------------------------- merges

describe('Multiply, Average, Maximum, Minimum, Subtract', () => {
  const MERGES: [string, (a?: { name?: string }) => Layer, (xs: Tensor[]) => Tensor][] = [
    ['Multiply', (a) => new L.Multiply(a), (xs) => xs.slice(1).reduce((p, t) => ops.mul(p, t), xs[0])],
    ['Average', (a) => new L.Average(a), (xs) => ops.div(xs.slice(1).reduce((p, t) => ops.add(p, t), xs[0]), xs.length)],
    ['Maximum', (a) => new L.Maximum(a), (xs) => xs.slice(1).reduce((p, t) => ops.maximum(p, t), xs[0])],
    ['Minimum', (a) => new L.Minimum(a), (xs) => xs.slice(1).reduce((p, t) => ops.minimum(p, t), xs[0])],
    ['Subtract', (a) => new L.Subtract(a), (xs) => ops.sub(xs[0], xs[1])],
  ];

  it('compute element-wise on equal shapes (batch 1 and 3), with the Keras class names', () => {
    for (const [cls, make, ref] of MERGES) {
      for (const batch of [1, 3]) {
        const n = cls === 'Subtract' ? 2 : 3;
        const xs = Array.from({ length: n }, (_, i) => randn([batch, 3, 5, 2], 60 + i + batch));
        const layer = make();
        assert.equal(layer.className, cls);
        const y = checkShape(layer, xs);
        assert.deepEqual(Array.from(y.values), Array.from(ref(xs).values), `${cls} batch ${batch}`);
      }
    }
    // Spot values, so the reference above cannot hide a wrong op.
    const a = ops.tensor([[1, -2, 3]]), b = ops.tensor([[4, 5, -6]]);
    assert.deepEqual(L.multiply([a, b]).toArray(), [[4, -10, -18]]);
    assert.deepEqual(L.average([a, b]).toArray(), [[2.5, 1.5, -1.5]]);
    assert.deepEqual(L.maximum([a, b]).toArray(), [[4, 5, 3]]);
    assert.deepEqual(L.minimum([a, b]).toArray(), [[1, -2, -6]]);
    assert.deepEqual(L.subtract([a, b]).toArray(), [[-3, -7, 9]]);
  });

  it("broadcast as Keras 3: a lower-rank input gets axes after the batch axis ((b, c) × (b, h, w, c)), size-1 axes stretch", () => {
    for (const batch of [1, 3]) {
      const x = randn([batch, 4, 3, 5], 70 + batch);
      const v = randn([batch, 5], 71 + batch);
      const y = checkShape(new L.Multiply(), [x, v]);
      assert.deepEqual(Array.from(y.values), Array.from(ops.mul(x, ops.reshape(v, [batch, 1, 1, 5])).values));
      const y2 = checkShape(new L.Subtract(), [v, x]);
      assert.deepEqual(Array.from(y2.values), Array.from(ops.sub(ops.reshape(v, [batch, 1, 1, 5]), x).values));
      const s = randn([batch, 1, 1, 5], 72 + batch);
      const y3 = checkShape(new L.Maximum(), [s, x]);
      assert.deepEqual(Array.from(y3.values), Array.from(ops.maximum(s, x).values));
    }
  });

  it("computeOutputShape follows Keras 3's rules (unknown on either side stays unknown; known batch sizes must agree)", () => {
    const m = new L.Multiply({ name: 'mul_shapes' });
    assert.deepEqual(m.computeOutputShape([[null, 4, null, 3], [null, 4, 5, 1]]), [null, 4, null, 3]);
    assert.deepEqual(m.computeOutputShape([[null, 1, 1, 3], [null, 7, 9, 3]]), [null, 7, 9, 3]);
    assert.deepEqual(m.computeOutputShape([[2, 3], [null, 6, 3]]), [2, 6, 3]);
    assert.deepEqual(m.computeOutputShape([[null, 3], [null, 3], [null, 2, 3]]), [null, 2, 3]);
    assert.throws(() => m.computeOutputShape([[2, 3], [4, 3]]), (e: Error) => e instanceof ShapeError && /"mul_shapes" \(Multiply\) cannot merge tensors with different batch sizes: \(2, 3\), \(4, 3\)/.test(e.message));
    assert.throws(() => m.computeOutputShape([[null, 4, 4, 3], [null, 4, 4, 2]]), (e: Error) => e instanceof ShapeError && /"mul_shapes" \(Multiply\): inputs have incompatible shapes \(None, 4, 4, 3\) and \(None, 4, 4, 2\)/.test(e.message));
  });

  it('shape errors name the layer and the shapes: Subtract with 3 inputs, one input, mismatched shapes, batch sizes', () => {
    const a = Input({ shape: [4, 4, 3] });
    const b = Input({ shape: [4, 4, 2] });
    assert.throws(() => L.subtract([a, a, a], { name: 'sub3' }), (e: Error) => e instanceof ValueError && /"sub3" \(Subtract\) must be called on exactly 2 inputs, got 3: \(None, 4, 4, 3\), \(None, 4, 4, 3\), \(None, 4, 4, 3\)/.test(e.message));
    const t = randn([2, 3], 1);
    assert.throws(() => L.subtract([t, t, t]), /exactly 2 inputs, got 3/);
    assert.throws(() => L.subtract([t]), /exactly 2 inputs, got 1/);
    assert.throws(() => L.multiply({ name: 'm1' }).apply(a), /"m1" \(Multiply\) must be called on a list of at least 2 inputs, got a single input of shape \(None, 4, 4, 3\)/);
    assert.throws(() => L.average([t]), /"average(_\d+)?" \(Average\) must be called on at least 2 inputs, got 1/);
    assert.throws(() => L.maximum([a, b], { name: 'mx' }), /"mx" \(Maximum\): inputs have incompatible shapes \(None, 4, 4, 3\) and \(None, 4, 4, 2\)/);
    assert.throws(() => L.minimum([randn([2, 3], 1), randn([3, 3], 2)], { name: 'mn' }), /"mn" \(Minimum\) cannot merge tensors with different batch sizes: \(2, 3\), \(3, 3\)/);
    // A layer built on one shape refuses incompatible concrete inputs later, with the shapes.
    const mul = new L.Multiply({ name: 'later' });
    mul.apply([randn([1, 3], 1), randn([1, 3], 2)]);
    assert.throws(() => mul.apply([randn([1, 3], 1), randn([1, 4], 2)]), /"later" \(Multiply\): inputs have incompatible shapes \(1, 3\) and \(1, 4\)/);
  });

  it('factories: layers.multiply() makes the layer, layers.multiply([a, b]) applies it (symbolic or eager), as add and concatenate', () => {
    assert.ok(L.multiply() instanceof L.Multiply);
    assert.ok(L.subtract({ name: 'named_sub' }) instanceof L.Subtract);
    assert.equal(L.subtract({ name: 'named_sub2' }).name, 'named_sub2');
    const a = Input({ shape: [3] });
    const b = Input({ shape: [3] });
    for (const f of [L.multiply, L.average, L.maximum, L.minimum, L.subtract, L.add]) {
      const out = f([a, b]);
      assert.ok(out instanceof SymbolicTensor);
      assert.deepEqual(out.shape, [null, 3]);
    }
    const cat = L.concatenate([a, b], { axis: -1 });
    assert.ok(cat instanceof SymbolicTensor);
    assert.deepEqual(cat.shape, [null, 6]);
    assert.equal(L.average([a, b], { name: 'avg_named' }).node.layer.name, 'avg_named');
    const x = ops.tensor([[1, 2]]);
    const y = ops.tensor([[3, 5]]);
    assert.deepEqual(L.average([x, y]).toArray(), [[2, 3.5]]);
    assert.deepEqual(L.add([x, y]).toArray(), [[4, 7]]);
    assert.ok(L.add() instanceof L.Add);
  });

  it('gradients match central finite differences (float64), with broadcasting and three inputs', () => {
    const x = rand64([2, 3, 2, 4], 80);
    const v = rand64([2, 4], 81);
    const s = rand64([2, 1, 2, 4], 82);
    for (const [cls, make] of MERGES) {
      const layer = make();
      if (cls === 'Subtract') {
        checkGradients(`${cls} (b,h,w,c) − (b,c)`, (p, q) => layer.apply([p, q]), [x, v]);
        checkGradients(`${cls} (b,1,w,c) − (b,h,w,c)`, (p, q) => layer.apply([p, q]), [s, x]);
      } else {
        checkGradients(`${cls} of (b,h,w,c), (b,c), (b,1,w,c)`, (p, q, r) => layer.apply([p, q, r]), [x, v, s]);
      }
    }
  });

  it("Maximum/Minimum route the gradient to the larger/smaller input and, on ties, to the earlier input (TensorFlow's rule)", () => {
    const a = new Tensor(Float64Array.from([1, 5, 2, 7]), [1, 4]);
    const b = new Tensor(Float64Array.from([3, 5, 1, 7]), [1, 4]);
    const c = new Tensor(Float64Array.from([0, 5, 2, 9]), [1, 4]);
    const grads = (layer: Layer, xs: Tensor[]) => {
      const vs = xs.map((t, i) => new Variable(t, `in${i}`, true));
      return valueAndGrads(() => ops.sum(layer.apply(vs) as Tensor), vs).grads.map((g) => Array.from((g as Tensor).values));
    };
    // max: [3, 5, 2, 9]: a wins col 2 and ties col 1 (with b, c) → a; col 3: c.
    assert.deepEqual(grads(new L.Maximum(), [a, b, c]), [[0, 1, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]]);
    // min: [0, 5, 1, 7]: ties in col 1 → a; col 3 tie of a and b → a.
    assert.deepEqual(grads(new L.Minimum(), [a, b, c]), [[0, 1, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0]]);
    assert.deepEqual(grads(new L.Maximum(), [b, a]), [[1, 1, 0, 1], [0, 0, 1, 0]]);
  });
});

// ---------------------------------------------------------------- GlobalPooling keepdims and SE blocks

describe('GlobalAveragePooling2D / GlobalMaxPooling2D keepdims', () => {
  it('keepdims keeps (batch, 1, 1, channels); the config carries keepdims as Keras 3 writes it', () => {
    for (const batch of [1, 3]) {
      const x = randn([batch, 5, 7, 3], 90 + batch);
      const gap = checkShape(L.globalAveragePooling2d({ keepdims: true }), x);
      const gmp = checkShape(L.globalMaxPooling2d({ keepdims: true }), x);
      assert.deepEqual([...gap.shape], [batch, 1, 1, 3]);
      assert.deepEqual(Array.from(gap.values), Array.from(ops.mean(x, [1, 2]).values));
      assert.deepEqual(Array.from(gmp.values), Array.from(ops.max(x, [1, 2]).values));
      assert.deepEqual([...checkShape(L.globalAveragePooling2d(), x).shape], [batch, 3]);
    }
    assert.equal(L.globalAveragePooling2d({ keepdims: true }).getConfig().keepdims, true);
    assert.equal(L.globalMaxPooling2d().getConfig().keepdims, false);
    checkGradients('GAP keepdims', (t) => L.globalAveragePooling2d({ keepdims: true }).apply(t), [rand64([2, 3, 4, 2], 91)]);
  });
});

/** x → GAP(keepdims) → Conv2D(r, 1×1, relu) → Conv2D(c, 1×1, sigmoid) → Multiply([x, s]). */
function seBlock(shape: number[], r: number) {
  const input = Input({ shape });
  const gap = L.globalAveragePooling2d({ keepdims: true });
  const squeeze = L.conv2d({ filters: r, kernelSize: 1, activation: 'relu' });
  const excite = L.conv2d({ filters: shape[2], kernelSize: 1, activation: 'sigmoid' });
  const s = excite.apply(squeeze.apply(gap.apply(input)));
  const out = L.multiply([input, s]);
  return { model: new Model({ inputs: input, outputs: out }), squeeze, excite, s };
}

/** The same block written with ops. */
function seOps(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor {
  const z = ops.mean(x, [1, 2], true);
  const h = ops.relu(ops.add(ops.conv2d(z, w1), b1));
  const s = ops.sigmoid(ops.add(ops.conv2d(h, w2), b2));
  return ops.mul(x, s);
}

describe('squeeze-and-excitation block (functional)', () => {
  it('scales each channel of x by one factor in (0, 1) per sample; symbolic shapes equal the real ones', () => {
    const { model, s } = seBlock([5, 7, 6], 2);
    assert.deepEqual(s.shape, [null, 1, 1, 6]);
    assert.deepEqual(model.outputs[0].shape, [null, 5, 7, 6]);
    for (const batch of [1, 3]) {
      const x = randn([batch, 5, 7, 6], 100 + batch, 1);
      const y = model.predict(x);
      assert.deepEqual([...y.shape], [batch, 5, 7, 6]);
      for (let b = 0; b < batch; b++) for (let c = 0; c < 6; c++) {
        const f = at(y, b, 0, 0, c) / at(x, b, 0, 0, c);
        assert.ok(f > 0 && f < 1, `factor ${f} in (0, 1)`);
        for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) {
          assert.ok(Math.abs(at(y, b, i, j, c) - f * at(x, b, i, j, c)) <= 1e-5 * Math.max(1, Math.abs(at(y, b, i, j, c))), 'one factor per (sample, channel)');
        }
      }
    }
  });

  it('the input gradient of the whole model matches finite differences (float64 input)', () => {
    const { model } = seBlock([3, 4, 4], 2);
    checkGradients('SE model d/dx', (t) => model.apply(t) as Tensor, [rand64([2, 3, 4, 4], 110)], { tol: 1e-5 });
  });

  it("the model's weight gradients equal the same block's written with ops, whose gradients match finite differences (float64)", () => {
    const { model, squeeze, excite } = seBlock([3, 5, 4], 2);
    const x = randn([3, 3, 5, 4], 120);
    const [w1, b1] = squeeze.weights;
    const [w2, b2] = excite.weights;
    const vars = [w1, b1, w2, b2];
    const loss = (y: Tensor) => ops.sum(ops.mul(y, y));
    const viaModel = valueAndGrads(() => loss(model.apply(x, { training: true }) as Tensor), vars);
    const viaOps = valueAndGrads(() => loss(seOps(x, w1, b1, w2, b2)), vars);
    assert.ok(Math.abs(viaModel.value.item() - viaOps.value.item()) <= 1e-5 * Math.abs(viaOps.value.item()));
    viaModel.grads.forEach((g, i) => {
      assert.ok(g && viaOps.grads[i]);
      assert.ok(Array.from(g.values).some((v) => v !== 0), `${vars[i].name} has a non-zero gradient`);
      assertAllClose(g.values, viaOps.grads[i]!.values, 1e-5, `gradient of ${vars[i].name}`);
    });
    checkGradients('SE block in ops', seOps, [rand64([2, 3, 5, 4], 121), rand64([1, 1, 4, 2], 122), rand64([2], 123, 0.5, 0.5), rand64([1, 1, 2, 4], 124), rand64([4], 125)], { tol: 1e-5 });
  });

  it('the Keras 2 way also works: GAP → Reshape((1, 1, c)) → Dense → Dense → Multiply', () => {
    const input = Input({ shape: [4, 6, 8] });
    const z = L.reshape({ targetShape: [1, 1, 8] }).apply(L.globalAveragePooling2d().apply(input));
    const s = L.dense({ units: 8, activation: 'sigmoid' }).apply(L.dense({ units: 2, activation: 'relu' }).apply(z));
    assert.deepEqual(s.shape, [null, 1, 1, 8]);
    const model = new Model({ inputs: input, outputs: L.multiply([input, s]) });
    const x = randn([3, 4, 6, 8], 130);
    const y = model.predict(x);
    assert.deepEqual([...y.shape], [3, 4, 6, 8]);
    const f = at(y, 2, 0, 0, 5) / at(x, 2, 0, 0, 5);
    assert.ok(Math.abs(at(y, 2, 3, 5, 5) - f * at(x, 2, 3, 5, 5)) < 1e-5);
  });
});

// ---------------------------------------------------------------- files and Keras configs

/** A functional model with every new layer: crops, both upsamplings, every merge, an SE block. */
function everythingModel(): Model {
  const input = Input({ shape: [7, 9, 3] });
  const a = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }).apply(input);
  const b = L.cropping2d({ cropping: [[1, 2], [2, 3]] }).apply(L.upSampling2d({ size: 2 }).apply(L.conv2d({ filters: 4, kernelSize: 3 }).apply(input)));
  const c = L.cropping2d({ cropping: [[1, 0], [1, 2]] }).apply(L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }).apply(L.conv2d({ filters: 4, kernelSize: [4, 6] }).apply(input)));
  const s = L.conv2d({ filters: 4, kernelSize: 1, activation: 'sigmoid' }).apply(L.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }).apply(L.globalMaxPooling2d({ keepdims: true }).apply(a)));
  const merged = L.concatenate([
    L.multiply([a, b, s]), L.average([a, b, c]), L.subtract([L.maximum([b, c]), L.minimum([a, c])]),
  ]);
  const seq = L.cropping1d({ cropping: [2, 1] }).apply(L.reshape({ targetShape: [63, 3] }).apply(input));
  const pooled = L.globalAveragePooling2d().apply(merged);
  const out = L.add([L.dense({ units: 5 }).apply(pooled), L.dense({ units: 5 }).apply(L.flatten().apply(seq))]);
  return new Model({ inputs: input, outputs: out });
}

describe('saving and loading', () => {
  it('a functional model with every new layer saved as .keras, .h5, .convkit and tfjs loads back with identical outputs', async () => {
    const model = everythingModel();
    const x = randn([3, 7, 9, 3], 140);
    const expected = Array.from(model.predict(x).values);
    assert.ok(expected.every(Number.isFinite));
    for (const name of ['m.keras', 'm.h5', 'm.convkit', 'web']) {
      const path = join(dir, name);
      await model.save(path, name === 'web' ? { format: 'tfjs' } : {});
      const back = await loadModel(path);
      assert.deepEqual(back.layers.map((l) => l.className), model.layers.map((l) => l.className), `${name}: layer classes`);
      assert.deepEqual(Array.from(back.predict(x).values), expected, `${name}: identical predictions`);
    }
    // The .keras config spells the options as Keras 3 does.
    const zip = unzipSync(new Uint8Array(readFileSync(join(dir, 'm.keras'))));
    const cfg = JSON.parse(strFromU8(zip['config.json'])) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const byClass = (cls: string) => cfg.config.layers.filter((l) => l.class_name === cls).map((l) => l.config);
    assert.deepEqual(byClass('Cropping2D').map((c) => [c.cropping, c.data_format]), [[[[1, 2], [2, 3]], 'channels_last'], [[[1, 0], [1, 2]], 'channels_last']]);
    assert.deepEqual(byClass('UpSampling2D').map((c) => [c.size, c.interpolation, c.data_format]), [[[2, 2], 'nearest', 'channels_last'], [[2, 3], 'bilinear', 'channels_last']]);
    assert.deepEqual(byClass('Cropping1D').map((c) => c.cropping), [[2, 1]]);
    assert.deepEqual(byClass('GlobalMaxPooling2D').map((c) => c.keepdims), [true]);
    for (const cls of ['Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract']) assert.equal(byClass(cls).length, 1, `${cls} saved`);
  });

  const keras3Layer = (cls: string, name: string, config: Record<string, unknown>, inbound: string[]) => ({
    module: 'keras.layers', class_name: cls, registered_name: null,
    config: { name, trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null }, ...config },
    inbound_nodes: inbound.length ? [{ args: [inbound.length > 1 ? inbound.map((n) => ({ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [n, 0, 0] } })) : { class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [inbound[0], 0, 0] } }], kwargs: {} }] : [],
  });
  const keras3Model = (layers: unknown[], output: string) => ({
    module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional',
    config: {
      name: 'functional', trainable: true, layers: [{ module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 6, 8, 2], dtype: 'float32', sparse: false, name: 'in' }, name: 'in', inbound_nodes: [] }, ...layers],
      input_layers: ['in', 0, 0], output_layers: [output, 0, 0],
    },
  });

  it('Keras 3 configs with these layers build the same model; unsupported options are refused naming the layer', () => {
    const cfg = keras3Model([
      keras3Layer('Cropping2D', 'crop', { cropping: [[1, 1], [2, 1]], data_format: 'channels_last' }, ['in']),
      keras3Layer('UpSampling2D', 'up', { size: [2, 2], data_format: 'channels_last', interpolation: 'bilinear' }, ['crop']),
      keras3Layer('GlobalAveragePooling2D', 'gap', { data_format: 'channels_last', keepdims: true }, ['up']),
      keras3Layer('Multiply', 'mul', {}, ['up', 'gap']),
      keras3Layer('Subtract', 'sub', {}, ['mul', 'up']),
      keras3Layer('Maximum', 'max', {}, ['sub', 'mul']),
      keras3Layer('Minimum', 'min', {}, ['max', 'up']),
      keras3Layer('Average', 'avg', {}, ['min', 'sub']),
    ], 'avg');
    const model = modelFromConfig(normalizeModelConfig(cfg, 'config.json'));
    assert.deepEqual(model.outputs[0].shape, [null, 8, 10, 2]);
    const x = randn([2, 6, 8, 2], 150);
    const up = ops.resize(ops.slice(x, [0, 1, 2, 0], [2, 4, 5, 2]), [8, 10]);
    const mul = ops.mul(up, ops.mean(up, [1, 2], true));
    const sub = ops.sub(mul, up);
    const want = ops.div(ops.add(ops.minimum(ops.maximum(sub, mul), up), sub), 2);
    assertAllClose(model.predict(x).values, want.values, 1e-6, 'Keras 3 config model');

    const bad = (cls: string, config: Record<string, unknown>, pattern: RegExp) => assert.throws(
      () => normalizeModelConfig(keras3Model([keras3Layer(cls, 'bad_layer', config, ['in'])], 'bad_layer'), 'm.keras'),
      (e: Error) => e instanceof FormatError && /m\.keras: layer "bad_layer" \(/.test(e.message) && pattern.test(e.message),
    );
    bad('UpSampling2D', { size: [2, 2], data_format: 'channels_last', interpolation: 'bicubic' }, /interpolation "bicubic" is not supported yet/);
    bad('UpSampling2D', { size: [2, 2], data_format: 'channels_first', interpolation: 'nearest' }, /channels_last/);
    bad('Cropping2D', { cropping: [[1, 1], [1, 1]], data_format: 'channels_first' }, /channels_last/);
    bad('Cropping2D', { cropping: [[1, 1], [1, 1]], data_format: 'channels_last', mystery: 1 }, /option mystery = 1, which convkit does not support yet/);
  });
});

describe('global pooling data format', () => {
  it('refuses channels_first instead of pooling the wrong axis', () => {
    for (const f of [L.globalAveragePooling2d, L.globalMaxPooling2d]) {
      assert.throws(() => f({ dataFormat: 'channels_first' as never }), /only data_format 'channels_last' is supported, got "channels_first"/);
      assert.equal(f({ dataFormat: 'channels_last' }).getConfig().data_format, 'channels_last');
    }
  });
});
