/**
 * `convkit visualize curves`: training curves as the seed notebooks plot them after fit() —
 * `plt.figure(figsize=(12,4))`, one panel per metric (loss first, then accuracy, then any other
 * metric), the training series against its `val_` twin, x = the epoch index as matplotlib plots a
 * list (0-based, like Keras's history.epoch), xlabel 'Epochs', grid and legend. Training is solid
 * blue, validation dashed orange (matplotlib's first two colours).
 *
 * Non-finite values (NaN/Infinity; JSON stores NaN as null) break the line and are listed in a note
 * under the panel. A point with no finite neighbour is drawn as a dot, so one epoch still shows.
 */
import { readFile } from 'node:fs/promises';
import { ValueError } from '../errors.js';
import { Figure } from './figure.js';
import { textWidth } from './font.js';
import { dataLimits, decimalsFor, linearScale, niceStep, niceTicks } from './plot_axes.js';

/** Keras's History as fit() returns it (history.json of `convkit train` also has test/options keys). */
export interface HistoryRecord {
  epoch: number[];
  history: Record<string, number[]>;
}

export const TRAIN_COLOR = '#1f77b4';
export const VALIDATION_COLOR = '#ff7f0e';
/** Seeds' figsize (12, 4) at matplotlib's 100 dpi, per pair of panels. */
export const PANEL_WIDTH = 600;
export const PANEL_HEIGHT = 400;
const MAX_COLUMNS = 3;

export interface CurveSeries {
  key: string;
  /** One per epoch; NaN where the value was missing or not finite. */
  values: number[];
  validation: boolean;
  color: string;
}

export interface CurvePanel {
  /** The metric ('loss', 'accuracy', …) and the y-axis label the seeds use for it. */
  metric: string;
  ylabel: string;
  series: CurveSeries[];
  /** Epoch of each value (the x coordinates). */
  epochs: number[];
  /** Plot area in figure pixels. */
  plot: { x: number; y: number; width: number; height: number };
  xDomain: [number, number];
  yDomain: [number, number];
  xTicks: number[];
  yTicks: number[];
  /** Data → figure pixels. */
  xToPixel: (epoch: number) => number;
  yToPixel: (value: number) => number;
  /** Which values were not finite, or null. */
  note: string | null;
}

export interface CurvesLayout {
  width: number;
  height: number;
  panels: CurvePanel[];
}

// ---------------------------------------------------------------------------------------------
// Reading a history
// ---------------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const EXPECTED = 'expected {"epoch": [0, 1, …], "history": {"loss": […], "val_loss": […], …}} (convkit train\'s history.json) or Keras\'s history.history dict {"loss": […], …}';

/**
 * Checks and normalises a parsed history: numbers stay, null (JSON's NaN) becomes NaN, anything
 * else is refused naming the key. `source` names the input in messages (a path).
 */
export function parseHistory(data: unknown, source = 'history'): HistoryRecord {
  if (!isRecord(data)) throw new ValueError(`${source}: ${EXPECTED}, got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}`);
  const series = isRecord(data.history) ? data.history : 'history' in data ? null : data;
  if (series === null) throw new ValueError(`${source}: "history" must be an object of number lists; ${EXPECTED}`);
  const history: Record<string, number[]> = {};
  for (const [key, list] of Object.entries(series)) {
    if (series === data && (key === 'epoch' || key === 'params')) continue;
    if (!Array.isArray(list)) throw new ValueError(`${source}: history "${key}" must be a list of numbers, got ${list === null ? 'null' : typeof list}; ${EXPECTED}`);
    history[key] = list.map((v, i) => {
      if (v === null) return NaN;
      if (typeof v !== 'number') throw new ValueError(`${source}: history "${key}"[${i}] must be a number (or null for NaN), got ${JSON.stringify(v)}`);
      return v;
    });
  }
  if (Object.keys(history).length === 0) throw new ValueError(`${source}: the history has no series to plot; ${EXPECTED}`);
  const length = Math.max(...Object.values(history).map((v) => v.length));
  if (length === 0) throw new ValueError(`${source}: every history series is empty (no epoch finished)`);
  let epoch: number[];
  const given = data.epoch;
  if (given === undefined) {
    epoch = Array.from({ length }, (_, i) => i);
  } else {
    if (!Array.isArray(given) || !given.every((e) => typeof e === 'number' && Number.isFinite(e))) {
      throw new ValueError(`${source}: "epoch" must be a list of epoch numbers; ${EXPECTED}`);
    }
    // A record whose epoch list does not match its series is plotted by position, as matplotlib would.
    epoch = given.length === length ? [...given as number[]] : Array.from({ length }, (_, i) => i);
  }
  return { epoch, history };
}

