/**
 * RMSprop, as keras.optimizers.RMSprop:
 *
 *     v ← ρ·v + (1 − ρ)·g²
 *     centered:  a ← ρ·a + (1 − ρ)·g;   d = v − a² + ε
 *     otherwise: d = v + ε
 *     Δ = lr·g / √d                                   (ε is inside the square root)
 *     momentum > 0:  μ ← momentum·μ + Δ;  w ← w − μ
 *     otherwise:     w ← w − Δ
 *
 * Defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false. Slots:
 * `velocity`, `momentum` (only when momentum > 0), `average_gradient` (only when centered).
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type SlotSpec } from './optimizer.js';
import { NON_NEGATIVE, OptionReader, UNIT_CLOSED } from './options.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Discount of the squared-gradient average, in [0, 1]. Default 0.9. */
  rho?: number;
  /** In [0, 1]. Default 0. */
  momentum?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Normalise by the estimated variance instead of the second moment. Default false. */
  centered?: boolean;
}

export class RMSprop extends Optimizer {
  static readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(options?: RMSpropOptions | number) {
    const reader = new OptionReader('RMSprop', optionsOf(options));
    super(reader, { learningRate: 0.001, name: 'rmsprop' });
    this.rho = reader.number(['rho'], 0.9, UNIT_CLOSED);
    this.momentum = reader.number(['momentum'], 0, UNIT_CLOSED);
    this.epsilon = reader.number(['epsilon'], 1e-7, NON_NEGATIVE);
    this.centered = reader.boolean(['centered'], false);
    reader.finish();
  }

  get className(): string {
    return 'RMSprop';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    const specs = [{ name: 'velocity', initialValue: 0 }];
    if (this.momentum > 0) specs.push({ name: 'momentum', initialValue: 0 });
    if (this.centered) specs.push({ name: 'average_gradient', initialValue: 0 });
    return specs;
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const rho = this.rho;
    const oneMinusRho = 1 - rho;
    const eps = this.epsilon;
    const mom = this.momentum;
    const v = slots[0];
    const mu = mom > 0 ? slots[1] : null;
    const avg = this.centered ? slots[mom > 0 ? 2 : 1] : null;
    const n = w.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      v[i] = rho * v[i] + oneMinusRho * (gi * gi);
      let denom: number;
      if (avg !== null) {
        avg[i] = rho * avg[i] + oneMinusRho * gi;
        denom = v[i] - avg[i] * avg[i] + eps;
      } else {
        denom = v[i] + eps;
      }
      const inc = (lr * gi) / Math.sqrt(denom);
      if (mu !== null) {
        mu[i] = mom * mu[i] + inc;
        w[i] = w[i] - mu[i];
      } else {
        w[i] = w[i] - inc;
      }
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}
