/**
 * Adagrad, as keras.optimizers.Adagrad:
 *
 *     acc ← acc + g²                 (acc starts at initialAccumulatorValue)
 *     w   ← w − lr·g / √(acc + ε)    (ε is inside the square root)
 *
 * Defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7. Slot: `accumulator`.
 */
import { Optimizer, optionsOf, type FloatData, type OptimizerOptions, type SlotSpec } from './optimizer.js';
import { NON_NEGATIVE, OptionReader } from './options.js';

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the accumulator, >= 0. Default 0.1. */
  initialAccumulatorValue?: number;
  initial_accumulator_value?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

export class Adagrad extends Optimizer {
  static readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(options?: AdagradOptions | number) {
    const reader = new OptionReader('Adagrad', optionsOf(options));
    super(reader, { learningRate: 0.001, name: 'adagrad' });
    this.initialAccumulatorValue = reader.number(['initialAccumulatorValue', 'initial_accumulator_value'], 0.1, NON_NEGATIVE);
    this.epsilon = reader.number(['epsilon'], 1e-7, NON_NEGATIVE);
    reader.finish();
  }

  get className(): string {
    return 'Adagrad';
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [{ name: 'accumulator', initialValue: this.initialAccumulatorValue }];
  }

  protected updateStep(g: ArrayLike<number>, w: FloatData, slots: readonly FloatData[], lr: number): void {
    const eps = this.epsilon;
    const acc = slots[0];
    const n = w.length;
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      acc[i] = acc[i] + gi * gi;
      w[i] = w[i] - (lr * gi) / Math.sqrt(acc[i] + eps);
    }
  }

  protected ownConfig(): Record<string, unknown> {
    return { initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}
