/**
 * convkit's optimizers against TensorFlow.js 4.22 (`tf.train.*`, cpu backend) on float32 values
 * over 20 steps. Every case also checks convkit against the scalar Keras reference exactly, so a
 * tolerance here never hides a departure from Keras.
 *
 * Where the two libraries compute the same formula the only differences are float32 rounding:
 * tfjs rounds after every op (and holds lr, β… as float32 scalars), convkit rounds only when it
 * stores a value. Over 20 steps that stays a few float32 ulps per step: FLOAT32_TOL below.
 *
 * Differences between tfjs's formulas and Keras's (read from tfjs-core/dist/optimizers/*.js):
 *
 * - SGD with momentum: tfjs accumulates the raw gradient, `a ← m·a + g; w ← w − lr·a` (Nesterov:
 *   `w ← w − lr·(g + m·a)`); Keras accumulates the scaled step, `v ← m·v − lr·g; w ← w + v`
 *   (Nesterov: `w ← w + m·v − lr·g`). With v = −lr·a these are the same while lr is constant (as
 *   here); they differ once the learning rate changes between steps.
 * - Adam: tfjs adds ε to the bias-corrected root, `w ← w − lr·m̂ / (√v̂ + ε)`; Keras adds it to
 *   the raw root, `w ← w − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)`, which equals tfjs's form with
 *   ε replaced by ε/√(1−β₂ᵗ) (31.6·ε at t = 1 with β₂ = 0.999). With ε = 1e-7 that is below
 *   float32 resolution for these gradients; with a large ε the trajectories visibly separate.
 * - RMSprop (plain): identical, ε inside the square root in both. Centered: tfjs computes
 *   `√(v − (ḡ² + ε))` — ε subtracted — where Keras computes `√(v − ḡ² + ε)`.
 * - Adagrad: identical (accumulator starts at 0.1 in both, ε = 1e-7 inside the square root); tfjs's
 *   ε is the backend epsilon (1e-7 on cpu, 1e-4 on float16 WebGL) and is not configurable.
 * - Adadelta: tfjs divides by √(E[g²] + ε) using E[g²] from *before* this step's update; Keras
 *   updates E[g²] first. On the first step tfjs's step is then the full gradient (√ε/√ε = 1)
 *   where Keras's is about √ε/√((1−ρ)g²)·g — a large, not a rounding, difference.
 * - Defaults: tfjs-layers' string optimizers ('adagrad', 'adadelta') use learning rates 0.01 and
 *   1.0; Keras 3 uses 0.001 for both. tfjs optimizers have no weight decay, clipping or AMSGrad.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { adadelta, adagrad, adam, rmsprop, sgd, type Optimizer } from '../../src/optimizers/index.js';
import { INIT, SHAPE, gradientSequence, kerasReference, maxRelDiff, runConvkit, type Kind, type RefOptions } from './keras_reference.js';

const STEPS = 20;
const GRADS = gradientSequence(STEPS, INIT.length);

/**
 * Float32 noise between two evaluations of the same formula: tfjs rounds each of ~5–10 ops per
 * element per step to float32 (relative 6e-8 each) while the reference does not; with O(1) weights
 * 20 steps accumulate a few 1e-7 (observed at most 7e-7, in Adam). 3e-6 leaves a 4x margin and is
 * still far below every 'large' formula difference (>= 1e-3 here).
 */
const FLOAT32_TOL = 3e-6;

/**
 * tfjs's formulas as read from its source, in float64 (no rounding): used to show that the tfjs
 * trajectories are exactly these formulas up to float32 noise, and to measure how far the formula
 * itself is from Keras's.
 */
interface TfjsParams {
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  rho?: number;
  centered?: boolean;
  initialAccumulatorValue?: number;
}

