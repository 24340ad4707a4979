/**
 * A grid of raster tiles with a label under each and a title on top: the layout of feature maps,
 * filters and sample images. `gridLayout` computes every rectangle (integers, so tests can find the
 * pixels of tile k); `tileGrid` draws the figure from it.
 *
 * Layout, all in pixels: a margin of `gap` around everything; the title (if any; '\n' separates lines)
 * centred at the top; then rows of equal cells separated by `gap`. A cell is as wide as the widest
 * scaled tile or label (+4) and as tall as the tallest scaled tile plus, when any tile has a label, a
 * label band. Tiles sit at the top of their cell, centred horizontally (and vertically within the tile band when smaller than the
 * tallest); labels are centred under the tile band. A grid narrower than its title is centred under it.
 * Each tile gets a 1-px frame just outside it (never over its pixels) when `gap` ≥ 2.
 */
import { ValueError } from '../errors.js';
import { DESCENT, textWidth } from './font.js';
import { Figure, type Raster } from './figure.js';

export interface Tile {
  raster: Raster;
  label?: string;
}

export interface GridOptions {
  /** Tiles per row; default ceil(√n). */
  cols?: number;
  /** Integer upscaling of every tile (nearest neighbour); default 1. */
  scale?: number;
  /** Space between cells and around the grid; default 8. */
  gap?: number;
  /** Title above the grid; '\n' starts a new line. */
  title?: string;
  /** Cap height of the title; default 16. */
  titleSize?: number;
  /** Cap height of the labels; default 11. */
  labelSize?: number;
  background?: string;
  /** Colour of the 1-px frame around each tile ('none' for no frame); default '#999999'. */
  frame?: string;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GridLayout {
  width: number;
  height: number;
  cols: number;
  rows: number;
  scale: number;
  /** Where each tile's pixels go (scaled size). */
  tiles: Rect[];
  /** Each cell's rectangle (tile band and label band). */
  cells: Rect[];
  /** Anchor of each label: centred at x, baseline at y. */
  labels: { x: number; y: number }[];
  /** Anchor of each title line (centred at x, baseline at y); empty without a title. */
  titleLines: { text: string; x: number; y: number }[];
  labelSize: number;
  titleSize: number;
}

function positiveInt(what: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!(Number.isInteger(v) && v >= min)) throw new ValueError(`tileGrid: ${what} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

function positiveSize(what: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new ValueError(`tileGrid: ${what} must be a positive number, got ${v}`);
  return v;
}

/** The layout of `sizes.length` tiles with these labels and options (see the module comment). */
export function gridLayout(
  sizes: readonly { width: number; height: number }[], labels: readonly (string | undefined)[] = [], opts: GridOptions = {},
): GridLayout {
  const n = sizes.length;
  if (n === 0) throw new ValueError('tileGrid: needs at least one tile');
  const cols = Math.min(n, positiveInt('cols', opts.cols, Math.ceil(Math.sqrt(n)), 1));
  const rows = Math.ceil(n / cols);
  const scale = positiveInt('scale', opts.scale, 1, 1);
  const gap = positiveInt('gap', opts.gap, 8, 0);
  const labelSize = positiveSize('labelSize', opts.labelSize, 11);
  const titleSize = positiveSize('titleSize', opts.titleSize, 16);

  const tileW = Math.max(...sizes.map((s) => s.width * scale));
  const tileH = Math.max(...sizes.map((s) => s.height * scale));
  const hasLabels = labels.some((l) => l !== undefined && l !== '');
  const labelW = hasLabels ? Math.ceil(Math.max(...labels.map((l) => (l ? textWidth(l, labelSize) : 0)))) + 4 : 0;
  const labelBand = hasLabels ? 4 + Math.ceil(labelSize * (1 + DESCENT)) + 2 : 0;
  const cellW = Math.max(tileW, labelW);
  const cellH = tileH + labelBand;

  const lines = opts.title ? opts.title.split('\n') : [];
  const lineStep = Math.ceil(titleSize * 1.6);
  const titleBand = lines.length > 0 ? (lines.length - 1) * lineStep + Math.ceil(titleSize * (1 + DESCENT)) + gap : 0;
  const titleW = Math.ceil(Math.max(0, ...lines.map((l) => textWidth(l, titleSize))));
  const gridW = cols * cellW + (cols - 1) * gap;
  const contentW = Math.max(gridW, titleW);
  const width = contentW + 2 * gap;
  const top = gap + titleBand;
  const height = top + rows * cellH + (rows - 1) * gap + gap;
  const x0 = gap + Math.floor((contentW - gridW) / 2);

  const tiles: Rect[] = [];
  const cells: Rect[] = [];
  const labelAnchors: { x: number; y: number }[] = [];
  for (let k = 0; k < n; k++) {
    const cx = x0 + (k % cols) * (cellW + gap);
    const cy = top + Math.floor(k / cols) * (cellH + gap);
    const w = sizes[k].width * scale;
    const h = sizes[k].height * scale;
    cells.push({ x: cx, y: cy, width: cellW, height: cellH });
    tiles.push({ x: cx + Math.floor((cellW - w) / 2), y: cy + Math.floor((tileH - h) / 2), width: w, height: h });
    labelAnchors.push({ x: cx + cellW / 2, y: cy + tileH + 4 + labelSize });
  }
  return {
    width, height, cols, rows, scale, tiles, cells, labels: labelAnchors,
    titleLines: lines.map((text, i) => ({ text, x: width / 2, y: gap + titleSize + i * lineStep })), labelSize, titleSize,
  };
}

/** The layout `tileGrid(tiles, opts)` draws with. */
export function tileGridLayout(tiles: readonly Tile[], opts: GridOptions = {}): GridLayout {
  return gridLayout(tiles.map((t) => t.raster), tiles.map((t) => t.label), opts);
}

/** Draws `tiles` in a grid (see the module comment); returns the figure, ready to save. */
export function tileGrid(tiles: readonly Tile[], opts: GridOptions = {}): Figure {
  if (!Array.isArray(tiles)) throw new ValueError(`tileGrid: expected an array of {raster, label?}, got ${typeof tiles}`);
  const layout = tileGridLayout(tiles, opts);
  const fig = new Figure(layout.width, layout.height, { background: opts.background });
  const frame = opts.frame ?? '#999999';
  const gap = opts.gap ?? 8;
  tiles.forEach((t, k) => {
    const r = layout.tiles[k];
    fig.image(t.raster, r.x, r.y, layout.scale);
    if (frame !== 'none' && gap >= 2) fig.frame(r.x, r.y, r.width, r.height, frame);
    if (t.label) fig.text(t.label, layout.labels[k].x, layout.labels[k].y, { size: layout.labelSize, anchor: 'middle', color: '#222222' });
  });
  for (const line of layout.titleLines) fig.text(line.text, line.x, line.y, { size: layout.titleSize, anchor: 'middle' });
  return fig;
}
