/**
 * Pictures of convolution kernels (filters). Every tile of one figure shares one value scale, so tiles
 * are comparable with each other (a faint filter looks faint):
 *
 * - RGB: kernel (kh, kw, 3, filters) of a first layer on colour images: one tile per filter, its three
 *   input channels as R, G, B, each weight mapped to round((v − lo) / (hi − lo) × 255) with lo..hi the
 *   min..max of the whole kernel (a flat kernel is mid-gray, 128).
 * - signed: kernel (kh, kw, 1, filters): one tile per filter in the diverging 'coolwarm' map, symmetric
 *   about 0: t = (v + m) / (2m) with m = max|v| over the whole kernel, so 0 is white, negative weights
 *   blue, positive red.
 * - grid: deeper kernels (kh, kw, cin, filters): one tile per (input channel, filter), a row per input
 *   channel (the first `maxInputs`, default 8) and a column per filter (the first `maxFilters`, default
 *   16), in 'coolwarm' symmetric about 0 as above (m over the whole kernel).
 * - depthwise: DepthwiseConv2D / SeparableConv2D depthwise kernels (kh, kw, channels, multiplier): one
 *   tile per (channel, multiplier) pair, 'coolwarm' symmetric as above.
 * Conv1D kernels (k, cin, filters) are drawn as 1 × k kernels in the same way.
 */
import { ValueError } from '../errors.js';
import { Layer } from '../layers/layer.js';
import { Conv2D, DepthwiseConv2D } from '../layers/convolutional.js';
import { Conv1D } from '../layers/conv1d.js';
import { SeparableConv2D } from '../layers/separable_conv2d.js';
import { Tensor } from '../tensor/tensor.js';
import { colormap, toRaster, valueRange } from './colormap.js';
import type { Figure, Raster } from './figure.js';
import { type GridLayout, type GridOptions, type Tile, tileGrid, tileGridLayout } from './grid.js';
import { upscaleFor } from './feature_maps.js';

export type FilterMode = 'rgb' | 'signed' | 'grid' | 'depthwise';

export interface FilterOptions {
  title?: string;
  /** Filters drawn at most (default 64; 16 columns in 'grid' mode). */
  maxFilters?: number;
  /** Input channels (rows) drawn at most in 'grid' mode (default 8). */
  maxInputs?: number;
  /** Treat the kernel as depthwise (automatic for DepthwiseConv2D and SeparableConv2D layers). */
  depthwise?: boolean;
  cols?: number;
  scale?: number;
  gap?: number;
  labelSize?: number;
}

export interface FilterTiles {
  tiles: Tile[];
  mode: FilterMode;
  /** The shared value range: [lo, hi] in 'rgb' mode, [−m, m] otherwise. */
  range: [number, number];
  /** Kernel as (kh, kw, cin, cout). */
  shape: [number, number, number, number];
  /** Tiles per row the mode asks for ('grid': the filters drawn; otherwise undefined = square-ish). */
  cols?: number;
  /** What was left out, for the title ('' when everything is drawn). */
  cut: string;
}

const SUPPORTED = 'Conv2D, DepthwiseConv2D, SeparableConv2D (its depthwise kernel) or Conv1D';

/** The kernel of a convolution layer as a tensor, and whether it is depthwise. */
export function layerKernel(layer: Layer): { kernel: Tensor; depthwise: boolean } {
  let kernel: Tensor | undefined;
  let depthwise = false;
  if (layer instanceof DepthwiseConv2D) {
    kernel = layer.kernel;
    depthwise = true;
  } else if (layer instanceof SeparableConv2D) {
    kernel = layer.depthwiseKernel;
    depthwise = true;
  } else if (layer instanceof Conv2D || layer instanceof Conv1D) {
    kernel = layer.kernel;
  } else {
    throw new ValueError(`Layer "${layer.name}" (${layer.className}) has no convolution kernel to draw; filters are drawn for ${SUPPORTED} layers`);
  }
  if (!kernel) throw new ValueError(`Layer "${layer.name}" (${layer.className}) is not built yet, so it has no kernel; call the model on an input (or build it) first`);
  return { kernel, depthwise };
}

function limit(what: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!(Number.isInteger(v) && v >= 1)) throw new ValueError(`filtersFigure: ${what} must be an integer ≥ 1, got ${v}`);
  return v;
}

/** The kernel as (kh, kw, cin, cout): Conv1D's (k, cin, cout) becomes (1, k, cin, cout). */
function kernelShape(kernel: Tensor): [number, number, number, number] {
  const s = kernel.shape;
  if (s.length === 4) return [s[0], s[1], s[2], s[3]];
  if (s.length === 3) return [1, s[0], s[1], s[2]];
  throw new ValueError(`filtersFigure: expected a convolution kernel of shape (kh, kw, in, out) or (k, in, out), got (${s.join(', ')})`);
}

