/** The regularizer base class (keras.regularizers.Regularizer). */
import type { Tensor } from '../tensor/tensor.js';

/**
 * Maps a weight to a scalar penalty that is added to the training loss. `apply` is built from
 * differentiable ops, so the penalty's gradient flows into the weight.
 */
export abstract class Regularizer {
  abstract readonly className: string;

  /** The penalty for `x`: a scalar tensor of x's float dtype. */
  abstract apply(x: Tensor): Tensor;

  /** The constructor arguments, Keras-named, JSON-ready. */
  abstract getConfig(): Record<string, unknown>;
}
