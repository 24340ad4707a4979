/**
 * Nadam, as keras.optimizers.Nadam (Dozat 2015: Adam with Nesterov momentum and a warming momentum
 * schedule). With t = iterations + 1 and uₜ = β₁·(1 − ½·0.96ᵗ):
 *
 *     once per step:  Πₜ ← Πₜ₋₁·uₜ                       (the `u_product` state, starts at 1)
 *     m ← m + (g − m)·(1 − β₁)
 *     v ← v + (g² − v)·(1 − β₂)
 *     m̂ = uₜ₊₁·m / (1 − Πₜ·uₜ₊₁) + (1 − uₜ)·g / (1 − Πₜ)
 *     v̂ = v / (1 − β₂ᵗ)
 *     w ← w − lr·m̂ / (√v̂ + ε)
 *
 * Unlike Adam, ε is added to the bias-corrected √v̂. Πₜ is a product over every step taken, so it is
 * state, not a function of t alone: it lives in getWeights after the slots (Keras's variable order),
 * with the dtype of the first variable, and is restored by setWeights.
 *
 * PyTorch's NAdam(momentum_decay=1) is the same function; its momentum_decay default (0.004)
 * makes the schedule 0.96^(0.004·t) instead. Defaults: learningRate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7. Slots: `momentum` and `velocity`, created together (interleaved per variable).
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type ScalarStateSpec, type SlotSpec } from './optimizer.js';
import { NON_NEGATIVE, OptionReader, UNIT_HALF_OPEN } from './options.js';

export interface NadamOptions extends OptimizerOptions {
  /** Decay of the first-moment average, in [0, 1). Default 0.9. */
  beta1?: number;
  beta_1?: number;
  /** Decay of the second-moment average, in [0, 1). Default 0.999. */
  beta2?: number;
  beta_2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/** Keras's fixed base of the momentum schedule. */
const MOMENTUM_DECAY_BASE = 0.96;

export class Nadam extends Optimizer {
  static readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options?: NadamOptions | number) {
    const reader = new OptionReader('Nadam', optionsOf(options));
    super(reader, { learningRate: 0.001, name: 'nadam' });
    this.beta1 = reader.number(['beta1', 'beta_1'], 0.9, UNIT_HALF_OPEN);
    this.beta2 = reader.number(['beta2', 'beta_2'], 0.999, UNIT_HALF_OPEN);
    this.epsilon = reader.number(['epsilon'], 1e-7, NON_NEGATIVE);
    reader.finish();
  }

  get className(): string {
    return 'Nadam';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [{ name: 'momentum', initialValue: 0 }, { name: 'velocity', initialValue: 0, interleaved: true }];
  }

  protected override scalarStateSpecs(): readonly ScalarStateSpec[] {
    return [{ name: 'u_product', initialValue: 1 }];
  }

  /** uₜ for the 1-based step t. */
  private momentumAt(t: number): number {
    return this.beta1 * (1 - 0.5 * Math.pow(MOMENTUM_DECAY_BASE, t));
  }

  protected override beforeUpdates(): void {
    const uProduct = this.scalarState[0];
    // Keras's association, (Π·β₁)·(1 − ½·0.96ᵗ), so the stored product rounds as Keras's does.
    uProduct[0] = uProduct[0] * this.beta1 * (1 - 0.5 * Math.pow(MOMENTUM_DECAY_BASE, this.iterations + 1));
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const t = this.iterations + 1;
    const uT = this.momentumAt(t);
    const uNext = this.momentumAt(t + 1);
    const uProduct = this.scalarState[0][0];
    const uProductNext = uProduct * uNext;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const eps = this.epsilon;
    const oneMinusB1 = 1 - b1;
    const oneMinusB2 = 1 - b2;
    const oneMinusB2Power = 1 - Math.pow(b2, t);
    const m = slots[0];
    const v = slots[1];
    const n = w.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      m[i] = m[i] + (gi - m[i]) * oneMinusB1;
      v[i] = v[i] + (gi * gi - v[i]) * oneMinusB2;
      const mHat = (uNext * m[i]) / (1 - uProductNext) + ((1 - uT) * gi) / (1 - uProduct);
      const vHat = v[i] / oneMinusB2Power;
      w[i] = w[i] - (mHat * lr) / (Math.sqrt(vHat) + eps);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}
