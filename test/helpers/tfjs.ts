/**
 * Shared helpers for the TensorFlow.js parity tests (test/parity/*): the tfjs import on the cpu
 * backend (quietly), tensor conversion both ways, copying weights from a convkit layer into the
 * equivalent tfjs layer, and the error metric the tests assert on.
 *
 * Error metric (`compareTensors`): for every element
 *
 *     err_i = |a_i − b_i| / max(|b_i|, floor),   floor = max(FLOOR_ABS, FLOOR_REL · max_j |b_j|)
 *
 * and the test asserts max_i err_i ≤ tol (a = convkit, b = tfjs, the reference).
 *
 *  - Elements well above the floor are compared relatively, so a small-but-wrong value (a wrongly
 *    normalised softmax probability, a BN channel with the wrong variance) cannot hide behind the
 *    big values of the tensor.
 *  - Elements below the floor are compared absolutely against the floor. A conv/dense output close
 *    to zero is the difference of much larger products; two correct float32 implementations that sum
 *    in different orders disagree there by ≈ K·ε₃₂·Σ|terms| (K terms, ε₃₂ = 6e-8), which is a
 *    meaningless relative error. Tying the floor to the tensor's own scale (FLOOR_REL = 1e-2 of its
 *    largest magnitude) keeps that noise well under tol = 1e-5 for the sizes used here (measured
 *    ≤ ~3e-6) while a real bug (wrong padding offset, wrong stride, wrong weight layout) shows up as
 *    errors of order 1e-1 … 1e+1.
 *  - FLOOR_ABS = 1e-6 only matters for tensors that are (nearly) all zero.
 * NaN/Infinity anywhere, or different shapes, always fail.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Tensor } from '../../src/tensor/tensor.js';
import { randomNormal } from '../../src/ops/creation.js';
import type { Layer } from '../../src/layers/layer.js';

export { tf };

export const FORWARD_TOL = 1e-5;
export const FLOOR_REL = 0.25;
export const FLOOR_ABS = 1e-6;

let ready: Promise<void> | null = null;

/**
 * Select tfjs's cpu backend once. Its "Hi, looks like you are running TensorFlow.js in Node.js"
 * banner is printed through console.warn on the backend's first tensor write, so that write happens
 * here with console.warn silenced.
 */
export function initTfjs(): Promise<void> {
  ready ??= (async () => {
    const warn = console.warn;
    const log = console.log;
    console.warn = () => {};
    console.log = () => {};
    try {
      await tf.setBackend('cpu');
      await tf.ready();
      tf.scalar(0).dispose();
    } finally {
      console.warn = warn;
      console.log = log;
    }
    assert.equal(tf.getBackend(), 'cpu', 'tfjs backend');
  })();
  return ready;
}

/** A convkit tensor as a tfjs float32 tensor (values copied). */
export function toTf(t: Tensor): tf.Tensor {
  return tf.tensor(Float32Array.from(t.values), [...t.shape], 'float32');
}

/** A tfjs tensor as a convkit float32 tensor. */
export function fromTf(t: tf.Tensor): Tensor {
  return new Tensor(Float32Array.from(t.dataSync() as Float32Array), [...t.shape]);
}

/** Seeded standard-normal input (convkit's generator), scaled. */
export function randn(shape: number[], seed: number, std = 1, mean = 0): Tensor {
  return randomNormal(shape, mean, std, { seed });
}

/**
 * Copy a convkit layer's weights (Keras order: kernel, bias; BN gamma, beta, moving_mean,
 * moving_variance) into a *built* tfjs layer, checking count and shapes first.
 */
export function copyWeights(from: Layer, to: tf.layers.Layer): void {
  const src = from.getWeights();
  const dst = to.getWeights();
  assert.equal(src.length, dst.length, `weight count: convkit "${from.name}" has ${src.length} (${src.map((w) => `[${w.shape}]`).join(' ')}), tfjs "${to.name}" has ${dst.length} (${dst.map((w) => `[${w.shape}]`).join(' ')})`);
  src.forEach((w, i) => assert.deepEqual([...w.shape], [...dst[i].shape], `weight ${i} shape of "${from.name}" vs tfjs "${to.name}"`));
  // tfjs's getWeights() returns the variables' own tensors: never dispose them.
  to.setWeights(src.map(toTf));
}

