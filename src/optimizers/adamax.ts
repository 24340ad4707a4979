/**
 * Adamax, as keras.optimizers.Adamax (Kingma & Ba, section 7.1: Adam with the infinity norm). With
 * t = iterations + 1:
 *
 *     m ← m + (g − m)·(1 − β₁)
 *     u ← max(β₂·u, |g|)
 *     w ← w − lr·m / ((1 − β₁ᵗ)·(u + ε))
 *
 * ε is added to u when dividing, never stored in it (PyTorch instead stores max(β₂·u, |g| + ε), which
 * agrees only when ε = 0). TensorFlow.js's tf.train.adamax computes the same function as Keras.
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7. Slots: `momentum` and `norm`,
 * created together (interleaved per variable in getWeights, as Keras orders them).
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type SlotSpec } from './optimizer.js';
import { NON_NEGATIVE, OptionReader, UNIT_HALF_OPEN } from './options.js';

export interface AdamaxOptions extends OptimizerOptions {
  /** Decay of the first-moment average, in [0, 1). Default 0.9. */
  beta1?: number;
  beta_1?: number;
  /** Decay of the infinity norm, in [0, 1). Default 0.999. */
  beta2?: number;
  beta_2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

export class Adamax extends Optimizer {
  static readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(options?: AdamaxOptions | number) {
    const reader = new OptionReader('Adamax', optionsOf(options));
    super(reader, { learningRate: 0.001, name: 'adamax' });
    this.beta1 = reader.number(['beta1', 'beta_1'], 0.9, UNIT_HALF_OPEN);
    this.beta2 = reader.number(['beta2', 'beta_2'], 0.999, UNIT_HALF_OPEN);
    this.epsilon = reader.number(['epsilon'], 1e-7, NON_NEGATIVE);
    reader.finish();
  }

  get className(): string {
    return 'Adamax';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [{ name: 'momentum', initialValue: 0 }, { name: 'norm', initialValue: 0, interleaved: true }];
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const b1 = this.beta1;
    const b2 = this.beta2;
    const eps = this.epsilon;
    const oneMinusB1 = 1 - b1;
    const biasCorrection = 1 - Math.pow(b1, this.iterations + 1);
    const m = slots[0];
    const u = slots[1];
    const n = w.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      m[i] = m[i] + (gi - m[i]) * oneMinusB1;
      u[i] = Math.max(b2 * u[i], Math.abs(gi));
      w[i] = w[i] - (lr * m[i]) / (biasCorrection * (u[i] + eps));
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }
}