/** The tiles of a kernel (see the module comment for modes and scaling). */
export function filterTiles(kernelOrLayer: Tensor | Layer, opts: FilterOptions = {}): FilterTiles {
  let kernel: Tensor;
  let depthwise = opts.depthwise ?? false;
  if (kernelOrLayer instanceof Layer) {
    const k = layerKernel(kernelOrLayer);
    kernel = k.kernel;
    depthwise = opts.depthwise ?? k.depthwise;
  } else if (kernelOrLayer instanceof Tensor) {
    kernel = kernelOrLayer;
  } else {
    throw new ValueError(`filtersFigure: expected a kernel Tensor or a ${SUPPORTED} layer, got ${typeof kernelOrLayer}`);
  }
  const shape = kernelShape(kernel);
  const [kh, kw, cin, cout] = shape;
  const v = kernel.values;
  const at = (y: number, x: number, i: number, o: number) => v[((y * kw + x) * cin + i) * cout + o];
  const plane = (i: number, o: number) => {
    const p = new Float64Array(kh * kw);
    for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) p[y * kw + x] = at(y, x, i, o);
    return p;
  };
  const tiles: Tile[] = [];

  if (!depthwise && cin === 3) {
    const n = Math.min(cout, limit('maxFilters', opts.maxFilters, 64));
    const [lo, hi] = valueRange(v);
    const span = hi - lo;
    for (let o = 0; o < n; o++) {
      const data = new Uint8ClampedArray(kh * kw * 4);
      for (let p = 0; p < kh * kw; p++) {
        for (let c = 0; c < 3; c++) data[4 * p + c] = span > 0 ? Math.round(((at(Math.floor(p / kw), p % kw, c, o) - lo) / span) * 255) : 128;
        data[4 * p + 3] = 255;
      }
      tiles.push({ raster: { width: kw, height: kh, data }, label: String(o) });
    }
    return { tiles, mode: 'rgb', range: [lo, hi], shape, cut: n < cout ? `first ${n} of ${cout} filters` : '' };
  }

  const [mLo, mHi] = valueRange(v, { symmetric: true });
  const signed = (p: Float64Array): Raster => toRaster(p, kh, kw, { cmap: 'coolwarm', vmin: mLo, vmax: mHi });
  if (depthwise || cin === 1) {
    const total = cin * cout;
    const n = Math.min(total, limit('maxFilters', opts.maxFilters, 64));
    for (let f = 0; f < n; f++) {
      // Depthwise output channel f = channel i × multiplier + j (Keras's order); for cin = 1, f is the filter.
      const i = depthwise ? Math.floor(f / cout) : 0;
      const j = depthwise ? f % cout : f;
      const label = !depthwise ? String(j) : cout === 1 ? `c${i}` : `c${i}.${j}`;
      tiles.push({ raster: signed(plane(i, j)), label });
    }
    const what = depthwise ? 'depthwise kernels' : 'filters';
    return { tiles, mode: depthwise ? 'depthwise' : 'signed', range: [mLo, mHi], shape, cut: n < total ? `first ${n} of ${total} ${what}` : '' };
  }

  const rows = Math.min(cin, limit('maxInputs', opts.maxInputs, 8));
  const cols = Math.min(cout, limit('maxFilters', opts.maxFilters, 16));
  for (let i = 0; i < rows; i++) {
    for (let o = 0; o < cols; o++) tiles.push({ raster: signed(plane(i, o)), label: `c${i} f${o}` });
  }
  const cuts = [rows < cin ? `first ${rows} of ${cin} input channels` : '', cols < cout ? `first ${cols} of ${cout} filters` : ''].filter(Boolean);
  return { tiles, mode: 'grid', range: [mLo, mHi], shape, cols, cut: cuts.join(', ') };
}

function num(v: number): string {
  return Number(v.toPrecision(3)).toString();
}

/** A one-line description of the colour scale, for titles. */
export function filterScaleNote(t: FilterTiles): string {
  if (t.mode === 'rgb') return `RGB, shared scale ${num(t.range[0])}..${num(t.range[1])}`;
  const base = `blue -${num(t.range[1])}, white 0, red +${num(t.range[1])}`;
  return t.mode === 'grid' ? `rows: input channels c, columns: filters f; ${base}` : base;
}

/** The tiles and grid options of {@link filtersFigure}. */
export function filtersGrid(kernelOrLayer: Tensor | Layer, opts: FilterOptions = {}): { tiles: FilterTiles; grid: GridOptions } {
  const t = filterTiles(kernelOrLayer, opts);
  const [kh, kw] = t.shape;
  const name = kernelOrLayer instanceof Layer ? `${kernelOrLayer.name} ` : '';
  const title = opts.title ?? `${name}${kh}x${kw} kernels\n${filterScaleNote(t)}${t.cut ? `\n(${t.cut})` : ''}`;
  return { tiles: t, grid: { cols: opts.cols ?? t.cols, scale: opts.scale ?? upscaleFor(Math.max(kh, kw)), gap: opts.gap, labelSize: opts.labelSize, title } };
}

/** The grid picture of a kernel's filters (see the module comment); tiles are upscaled to ≥ 64 px. */
export function filtersFigure(kernelOrLayer: Tensor | Layer, opts: FilterOptions = {}): Figure {
  const { tiles, grid } = filtersGrid(kernelOrLayer, opts);
  return tileGrid(tiles.tiles, grid);
}

/** Where filtersFigure puts each tile (in the order of filterTiles). */
export function filtersLayout(kernelOrLayer: Tensor | Layer, opts: FilterOptions = {}): GridLayout {
  const { tiles, grid } = filtersGrid(kernelOrLayer, opts);
  return tileGridLayout(tiles.tiles, grid);
}

/** The colour of weight `v` in the signed modes, for tests and legends: coolwarm at (v + m) / (2m). */
export function signedFilterColour(v: number, m: number): [number, number, number] {
  return colormap('coolwarm')(m > 0 ? (v + m) / (2 * m) : 0.5);
}
