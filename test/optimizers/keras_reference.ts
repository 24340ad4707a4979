/**
 * Test helpers: a plain, scalar-loop transcription of the Keras 3 update formulas
 * (keras/src/optimizers/{sgd,adam,rmsprop,adagrad,adadelta}.py and base_optimizer.py), written
 * independently of src/optimizers, and a driver that runs a convkit optimizer on the same inputs.
 *
 * Rounding policy shared with the implementation: arithmetic is done in float64 and a value is
 * rounded to the variable's dtype whenever Keras *assigns* a variable (the weight or a slot), so a
 * float32 trajectory can be compared for exact equality.
 */
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import type { Optimizer } from '../../src/optimizers/index.js';

export type Kind = 'sgd' | 'adam' | 'rmsprop' | 'adagrad' | 'adadelta';
export type Dtype = 'float32' | 'float64';

export interface RefOptions {
  learningRate: number | ((step: number) => number);
  momentum?: number;
  nesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
  rho?: number;
  centered?: boolean;
  initialAccumulatorValue?: number;
  weightDecay?: number;
  clipnorm?: number;
  clipvalue?: number;
  globalClipnorm?: number;
}

/** Keras 3 constructor defaults, written down here independently of the implementation. */
export const KERAS_DEFAULTS: Record<Kind, RefOptions> = {
  sgd: { learningRate: 0.01, momentum: 0, nesterov: false },
  adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false },
  rmsprop: { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  adagrad: { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
  adadelta: { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 },
};

/** The weight after every step (steps.length arrays of init.length values). */
export function kerasReference(kind: Kind, opts: RefOptions, init: readonly number[], grads: readonly (readonly number[])[], dtype: Dtype): number[][] {
  const o = { ...KERAS_DEFAULTS[kind], ...opts };
  const r = dtype === 'float32' ? Math.fround : (x: number) => x;
  const n = init.length;
  const w = init.map(r);
  // Slots, in Keras's naming.
  const zeros = () => new Array<number>(n).fill(0);
  const momentum = zeros(); // sgd momentum / adam m / rmsprop momentum
  const velocity = zeros(); // adam v / rmsprop velocity
  const velocityHat = zeros(); // adam amsgrad
  const avgGrad = zeros(); // rmsprop centered
  const accumulator = new Array<number>(n).fill(r(o.initialAccumulatorValue ?? 0.1)); // adagrad
  const accGrad = zeros(); // adadelta
  const accDelta = zeros(); // adadelta
  const out: number[][] = [];
  for (let step = 0; step < grads.length; step++) {
    // learning_rate property: the schedule/callable evaluated at the current iteration count.
    const lr = typeof o.learningRate === 'function' ? o.learningRate(step) : o.learningRate;
    let g = grads[step].map(r); // the gradient tensor has the variable's dtype
    // _clip_gradients
    if (o.clipnorm !== undefined) {
      const l2sum = g.reduce((s, x) => s + x * x, 0);
      const l2norm = l2sum > 0 ? Math.sqrt(l2sum) : l2sum;
      g = g.map((x) => (x * o.clipnorm!) / Math.max(l2norm, o.clipnorm!));
    } else if (o.globalClipnorm !== undefined) {
      const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
      const scale = o.globalClipnorm * Math.min(1 / norm, 1 / o.globalClipnorm);
      g = g.map((x) => x * scale);
    } else if (o.clipvalue !== undefined) {
      g = g.map((x) => Math.min(Math.max(x, -o.clipvalue!), o.clipvalue!));
    }
    // _apply_weight_decay, before the update: variable - variable * wd * lr
    if (o.weightDecay !== undefined) {
      for (let i = 0; i < n; i++) w[i] = r(w[i] - w[i] * o.weightDecay * lr);
    }
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      switch (kind) {
        case 'sgd': {
          const mom = o.momentum!;
          if (mom !== 0) {
            momentum[i] = r(momentum[i] * mom - gi * lr);
            if (o.nesterov) w[i] = r(w[i] + (momentum[i] * mom - gi * lr));
            else w[i] = r(w[i] + momentum[i]);
          } else {
            w[i] = r(w[i] - gi * lr);
          }
          break;
        }
        case 'adam': {
          const localStep = step + 1;
          const beta1Power = Math.pow(o.beta1!, localStep);
          const beta2Power = Math.pow(o.beta2!, localStep);
          const alpha = (lr * Math.sqrt(1 - beta2Power)) / (1 - beta1Power);
          momentum[i] = r(momentum[i] + (gi - momentum[i]) * (1 - o.beta1!));
          velocity[i] = r(velocity[i] + (gi * gi - velocity[i]) * (1 - o.beta2!));
          let v = velocity[i];
          if (o.amsgrad) {
            velocityHat[i] = r(Math.max(velocityHat[i], velocity[i]));
            v = velocityHat[i];
          }
          w[i] = r(w[i] - (momentum[i] * alpha) / (Math.sqrt(v) + o.epsilon!));
          break;
        }
        case 'rmsprop': {
          const rho = o.rho!;
          velocity[i] = r(rho * velocity[i] + (1 - rho) * (gi * gi));
          let denominator: number;
          if (o.centered) {
            avgGrad[i] = r(rho * avgGrad[i] + (1 - rho) * gi);
            denominator = velocity[i] - avgGrad[i] * avgGrad[i] + o.epsilon!;
          } else {
            denominator = velocity[i] + o.epsilon!;
          }
          const increment = (lr * gi) / Math.sqrt(denominator);
          if (o.momentum! > 0) {
            momentum[i] = r(o.momentum! * momentum[i] + increment);
            w[i] = r(w[i] - momentum[i]);
          } else {
            w[i] = r(w[i] - increment);
          }
          break;
        }
        case 'adagrad': {
          accumulator[i] = r(accumulator[i] + gi * gi);
          w[i] = r(w[i] - (lr * gi) / Math.sqrt(accumulator[i] + o.epsilon!));
          break;
        }
        case 'adadelta': {
          const rho = o.rho!;
          const rms = (x: number) => Math.sqrt(x + o.epsilon!);
          accGrad[i] = r(rho * accGrad[i] + (1 - rho) * (gi * gi));
          const deltaVar = -((rms(accDelta[i]) * gi) / rms(accGrad[i]));
          accDelta[i] = r(rho * accDelta[i] + (1 - rho) * (deltaVar * deltaVar));
          w[i] = r(w[i] + lr * deltaVar);
          break;
        }
      }
    }
    out.push(w.slice());
  }
  return out;
}

