/**
 * LayerNormalization, RMSNormalization, SpatialDropout2D, StochasticPooling2D and the activations EfficientNet /
 * MobileNetV3 / ConvNeXt need (silu, hard_sigmoid, hard_silu, gelu).
 *
 * References: hand-computed examples, a naive float64 loop for layer normalisation over any axes,
 * central finite differences (test/helpers/gradcheck.ts) for every gradient, and binomial /
 * multinomial bounds (fixed seeds, 5-sigma) for the random layers. TensorFlow.js parity is in
 * test/parity/norm_dropout_pool.test.ts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as L from '../../src/layers/index.js';
import { configToArgs, layerClass } from '../../src/layers/registry.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { loadModel } from '../../src/io/model_io.js';
import { modelFromConfig, modelToConfig } from '../../src/io/model_config.js';
import { normalizeModelConfig } from '../../src/io/keras/config_in.js';
import { getActivation } from '../../src/activations/index.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import * as ops from '../../src/ops/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { checkGradients, rand64 } from '../helpers/gradcheck.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-ndp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function f32(values: number[], shape: number[]): Tensor {
  return new Tensor(Float32Array.from(values), shape);
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

/** Positive float64 values in [lo, hi). */
function positive(shape: number[], seed: number, lo = 0.2, hi = 2): Tensor {
  const r = new Random(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return new Tensor(Float64Array.from({ length: n }, () => lo + (hi - lo) * r.uniform()), shape);
}

// ---------------------------------------------------------------------------------------------
// LayerNormalization

/**
 * Naive layer normalisation in float64: for every combination of the kept axes, gather the values
 * over `axes`, normalise, and apply gamma/beta indexed by the position within the normalised axes
 * (row-major in increasing axis order, Keras's reshape of the weights).
 */
function naiveLayerNorm(x: Tensor, axes: number[], gamma: number[] | null, beta: number[] | null, eps: number, rms = false): Float64Array {
  const shape = x.shape;
  const rank = shape.length;
  const sorted = [...axes].map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
  const keep = shape.map((_, i) => i).filter((i) => !sorted.includes(i));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const count = (dims: number[]) => dims.reduce((p, a) => p * shape[a], 1);
  const coords = (k: number, dims: number[]) => {
    const out: number[] = [];
    for (let j = dims.length - 1; j >= 0; j--) { out[j] = k % shape[dims[j]]; k = Math.floor(k / shape[dims[j]]); }
    return out;
  };
  const y = new Float64Array(x.size);
  for (let r = 0; r < count(keep); r++) {
    const kc = coords(r, keep);
    const idx: number[] = [];
    for (let c = 0; c < count(sorted); c++) {
      const nc = coords(c, sorted);
      let flat = 0;
      keep.forEach((a, j) => { flat += kc[j] * strides[a]; });
      sorted.forEach((a, j) => { flat += nc[j] * strides[a]; });
      idx.push(flat);
    }
    const vals = idx.map((i) => x.values[i]);
    const mu = vals.reduce((p, v) => p + v, 0) / vals.length;
    const v2 = vals.reduce((p, v) => p + (v - mu) * (v - mu), 0) / vals.length;
    const inv = 1 / Math.sqrt(v2 + eps);
    idx.forEach((i, c) => {
      const s = rms ? vals[c] * inv : (vals[c] - mu) * inv;
      y[i] = s * (gamma ? gamma[c] : 1) + (beta ? beta[c] : 0);
    });
  }
  return y;
}

describe('LayerNormalization', () => {
  it('normalises a hand example over the last axis (mean 2.5, variance 1.25)', () => {
    const layer = new L.LayerNormalization({ epsilon: 0 });
    const x = f32([1, 2, 3, 4, 4, 3, 2, 1], [2, 4]);
    const y0 = layer.apply(x);
    const s = Math.sqrt(1.25);
    close(y0.values, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 1.5 / s, 0.5 / s, -0.5 / s, -1.5 / s], 1e-6, 'y');
    layer.setWeights([f32([1, 2, 3, 4], [4]), f32([0.5, 0, 0, -1], [4])]);
    close(layer.apply(x).values, [-1.5 / s + 0.5, -1 / s, 1.5 / s, 6 / s - 1, 1.5 / s + 0.5, 1 / s, -1.5 / s, -6 / s - 1], 1e-6, 'y with gamma, beta');
    // A constant sample normalises to beta when epsilon > 0 (the default 1e-3).
    const flat = new L.LayerNormalization();
    flat.apply(x);
    flat.setWeights([f32([1, 2, 3, 4], [4]), f32([0.5, 0, 0, -1], [4])]);
    close(flat.apply(f32([10, 10, 10, 10], [1, 4])).values, [0.5, 0, 0, -1], 1e-6, 'constant sample');
  });

  it('rmsScaling: y = x·γ/√(σ² + ε) with the centred variance, as Keras 3 computes it; gamma only', () => {
    const layer = new L.LayerNormalization({ rmsScaling: true, epsilon: 0.01 });
    const x = f32([1, 2, 3, 4], [1, 4]);
    const y = layer.apply(x);
    assert.deepEqual(layer.weights.map((w) => w.name.split('/').pop()), ['gamma']);
    const inv = 1 / Math.sqrt(1.25 + 0.01);
    close(y.values, [1 * inv, 2 * inv, 3 * inv, 4 * inv], 1e-6, 'rms');
  });

  it('matches a naive float64 loop for every axis choice, including non-trailing and unsorted axes', () => {
    const x = rand64([2, 3, 4, 5], 3, 2, 0.5);
    const cases: { axis: number | number[]; center?: boolean; scale?: boolean; rms?: boolean }[] = [
      { axis: -1 }, { axis: 3 }, { axis: [1, 2, 3] }, { axis: [1, 2] }, { axis: 1 }, { axis: [3, 1] }, { axis: 2, center: false },
      { axis: -1, scale: false }, { axis: [1, 3], rms: true }, { axis: -1, center: false, scale: false },
    ];
    for (const c of cases) {
      const layer = new L.LayerNormalization({ axis: c.axis, center: c.center, scale: c.scale, rmsScaling: c.rms, epsilon: 0.01 });
      layer.apply(new Tensor(Float32Array.from(x.values), x.shape));
      const r = new Random(9);
      layer.setWeights(layer.weights.map((w) => new Tensor(Float32Array.from({ length: w.size }, () => 0.5 + r.uniform()), [...w.shape])));
      const gamma = layer.gamma ? Array.from(layer.gamma.values) : null;
      const beta = layer.beta ? Array.from(layer.beta.values) : null;
      const axes = typeof c.axis === 'number' ? [c.axis] : c.axis;
      const want = naiveLayerNorm(x, axes, gamma, beta, 0.01, c.rms);
      close(layer.apply(new Tensor(Float32Array.from(x.values), x.shape)).values, want, 2e-5, `axis ${JSON.stringify(c.axis)}`);
    }
  });

  it('weights are named gamma, beta and shaped like the normalised axes in the order given', () => {
    const make = (args: L.LayerNormalizationArgs) => {
      const l = new L.LayerNormalization(args);
      l.apply(ops.zeros([2, 3, 4, 5]));
      return l.weights.map((w) => `${w.name.split('/').pop()}${JSON.stringify(w.shape)}`);
    };
    assert.deepEqual(make({}), ['gamma[5]', 'beta[5]']);
    assert.deepEqual(make({ axis: [1, 2, 3] }), ['gamma[3,4,5]', 'beta[3,4,5]']);
    assert.deepEqual(make({ axis: [3, 1] }), ['gamma[5,3]', 'beta[5,3]']);
    assert.deepEqual(make({ center: false }), ['gamma[5]']);
    assert.deepEqual(make({ scale: false }), ['beta[5]']);
    assert.deepEqual(make({ scale: false, rmsScaling: true }), ['gamma[5]']);
    assert.deepEqual(make({ scale: false, center: false }), []);
  });

  it('gradients of the fused op match central finite differences (x, gamma, beta; all axis forms)', () => {
    const x = rand64([3, 2, 5], 21, 1.5);
    const g = rand64([5], 22, 0.5, 1);
    const b = rand64([5], 23);
    checkGradients('layerNorm last axis', (t, gm, bt) => ops.layerNormalization(t, gm, bt, { epsilon: 1e-3 }), [x, g, b]);
    checkGradients('layerNorm no gamma/beta', (t) => ops.layerNormalization(t, null, null, { epsilon: 1e-3 }), [x]);
    checkGradients('layerNorm rms', (t, gm) => ops.layerNormalization(t, gm, null, { epsilon: 1e-2, rmsScaling: true }), [x, g]);
    checkGradients('layerNorm axes [1,2]', (t, gm, bt) => ops.layerNormalization(t, gm, bt, { axis: [1, 2], epsilon: 1e-3 }),
      [x, rand64([2, 5], 24, 0.5, 1), rand64([2, 5], 25)]);
    checkGradients('layerNorm axis 1 (non-trailing)', (t, gm, bt) => ops.layerNormalization(t, gm, bt, { axis: 1, epsilon: 1e-3 }),
      [x, rand64([2], 26, 0.5, 1), rand64([2], 27)]);
    checkGradients('layerNorm rms axes [0, 2]', (t, gm) => ops.layerNormalization(t, gm, null, { axis: [0, 2], epsilon: 1e-3, rmsScaling: true }),
      [x, rand64([3, 5], 28, 0.5, 1)]);
  });

  it('trains: the layer\'s gamma and beta receive the op\'s gradients; regularizers add losses', () => {
    const layer = new L.LayerNormalization({ gammaRegularizer: 'l2', betaRegularizer: { class_name: 'L1', config: { l1: 0.5 } } as never });
    const x = f32([1, 3, 2, 7, 0, 1], [2, 3]);
    layer.apply(x);
    layer.setWeights([f32([1, 2, 3], [3]), f32([1, -1, 0.5], [3])]);
    const { grads } = valueAndGrads(() => ops.sum(ops.mul(layer.apply(x, { training: true }), f32([1, 2, 3], [3]))), [layer.gamma!, layer.beta!]);
    assert.deepEqual(Array.from(grads[1]!.values), [2, 4, 6]); // dβ = Σ_rows dy
    const xhat = naiveLayerNorm(x, [-1], null, null, 1e-3);
    close(grads[0]!.values, [1 * (xhat[0] + xhat[3]), 2 * (xhat[1] + xhat[4]), 3 * (xhat[2] + xhat[5])], 1e-5, 'dγ');
    const losses = layer.regularizationLosses().map((t) => t.item());
    close(losses, [0.01 * (1 + 4 + 9), 0.5 * 2.5], 1e-6, 'regularization losses');
  });

  it('getConfig has Keras 3\'s keys and rebuilds the same layer', () => {
    const layer = new L.LayerNormalization({ axis: [1, 2], epsilon: 1e-5, center: false, rmsScaling: false, gammaInitializer: 'he_normal', name: 'ln' });
    const cfg = layer.getConfig();
    for (const k of ['axis', 'epsilon', 'center', 'scale', 'rms_scaling', 'beta_initializer', 'gamma_initializer', 'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint']) {
      assert.ok(k in cfg, `config key ${k}`);
    }
    assert.deepEqual(cfg.axis, [1, 2]);
    assert.equal(cfg.epsilon, 1e-5);
    assert.equal(cfg.center, false);
    const again = new L.LayerNormalization(configToArgs(JSON.parse(JSON.stringify(cfg))) as never);
    assert.deepEqual(again.getConfig(), cfg);
    assert.equal(new L.LayerNormalization().getConfig().epsilon, 1e-3);
    assert.equal(new L.LayerNormalization().getConfig().axis, -1);
  });

  it('rejects bad axes and epsilon with the layer named', () => {
    assert.throws(() => new L.LayerNormalization({ axis: 1.5 }), /axis/);
    assert.throws(() => new L.LayerNormalization({ axis: [] }), /axis/);
    assert.throws(() => new L.LayerNormalization({ epsilon: -1 }), /epsilon/);
    assert.throws(() => new L.LayerNormalization({ axis: 4, name: 'lnx' }).apply(ops.zeros([2, 3, 4, 5])), /"lnx".*axis 4 is out of bounds/);
    assert.throws(() => new L.LayerNormalization({ axis: [1, -3] }).apply(ops.zeros([2, 3, 4, 5])), /duplicate/);
    assert.throws(() => new L.LayerNormalization({ axis: 0 }).apply(ops.zeros([2, 3])), /batch axis/);
  });
});

