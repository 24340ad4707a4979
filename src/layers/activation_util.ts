/**
 * Applying an activation inside a layer. A softmax output remembers its logits so that
 * cross-entropy can be computed from them (stable, and an exact gradient), as Keras does.
 */
import type { Activation } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';

const logitsOf = new WeakMap<Tensor, Tensor>();

export function applyActivation(act: Activation, x: Tensor): Tensor {
  const y = act.apply(x);
  if (act.name === 'softmax') logitsOf.set(y, x);
  return y;
}

/** The pre-softmax logits of `probs`, when `probs` came straight out of a softmax activation. */
export function softmaxLogits(probs: Tensor): Tensor | undefined {
  return logitsOf.get(probs);
}
