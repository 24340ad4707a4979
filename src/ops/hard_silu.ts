/** Keras 3's hard_silu (alias hard_swish, MobileNetV3): x·relu6(x + 3)/6 = x·hard_sigmoid(x). */
import type { Tensor } from '../tensor/tensor.js';
import { hardSigmoid } from './activations.js';
import { mul } from './elementwise.js';

/** 0 for x ≤ −3, x for x ≥ 3, x·(x + 3)/6 between; differentiable (composed of mul and hard_sigmoid). */
export const hardSilu = (x: Tensor): Tensor => mul(x, hardSigmoid(x));
export const hardSwish = hardSilu;
