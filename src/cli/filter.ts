/**
 * `convkit filter`: seed 000's edge pictures from the command line. The image is read as grayscale
 * (PIL's L, 0–255), filtered with a named kernel or one from a JSON file, and the response written
 * as an 8-bit picture. The filtering itself is src/vision's (seed 000's convolve2D, or SciPy's
 * ndimage.convolve when --mode is given).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';

import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import * as vision from '../vision/index.js';
import { type Image, imgToArray, loadImg, saveImg } from '../data/image.js';

export const NAMED_KERNELS = ['sobel-x', 'sobel-y', 'edge', 'box', 'gaussian', 'sharpen', 'laplacian', 'horizontal-edge', 'vertical-edge'] as const;
export const NDIMAGE_MODES = ['reflect', 'constant', 'nearest', 'mirror', 'wrap'] as const;
/** abs: |x| / max|x| (the magnitude; default). minmax: min → 0, max → 255 (matplotlib's imshow). clip: rounded and clipped to 0–255 (cv2.imwrite, as seed 000 saves 2DConvolved.jpg). */
export const SCALES = ['abs', 'minmax', 'clip'] as const;
export type DisplayScale = (typeof SCALES)[number];

export interface FilterOptions {
  kernel: string;
  out: string;
  /** scipy.ndimage.convolve's border mode; without it, seed 000's convolve2d with padding and stride. */
  mode?: (typeof NDIMAGE_MODES)[number];
  cval?: number;
  padding?: 'valid' | 'same' | number;
  stride?: number;
  /** Correlate (CNN convention) instead of convolving (kernel flipped). */
  correlate?: boolean;
  /** Size of the box / gaussian kernels (defaults 3 / 5) and the gaussian's sigma (default 1). */
  size?: number;
  sigma?: number;
  scale?: DisplayScale;
}

/** A kernel by name, or read from a JSON file holding a non-empty rectangular 2-D array of finite numbers. */
export async function resolveKernel(spec: string, size?: number, sigma?: number): Promise<Tensor> {
  switch (spec) {
    case 'sobel-x': return vision.kernels.sobelX();
    case 'sobel-y': return vision.kernels.sobelY();
    case 'edge': return vision.kernels.edge();
    case 'box': return vision.kernels.box(size ?? 3);
    case 'gaussian': return vision.kernels.gaussian(size ?? 5, sigma ?? 1);
    case 'sharpen': return vision.kernels.sharpen();
    case 'laplacian': return vision.kernels.laplacian();
    case 'horizontal-edge': return vision.kernels.horizontalEdge();
    case 'vertical-edge': return vision.kernels.verticalEdge();
  }
  if (extname(spec).toLowerCase() !== '.json') throw new ValueError(`Unknown kernel ${JSON.stringify(spec)}: use one of ${NAMED_KERNELS.join(', ')}, or a .json file with a 2-D array of numbers`);
  let text: string;
  try {
    text = await readFile(spec, 'utf8');
  } catch (e) {
    throw new ValueError(`Cannot read kernel file ${spec}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`Kernel file ${spec} is not valid JSON: ${(e as Error).message}`);
  }
  const bad = (why: string) => new ValueError(`Kernel file ${spec} must hold a 2-D array of numbers like [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]: ${why}`);
  if (!Array.isArray(rows) || rows.length === 0) throw bad('expected a non-empty array of rows');
  const width = Array.isArray(rows[0]) ? rows[0].length : -1;
  if (width <= 0) throw bad('row 0 is not a non-empty array');
  const flat: number[] = [];
  rows.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row) || row.length !== width) throw bad(`row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, row 0 has ${width} (rows must have equal lengths)`);
    row.forEach((v: unknown, j: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`the value at [${i}][${j}] is ${JSON.stringify(v)}, not a finite number`);
      flat.push(v);
    });
  });
  return new Tensor(Float32Array.from(flat), [rows.length, width]);
}

/** Maps a filter response (h, w) to 8-bit gray for display. */
export function toDisplay(t: Tensor, scale: DisplayScale = 'abs'): Image {
  const v = t.values;
  const data = new Uint8Array(v.length);
  if (scale === 'clip') {
    for (let i = 0; i < v.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(v[i])));
  } else {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < v.length; i++) {
      const x = scale === 'abs' ? Math.abs(v[i]) : v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (scale === 'abs') lo = 0;
    const mul = hi > lo ? 255 / (hi - lo) : 0; // a flat response is drawn black
    for (let i = 0; i < v.length; i++) data[i] = Math.round(((scale === 'abs' ? Math.abs(v[i]) : v[i]) - lo) * mul);
  }
  return { data, width: t.shape[1], height: t.shape[0], channels: 1 };
}

/** Filters a (h, w) grayscale tensor as the options say. */
export function applyFilter(gray: Tensor, kernel: Tensor, o: Omit<FilterOptions, 'kernel' | 'out' | 'scale'>): Tensor {
  if (o.mode !== undefined) {
    if (o.padding !== undefined || o.stride !== undefined) {
      throw new ValueError('--padding and --stride belong to seed 000\'s convolve2d; --mode selects scipy.ndimage.convolve, whose output has the image\'s size. Use one or the other');
    }
    const f = o.correlate ? vision.ndimageCorrelate : vision.ndimageConvolve;
    return f(gray, kernel, { mode: o.mode, cval: o.cval ?? 0 });
  }
  if (o.cval !== undefined) throw new ValueError('--cval applies only with --mode constant');
  const f = o.correlate ? vision.correlate2d : vision.convolve2d;
  return f(gray, kernel, { padding: o.padding ?? 'same', strides: o.stride ?? 1 });
}

export async function filter(image: string, o: FilterOptions, print: (s: string) => void): Promise<void> {
  if (!['.png', '.jpg', '.jpeg', '.webp'].includes(extname(o.out).toLowerCase())) throw new ValueError(`Cannot tell the image format of ${o.out}: use a .png, .jpg, .jpeg or .webp name`);
  const kernel = await resolveKernel(o.kernel, o.size, o.sigma);
  const img = await loadImg(image, { colorMode: 'grayscale' });
  const gray = new Tensor(imgToArray(img).values, [img.height, img.width]);
  const out = applyFilter(gray, kernel, o);
  await saveImg(o.out, toDisplay(out, o.scale ?? 'abs'));
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of out.values) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const how = o.mode !== undefined ? `mode ${o.mode}` : `padding ${o.padding ?? 'same'}, stride ${o.stride ?? 1}`;
  print(`Wrote ${o.out} (${out.shape[1]}×${out.shape[0]}): ${o.kernel} ${kernel.shape.join('×')} ${o.correlate ? 'correlated' : 'convolved'} (${how}), response ${fmt(lo)}..${fmt(hi)}, shown as ${o.scale ?? 'abs'}`);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
