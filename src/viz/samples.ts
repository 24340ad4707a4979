/**
 * A grid of dataset images with the class name under each: the "look at your data" picture of the
 * Keras tutorials (MNIST digits, Fashion-MNIST clothes, CIFAR-10 photos).
 */
import { ValueError } from '../errors.js';
import { cifar10, fashionMnist, mnist } from '../data/datasets.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Figure, Raster } from './figure.js';
import { type Tile, gridLayout, tileGrid, type GridLayout } from './grid.js';
import { upscaleFor } from './feature_maps.js';

/** Keras's class names of the datasets the CLI knows (the lists of src/data/datasets). */
export const DATASET_CLASS_NAMES: Readonly<Record<'mnist' | 'fashion-mnist' | 'cifar10', readonly string[]>> = {
  'mnist': mnist.classNames,
  'fashion-mnist': fashionMnist.classNames,
  'cifar10': cifar10.classNames,
};

export interface SamplesOptions {
  rows?: number;
  cols?: number;
  title?: string;
  /** Integer upscaling; default: the smallest that makes an image at least 64 px on its longer side. */
  scale?: number;
  gap?: number;
  labelSize?: number;
}

/**
 * Whether these pixel values are 0..1 (true) or 0..255 (false): 0..1 when every finite value lies in
 * [0, 1], otherwise 0..255. (An all-dark 0..255 batch with no value above 1 reads as 0..1; it is black
 * either way.)
 */
export function isUnitRange(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && (v < 0 || v > 1)) return false;
  }
  return true;
}

/** Image n of an (N, h, w) or (N, h, w, 1|3) batch as an opaque RGBA raster, pixels ×255 when `unit`, rounded, clamped. */
export function sampleRaster(images: Tensor, n: number, unit: boolean): Raster {
  const s = images.shape;
  const [h, w] = [s[1], s[2]];
  const c = s.length === 4 ? s[3] : 1;
  const v = images.values;
  const base = n * h * w * c;
  const k = unit ? 255 : 1;
  const data = new Uint8ClampedArray(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < 3; ch++) data[4 * p + ch] = Math.round(v[base + p * c + (c === 1 ? 0 : ch)] * k);
    data[4 * p + 3] = 255;
  }
  return { width: w, height: h, data };
}

function checkImages(images: Tensor): void {
  const s = images.shape;
  const ok = (s.length === 3 || (s.length === 4 && (s[3] === 1 || s[3] === 3))) && s[0] > 0;
  if (!ok) throw new ValueError(`samplesFigure: expected images of shape (n, h, w), (n, h, w, 1) or (n, h, w, 3), got (${s.join(', ')})`);
}

function gridSize(opts: SamplesOptions, n: number): { rows: number; cols: number } {
  for (const k of ['rows', 'cols'] as const) {
    const v = opts[k];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) throw new ValueError(`samplesFigure: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const cols = opts.cols ?? 5;
  const rows = opts.rows ?? Math.min(5, Math.ceil(n / cols));
  return { rows, cols };
}

/** The tiles (first min(n, rows × cols) images) and the grid options samplesFigure uses. */
export function sampleTiles(
  images: Tensor, labels: ArrayLike<number> | null, classNames: readonly string[] | null, opts: SamplesOptions = {},
): { tiles: Tile[]; cols: number; scale: number } {
  checkImages(images);
  const { rows, cols } = gridSize(opts, images.shape[0]);
  const count = Math.min(images.shape[0], rows * cols);
  if (labels !== null && labels.length < count) throw new ValueError(`samplesFigure: ${count} images but only ${labels.length} labels`);
  const unit = isUnitRange(images.values.subarray(0, count * (images.size / images.shape[0])));
  const tiles: Tile[] = [];
  for (let n = 0; n < count; n++) {
    const y = labels === null ? null : Number(labels[n]);
    const label = y === null ? undefined : classNames?.[y] ?? String(y);
    tiles.push({ raster: sampleRaster(images, n, unit), label });
  }
  const scale = opts.scale ?? upscaleFor(Math.max(images.shape[1], images.shape[2]));
  return { tiles, cols: Math.min(cols, count), scale };
}

/**
 * The first rows × cols images (default 5 × 5) with their class names (`classNames[label]`, or the
 * label number without names; no labels: no captions). Pixels are 0..1 or 0..255, detected by
 * {@link isUnitRange}; 1-channel images are gray, 3-channel RGB.
 */
export function samplesFigure(
  images: Tensor, labels: ArrayLike<number> | null, classNames: readonly string[] | null = null, opts: SamplesOptions = {},
): Figure {
  const { tiles, cols, scale } = sampleTiles(images, labels, classNames, opts);
  return tileGrid(tiles, { cols, scale, gap: opts.gap, labelSize: opts.labelSize, title: opts.title });
}

/** The layout samplesFigure draws with (for callers that report or test tile positions). */
export function samplesLayout(
  images: Tensor, labels: ArrayLike<number> | null, classNames: readonly string[] | null = null, opts: SamplesOptions = {},
): GridLayout {
  const { tiles, cols, scale } = sampleTiles(images, labels, classNames, opts);
  return gridLayout(tiles.map((t) => t.raster), tiles.map((t) => t.label), { cols, scale, gap: opts.gap, labelSize: opts.labelSize, title: opts.title });
}
