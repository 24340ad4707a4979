/**
 * Adadelta, as keras.optimizers.Adadelta:
 *
 *     E[g²]  ← ρ·E[g²] + (1 − ρ)·g²
 *     Δ      = −√(E[Δ²] + ε) · g / √(E[g²] + ε)      (uses the *updated* E[g²])
 *     E[Δ²]  ← ρ·E[Δ²] + (1 − ρ)·Δ²
 *     w      ← w + lr·Δ
 *
 * Defaults: learningRate 0.001, rho 0.95, epsilon 1e-7 (the paper's form uses learningRate 1).
 * Slots: `accumulated_grad`, `accumulated_delta_var`, created together (interleaved per variable).
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type SlotSpec } from './optimizer.js';
import { NON_NEGATIVE, OptionReader, UNIT_CLOSED } from './options.js';

export interface AdadeltaOptions extends OptimizerOptions {
  /** Decay rate, in [0, 1]. Default 0.95. */
  rho?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

export class Adadelta extends Optimizer {
  static readonly className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(options?: AdadeltaOptions | number) {
    const reader = new OptionReader('Adadelta', optionsOf(options));
    super(reader, { learningRate: 0.001, name: 'adadelta' });
    this.rho = reader.number(['rho'], 0.95, UNIT_CLOSED);
    this.epsilon = reader.number(['epsilon'], 1e-7, NON_NEGATIVE);
    reader.finish();
  }

  get className(): string {
    return 'Adadelta';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [{ name: 'accumulated_grad', initialValue: 0 }, { name: 'accumulated_delta_var', initialValue: 0, interleaved: true }];
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const rho = this.rho;
    const oneMinusRho = 1 - rho;
    const eps = this.epsilon;
    const ag = slots[0];
    const ad = slots[1];
    const n = w.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      ag[i] = rho * ag[i] + oneMinusRho * (gi * gi);
      const delta = -((Math.sqrt(ad[i] + eps) * gi) / Math.sqrt(ag[i] + eps));
      ad[i] = rho * ad[i] + oneMinusRho * (delta * delta);
      w[i] = w[i] + lr * delta;
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { rho: this.rho, epsilon: this.epsilon };
  }
}