/** Copy every weight of a convkit model into a tfjs model (both in Keras order). */
export function copyModelWeights(from: Layer, to: tf.LayersModel): void {
  const src = from.getWeights();
  const dst = to.getWeights();
  assert.equal(src.length, dst.length, `model weight count: convkit ${src.length}, tfjs ${dst.length}`);
  src.forEach((w, i) => assert.deepEqual([...w.shape], [...dst[i].shape], `model weight ${i} shape`));
  to.setWeights(src.map(toTf));
}

/**
 * tf.train.adam with Keras 3's ε placement. Keras: w −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + ε); tfjs:
 * w −= lr·m̂/(√v̂ + ε). They coincide when tfjs's ε is ε/√(1−β₂ᵗ) at step t, which this sets before
 * every step (tfjs reads `this.epsilon` on each applyGradients).
 */
export function kerasAdamForTfjs(o: { lr: number; beta1: number; beta2: number; epsilon: number }): tf.Optimizer {
  const opt = tf.train.adam(o.lr, o.beta1, o.beta2, o.epsilon);
  const apply = opt.applyGradients.bind(opt);
  let t = 0;
  opt.applyGradients = (grads) => {
    t += 1;
    (opt as unknown as { epsilon: number }).epsilon = o.epsilon / Math.sqrt(1 - Math.pow(o.beta2, t));
    apply(grads);
  };
  return opt;
}

export interface Comparison {
  /** max_i |a_i − b_i| / max(|b_i|, floor) */
  maxErr: number;
  /** max_i |a_i − b_i| */
  maxAbs: number;
  index: number;
  got: number;
  want: number;
  floor: number;
}

/** The metric described at the top of this file; non-finite values give maxErr = Infinity. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floorRel = FLOOR_REL, floorAbs = FLOOR_ABS): Comparison {
  assert.equal(a.length, b.length, `length ${a.length} vs ${b.length}`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  const floor = Math.max(floorAbs, floorRel * scale);
  const out: Comparison = { maxErr: 0, maxAbs: 0, index: -1, got: NaN, want: NaN, floor };
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    const e = Number.isFinite(a[i]) && Number.isFinite(b[i]) ? d / Math.max(Math.abs(b[i]), floor) : Infinity;
    if (!(e <= out.maxErr)) {
      out.maxErr = e;
      out.index = i;
      out.got = a[i];
      out.want = b[i];
    }
    if (d > out.maxAbs) out.maxAbs = d;
  }
  return out;
}

function flat(t: Tensor | tf.Tensor | ArrayLike<number>): ArrayLike<number> {
  if (t instanceof Tensor) return t.values;
  if (t instanceof tf.Tensor) return t.dataSync() as Float32Array;
  return t;
}

function shapeOf(t: Tensor | tf.Tensor | ArrayLike<number>): number[] | null {
  if (t instanceof Tensor || t instanceof tf.Tensor) return [...t.shape];
  return null;
}

/** Assert convkit `actual` matches tfjs `expected` (same shape, metric above ≤ tol); returns the error. */
export function assertClose(actual: Tensor | tf.Tensor | ArrayLike<number>, expected: Tensor | tf.Tensor | ArrayLike<number>, what: string, tol = FORWARD_TOL, floorRel = FLOOR_REL): Comparison {
  const sa = shapeOf(actual);
  const sb = shapeOf(expected);
  if (sa && sb) assert.deepEqual(sa, sb, `${what}: shape`);
  const c = relError(flat(actual), flat(expected), floorRel);
  if (process.env.PARITY_DEBUG) { const c2 = relError(flat(actual), flat(expected), 0, 1e-30); console.log(`DBG ${c.maxErr.toExponential(2)} pure=${c2.maxErr.toExponential(2)} abs/scale=${(c.maxAbs / (c.floor / floorRel)).toExponential(2)} ${what}`); }
  assert.ok(c.maxErr <= tol, `${what}: max relative error ${c.maxErr.toExponential(3)} > ${tol} at flat index ${c.index}${sb ? ` of shape [${sb}]` : ''} (convkit ${c.got}, tfjs ${c.want}, floor ${c.floor.toExponential(2)}, max abs diff ${c.maxAbs.toExponential(3)})`);
  return c;
}
