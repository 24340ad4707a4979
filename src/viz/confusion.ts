/**
 * `convkit visualize confusion`: the confusion matrix of a classifier (rows the true class, columns
 * the predicted one, as sklearn.metrics.confusion_matrix), its per-class accuracy (recall: the
 * diagonal over the row), a printable table, and a heatmap as sklearn's ConfusionMatrixDisplay
 * draws it (viridis, the count in each cell in a colour that contrasts with it, "True label" /
 * "Predicted label" axes).
 */
import { ValueError } from '../errors.js';
import { Figure } from './figure.js';
import { colormap, toRaster } from './colormap.js';
import { textWidth } from './font.js';
import { decimalsFor, niceTicks } from './plot_axes.js';

export type Matrix = number[][];

function checkLabels(what: string, labels: ArrayLike<number>, numClasses: number): void {
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new ValueError(`confusionMatrix: ${what}[${i}] = ${v} is not a class index in 0..${numClasses - 1}`);
    }
  }
}

/** counts[t][p]: how many samples of true class t were predicted as p. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses: number): Matrix {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new ValueError(`confusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
  if (yTrue.length !== yPred.length) throw new ValueError(`confusionMatrix: ${yTrue.length} true labels but ${yPred.length} predictions; expected one prediction per label`);
  checkLabels('yTrue', yTrue, numClasses);
  checkLabels('yPred', yPred, numClasses);
  const m: Matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

function checkSquare(m: Matrix): void {
  const n = m.length;
  if (n === 0 || !m.every((row) => Array.isArray(row) && row.length === n && row.every((v) => Number.isFinite(v) && v >= 0))) {
    throw new ValueError(`confusion matrix must be a non-empty square array of non-negative numbers, got ${n} rows of lengths ${m.map((r) => r?.length).join(', ')}`);
  }
}

/** Per true class: correct / samples of that class (NaN for a class with no samples). */
export function perClassAccuracy(m: Matrix): number[] {
  checkSquare(m);
  return m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? NaN : row[i] / total;
  });
}

/** Correct / all samples (NaN for an empty matrix). */
export function overallAccuracy(m: Matrix): number {
  checkSquare(m);
  let correct = 0;
  let total = 0;
  m.forEach((row, i) => row.forEach((v, j) => {
    total += v;
    if (i === j) correct += v;
  }));
  return total === 0 ? NaN : correct / total;
}

function classNamesFor(m: Matrix, classNames?: readonly string[]): string[] {
  if (classNames === undefined) return m.map((_, i) => String(i));
  if (classNames.length !== m.length) throw new ValueError(`confusion: ${classNames.length} class names for a ${m.length}-class matrix; expected one name per class`);
  return classNames.map(String);
}

const percent = (x: number) => (Number.isNaN(x) ? '-' : `${(100 * x).toFixed(2)}%`);

/**
 * The matrix as text, one row per true class with its sample count and accuracy, then the overall
 * accuracy. Columns are headed by the class names, or by class indices when a name is long (the
 * rows then say "index: name").
 */