function tfjsFormula(kind: 'sgd' | 'momentum' | Exclude<Kind, 'sgd'>, p: TfjsParams, grads: readonly (readonly number[])[]): number[][] {
  const n = INIT.length;
  const w = INIT.slice();
  const a = new Array<number>(n).fill(0);
  const b = new Array<number>(n).fill(0);
  const c = new Array<number>(n).fill(0);
  if (kind === 'adagrad') a.fill(p.initialAccumulatorValue ?? 0.1);
  const eps = p.epsilon ?? 1e-7;
  const out: number[][] = [];
  grads.forEach((gs, step) => {
    const g = gs;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      switch (kind) {
        case 'sgd':
          w[i] += -p.lr * gi;
          break;
        case 'momentum': // a = accumulation
          a[i] = p.momentum! * a[i] + gi;
          w[i] += p.nesterov ? -p.lr * (gi + a[i] * p.momentum!) : -p.lr * a[i];
          break;
        case 'adam': { // a = m, b = v; accBeta = beta^t
          const t = step + 1;
          a[i] = a[i] * p.beta1! + gi * (1 - p.beta1!);
          b[i] = b[i] * p.beta2! + gi * gi * (1 - p.beta2!);
          const mHat = a[i] / (1 - Math.pow(p.beta1!, t));
          const vHat = b[i] / (1 - Math.pow(p.beta2!, t));
          w[i] += (mHat / (Math.sqrt(vHat) + eps)) * -p.lr;
          break;
        }
        case 'rmsprop': { // a = mean square, b = moment, c = mean grad
          a[i] = a[i] * p.rho! + gi * gi * (1 - p.rho!);
          let denom: number;
          if (p.centered) {
            c[i] = c[i] * p.rho! + gi * (1 - p.rho!);
            denom = a[i] - (c[i] * c[i] + eps);
          } else {
            denom = a[i] + eps;
          }
          b[i] = b[i] * (p.momentum ?? 0) + (gi * p.lr) / Math.sqrt(denom);
          w[i] -= b[i];
          break;
        }
        case 'adagrad': // a = accumulator; epsilon is the backend's 1e-7
          a[i] += gi * gi;
          w[i] += (gi / Math.sqrt(a[i] + 1e-7)) * -p.lr;
          break;
        case 'adadelta': { // a = accumulated grad, b = accumulated update
          const newA = a[i] * p.rho! + gi * gi * (1 - p.rho!);
          const update = (Math.sqrt(b[i] + eps) / Math.sqrt(a[i] + eps)) * gi; // previous a
          b[i] = b[i] * p.rho! + update * update * (1 - p.rho!);
          a[i] = newA;
          w[i] += update * -p.lr;
          break;
        }
      }
    }
    out.push(w.slice());
  });
  return out;
}

let nameCounter = 0;

function runTfjs(opt: tf.Optimizer, grads: readonly (readonly number[])[]): number[][] {
  const name = `convkit_opt_test_${nameCounter++}`;
  const v = tf.variable(tf.tensor(INIT, SHAPE, 'float32'), true, name);
  const out: number[][] = [];
  for (const g of grads) {
    const gt = tf.tensor(g as number[], SHAPE, 'float32');
    opt.applyGradients({ [name]: gt });
    gt.dispose();
    out.push(Array.from(v.dataSync()));
  }
  v.dispose();
  opt.dispose();
  return out;
}

interface Case {
  title: string;
  kind: Kind;
  /** Keras options (convkit is built from these too). */
  options: RefOptions;
  tfjs: () => tf.Optimizer;
  tfjsFormula: () => number[][];
  /**
   * How far tfjs's formula is from Keras's (float64, max relative difference over the trajectory):
   * 'none' — the same function (< 1e-12); 'below-float32' — a real difference smaller than
   * FLOAT32_TOL; 'large' — more than 10 × FLOAT32_TOL.
   */
  gap: 'none' | 'below-float32' | 'large';
}

const FACTORY: Record<Kind, (o: RefOptions) => Optimizer> = { sgd, adam, rmsprop, adagrad, adadelta };

