/**
 * Optimizer updates as backend kernels, in place on a variable's storage and its slots (the only
 * in-place ops: optimizers run them under noGrad, once per variable per step).
 */
import type { FloatArray } from '../backend/backend.js';
import { be } from '../backend/registry.js';

/** Keras Adam without amsgrad; see src/optimizers/adam.ts for the formula. */
export function adamUpdateInPlace(w: FloatArray, g: ArrayLike<number>, m: FloatArray, v: FloatArray, alpha: number, beta1: number, beta2: number, epsilon: number): void {
  const grad = g instanceof Float32Array || g instanceof Float64Array ? g : Float64Array.from(g);
  be().adamUpdate(w, grad, m, v, alpha, 1 - beta1, 1 - beta2, epsilon);
}