/** A fixed, deterministic gradient sequence: large first steps, then smaller mixed-sign ones. */
export function gradientSequence(steps: number, n: number): number[][] {
  const seq: number[][] = [];
  for (let t = 0; t < steps; t++) {
    const scale = t < 2 ? 2.5 : 0.6;
    const g: number[] = [];
    for (let i = 0; i < n; i++) g.push(scale * Math.sin(0.9 * t + 1.7 * i + 0.3) + 0.05 * (i - n / 2));
    seq.push(g);
  }
  return seq;
}

export const INIT = [0.5, -1.25, 2.0, 0.0, -0.3, 1.1];
export const SHAPE = [2, 3];

function typed(dtype: Dtype, values: readonly number[]): Float32Array | Float64Array {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

/** Runs a convkit optimizer on a [2, 3] variable; the weight after every step. */
export function runConvkit(opt: Optimizer, init: readonly number[], grads: readonly (readonly number[])[], dtype: Dtype): number[][] {
  const v = new Variable(typed(dtype, init), 'w', true, SHAPE);
  const out: number[][] = [];
  for (const g of grads) {
    opt.applyGradients([[new Tensor(typed(dtype, g), SHAPE), v]]);
    out.push(Array.from(v.values));
  }
  return out;
}

/** max |a - b| / max(1, |b|) over a whole trajectory. */
export function maxRelDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  let worst = 0;
  if (a.length !== b.length) return Infinity;
  for (let t = 0; t < a.length; t++) {
    if (a[t].length !== b[t].length) return Infinity;
    for (let i = 0; i < a[t].length; i++) {
      const d = Math.abs(a[t][i] - b[t][i]) / Math.max(1, Math.abs(b[t][i]));
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
  }
  return worst;
}