describe('RMSNormalization (Keras 3)', () => {
  it('y = x·scale/√(mean(x²) + ε) on a hand example; one weight named scale; Keras defaults', () => {
    const layer = new L.RMSNormalization({ epsilon: 0 });
    const x = f32([1, 2, 3, 4, -2, 0, 0, 2], [2, 4]);
    const y = layer.apply(x);
    assert.deepEqual(layer.weights.map((w) => `${w.name.split('/').pop()}${JSON.stringify(w.shape)}`), ['scale[4]']);
    const a = 1 / Math.sqrt(7.5); // mean(x²) = 30/4
    const b = 1 / Math.sqrt(2); // mean(x²) = 8/4
    close(y.values, [a, 2 * a, 3 * a, 4 * a, -2 * b, 0, 0, 2 * b], 1e-6, 'y');
    layer.setWeights([f32([1, 0.5, 2, -1], [4])]);
    close(layer.apply(x).values, [a, a, 6 * a, -4 * a, -2 * b, 0, 0, -2 * b], 1e-6, 'y with scale');
    const cfg = new L.RMSNormalization().getConfig();
    assert.equal(cfg.epsilon, 1e-6);
    assert.equal(cfg.axis, -1);
    const c2 = new L.RMSNormalization({ axis: [1, 2], epsilon: 1e-5, name: 'r' }).getConfig();
    assert.deepEqual(new L.RMSNormalization(configToArgs(c2) as never).getConfig(), c2);
  });

  it('matches a naive loop over axis lists, and its gradient matches central finite differences', () => {
    const x = rand64([2, 3, 4, 5], 5, 2, 0.3);
    const layer = new L.RMSNormalization({ axis: [1, 3], epsilon: 1e-3 });
    layer.apply(new Tensor(Float32Array.from(x.values), x.shape));
    const r = new Random(4);
    const scale = Float32Array.from({ length: 15 }, () => 0.5 + r.uniform());
    layer.setWeights([new Tensor(scale, [3, 5])]);
    // naive: mean of squares over (h, c) for each (b, w)
    const want = new Float64Array(x.size);
    for (let b = 0; b < 2; b++) {
      for (let w = 0; w < 4; w++) {
        let ms = 0;
        for (let h = 0; h < 3; h++) for (let c = 0; c < 5; c++) ms += x.values[((b * 3 + h) * 4 + w) * 5 + c] ** 2 / 15;
        for (let h = 0; h < 3; h++) for (let c = 0; c < 5; c++) { const i = ((b * 3 + h) * 4 + w) * 5 + c; want[i] = x.values[i] / Math.sqrt(ms + 1e-3) * scale[h * 5 + c]; }
      }
    }
    close(layer.apply(new Tensor(Float32Array.from(x.values), x.shape)).values, want, 2e-5, 'axis [1, 3]');
    const x2 = rand64([3, 2, 5], 31, 1.5);
    checkGradients('rmsNormalization last axis', (t, sc) => ops.rmsNormalization(t, sc, { epsilon: 1e-3 }), [x2, rand64([5], 32, 0.5, 1)]);
    checkGradients('rmsNormalization axes [1,2]', (t, sc) => ops.rmsNormalization(t, sc, { axis: [1, 2] }), [x2, rand64([2, 5], 33, 0.5, 1)]);
    checkGradients('rmsNormalization no scale', (t) => ops.rmsNormalization(t, null, { axis: 1 }), [x2]);
  });
});

