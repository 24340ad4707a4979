/**
 * Colour maps from a number t ∈ [0, 1] to 8-bit RGB, and `toRaster`, which turns an array of values into
 * an RGBA picture through one of them.
 *
 * - 'gray': black (t = 0) to white (t = 1), t × 255 rounded: exact, so tests can compute pixels.
 * - 'viridis', 'inferno': matplotlib's perceptually uniform maps (Stéfan van der Walt, Nathaniel Smith,
 *   Eric Firing; CC0), 33 of their 256 colours as anchors with linear interpolation between them.
 * - 'coolwarm': diverging, blue – white – red, for signed values: Kenneth Moreland's cool-warm end
 *   colours with a pure white centre, so a zero weight reads as blank paper.
 * - 'jet': the classic rainbow (dark blue, blue, cyan, yellow, red, dark red), for heat overlays.
 * - 'turbo': Google's improved rainbow, through its published polynomial approximation (Anton
 *   Mikhailov, 2019), for heat overlays.
 */
import { ValueError, unknownName } from '../errors.js';
import type { Raster } from './figure.js';

export type RGB = [number, number, number];
export type ColormapName = 'gray' | 'viridis' | 'inferno' | 'coolwarm' | 'jet' | 'turbo';
export const COLORMAP_NAMES: readonly ColormapName[] = ['gray', 'viridis', 'inferno', 'coolwarm', 'jet', 'turbo'];
export type Colormap = (t: number) => RGB;

function hexList(s: string): RGB[] {
  return s.split(' ').map((h) => [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)]);
}

const VIRIDIS = hexList('440154 470d60 48186a 482374 472d7b 453781 424086 3e4989 3b528b 375b8d 33638d 2f6b8e 2c728e 297a8e 26828e 23898e 21918c 1f978b 1f9f88 21a685 27ad81 31b57b 3dbc74 4cc26c 5cc863 6ece58 81d34d 95d840 aadc32 c0df25 d5e21a eae51a fde725');
const INFERNO = hexList('000004 040312 0b0724 150b37 210c4a 2f0a5b 3d0965 4a0c6b 57106e 64156e 71196e 7d1e6d 8a226a 972766 a32c61 b0315b bc3754 c63d4d d04545 da4e3c e35933 eb6429 f1711f f67e14 f98c0a fb9b06 fcaa0f fbba1f f9c932 f5d949 f2e865 f3f586 fcffa4');
/** Odd count, so the middle anchor (white) is exactly t = 0.5. */
const COOLWARM = hexList('3b4cc0 6a8bef 9abbff c9d8ef ffffff f2cbb7 ee8468 d65244 b40426');
const JET = hexList('00007f 0000ff 007fff 00ffff 7fff7f ffff00 ff7f00 ff0000 7f0000');

/** Clamps to [0, 1]; NaN counts as 0 (the low end). */
function clamp01(t: number): number {
  return t > 0 ? (t < 1 ? t : 1) : 0;
}

/** Evenly spaced anchors with linear interpolation between neighbours, rounded to integers. */
function fromAnchors(anchors: readonly RGB[]): Colormap {
  const last = anchors.length - 1;
  return (t) => {
    const p = clamp01(t) * last;
    const i = Math.min(last - 1, Math.floor(p));
    const f = p - i;
    const a = anchors[i];
    const b = anchors[i + 1];
    return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
  };
}

const gray: Colormap = (t) => {
  const v = Math.round(clamp01(t) * 255);
  return [v, v, v];
};

/** Turbo's degree-5 polynomial fit per channel (Mikhailov 2019), clamped to [0, 1]. */
const turbo: Colormap = (t) => {
  const x = clamp01(t);
  const poly = (c: readonly number[]) => c.reduceRight((acc, k) => acc * x + k, 0);
  const r = poly([0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943]);
  const g = poly([0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604]);
  const b = poly([0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973]);
  return [Math.round(clamp01(r) * 255), Math.round(clamp01(g) * 255), Math.round(clamp01(b) * 255)];
};

const MAPS: Record<ColormapName, Colormap> = {
  gray,
  viridis: fromAnchors(VIRIDIS),
  inferno: fromAnchors(INFERNO),
  coolwarm: fromAnchors(COOLWARM),
  jet: fromAnchors(JET),
  turbo,
};

/** The colour map called `name` (see the module comment); unknown names list the valid ones. */
export function colormap(name: string): Colormap {
  if (!Object.prototype.hasOwnProperty.call(MAPS, name)) throw unknownName('colour map', name, COLORMAP_NAMES);
  return MAPS[name as ColormapName];
}

export interface ToRasterOptions {
  cmap?: string;
  /** Value drawn at t = 0; default: the smallest finite value (or −m with `symmetric`). */
  vmin?: number;
  /** Value drawn at t = 1; default: the largest finite value (or m with `symmetric`). */
  vmax?: number;
  /**
   * For signed data (filters, gradients): the range is −m..m with m = max|v| (or max(|vmin|, |vmax|)
   * when given), so 0 lands on t = 0.5, the centre of a diverging map (white in 'coolwarm').
   */
  symmetric?: boolean;
}

/** The value range `toRaster` uses for these values and options, [lo, hi]. */
export function valueRange(values: ArrayLike<number>, opts: ToRasterOptions = {}): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) { lo = 0; hi = 0; }
  for (const [k, v] of [['vmin', opts.vmin], ['vmax', opts.vmax]] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw new ValueError(`toRaster: ${k} must be a finite number, got ${v}`);
  }
  lo = opts.vmin ?? lo;
  hi = opts.vmax ?? hi;
  if (opts.symmetric) {
    const m = Math.max(Math.abs(lo), Math.abs(hi));
    return [-m, m];
  }
  if (hi < lo) throw new ValueError(`toRaster: vmax (${hi}) must not be below vmin (${lo})`);
  return [lo, hi];
}

/**
 * Paints `values` (row-major, `height × width`) through a colour map into an opaque RGBA raster.
 * Scaling: t = (v − lo) / (hi − lo) with [lo, hi] from {@link valueRange} (by default the data's own
 * min..max, so 'gray' maps the minimum to 0 and the maximum to 255), clamped to [0, 1]. A flat range
 * (hi = lo, e.g. a constant feature map or an all-zero filter) has no contrast to show and is drawn at
 * t = 0.5 — mid-gray (128) in 'gray', white in 'coolwarm' — never divided by zero. Non-finite values do
 * not widen the range; NaN and −∞ are drawn at t = 0, +∞ at t = 1.
 */
export function toRaster(values: ArrayLike<number>, height: number, width: number, opts: ToRasterOptions = {}): Raster {
  if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
    throw new ValueError(`toRaster: height and width must be positive integers, got ${height}×${width}`);
  }
  if (values.length !== height * width) {
    throw new ValueError(`toRaster: ${values.length} values cannot fill ${height}×${width} = ${height * width} pixels`);
  }
  const map = colormap(opts.cmap ?? 'gray');
  const [lo, hi] = valueRange(values, opts);
  const span = hi - lo;
  const data = new Uint8ClampedArray(height * width * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const t = !Number.isFinite(v) ? (v === Infinity ? 1 : 0) : span > 0 ? (v - lo) / span : 0.5;
    const [r, g, b] = map(t);
    data[4 * i] = r;
    data[4 * i + 1] = g;
    data[4 * i + 2] = b;
    data[4 * i + 3] = 255;
  }
  return { width, height, data };
}