const CASES: Case[] = [
  {
    title: 'SGD', kind: 'sgd', options: { learningRate: 0.1 },
    tfjs: () => tf.train.sgd(0.1), tfjsFormula: () => tfjsFormula('sgd', { lr: 0.1 }, GRADS), gap: 'none',
  },
  {
    // Different parameterisation, same function at constant lr.
    title: 'SGD momentum 0.9 (tfjs train.momentum)', kind: 'sgd', options: { learningRate: 0.1, momentum: 0.9 },
    tfjs: () => tf.train.momentum(0.1, 0.9), tfjsFormula: () => tfjsFormula('momentum', { lr: 0.1, momentum: 0.9 }, GRADS), gap: 'none',
  },
  {
    title: 'SGD Nesterov momentum 0.9', kind: 'sgd', options: { learningRate: 0.1, momentum: 0.9, nesterov: true },
    tfjs: () => tf.train.momentum(0.1, 0.9, true), tfjsFormula: () => tfjsFormula('momentum', { lr: 0.1, momentum: 0.9, nesterov: true }, GRADS), gap: 'none',
  },
  {
    // ε placement: a change of about lr·ε·(1/√(1−β₂ᵗ) − 1)/√v̂ ≈ 3e-8 per step here.
    title: 'Adam (epsilon 1e-7)', kind: 'adam', options: { learningRate: 0.01 },
    tfjs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7), tfjsFormula: () => tfjsFormula('adam', { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, GRADS), gap: 'below-float32',
  },
  {
    // With a large ε the ε placement is visible: Keras's effective ε is ε/√(1−β₂ᵗ).
    title: 'Adam (epsilon 0.1: the epsilon placement shows)', kind: 'adam', options: { learningRate: 0.01, epsilon: 0.1 },
    tfjs: () => tf.train.adam(0.01, 0.9, 0.999, 0.1), tfjsFormula: () => tfjsFormula('adam', { lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 0.1 }, GRADS), gap: 'large',
  },
  {
    title: 'RMSprop', kind: 'rmsprop', options: { learningRate: 0.01 },
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false), tfjsFormula: () => tfjsFormula('rmsprop', { lr: 0.01, rho: 0.9, epsilon: 1e-7 }, GRADS), gap: 'none',
  },
  {
    title: 'RMSprop momentum 0.9', kind: 'rmsprop', options: { learningRate: 0.01, momentum: 0.9 },
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0.9, 1e-7, false), tfjsFormula: () => tfjsFormula('rmsprop', { lr: 0.01, rho: 0.9, momentum: 0.9, epsilon: 1e-7 }, GRADS), gap: 'none',
  },
  {
    // ε enters with opposite signs: a relative change of 2ε/(v − ḡ²) inside the root.
    title: 'RMSprop centered (epsilon 1e-7)', kind: 'rmsprop', options: { learningRate: 0.01, centered: true },
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, true), tfjsFormula: () => tfjsFormula('rmsprop', { lr: 0.01, rho: 0.9, epsilon: 1e-7, centered: true }, GRADS), gap: 'below-float32',
  },
  {
    title: 'RMSprop centered (epsilon 1e-3: the sign of epsilon shows)', kind: 'rmsprop', options: { learningRate: 0.01, centered: true, epsilon: 1e-3 },
    tfjs: () => tf.train.rmsprop(0.01, 0.9, 0, 1e-3, true), tfjsFormula: () => tfjsFormula('rmsprop', { lr: 0.01, rho: 0.9, epsilon: 1e-3, centered: true }, GRADS), gap: 'large',
  },
  {
    title: 'Adagrad', kind: 'adagrad', options: { learningRate: 0.1 },
    tfjs: () => tf.train.adagrad(0.1, 0.1), tfjsFormula: () => tfjsFormula('adagrad', { lr: 0.1, initialAccumulatorValue: 0.1 }, GRADS), gap: 'none',
  },
  {
    // tfjs uses the accumulated squared gradient from before this step: a large difference.
    title: 'Adadelta', kind: 'adadelta', options: { learningRate: 1 },
    tfjs: () => tf.train.adadelta(1, 0.95, 1e-7), tfjsFormula: () => tfjsFormula('adadelta', { lr: 1, rho: 0.95, epsilon: 1e-7 }, GRADS), gap: 'large',
  },
];

describe('optimizers against TensorFlow.js (float32, 20 steps)', () => {
  before(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  for (const c of CASES) {
    it(c.title, () => {
      // convkit is the Keras formula, exactly.
      const ours = runConvkit(FACTORY[c.kind](c.options), INIT, GRADS, 'float32');
      assert.deepEqual(ours, kerasReference(c.kind, c.options, INIT, GRADS, 'float32'), 'convkit must equal the Keras reference exactly');

      // tfjs is its own formula (as documented above) up to float32 rounding.
      const theirs = runTfjs(c.tfjs(), GRADS);
      assert.ok(maxRelDiff(theirs.slice(-1), [INIT]) > 1e-3, 'tfjs did not move the variable');
      const tfjsVsFormula = maxRelDiff(theirs, c.tfjsFormula());
      assert.ok(tfjsVsFormula <= FLOAT32_TOL, `tfjs differs from the formula read from its source by ${tfjsVsFormula}`);

      // How far apart the two formulas are, and that this is the documented kind of difference.
      const gap = maxRelDiff(kerasReference(c.kind, c.options, INIT, GRADS, 'float64'), c.tfjsFormula());
      if (c.gap === 'none') assert.ok(gap < 1e-12, `formulas expected identical, differ by ${gap}`);
      else if (c.gap === 'below-float32') assert.ok(gap > 1e-14 && gap <= FLOAT32_TOL, `formula gap ${gap} not in (1e-14, ${FLOAT32_TOL}]`);
      else assert.ok(gap > 10 * FLOAT32_TOL, `formula gap ${gap} expected > ${10 * FLOAT32_TOL}`);

      // convkit vs tfjs: agreement up to float32 noise plus what the formula difference justifies.
      const d = maxRelDiff(ours, theirs);
      assert.ok(d <= FLOAT32_TOL + gap, `convkit vs tfjs: ${d} > ${FLOAT32_TOL} + ${gap}`);
      if (c.gap === 'large') assert.ok(d >= gap - FLOAT32_TOL, `convkit vs tfjs: ${d}, expected about the formula gap ${gap}`);
    });
  }
});
