/**
 * Gradient descent with optional (Nesterov) momentum, as keras.optimizers.SGD:
 *
 *     momentum == 0:  w ← w − lr·g
 *     momentum > 0:   v ← momentum·v − lr·g
 *                     w ← w + v                       (nesterov = false)
 *                     w ← w + momentum·v − lr·g       (nesterov = true, with the new v)
 *
 * Defaults: learningRate 0.01, momentum 0, nesterov false. The `momentum` slot exists only when
 * momentum ≠ 0.
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type SlotSpec } from './optimizer.js';
import { OptionReader, UNIT_CLOSED } from './options.js';

export interface SGDOptions extends OptimizerOptions {
  /** In [0, 1]. Default 0. */
  momentum?: number;
  /** Default false. */
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  static readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  /** `new SGD({learningRate: 0.1, momentum: 0.9})`, or `new SGD(0.1)` for just a learning rate. */
  constructor(options?: SGDOptions | number) {
    const reader = new OptionReader('SGD', optionsOf(options));
    super(reader, { learningRate: 0.01, name: 'SGD' });
    this.momentum = reader.number(['momentum'], 0, UNIT_CLOSED);
    this.nesterov = reader.boolean(['nesterov'], false);
    reader.finish();
  }

  get className(): string {
    return 'SGD';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return this.momentum !== 0 ? [{ name: 'momentum', initialValue: 0 }] : [];
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const n = w.length;
    if (this.momentum === 0) {
      for (let i = 0; i < n; i++) w[i] = w[i] - g[i] * lr;
      return;
    }
    const mom = this.momentum;
    const m = slots[0];
    if (this.nesterov) {
      for (let i = 0; i < n; i++) {
        m[i] = m[i] * mom - g[i] * lr;
        w[i] = w[i] + (m[i] * mom - g[i] * lr);
      }
    } else {
      for (let i = 0; i < n; i++) {
        m[i] = m[i] * mom - g[i] * lr;
        w[i] = w[i] + m[i];
      }
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { momentum: this.momentum, nesterov: this.nesterov };
  }
}
