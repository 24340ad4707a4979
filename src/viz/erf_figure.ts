/**
 * The effective-receptive-field picture: the mean |gradient| map as a heat map (black = 0, 'inferno'),
 * upscaled so a digit is 224 px, the theoretical receptive field of the same unit outlined in cyan for
 * comparison, a colour bar and a caption.
 *
 * Layout (pixels, s = scale): title band of ERF_LAYOUT.title, then the heat map (W·s × H·s) at
 * (pad, pad + title), the colour bar (bar wide) barGap to its right with its labels, up to three caption lines
 * below (what was averaged, what the box is). Figure size = erfLayout(H, W, s).
 */
import { colormap, toRaster } from './colormap.js';
import { Figure, type Raster } from './figure.js';
import { fitText, shortNumber } from './caption.js';
import type { FieldBox } from './erf.js';
import { ValueError } from '../errors.js';

export const ERF_LAYOUT = { pad: 12, title: 24, bar: 14, barGap: 10, barLabels: 44, caption: 48 } as const;

const BOX_COLOUR = '#00e5ff';

export interface ErfFigureOptions {
  title?: string;
  /** Integer upscaling (default: the smallest making the longer side at least 224 px). */
  scale?: number;
  cmap?: string;
  /** Extra caption line (default: what the box is). */
  caption?: string;
}

/** Default integer scale: the longer side becomes at least 224 pixels. */
export function erfScale(height: number, width: number): number {
  return Math.max(1, Math.ceil(224 / Math.max(height, width)));
}

/** Where everything goes for an H × W map at scale s. */
export function erfLayout(height: number, width: number, scale: number) {
  const L = ERF_LAYOUT;
  const heat = { x: L.pad, y: L.pad + L.title, width: width * scale, height: height * scale };
  const bar = { x: heat.x + heat.width + L.barGap, y: heat.y, width: L.bar, height: heat.height };
  return {
    heat, bar,
    width: bar.x + bar.width + L.barLabels + L.pad,
    height: heat.y + heat.height + L.caption + L.pad,
  };
}

/** A vertical colour bar: `cmap(1)` at the top row down to `cmap(0)` at the bottom. */
function colourBar(width: number, height: number, cmap: string): Raster {
  const map = colormap(cmap);
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const [r, g, b] = map(height === 1 ? 1 : 1 - y / (height - 1));
    for (let x = 0; x < width; x++) data.set([r, g, b, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

/** The box clipped to the image, and whether clipping happened. */
function clipBox(box: FieldBox, height: number, width: number): { box: FieldBox; clipped: boolean } {
  const clipped = { top: Math.max(0, box.top), left: Math.max(0, box.left), bottom: Math.min(height - 1, box.bottom), right: Math.min(width - 1, box.right) };
  return { box: clipped, clipped: clipped.top !== box.top || clipped.left !== box.left || clipped.bottom !== box.bottom || clipped.right !== box.right };
}

/**
 * `erf` is a map (row-major height × width, non-negative) with, optionally, the theoretical field's box
 * (pixel rows/columns, inclusive; fractional edges for even-sized fields are rounded outward).
 */
export function erfFigure(erf: { map: ArrayLike<number>; height: number; width: number; box?: FieldBox | null; layer?: string; unit?: readonly number[]; samples?: number; inputs?: string }, opts: ErfFigureOptions = {}): Figure {
  const { map, height: H, width: W } = erf;
  if (map.length !== H * W) throw new ValueError(`erfFigure: ${map.length} values cannot fill ${H}×${W}`);
  const scale = opts.scale ?? erfScale(H, W);
  if (!(Number.isInteger(scale) && scale >= 1)) throw new ValueError(`erfFigure: scale must be an integer ≥ 1, got ${scale}`);
  const cmap = opts.cmap ?? 'inferno';
  const lay = erfLayout(H, W, scale);
  const fig = new Figure(lay.width, lay.height);
  let max = 0;
  for (let i = 0; i < map.length; i++) if (Number.isFinite(map[i]) && map[i] > max) max = map[i];
  const L = ERF_LAYOUT;
  const title = opts.title ?? `ERF${erf.layer ? ` of ${erf.layer}` : ''}`;
  fig.text(fitText(title, 12, lay.width - 2 * L.pad), L.pad, L.pad + 12, { size: 12 });
  fig.image(toRaster(map, H, W, { cmap, vmin: 0, vmax: max > 0 ? max : 1 }), lay.heat.x, lay.heat.y, scale);
  fig.frame(lay.heat.x, lay.heat.y, lay.heat.width, lay.heat.height);
  fig.image(colourBar(lay.bar.width, lay.bar.height, cmap), lay.bar.x, lay.bar.y, 1);
  fig.frame(lay.bar.x, lay.bar.y, lay.bar.width, lay.bar.height);
  fig.text(shortNumber(max), lay.bar.x + lay.bar.width + 4, lay.bar.y + 9, { size: 9 });
  fig.text('0', lay.bar.x + lay.bar.width + 4, lay.bar.y + lay.bar.height, { size: 9 });
  let boxLine = 'no theoretical field to compare';
  if (erf.box) {
    const { box, clipped } = clipBox(erf.box, H, W);
    const top = Math.floor(box.top);
    const left = Math.floor(box.left);
    const rows = Math.ceil(box.bottom) - top + 1;
    const cols = Math.ceil(box.right) - left + 1;
    fig.frame(lay.heat.x + left * scale, lay.heat.y + top * scale, cols * scale, rows * scale, BOX_COLOUR, 2);
    const full = `${erf.box.bottom - erf.box.top + 1}x${erf.box.right - erf.box.left + 1}`;
    boxLine = `cyan: theoretical field ${full}${clipped ? ' (clipped)' : ''}`;
  }
  const unit = erf.unit ? ` (${erf.unit.join(', ')})` : '';
  const lines = [
    `mean |gradient| of unit${unit}`,
    ...(erf.samples ? [`over ${erf.samples} ${erf.inputs === 'random' ? 'random images' : 'digits'}`] : []),
  ];
  const y0 = lay.heat.y + lay.heat.height + 14;
  lines.forEach((t, i) => fig.text(fitText(t, 9, lay.width - 2 * L.pad), L.pad, y0 + 13 * i, { size: 9 }));
  fig.text(fitText(opts.caption ?? boxLine, 9, lay.width - 2 * L.pad), L.pad, y0 + 13 * lines.length, { size: 9, color: '#007a8a' });
  return fig;
}