export function confusionTable(m: Matrix, classNames?: readonly string[]): string {
  checkSquare(m);
  const names = classNamesFor(m, classNames);
  const indexed = names.some((s) => s.length > 6);
  const rowLabels = indexed ? names.map((s, i) => `${i}: ${s}`) : names;
  const colLabels = indexed ? names.map((_, i) => String(i)) : names;
  const acc = perClassAccuracy(m);
  const totals = m.map((row) => row.reduce((a, b) => a + b, 0));
  const head = 'true \\ predicted';
  const labelW = Math.max(head.length, ...rowLabels.map((s) => s.length));
  const cellW = Math.max(...colLabels.map((s) => s.length), ...m.flat().map((v) => String(v).length)) + 1;
  const totalW = Math.max(7, ...totals.map((t) => String(t).length + 1));
  const line = (label: string, cells: string[], total: string, accuracy: string) =>
    `${label.padEnd(labelW)} ${cells.map((c) => c.padStart(cellW)).join('')} | ${total.padStart(totalW)} ${accuracy.padStart(9)}`;
  const out = [line(head, colLabels, 'samples', 'accuracy')];
  out.push('-'.repeat(out[0].length));
  m.forEach((row, i) => out.push(line(rowLabels[i], row.map(String), String(totals[i]), percent(acc[i]))));
  const total = totals.reduce((a, b) => a + b, 0);
  const correct = m.reduce((s, row, i) => s + row[i], 0);
  out.push('-'.repeat(out[0].length));
  out.push(`overall accuracy: ${percent(overallAccuracy(m))} (${correct} / ${total})`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Heatmap
// ---------------------------------------------------------------------------------------------

/** sklearn's normalize: over true rows ('true'), predicted columns ('pred') or everything ('all'). */
export type Normalize = 'true' | 'pred' | 'all';

export interface ConfusionFigureOptions {
  /** true means 'true' (each row sums to 1). Default: counts. */
  normalize?: boolean | Normalize;
  /** Colour map (default viridis, as ConfusionMatrixDisplay). */
  cmap?: string;
}

export function normalizeMatrix(m: Matrix, how: Normalize): Matrix {
  checkSquare(m);
  const n = m.length;
  const rowSums = m.map((row) => row.reduce((a, b) => a + b, 0));
  const colSums = Array.from({ length: n }, (_, j) => m.reduce((s, row) => s + row[j], 0));
  const all = rowSums.reduce((a, b) => a + b, 0);
  return m.map((row, i) => row.map((v, j) => {
    const d = how === 'true' ? rowSums[i] : how === 'pred' ? colSums[j] : all;
    return d === 0 ? 0 : v / d;
  }));
}

export interface ConfusionLayout {
  width: number;
  height: number;
  /** Top-left of the grid and the side of one cell, in pixels: cell (t, p) starts at (x0 + p·cell, y0 + t·cell). */
  x0: number;
  y0: number;
  cell: number;
  /** Values drawn (counts or fractions) and their colour range. */
  values: Matrix;
  vmin: number;
  vmax: number;
  /** Colour bar position. */
  bar: { x: number; y: number; width: number; height: number };
  labelRotated: boolean;
}

const TITLE_SIZE = 13;
const LABEL_SIZE = 12;
const TICK_SIZE = 11;

function resolveNormalize(n: ConfusionFigureOptions['normalize']): Normalize | null {
  if (n === undefined || n === false) return null;
  if (n === true) return 'true';
  if (n === 'true' || n === 'pred' || n === 'all') return n;
  throw new ValueError(`confusionFigure: normalize must be true, false, 'true', 'pred' or 'all', got ${JSON.stringify(n)}`);
}

export function confusionLayout(m: Matrix, classNames?: readonly string[], opts: ConfusionFigureOptions = {}): ConfusionLayout {
  checkSquare(m);
  const names = classNamesFor(m, classNames);
  const how = resolveNormalize(opts.normalize);
  const values = how ? normalizeMatrix(m, how) : m.map((r) => [...r]);
  const n = m.length;
  const cell = Math.max(18, Math.min(64, Math.floor(600 / n)));
  const labelW = Math.max(...names.map((s) => textWidth(s, TICK_SIZE)));
  // Column labels stand upright (rotated) when a name is wider than its cell.
  const labelRotated = labelW > cell - 4;
  const x0 = Math.ceil(28 + 14 + labelW + 10);
  const y0 = 48;
  const grid = n * cell;
  const below = (labelRotated ? labelW : TICK_SIZE) + 14 + 36;
  const bar = { x: x0 + grid + 24, y: y0, width: 18, height: grid };
  const barLabels = 12 + textWidth('0.00', TICK_SIZE) + Math.max(0, String(Math.max(...m.flat())).length - 4) * textWidth('0', TICK_SIZE);
  const vmax = how ? 1 : Math.max(1, ...values.flat());
  return {
    width: Math.ceil(bar.x + bar.width + barLabels + 16), height: Math.ceil(y0 + grid + below + 10),
    x0, y0, cell, values, vmin: 0, vmax, bar, labelRotated,
  };
}

/** The cell text: a count, or a fraction with two decimals. */
function cellText(v: number, normalized: boolean): string {
  return normalized ? v.toFixed(2) : String(Math.round(v));
}

export function confusionFigure(m: Matrix, classNames?: readonly string[], opts: ConfusionFigureOptions = {}): Figure {
  const layout = confusionLayout(m, classNames, opts);
  const names = classNamesFor(m, classNames);
  const normalized = resolveNormalize(opts.normalize) !== null;
  const cmapName = opts.cmap ?? 'viridis';
  const cmap = colormap(cmapName);
  const { x0, y0, cell, values, vmin, vmax, bar } = layout;
  const n = m.length;
  const grid = n * cell;
  const fig = new Figure(layout.width, layout.height, { background: '#ffffff' });
  // The cells are an n × n raster scaled by the cell size: each cell's colour is exactly cmap(t).
  fig.image(toRaster(values.flat(), n, n, { cmap: cmapName, vmin, vmax }), x0, y0, cell);
  const textSize = Math.max(7, Math.min(12, cell * 0.26));
  values.forEach((row, t) => row.forEach((v, p) => {
    const frac = vmax > vmin ? (v - vmin) / (vmax - vmin) : 0.5;
    // sklearn's rule: text takes the colour of the map's other end from the cell.
    const [r, g, b] = cmap(frac < 0.5 ? 1 : 0);
    const text = cellText(v, normalized);
    const size = Math.min(textSize, ((cell - 6) / Math.max(1, textWidth(text, textSize))) * textSize);
    fig.text(text, x0 + (p + 0.5) * cell, y0 + (t + 0.5) * cell, { size, anchor: 'middle', baseline: 'middle', color: `rgb(${r},${g},${b})` });
  }));
  fig.frame(x0, y0, grid, grid, '#000000', 1);
  names.forEach((name, k) => {
    fig.text(name, x0 - 8, y0 + (k + 0.5) * cell, { size: TICK_SIZE, anchor: 'end', baseline: 'middle' });
    const cx = x0 + (k + 0.5) * cell;
    if (layout.labelRotated) fig.text(name, cx, y0 + grid + 8, { size: TICK_SIZE, anchor: 'end', baseline: 'middle', rotate: -90 });
    else fig.text(name, cx, y0 + grid + 8, { size: TICK_SIZE, anchor: 'middle', baseline: 'top' });
  });
  const below = layout.labelRotated ? Math.max(...names.map((s) => textWidth(s, TICK_SIZE))) : TICK_SIZE;
  fig.text('Predicted label', x0 + grid / 2, y0 + grid + 8 + below + 28, { size: LABEL_SIZE, anchor: 'middle' });
  fig.text('True label', 26, y0 + grid / 2, { size: LABEL_SIZE, anchor: 'middle', rotate: -90 });
  fig.text(normalized ? `Confusion matrix (normalized over ${resolveNormalize(opts.normalize) === 'pred' ? 'predicted labels' : resolveNormalize(opts.normalize) === 'all' ? 'all samples' : 'true labels'})` : 'Confusion matrix',
    x0 + grid / 2, 28, { size: TITLE_SIZE, anchor: 'middle' });
  drawColourBar(fig, bar, vmin, vmax, cmapName);
  return fig;
}

function drawColourBar(fig: Figure, bar: ConfusionLayout['bar'], vmin: number, vmax: number, cmapName: string): void {
  const steps = Math.max(2, Math.round(bar.height));
  // Top row is vmax: values run bottom to top.
  const ramp = Array.from({ length: steps }, (_, i) => vmax - ((vmax - vmin) * i) / (steps - 1));
  const column = toRaster(ramp, steps, 1, { cmap: cmapName, vmin, vmax });
  const strip: Uint8ClampedArray = new Uint8ClampedArray(steps * bar.width * 4);
  for (let y = 0; y < steps; y++) for (let x = 0; x < bar.width; x++) strip.set(column.data.subarray(y * 4, y * 4 + 4), (y * bar.width + x) * 4);
  fig.image({ width: bar.width, height: steps, data: strip }, bar.x, bar.y, 1);
  fig.frame(bar.x, bar.y, bar.width, steps, '#000000', 1);
  const ticks = niceTicks(vmin, vmax, 6);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  for (const t of ticks) {
    const y = bar.y + (steps - 1) * (1 - (t - vmin) / (vmax - vmin || 1)) + 0.5;
    fig.line([[bar.x + bar.width, y], [bar.x + bar.width + 4, y]], { stroke: '#000000' });
    fig.text(t.toFixed(decimalsFor(step)), bar.x + bar.width + 7, y, { size: TICK_SIZE, baseline: 'middle' });
  }
}