// ---------------------------------------------------------------------------------------------
// SpatialDropout2D

describe('SpatialDropout2D', () => {
  it('in training zeroes whole feature maps and scales the others by 1/(1 − rate)', () => {
    const layer = new L.SpatialDropout2D({ rate: 0.4, seed: 3 });
    const x = ops.add(ops.randomUniform([6, 5, 4, 7], 0.5, 1.5, { seed: 1 }), 0);
    const y = layer.apply(x, { training: true });
    let dropped = 0;
    for (let b = 0; b < 6; b++) {
      for (let c = 0; c < 7; c++) {
        const ratios = new Set<number>();
        for (let i = 0; i < 20; i++) {
          const at = (b * 20 + i) * 7 + c;
          ratios.add(Math.round((y.values[at] / x.values[at]) * 1e5) / 1e5);
        }
        assert.equal(ratios.size, 1, `map (${b}, ${c}) is not all kept or all dropped: ratios ${[...ratios]}`);
        const [r] = [...ratios];
        assert.ok(r === 0 || Math.abs(r - 1 / 0.6) < 1e-4, `map (${b}, ${c}) scaled by ${r}`);
        if (r === 0) dropped++;
      }
    }
    assert.ok(dropped > 0 && dropped < 42, `dropped ${dropped} of 42 maps`);
  });

  it('drops a fraction close to rate over many draws (5-sigma binomial bound), keeping the mean', () => {
    for (const rate of [0.2, 0.5, 0.75]) {
      const layer = new L.SpatialDropout2D({ rate, seed: 11 });
      const x = ops.ones([40, 2, 2, 50]);
      let kept = 0;
      let total = 0;
      let sum = 0;
      for (let k = 0; k < 10; k++) {
        const y = layer.apply(x, { training: true });
        for (let i = 0; i < y.size; i += 4 * 50) {
          for (let c = 0; c < 50; c++) { kept += y.values[i + c] > 0 ? 1 : 0; total++; }
        }
        for (const v of y.values) sum += v;
      }
      const p = 1 - rate;
      const sd = Math.sqrt(total * p * (1 - p));
      assert.ok(Math.abs(kept - total * p) < 5 * sd, `rate ${rate}: kept ${kept} of ${total} maps, expected ${total * p} ± ${5 * sd}`);
      const mean = sum / (10 * 40 * 4 * 50);
      assert.ok(Math.abs(mean - 1) < 5 * sd / total / p, `rate ${rate}: output mean ${mean} (inverted dropout keeps it ≈ 1)`);
    }
  });

  it('is deterministic for a seed, and its generator (randomGenerators) replays a draw', () => {
    const x = ops.ones([3, 2, 2, 16]);
    const a = new L.SpatialDropout2D({ rate: 0.5, seed: 42 });
    const b = new L.SpatialDropout2D({ rate: 0.5, seed: 42 });
    const c = new L.SpatialDropout2D({ rate: 0.5, seed: 43 });
    const ya = Array.from(a.apply(x, { training: true }).values);
    assert.deepEqual(Array.from(b.apply(x, { training: true }).values), ya);
    assert.notDeepEqual(Array.from(c.apply(x, { training: true }).values), ya);
    const gens = a.randomGenerators();
    assert.equal(gens.length, 1);
    const state = gens[0].getState();
    const next = Array.from(a.apply(x, { training: true }).values);
    gens[0].setState(state);
    assert.deepEqual(Array.from(a.apply(x, { training: true }).values), next);
  });

  it('is the identity at inference (and with rate 0); gradients pass through the kept maps', () => {
    const x = ops.randomNormal([2, 3, 3, 4], 0, 1, { seed: 5 });
    const layer = new L.SpatialDropout2D({ rate: 0.5, seed: 1 });
    assert.deepEqual(Array.from(layer.apply(x).values), Array.from(x.values));
    assert.deepEqual(Array.from(layer.apply(x, { training: false }).values), Array.from(x.values));
    assert.deepEqual(Array.from(new L.SpatialDropout2D({ rate: 0 }).apply(x, { training: true }).values), Array.from(x.values));
    const v = new Variable(x, 'x', true);
    const { value, grads } = valueAndGrads(() => ops.sum(layer.apply(v, { training: true })), [v]);
    assert.ok(Number.isFinite(value.item()));
    // d/dx of Σ mask·x is the mask: 0 or 2 per whole map
    for (let i = 0; i < x.size; i++) assert.ok(grads[0]!.values[i] === 0 || Math.abs(grads[0]!.values[i] - 2) < 1e-6);
  });

  it('has Keras 3\'s config (rate, seed, data_format), needs 4-D input and refuses channels_first', () => {
    const cfg = new L.SpatialDropout2D({ rate: 0.3, seed: 9, name: 'sd' }).getConfig();
    assert.equal(cfg.rate, 0.3);
    assert.equal(cfg.seed, 9);
    assert.equal(cfg.data_format, 'channels_last');
    assert.deepEqual(new L.SpatialDropout2D(configToArgs(cfg) as never).getConfig(), cfg);
    assert.throws(() => new L.SpatialDropout2D({ rate: 1 }), /rate/);
    assert.throws(() => new L.SpatialDropout2D({ rate: 0.1, dataFormat: 'channels_first' as never }), /channels_last/);
    assert.throws(() => new L.SpatialDropout2D({ rate: 0.1 }).apply(ops.ones([2, 3, 4]), { training: true }), /ndim=4/);
  });
});

