/**
 * Adam, as keras.optimizers.Adam. With t = iterations + 1 (this step's 1-based number):
 *
 *     m ← m + (g − m)·(1 − β₁)
 *     v ← v + (g² − v)·(1 − β₂)
 *     v̂ ← max(v̂, v), and v̂ replaces v below         (amsgrad only)
 *     α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)
 *     w ← w − m·α / (√v + ε)
 *
 * ε is Kingma & Ba's "epsilon hat": it is added to √v, not to the bias-corrected √v̂ (TensorFlow.js
 * adds it to the bias-corrected value). Defaults: learningRate 0.001, beta1 0.9, beta2 0.999,
 * epsilon 1e-7, amsgrad false. Slots: `momentum` and `velocity` (created together, so getWeights
 * interleaves them per variable as Keras 3 files do), then `velocity_hat` with amsgrad.
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type SlotSpec } from './optimizer.js';
import { NON_NEGATIVE, OptionReader, UNIT_HALF_OPEN } from './options.js';
import { adamUpdateInPlace } from '../ops/optimizer_steps.js';

export interface AdamOptions extends OptimizerOptions {
  /** Decay of the first-moment average, in [0, 1). Default 0.9. */
  beta1?: number;
  beta_1?: number;
  /** Decay of the second-moment average, in [0, 1). Default 0.999. */
  beta2?: number;
  beta_2?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Use the running maximum of v (AMSGrad). Default false. */
  amsgrad?: boolean;
}

export class Adam extends Optimizer {
  static readonly className: string = 'Adam';
  /** Keras's `name` and `weight_decay` defaults; AdamW overrides them. */
  protected static readonly kerasDefaults: { readonly name: string; readonly weightDecay: number | null } = { name: 'adam', weightDecay: null };
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(options?: AdamOptions | number) {
    const cls = new.target as typeof Adam;
    const reader = new OptionReader(cls.className, optionsOf(options));
    super(reader, { learningRate: 0.001, ...cls.kerasDefaults });
    this.beta1 = reader.number(['beta1', 'beta_1'], 0.9, UNIT_HALF_OPEN);
    this.beta2 = reader.number(['beta2', 'beta_2'], 0.999, UNIT_HALF_OPEN);
    this.epsilon = reader.number(['epsilon'], 1e-7, NON_NEGATIVE);
    this.amsgrad = reader.boolean(['amsgrad'], false);
    reader.finish();
  }

  get className(): string {
    return 'Adam';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    const specs: SlotSpec[] = [{ name: 'momentum', initialValue: 0 }, { name: 'velocity', initialValue: 0, interleaved: true }];
    if (this.amsgrad) specs.push({ name: 'velocity_hat', initialValue: 0 });
    return specs;
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const t = this.iterations + 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const eps = this.epsilon;
    const alpha = (lr * Math.sqrt(1 - Math.pow(b2, t))) / (1 - Math.pow(b1, t));
    const oneMinusB1 = 1 - b1;
    const oneMinusB2 = 1 - b2;
    const m = slots[0];
    const v = slots[1];
    const n = w.length;
    if (this.amsgrad) {
      const vh = slots[2];
      for (let i = 0; i < n; i++) {
        const gi = g[i];
        m[i] = m[i] + (gi - m[i]) * oneMinusB1;
        v[i] = v[i] + (gi * gi - v[i]) * oneMinusB2;
        vh[i] = Math.max(vh[i], v[i]);
        w[i] = w[i] - (m[i] * alpha) / (Math.sqrt(vh[i]) + eps);
      }
    } else {
      adamUpdateInPlace(w, g, m, v, alpha, b1, b2, eps);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}
