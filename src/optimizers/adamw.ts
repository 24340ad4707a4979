/**
 * AdamW, as keras.optimizers.AdamW: Adam (see adam.ts) with decoupled weight decay switched on by
 * default. The decay itself is the base class's `w ← w − w·weightDecay·lr`, applied before the Adam
 * step with the same learning rate (Loshchilov & Hutter's decoupled form; not an L2 term in the
 * gradient).
 *
 * Defaults: Adam's (learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false) with
 * weightDecay 0.004 and name `adamw`. As in Keras, weightDecay cannot be null: AdamW without decay
 * is Adam. Slots and their order are Adam's.
 */
import { Adam, type AdamOptions } from './adam.js';
import { ValueError } from '../errors.js';

export type AdamWOptions = AdamOptions;

export class AdamW extends Adam {
  static override readonly className: string = 'AdamW';
  protected static override readonly kerasDefaults = { name: 'adamw', weightDecay: 0.004 };

  constructor(options?: AdamWOptions | number) {
    super(options);
    if (this.weightDecay === null) {
      throw new ValueError('AdamW: option weightDecay (weight_decay) must be a finite number >= 0; got null (AdamW without weight decay is Adam)');
    }
  }

  override get className(): string {
    return 'AdamW';
  }

  /** Keras's AdamW rejects None here too; switching decay off would turn it into Adam under another name. */
  override set weightDecay(value: number | null | undefined) {
    if (value === null || value === undefined) {
      throw new ValueError(`AdamW: weightDecay (weight_decay) must be a finite number >= 0; got ${String(value)} (AdamW without weight decay is Adam)`);
    }
    super.weightDecay = value;
  }

  override get weightDecay(): number | null {
    return super.weightDecay;
  }
}
