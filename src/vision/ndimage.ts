/**
 * `scipy.ndimage.convolve` / `scipy.ndimage.correlate` for 2-D images, with SciPy's exact border
 * modes, kernel centre and `origin`. Seed 000 filters its grayscale picture with
 * `nd.convolve(img, k, mode='constant', cval=0.0)` and `mode='reflect'`; users comparing with
 * SciPy must get the same numbers, including at the borders.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ArrayInput, asImage, asKernel2d, checkChoice, checkFinite, checkOptions, toTensor } from './input.js';

export type NdimageMode = 'reflect' | 'constant' | 'nearest' | 'mirror' | 'wrap' | 'grid-mirror' | 'grid-constant' | 'grid-wrap';
const MODES: readonly NdimageMode[] = ['reflect', 'constant', 'nearest', 'mirror', 'wrap', 'grid-mirror', 'grid-constant', 'grid-wrap'];

export interface NdimageOptions {
  /**
   * How the image is extended past its border (SciPy's names; default 'reflect'):
   * 'reflect' `d c b a | a b c d | d c b a` (half-sample symmetric; alias 'grid-mirror'),
   * 'mirror' `d c b | a b c d | c b a` (whole-sample symmetric),
   * 'nearest' `a a a a | a b c d | d d d d`, 'wrap' `a b c d | a b c d | a b c d` (alias 'grid-wrap'),
   * 'constant' `k k k k | a b c d | k k k k` with k = cval (alias 'grid-constant').
   * The extension repeats as far as needed, so kernels larger than the image work in every mode.
   */
  mode?: NdimageMode;
  /** The fill value for 'constant' (default 0). */
  cval?: number;
  /**
   * Shifts the kernel, as SciPy's `origin` (number for both axes or [rows, cols]; default 0):
   * positive values move the filter towards the top/left. Each must lie in
   * [−⌊k/2⌋, ⌊(k−1)/2⌋] for that axis's kernel size k.
   */
  origin?: number | [number, number];
}

/**
 * Where index `i` of a line of length `n` reads from, or −1 for the constant fill. These are the
 * closed forms of SciPy's line extension (ni_support.c), which repeats the pattern indefinitely.
 */
function mapIndex(i: number, n: number, mode: 'reflect' | 'constant' | 'nearest' | 'mirror' | 'wrap'): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'constant': return -1;
    case 'nearest': return i < 0 ? 0 : n - 1;
    case 'wrap': return ((i % n) + n) % n;
    case 'reflect': {
      const p = 2 * n; // period of d c b a | a b c d
      const r = ((i % p) + p) % p;
      return r < n ? r : p - 1 - r;
    }
    case 'mirror': {
      if (n === 1) return 0; // SciPy repeats a single sample
      const p = 2 * n - 2; // period of c b | a b c d | c b
      const r = ((i % p) + p) % p;
      return r < n ? r : p - r;
    }
  }
}

function canonicalMode(m: NdimageMode): 'reflect' | 'constant' | 'nearest' | 'mirror' | 'wrap' {
  // For filters SciPy documents the grid-* names as synonyms.
  if (m === 'grid-mirror') return 'reflect';
  if (m === 'grid-constant') return 'constant';
  if (m === 'grid-wrap') return 'wrap';
  return m;
}

function originPair(fn: string, v: unknown): [number, number] {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((e) => typeof e === 'number' && Number.isInteger(e))) {
    throw new ValueError(`${fn}: origin must be an integer or a pair [rows, cols] of integers, got ${JSON.stringify(v)}`);
  }
  return [pair[0], pair[1]];
}

function ndFilter(fn: string, convolution: boolean, image: ArrayInput, kernel: ArrayInput, options: NdimageOptions): Tensor {
  checkOptions(fn, options, ['mode', 'cval', 'origin']);
  const mode = canonicalMode(checkChoice(fn, 'mode', options.mode ?? 'reflect', MODES));
  const cval = checkFinite(fn, 'cval', options.cval ?? 0);
  const img = asImage(fn, 'input', image);
  const k = asKernel2d(fn, kernel);
  const origins = originPair(fn, options.origin ?? 0);
  const sizes = [k.kh, k.kw];
  // SciPy's convolve is correlate with the kernel flipped and the origin negated, plus one more
  // step for even sizes so the flipped kernel keeps covering the same samples.
  const weights = new Float64Array(k.data.length);
  for (let i = 0; i < weights.length; i++) weights[i] = convolution ? k.data[weights.length - 1 - i] : k.data[i];
  const eff = origins.map((o, ax) => (convolution ? -o - (sizes[ax] % 2 === 0 ? 1 : 0) : o));
  for (let ax = 0; ax < 2; ax++) {
    const s = sizes[ax];
    if (eff[ax] < -Math.floor(s / 2) || eff[ax] > Math.floor((s - 1) / 2)) {
      throw new ValueError(
        `${fn}: origin ${origins[ax]} is out of range for a kernel of size ${s} along axis ${ax}; ` +
          `expected ${-Math.floor(s / 2)} ≤ origin ≤ ${Math.floor((s - 1) / 2)} (SciPy's rule)`,
      );
    }
  }
  const { h, w } = img;
  const channels = Math.max(img.c, 1);
  // out[i, j] = Σ w[a, b] · ext(i + a − cy, j + b − cx), cy = ⌊kh/2⌋ + origin: precompute ext's
  // source row/column for every i + a and j + b once.
  const cy = Math.floor(k.kh / 2) + eff[0];
  const cx = Math.floor(k.kw / 2) + eff[1];
  const rows = new Int32Array(h + k.kh - 1);
  const cols = new Int32Array(w + k.kw - 1);
  for (let t = 0; t < rows.length; t++) rows[t] = mapIndex(t - cy, h, mode);
  for (let t = 0; t < cols.length; t++) cols[t] = mapIndex(t - cx, w, mode);
  const src = img.data;
  const out = new Float64Array(h * w * channels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let acc = 0;
        for (let a = 0; a < k.kh; a++) {
          const y = rows[i + a];
          for (let b = 0; b < k.kw; b++) {
            const x = cols[j + b];
            const v = y < 0 || x < 0 ? cval : src[(y * w + x) * channels + c];
            acc += weights[a * k.kw + b] * v;
          }
        }
        out[(i * w + j) * channels + c] = acc;
      }
    }
  }
  return toTensor(out, img.shape);
}

/**
 * `scipy.ndimage.convolve(input, weights, mode, cval, origin)` for a 2-D (h, w) input, or
 * (h, w, c) filtered channel by channel (SciPy with weights[:, :, None]). The output has the
 * input's shape, computed in float64 and returned as float32 (SciPy keeps the input dtype, so an
 * integer input would be truncated there; pass floats when comparing).
 */
export function ndimageConvolve(image: ArrayInput, kernel: ArrayInput, options: NdimageOptions = {}): Tensor {
  return ndFilter('ndimageConvolve', true, image, kernel, options);
}

/** `scipy.ndimage.correlate`: the same without flipping the kernel. */
export function ndimageCorrelate(image: ArrayInput, kernel: ArrayInput, options: NdimageOptions = {}): Tensor {
  return ndFilter('ndimageCorrelate', false, image, kernel, options);
}