/** Reads a history.json, with the path in every error. */
export async function readHistoryFile(path: string): Promise<HistoryRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(code === 'ENOENT' ? `History file not found: ${path}` : `Cannot read history file ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${path} is not valid JSON (${(e as Error).message}); ${EXPECTED}`);
  }
  return parseHistory(data, path);
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

/** Metrics in panel order: loss first, then the others in the order they were logged. */
function metricsOf(history: Record<string, number[]>): string[] {
  const bases: string[] = [];
  for (const key of Object.keys(history)) {
    const base = key.startsWith('val_') ? key.slice(4) : key;
    if (!bases.includes(base)) bases.push(base);
  }
  return bases.sort((a, b) => Number(b === 'loss') - Number(a === 'loss'));
}

function ylabelFor(metric: string): string {
  if (metric === 'loss') return 'Loss';
  if (metric === 'acc' || metric === 'accuracy') return 'accuracy';
  return metric;
}

/** "epochs 3-5, 8" for the x values where a series is not finite. */
function describeGaps(epochs: number[], values: number[]): string | null {
  const bad = epochs.filter((_, i) => !Number.isFinite(values[i]));
  if (bad.length === 0) return null;
  if (bad.length === values.length) return 'no finite value';
  const parts: string[] = [];
  for (let i = 0; i < bad.length; i++) {
    let j = i;
    while (j + 1 < bad.length && bad[j + 1] === bad[j] + 1) j++;
    parts.push(j > i ? `${bad[i]}-${bad[j]}` : `${bad[i]}`);
    i = j;
  }
  return `NaN at epoch${bad.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

const PLOT_MARGIN = { left: 74, right: 18, top: 18, bottom: 58 };
const NOTE_SPACE = 22;

/** Panels and their data → pixel maps; curvesFigure draws exactly this. */
export function curvesLayout(record: HistoryRecord): CurvesLayout {
  const metrics = metricsOf(record.history);
  const columns = Math.min(MAX_COLUMNS, metrics.length);
  const rows = Math.ceil(metrics.length / columns);
  const panels = metrics.map((metric, k): CurvePanel => {
    const series: CurveSeries[] = [];
    for (const [key, validation] of [[metric, false], [`val_${metric}`, true]] as const) {
      const raw = record.history[key];
      if (!raw) continue;
      const values = record.epoch.map((_, i) => (i < raw.length && Number.isFinite(raw[i]) ? raw[i] : NaN));
      series.push({ key, values, validation, color: validation ? VALIDATION_COLOR : TRAIN_COLOR });
    }
    const notes = series.map((s) => {
      const gaps = describeGaps(record.epoch, s.values);
      return gaps ? `${s.key}: ${gaps}` : null;
    }).filter((n): n is string => n !== null);
    const note = notes.length > 0 ? `${notes.join('; ')} (not drawn)` : null;
    const left = (k % columns) * PANEL_WIDTH;
    const top = Math.floor(k / columns) * PANEL_HEIGHT;
    const plot = {
      x: left + PLOT_MARGIN.left,
      y: top + PLOT_MARGIN.top,
      width: PANEL_WIDTH - PLOT_MARGIN.left - PLOT_MARGIN.right,
      height: PANEL_HEIGHT - PLOT_MARGIN.top - PLOT_MARGIN.bottom - (note ? NOTE_SPACE : 0),
    };
    const xDomain = dataLimits(record.epoch);
    const yDomain = dataLimits(series.flatMap((s) => s.values));
    return {
      metric, ylabel: ylabelFor(metric), series, epochs: record.epoch, plot, xDomain, yDomain,
      // Epochs are whole numbers: no tick between two of them.
      xTicks: niceTicks(xDomain[0], xDomain[1], 8, 1),
      yTicks: niceTicks(yDomain[0], yDomain[1], 9),
      xToPixel: linearScale(xDomain[0], xDomain[1], plot.x, plot.x + plot.width),
      yToPixel: linearScale(yDomain[0], yDomain[1], plot.y + plot.height, plot.y),
      note,
    };
  });
  return { width: columns * PANEL_WIDTH, height: rows * PANEL_HEIGHT, panels };
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

const TICK_SIZE = 10;
const LABEL_SIZE = 12;
const LEGEND_SIZE = 11;

function tickText(v: number, step: number): string {
  return v.toFixed(decimalsFor(step));
}

/** The finite runs of a series as pixel polylines (a run of one point is returned too). */
function runsOf(panel: CurvePanel, s: CurveSeries): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  s.values.forEach((v, i) => {
    if (Number.isFinite(v)) {
      run.push([panel.xToPixel(panel.epochs[i]), panel.yToPixel(v)]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * The legend's corner, as matplotlib's loc='best' chooses: the first of upper right, upper left,
 * lower left, lower right that covers the fewest data points.
 */
function legendBox(panel: CurvePanel, w: number, h: number): { x: number; y: number } {
  const pad = 8;
  const { x, y, width, height } = panel.plot;
  const corners = [
    { x: x + width - w - pad, y: y + pad },
    { x: x + pad, y: y + pad },
    { x: x + pad, y: y + height - h - pad },
    { x: x + width - w - pad, y: y + height - h - pad },
  ];
  const points = panel.series.flatMap((s) => runsOf(panel, s).flat());
  let best = corners[0];
  let bestCount = Infinity;
  for (const c of corners) {
    const count = points.filter(([px, py]) => px >= c.x - 4 && px <= c.x + w + 4 && py >= c.y - 4 && py <= c.y + h + 4).length;
    if (count < bestCount) {
      best = c;
      bestCount = count;
    }
  }
  return best;
}

function drawPanel(fig: Figure, panel: CurvePanel): void {
  const { x, y, width, height } = panel.plot;
  const xStep = panel.xTicks.length > 1 ? panel.xTicks[1] - panel.xTicks[0] : 1;
  const yStep = panel.yTicks.length > 1 ? panel.yTicks[1] - panel.yTicks[0] : niceStep(panel.yDomain[1] - panel.yDomain[0], 9);
  // Grid (plt.grid()): light lines at the ticks, under the data.
  for (const t of panel.xTicks) fig.line([[panel.xToPixel(t), y], [panel.xToPixel(t), y + height]], { stroke: '#d9d9d9', strokeWidth: 1 });
  for (const t of panel.yTicks) fig.line([[x, panel.yToPixel(t)], [x + width, panel.yToPixel(t)]], { stroke: '#d9d9d9', strokeWidth: 1 });
  for (const s of panel.series) {
    const style = { stroke: s.color, strokeWidth: 2, ...(s.validation ? { dash: [7, 4] } : {}) };
    for (const run of runsOf(panel, s)) {
      if (run.length === 1) fig.circle(run[0][0], run[0][1], 3.5, { fill: s.color });
      else fig.line(run, style);
    }
  }
  fig.rect(x, y, width, height, { stroke: '#000000', strokeWidth: 1, fill: 'none' });
  for (const t of panel.xTicks) {
    const px = panel.xToPixel(t);
    fig.line([[px, y + height], [px, y + height + 5]], { stroke: '#000000' });
    fig.text(tickText(t, xStep), px, y + height + 9, { size: TICK_SIZE, anchor: 'middle', baseline: 'top' });
  }
  for (const t of panel.yTicks) {
    const py = panel.yToPixel(t);
    fig.line([[x - 5, py], [x, py]], { stroke: '#000000' });
    fig.text(tickText(t, yStep), x - 8, py, { size: TICK_SIZE, anchor: 'end', baseline: 'middle' });
  }
  fig.text('Epochs', x + width / 2, y + height + 40, { size: LABEL_SIZE, anchor: 'middle' });
  fig.text(panel.ylabel, x - 60, y + height / 2, { size: LABEL_SIZE, anchor: 'middle', rotate: -90 });
  if (panel.note) fig.text(panel.note, x + width / 2, y + height + 40 + NOTE_SPACE, { size: 10, anchor: 'middle', color: '#b22222' });
  drawLegend(fig, panel);
}

function drawLegend(fig: Figure, panel: CurvePanel): void {
  if (panel.series.length === 0) return;
  const swatch = 28;
  const rowH = 20;
  const w = 12 + swatch + 8 + Math.max(...panel.series.map((s) => textWidth(s.key, LEGEND_SIZE))) + 12;
  const h = panel.series.length * rowH + 8;
  const at = legendBox(panel, w, h);
  fig.rect(at.x, at.y, w, h, { fill: '#ffffff', stroke: '#cccccc', strokeWidth: 1, opacity: 0.9 });
  panel.series.forEach((s, i) => {
    const cy = at.y + 4 + rowH * i + rowH / 2;
    fig.line([[at.x + 12, cy], [at.x + 12 + swatch, cy]], { stroke: s.color, strokeWidth: 2, ...(s.validation ? { dash: [7, 4] } : {}) });
    fig.text(s.key, at.x + 12 + swatch + 8, cy, { size: LEGEND_SIZE, baseline: 'middle' });
  });
}

/** Accepts a HistoryRecord or anything parseHistory accepts (history.json's parsed content). */
export function curvesFigure(history: HistoryRecord | unknown): Figure {
  const record = parseHistory(history);
  const layout = curvesLayout(record);
  const fig = new Figure(layout.width, layout.height, { background: '#ffffff' });
  for (const panel of layout.panels) drawPanel(fig, panel);
  return fig;
}
