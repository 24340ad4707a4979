/**
 * 1-D discrete convolution with `np.convolve`'s exact output: seed 000 computes
 * `np.convolve([0,0,26,51,58,59,53,29,0,0,0], [-1,2,-1])` by hand to show what a filter does.
 */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ArrayInput, checkChoice, checkOptions, fmtShape, toArray64, toTensor } from './input.js';

export type Convolve1dMode = 'full' | 'same' | 'valid';
const MODES: readonly Convolve1dMode[] = ['full', 'same', 'valid'];

export interface Convolve1dOptions {
  /** 'full' (default, length n + m − 1), 'same' (length max(n, m)) or 'valid' (length max(n, m) − min(n, m) + 1). */
  mode?: Convolve1dMode;
}

function as1d(fn: string, what: string, x: ArrayInput): Float64Array {
  const a = toArray64(fn, what, x);
  if (a.shape.length !== 1) throw new ShapeError(`${fn}: ${what} must be 1-D, got shape ${fmtShape(a.shape)}`);
  if (a.data.length === 0) throw new ShapeError(`${fn}: ${what} is empty; expected at least one value`);
  return a.data;
}

/**
 * `(x * k)[n] = Σ_m x[m] k[n − m]`, the kernel flipped as in the textbook definition.
 *
 * Exactly `np.convolve(x, k, mode)`: convolution is symmetric, so, like NumPy, the 'same' and
 * 'valid' windows are placed by the shorter of the two inputs (NumPy swaps them when the kernel is
 * longer than the signal). 'same' keeps `full[(min − 1) // 2 :][: max(n, m)]`, which for an
 * even-length kernel leans one sample to the left of centre.
 *
 * @returns a 1-D float32 Tensor (computed in float64).
 */
export function convolve1d(x: ArrayInput, k: ArrayInput, options: Convolve1dOptions = {}): Tensor {
  const fn = 'convolve1d';
  checkOptions(fn, options, ['mode']);
  const mode = checkChoice(fn, 'mode', options.mode ?? 'full', MODES);
  const a = as1d(fn, 'x', x);
  const v = as1d(fn, 'kernel', k);
  const n = a.length;
  const m = v.length;
  const full = new Float64Array(n + m - 1);
  for (let i = 0; i < n; i++) {
    const ai = a[i];
    for (let j = 0; j < m; j++) full[i + j] += ai * v[j];
  }
  const lo = Math.min(n, m);
  const hi = Math.max(n, m);
  let start = 0;
  let len = full.length;
  if (mode === 'same') {
    start = Math.floor((lo - 1) / 2);
    len = hi;
  } else if (mode === 'valid') {
    start = lo - 1;
    len = hi - lo + 1;
  }
  return toTensor(full.subarray(start, start + len), [len]);
}
