/** Ops that draw random numbers (dropout). Randomness comes from a caller-supplied seeded generator. */
import { ValueError } from '../errors.js';
import { allocArray } from '../tensor/dtype.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from './util.js';
import { mul } from './elementwise.js';

/**
 * Inverted dropout: zero each element with probability `rate`, scale the rest by 1/(1-rate).
 * `noiseShape` (broadcastable to x) shares one draw across broadcast axes, as Keras does.
 */
export function dropout(x: Tensor, rate: number, rng: Random, noiseShape?: readonly number[]): Tensor {
  if (!(rate >= 0 && rate < 1)) throw new ValueError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const shape = noiseShape ?? x.shape;
  const n = shape.reduce((p, d) => p * d, 1);
  const mask = allocArray(x.dtype === 'float64' ? 'float64' : 'float32', n);
  const scale = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = rng.uniform() >= rate ? scale : 0;
  return mul(x, wrap(mask, shape));
}
