/**
 * Data that arrives in batches rather than as one tensor: Keras's `PyDataset` / `keras.utils.Sequence`
 * (`__len__`, `__getitem__`, `on_epoch_end`). ImageDataGenerator.flow() and
 * imageDatasetFromDirectory() return one; model.fit / evaluate / predict accept one in place of x.
 */
import type { Tensor } from '../tensor/tensor.js';

/** Inputs, targets and optionally one weight per sample (Keras's (x, y, sample_weight) tuples). */
export type Batch = [x: Tensor, y: Tensor, sampleWeight?: Tensor];

export interface BatchSource {
  /** Batches per epoch. */
  readonly length: number;
  /** Batch `index` (0 ≤ index < length) of the current epoch. May be async (images decoded from disk). */
  batch(index: number): Batch | Promise<Batch>;
  /** Called after every epoch, e.g. to reshuffle. */
  onEpochEnd?(): void;
}

export function isBatchSource(x: unknown): x is BatchSource {
  return typeof x === 'object' && x !== null && typeof (x as BatchSource).batch === 'function' && typeof (x as BatchSource).length === 'number';
}