// ---------------------------------------------------------------------------------------------
// StochasticPooling2D

describe('StochasticPooling2D', () => {
  it('inference: Σa²/Σa per window on a hand example (valid and same), 0 for an all-zero window', () => {
    // 4×4 single channel; 2×2 windows: [1 2; 3 0] → 14/6, [0 0; 0 0] → 0, [4 0; 0 0] → 4, [1 1; 1 1] → 1
    const x = f32([1, 2, 0, 0, 3, 0, 0, 0, 4, 0, 1, 1, 0, 0, 1, 1], [1, 4, 4, 1]);
    const y = new L.StochasticPooling2D().apply(x);
    assert.deepEqual(y.shape, [1, 2, 2, 1]);
    close(y.values, [14 / 6, 0, 4, 1], 1e-6, 'valid');
    // 3×3 input, pool 2, stride 2, same → 2×2 output; edge windows are partial: [1 2; 4 5], [3; 6], [7 8], [9]
    const z = f32([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const ys = new L.StochasticPooling2D({ poolSize: 2, padding: 'same' }).apply(z);
    assert.deepEqual(ys.shape, [1, 2, 2, 1]);
    close(ys.values, [(1 + 4 + 16 + 25) / 12, (9 + 36) / 9, (49 + 64) / 15, 9], 1e-6, 'same');
  });

  it('training: draws each element with probability proportional to its value (multinomial, 5-sigma per cell)', () => {
    // Every 2×2 window holds 0, 1, 3, 6 (channel-dependent order, so position does not decide): P = 0, 0.1, 0.3, 0.6.
    const N = 1000;
    const C = 6;
    const vals = [0, 1, 3, 6];
    const data = new Float32Array(N * 4 * C);
    for (let b = 0; b < N; b++) for (let k = 0; k < 4; k++) for (let c = 0; c < C; c++) data[(b * 4 + k) * C + c] = vals[(k + c) % 4];
    const layer = new L.StochasticPooling2D({ seed: 2013 });
    const counts = new Map<number, number>();
    const y = layer.apply(new Tensor(data, [N, 2, 2, C]), { training: true });
    for (const v of y.values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const total = N * C;
    assert.equal(counts.get(0) ?? 0, 0, 'a zero activation is never drawn');
    for (const v of [1, 3, 6]) {
      const p = v / 10;
      const sd = Math.sqrt(total * p * (1 - p));
      const got = counts.get(v) ?? 0;
      assert.ok(Math.abs(got - total * p) < 5 * sd, `value ${v}: drawn ${got} times of ${total}, expected ${total * p} ± ${5 * sd}`);
    }
    // Chi-square over the three outcomes (2 degrees of freedom): 30 is far beyond p = 1e-6.
    const chi2 = [1, 3, 6].reduce((s, v) => s + ((counts.get(v) ?? 0) - total * v / 10) ** 2 / (total * v / 10), 0);
    assert.ok(chi2 < 30, `chi-square ${chi2}`);
    // The mean of the draws estimates the inference output Σa²/Σa = 46/10.
    const mean = Array.from(y.values).reduce((s, v) => s + v, 0) / total;
    assert.ok(Math.abs(mean - 4.6) < 0.1, `mean of draws ${mean} vs Σa²/Σa = 4.6`);
  });

  it('training: the output is an element of its window and the gradient goes to that element only', () => {
    const x = positive([3, 5, 6, 2], 77, 0, 1);
    x.values[0] = 0; x.values[2] = 0; x.values[12] = 0; x.values[14] = 0; // window (0,0,0,c=0) all zero
    const v = new Variable(x, 'x', true);
    const layer = new L.StochasticPooling2D({ poolSize: 2, strides: 2, padding: 'same', seed: 5 });
    const w = rand64([3, 3, 3, 2], 8, 1, 2); // per-output weights, all ≥ 1 so every routed gradient is non-zero
    let y!: Tensor;
    const { grads } = valueAndGrads(() => { y = layer.apply(v, { training: true }); return ops.sum(ops.mul(y, w)); }, [v]);
    const g = grads[0]!.values;
    const [, H, W, C] = x.shape;
    let routed = 0;
    for (let b = 0; b < 3; b++) {
      for (let oh = 0; oh < 3; oh++) {
        for (let ow = 0; ow < 3; ow++) {
          for (let c = 0; c < C; c++) {
            const o = ((b * 3 + oh) * 3 + ow) * C + c;
            const cells: number[] = [];
            for (let h = oh * 2; h < Math.min(H, oh * 2 + 2); h++) for (let ww = ow * 2; ww < Math.min(W, ow * 2 + 2); ww++) cells.push(((b * H + h) * W + ww) * C + c);
            const nonzero = cells.filter((i) => g[i] !== 0);
            if (cells.every((i) => x.values[i] === 0)) {
              assert.equal(y.values[o], 0, 'all-zero window → 0');
              assert.equal(nonzero.length, 0, 'all-zero window passes no gradient');
              continue;
            }
            assert.equal(nonzero.length, 1, `window ${o}: gradient on ${nonzero.length} cells`);
            assert.equal(g[nonzero[0]], w.values[o], `window ${o}: gradient value`);
            assert.ok(Math.abs(x.values[nonzero[0]] - y.values[o]) < 1e-12, `window ${o}: the output is the element that got the gradient`);
            routed++;
          }
        }
      }
    }
    assert.equal(routed, 3 * 3 * 3 * 2 - 1);
  });

  it('inference gradient matches central finite differences (overlapping, same-padded windows)', () => {
    const pool = (opts: object) => (t: Tensor) => ops.stochasticPool2dInference(t, opts);
    checkGradients('stochastic pool inference 2x2/2 valid', pool({ poolSize: 2 }), [positive([2, 4, 4, 3], 1)]);
    checkGradients('stochastic pool inference 3x3/1 same', pool({ poolSize: 3, strides: 1, padding: 'same' }), [positive([1, 5, 4, 2], 2)]);
    checkGradients('stochastic pool inference [2,3]/[1,2] same', pool({ poolSize: [2, 3], strides: [1, 2], padding: 'same' }), [positive([2, 3, 5, 2], 3)]);
    const layer = new L.StochasticPooling2D({ poolSize: 2, strides: 1 });
    checkGradients('StochasticPooling2D layer, inference', (t) => layer.apply(t), [positive([1, 3, 3, 2], 4)]);
  });

  it('negative inputs are an error naming the layer and the position; NaN propagates', () => {
    const layer = new L.StochasticPooling2D({ name: 'spool' });
    const x = f32([1, 2, 3, -0.5], [1, 2, 2, 1]);
    assert.throws(() => layer.apply(x), /"spool".*non-negative.*-0\.5 at \(0, 1, 1, 0\).*ReLU/);
    assert.throws(() => layer.apply(x, { training: true }), /non-negative/);
    const y = layer.apply(f32([1, NaN, 3, 0], [1, 2, 2, 1]), { training: true });
    assert.ok(Number.isNaN(y.values[0]));
    assert.ok(Number.isNaN(layer.apply(f32([1, NaN, 3, 0], [1, 2, 2, 1])).values[0]));
    assert.equal(layer.apply(f32([0, -0, 0, 0], [1, 2, 2, 1]), { training: true }).values[0], 0);
  });

  it('is deterministic for a seed, and its generator (randomGenerators) replays a draw', () => {
    const x = positive([4, 6, 6, 3], 12);
    const x32 = new Tensor(Float32Array.from(x.values), x.shape);
    const a = new L.StochasticPooling2D({ seed: 1 });
    const b = new L.StochasticPooling2D({ seed: 1 });
    const ya = Array.from(a.apply(x32, { training: true }).values);
    assert.deepEqual(Array.from(b.apply(x32, { training: true }).values), ya);
    assert.notDeepEqual(Array.from(new L.StochasticPooling2D({ seed: 2 }).apply(x32, { training: true }).values), ya);
    const [gen] = a.randomGenerators();
    const state = gen.getState();
    const next = Array.from(a.apply(x32, { training: true }).values);
    assert.notDeepEqual(next, ya);
    gen.setState(state);
    assert.deepEqual(Array.from(a.apply(x32, { training: true }).values), next);
  });

  it('output shapes agree with MaxPooling2D; config round trip; registered', () => {
    for (const args of [{}, { poolSize: 3, strides: 2, padding: 'same' as const }, { poolSize: [2, 3], strides: [1, 2] }]) {
      const x = ops.ones([2, 7, 9, 3]);
      const sp = new L.StochasticPooling2D(args);
      assert.deepEqual(sp.apply(x).shape, new L.MaxPooling2D(args).apply(x).shape);
      assert.deepEqual(sp.computeOutputShape([null, 7, 9, 3]), [null, ...new L.MaxPooling2D(args).apply(x).shape.slice(1)]);
    }
    const layer = new L.StochasticPooling2D({ poolSize: 3, strides: [1, 2], padding: 'same', seed: 4, name: 'sp' });
    const cfg = layer.getConfig();
    assert.deepEqual({ pool_size: cfg.pool_size, strides: cfg.strides, padding: cfg.padding, seed: cfg.seed, data_format: cfg.data_format },
      { pool_size: [3, 3], strides: [1, 2], padding: 'same', seed: 4, data_format: 'channels_last' });
    const Ctor = layerClass('StochasticPooling2D');
    assert.equal(Ctor, L.StochasticPooling2D);
    assert.deepEqual(new Ctor(configToArgs(JSON.parse(JSON.stringify(cfg))) as never).getConfig(), cfg);
    assert.equal(layerClass('LayerNormalization'), L.LayerNormalization);
    assert.equal(layerClass('SpatialDropout2D'), L.SpatialDropout2D);
    assert.equal(layerClass('RMSNormalization'), L.RMSNormalization);
    assert.throws(() => new L.StochasticPooling2D({ poolSize: 0 }), /pool_size/);
    assert.throws(() => new L.StochasticPooling2D({ padding: 'full' as never }), /padding/);
  });
});

// ---------------------------------------------------------------------------------------------
// Activations

describe('activations for EfficientNet, MobileNetV3 and ConvNeXt', () => {
  const at = (name: string, xs: number[]) => Array.from(getActivation(name).apply(new Tensor(Float64Array.from(xs), [xs.length])).values);

  it('resolve by Keras name and camelCase; hard_swish is an alias of hard_silu', () => {
    for (const name of ['swish', 'silu', 'hard_sigmoid', 'hard_silu', 'hard_swish', 'gelu', 'hardSwish', 'hardSilu', 'hardSigmoid']) {
      assert.doesNotThrow(() => getActivation(name), name);
    }
    assert.equal(getActivation('hardSwish').name, 'hard_swish');
    assert.equal(getActivation('hard_swish').apply, getActivation('hard_silu').apply);
  });

  it('match Keras 3\'s definitions at hand-picked points', () => {
    // hard_sigmoid = relu6(x + 3)/6 (Keras 3; not Keras 2's 0.2x + 0.5)
    close(at('hard_sigmoid', [-4, -3, -1.5, 0, 1.5, 3, 4]), [0, 0, 0.25, 0.5, 0.75, 1, 1], 1e-12, 'hard_sigmoid');
    // hard_silu = x·relu6(x + 3)/6
    close(at('hard_silu', [-4, -3, -1, 0, 1, 2, 3, 5]), [0, 0, -1 / 3, 0, 2 / 3, 10 / 6, 3, 5], 1e-12, 'hard_silu');
    // silu = x·sigmoid(x)
    close(at('silu', [-2, 0, 1, 3]), [-2 / (1 + Math.exp(2)), 0, 1 / (1 + Math.exp(-1)), 3 / (1 + Math.exp(-3))], 1e-12, 'silu');
    // gelu exact: x·Φ(x); Φ(1) = 0.8413447460685429, Φ(-1) = 0.15865525393145707, Φ(2) = 0.9772498680518208
    close(at('gelu', [-1, 0, 1, 2]), [-0.15865525393145707, 0, 0.8413447460685429, 2 * 0.9772498680518208], 1e-9, 'gelu');
    // gelu approximate=True: 0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))
    const tanhForm = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    close(Array.from(ops.gelu(new Tensor(Float64Array.from([-1, 0.5, 2]), [3]), true).values), [-1, 0.5, 2].map(tanhForm), 1e-12, 'gelu approximate');
  });

  it('hard_silu / hard_swish gradients match central finite differences (away from the kinks at ±3)', () => {
    const x = rand64([4, 6], 31, 5);
    for (let i = 0; i < x.size; i++) if (Math.abs(Math.abs(x.values[i]) - 3) < 0.05) x.values[i] += 0.2;
    checkGradients('hardSilu', ops.hardSilu, [x]);
    checkGradients('hard_swish activation', getActivation('hard_swish').apply, [x]);
    checkGradients('silu activation', getActivation('silu').apply, [x]);
    checkGradients('gelu activation', getActivation('gelu').apply, [x]);
  });

  it('Dense with activation hard_swish saves its activation name and rebuilds', () => {
    const d = new L.Dense({ units: 3, activation: 'hard_swish' });
    assert.equal(d.getConfig().activation, 'hard_swish');
    const m = new Sequential({ layers: [new L.Dense({ units: 3, activation: 'hard_silu', inputShape: [4] })] });
    const again = modelFromConfig(JSON.parse(JSON.stringify(modelToConfig(m))));
    again.setWeights(m.getWeights());
    const x = ops.randomNormal([2, 4], 0, 3, { seed: 1 });
    assert.deepEqual(Array.from(again.predict(x).values), Array.from(m.predict(x).values));
  });
});

// ---------------------------------------------------------------------------------------------
// Saving and loading

function modelWithAll(): Model {
  const input = L.Input({ shape: [8, 8, 3] });
  let h = new L.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input);
  h = new L.StochasticPooling2D({ poolSize: 2, seed: 3 }).apply(h);
  h = new L.LayerNormalization({ axis: [1, 2, 3], epsilon: 1e-4 }).apply(h);
  h = new L.SpatialDropout2D({ rate: 0.25, seed: 4 }).apply(h);
  h = new L.LayerNormalization({ rmsScaling: true }).apply(h);
  h = new L.RMSNormalization({ axis: [1, 3] }).apply(h);
  const out = new L.Dense({ units: 3, activation: 'softmax' }).apply(new L.Flatten().apply(h));
  return new Model({ inputs: input, outputs: out });
}

describe('models with LayerNormalization, SpatialDropout2D and StochasticPooling2D', () => {
  it('save to .keras, .h5, .convkit and tfjs and load back (no customObjects) with identical outputs', async () => {
    const model = modelWithAll();
    const r = new Random(3);
    model.setWeights(model.weights.map((w) => new Tensor(Float32Array.from({ length: w.size }, () => 0.5 + r.uniform()), [...w.shape])));
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const x = ops.randomUniform([2, 8, 8, 3], -1, 1, { seed: 8 });
    model.trainOnBatch(x, new Tensor(Float32Array.from([0, 2]), [2]));
    const want = Array.from(model.predict(x).values);
    for (const file of ['m.keras', 'm.h5', 'm.convkit', 'tfjs-dir']) {
      await model.save(join(dir, file), file === 'tfjs-dir' ? { format: 'tfjs' } : {});
      const back = await loadModel(join(dir, file));
      assert.deepEqual(back.layers.map((l) => l.className), model.layers.map((l) => l.className), file);
      assert.deepEqual(Array.from(back.predict(x).values), want, `${file}: predictions`);
      const sp = back.layers.find((l) => l instanceof L.StochasticPooling2D) as L.StochasticPooling2D;
      assert.equal(sp.seed, 3, `${file}: StochasticPooling2D seed`);
      const ln = back.layers.find((l) => l instanceof L.LayerNormalization) as L.LayerNormalization;
      assert.deepEqual(ln.axis, [1, 2, 3], `${file}: LayerNormalization axis`);
    }
  });

  it('reads Keras 3 configs of LayerNormalization, RMSNormalization and SpatialDropout2D, refusing what it cannot compute', () => {
    const seq = (layer: object) => ({
      class_name: 'Sequential',
      config: { name: 's', layers: [{ class_name: 'InputLayer', config: { batch_shape: [null, 4, 4, 2], name: 'in' } }, layer] },
    });
    const ln = {
      module: 'keras.layers', class_name: 'LayerNormalization', registered_name: null,
      config: {
        name: 'ln', trainable: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }, axis: [-1], epsilon: 1e-6,
        center: true, scale: true, rms_scaling: false, beta_initializer: { module: 'keras.initializers', class_name: 'Zeros', config: {} },
        gamma_initializer: { module: 'keras.initializers', class_name: 'Ones', config: {} }, beta_regularizer: null, gamma_regularizer: null,
        beta_constraint: null, gamma_constraint: null,
      },
    };
    const model = modelFromConfig(normalizeModelConfig(seq(ln), 'test.keras'));
    const layer = model.layers.find((l) => l instanceof L.LayerNormalization) as L.LayerNormalization;
    assert.equal(layer.epsilon, 1e-6);
    assert.deepEqual(model.predict(ops.ones([1, 4, 4, 2])).shape, [1, 4, 4, 2]);
    const rms = { module: 'keras.layers', class_name: 'RMSNormalization', registered_name: null, config: { name: 'rms', trainable: true, dtype: 'float32', axis: -1, epsilon: 1e-6 } };
    const rmsModel = modelFromConfig(normalizeModelConfig(seq(rms), 'rms.keras'));
    assert.deepEqual(rmsModel.weights.map((w) => w.name.split('/').pop()), ['scale']);
    const sd = { class_name: 'SpatialDropout2D', config: { name: 'sd', trainable: true, dtype: 'float32', rate: 0.3, seed: null, data_format: 'channels_last', noise_shape: null } };
    assert.ok(modelFromConfig(normalizeModelConfig(seq(sd), 'test.h5')).layers.some((l) => l instanceof L.SpatialDropout2D));
    assert.throws(() => normalizeModelConfig(seq({ ...sd, config: { ...sd.config, data_format: 'channels_first' } }), 'cf.keras'), /cf\.keras.*channels_last/);
    assert.throws(() => normalizeModelConfig(seq({ ...ln, config: { ...ln.config, gamma_constraint: { class_name: 'NonNeg', config: {} } } }), 'c.keras'), /gamma_constraint/);
  });
});
