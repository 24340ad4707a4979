/**
 * The classic convolution toolkit seeds 000 and 003 work through by hand, with NumPy's, SciPy's
 * and scikit-image's exact numbers (checked against golden files they generated:
 * scripts/golden/vision_golden.py). Plain float64 loops returning float32 Tensors; no autograd.
 *
 *   import { vision } from 'convkit';
 *   const edges = vision.ndimageConvolve(gray, vision.kernels.edge(), { mode: 'constant' });
 */
export { convolve1d, type Convolve1dMode, type Convolve1dOptions } from './convolve1d.js';
export { convolve2d, correlate2d, type Conv2dOptions } from './convolve2d.js';
export { ndimageConvolve, ndimageCorrelate, type NdimageMode, type NdimageOptions } from './ndimage.js';
export { blockReduce, type BlockReduceFunc, type BlockReduceOptions } from './block_reduce.js';
export { rgbToGray, rescaleIntensity, type IntensityRange, type RescaleIntensityOptions } from './color.js';
export type { ArrayInput } from './input.js';
export * as kernels from './kernels.js';
