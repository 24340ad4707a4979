/**
 * Named filter kernels, each a float32 Tensor (kh, kw), for `convolve2d`, `correlate2d` and
 * `ndimageConvolve`. The edge kernels are the ones seeds 000 and 003 write out by hand.
 *
 * Orientation: `sobelX` is seed 003's Gx, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], and `sobelY` its Gy,
 * [[-1, -2, -1], [0, 0, 0], [1, 2, 1]], written for the CNN convention (correlate2d / Conv2D):
 * there they give a positive response where brightness increases to the right (x) or downwards (y),
 * i.e. they find vertical and horizontal edges respectively. A true convolution (convolve2d,
 * ndimageConvolve) flips the kernel, which flips the sign; the magnitude is the same.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';

function fromRows(rows: readonly (readonly number[])[]): Tensor {
  return new Tensor(Float32Array.from(rows.flat()), [rows.length, rows[0].length]);
}

function checkSize(fn: string, size: unknown): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new ValueError(`kernels.${fn}: size must be an integer ≥ 1, got ${JSON.stringify(size)}`);
  }
  return size;
}

/** Seed 003's Gx (3×3): responds to left-to-right changes, i.e. vertical edges. */
export function sobelX(): Tensor {
  return fromRows([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]);
}

/** Seed 003's Gy (3×3): responds to top-to-bottom changes, i.e. horizontal edges. */
export function sobelY(): Tensor {
  return fromRows([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]);
}

/** Seed 000's 8-neighbour edge-detection kernel [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]] (sums to 0: flat areas vanish). */
export function edge(): Tensor {
  return fromRows([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]);
}

/** Seed 000's 4×4 horizontal edge pattern (가로 패턴): a row of 1s above a row of −1s. */
export function horizontalEdge(): Tensor {
  return fromRows([[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [-1, -1, -1, -1]]);
}

/** Seed 000's 5×5 vertical edge pattern (세로 패턴): a column of 1s left of a column of −1s. */
export function verticalEdge(): Tensor {
  return fromRows(Array.from({ length: 5 }, () => [1, 0, 0, 0, -1]));
}

/**
 * Box smoothing: seed 000's "ones" kernel (size × size, default 3). Like the seed it is NOT
 * normalised by default (each pixel becomes the sum of its neighbourhood, which is why the seed's
 * picture gets brighter); `{ normalize: true }` divides by size² to average instead.
 */
export function box(size = 3, options: { normalize?: boolean } = {}): Tensor {
  const n = checkSize('box', size);
  const v = options.normalize ? 1 / (n * n) : 1;
  return new Tensor(new Float32Array(n * n).fill(v), [n, n]);
}

/**
 * A size × size Gaussian, exp(−(dy² + dx²) / 2σ²) with d measured from the centre (size − 1) / 2
 * (between two pixels for even sizes), normalised to sum 1. Defaults: size 5, sigma 1.
 */
export function gaussian(size = 5, sigma = 1): Tensor {
  const n = checkSize('gaussian', size);
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma <= 0) {
    throw new ValueError(`kernels.gaussian: sigma must be a finite number > 0, got ${JSON.stringify(sigma)}`);
  }
  const g = new Float64Array(n);
  const c = (n - 1) / 2;
  for (let i = 0; i < n; i++) g[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
  let total = 0;
  for (const a of g) for (const b of g) total += a * b;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (g[i] * g[j]) / total;
  return new Tensor(out, [n, n]);
}

/** The classic sharpening kernel [[0, -1, 0], [-1, 5, -1], [0, -1, 0]] (identity plus a negative Laplacian; sums to 1). */
export function sharpen(): Tensor {
  return fromRows([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]);
}

/** The 4-neighbour Laplacian [[0, 1, 0], [1, -4, 1], [0, 1, 0]] (sums to 0). */
export function laplacian(): Tensor {
  return fromRows([[0, 1, 0], [1, -4, 1], [0, 1, 0]]);
}
