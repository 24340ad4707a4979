/**
 * Text of Keras 3's `model.summary()`, as rich renders it to a non-terminal (no colours):
 *
 *   Model: "functional"
 *   ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
 *   ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
 *   ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
 *   │ conv2d (Conv2D)                      │ (None, 28, 28, 32)          │             320 │
 *   ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
 *   ...
 *   └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 *    Total params: 3,239,114 (12.36 MB)
 *    Trainable params: 3,239,114 (12.36 MB)
 *    Non-trainable params: 0 (0.00 B)
 *
 * Layout, as Keras and rich compute it:
 * - Keras: line length 88 with positions [0.45, 0.80, 1.0] (sequential-like models), or 108 with
 *   [0.3, 0.56, 0.74, 1.0] and a "Connected to" column; +12 and positions×0.9 plus a centred
 *   "Trainable" column with show_trainable. Column i gets int(pos_i·L) − int(pos_{i−1}·L) cells.
 * - rich: the table is L wide; each column also needs 2 padding cells and the borders take
 *   ncols+1, so the fixed widths overflow by 3·ncols+1 and rich takes that excess off evenly
 *   (ratio_reduce, Python round-half-even): 88 → content widths 36/27/15, 108 → 29/25/15/26.
 * - Cells wrap at spaces; a word longer than its column is cut with "…" (rich's default
 *   "ellipsis" overflow), e.g. `multi_head_attention_1[0]…`.
 */
import { pyFormatFixed } from '../callbacks/progbar_format.js';

export type Shape = (number | null)[];

export interface SummaryRow {
  name: string;
  className: string;
  /** One output shape, or several (a multi-output layer); null when unknown (printed `?`). */
  outputShape: Shape | Shape[] | null;
  params: number;
  /** Inbound tensors, each already formatted `layer[node][tensor]`; empty prints `-`. */
  connectedTo?: string[];
  /** False prints `0 (unbuilt)` in the Param # column. Default true. */
  built?: boolean;
  /** For showTrainable: true → Y, false → N, undefined (no weights) → -. */
  trainable?: boolean;
}

export interface SummaryData {
  modelName: string;
  rows: SummaryRow[];
  /** All parameters Keras counts: trainable + non-trainable + optimizer (when given). */
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Present once the optimizer is built: adds the " Optimizer params:" line. */
  optimizerParams?: number;
  /** Functional model that is not sequential-like: adds the "Connected to" column. */
  showConnectedTo?: boolean;
  /** Keras's show_trainable: adds the "Trainable" column. */
  showTrainable?: boolean;
  /**
   * Byte sizes. trainable/nonTrainable/optimizer default to their parameter count × 4 (float32);
   * total defaults to the sum of the three, as Keras adds them up. Keras sizes each variable by its
   * dtype, so with the TensorFlow backend the optimizer's int64 `iterations` makes its bytes
   * count × 4 + 4: pass optimizerBytes then.
   */
  totalBytes?: number;
  trainableBytes?: number;
  nonTrainableBytes?: number;
  optimizerBytes?: number;
}

export interface SummaryRenderOptions {
  /** Keras's `positions` (relative, ending at 1.0). */
  positions?: number[];
  /**
   * Columns of the terminal Keras would see. Keras uses min(default, columns − 4) as the default
   * line length (a process without a terminal and without $COLUMNS gets 80 → 76). Leave undefined
   * for the plain defaults (88 / 108), which is what the reference notebooks show.
   */
  terminalColumns?: number;
}

// ---------------------------------------------------------------------------------------------
// Small formatters
// ---------------------------------------------------------------------------------------------

/** Python `f"{n:,}"` for an integer count: `3,239,114`. */
export function formatCount(n: number): string {
  const neg = n < 0;
  const s = String(Math.abs(n));
  const dot = s.indexOf('.');
  const intPart = dot < 0 ? s : s.slice(0, dot);
  const frac = dot < 0 ? '' : s.slice(dot);
  return (neg ? '-' : '') + intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + frac;
}

function formatOneShape(shape: Shape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`;
}

/**
 * Output shape as Keras prints it: `(None, 28, 28, 32)`, `(None, 10)`. Keras joins the dims inside
 * parentheses itself, so a rank-1 shape is `(None)` (no Python tuple comma) and a scalar `()`.
 * Several outputs print as a list, `[(None, 10), (None, 5)]`; a list of one prints as that shape.
 * null (never built / called) prints `?`.
 */
export function formatShape(shape: Shape | Shape[] | null | undefined): string {
  if (shape === null || shape === undefined) return '?';
  if (shape.length > 0 && Array.isArray(shape[0])) {
    const shapes = shape as Shape[];
    if (shapes.length === 1) return formatOneShape(shapes[0]!);
    return `[${shapes.map(formatOneShape).join(', ')}]`;
  }
  return formatOneShape(shape as Shape);
}

/** Keras's readable size: 1024-based, two decimals: `0.00 B`, `6.75 KB`, `892.79 KB`, `12.36 MB`. */
export function readableMemorySize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  for (const unit of units) {
    if (size / 1024 < 1) return `${pyFormatFixed(size, 2)} ${unit}`;
    size /= 1024;
  }
  // Keras divides once more before falling out of the loop; kept for fidelity.
  return `${pyFormatFixed(size, 2)} PB`;
}

// ---------------------------------------------------------------------------------------------
// rich's table layout
// ---------------------------------------------------------------------------------------------

/** Python's round() on a float: half to even. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** rich's ratio_reduce: take `total` off `values` in proportion to `ratios`, capped by `maximums`. */
function ratioReduce(total: number, ratios: number[], maximums: number[], values: number[]): number[] {
  const rs = ratios.map((r, i) => (maximums[i] ? r : 0));
  let totalRatio = rs.reduce((a, b) => a + b, 0);
  if (!totalRatio) return values.slice();
  let remaining = total;
  return values.map((value, i) => {
    const ratio = rs[i]!;
    if (ratio && totalRatio > 0) {
      const distributed = Math.min(maximums[i]!, pyRound((ratio * remaining) / totalRatio));
      remaining -= distributed;
      totalRatio -= ratio;
      return value - distributed;
    }
    return value;
  });
}

/** rich's ratio_distribute without minimums. */
function ratioDistribute(total: number, ratios: number[]): number[] {
  let totalRatio = ratios.reduce((a, b) => a + b, 0);
  let remaining = total;
  return ratios.map((ratio) => {
    const distributed = totalRatio > 0 ? Math.ceil((ratio * remaining) / totalRatio) : remaining;
    totalRatio -= ratio;
    remaining -= distributed;
    return distributed;
  });
}

/** Keras's column widths from the line length and relative positions. */
function kerasColumnWidths(lineLength: number, positions: number[]): number[] {
  const widths: number[] = [];
  let current = 0;
  for (const pos of positions) {
    const width = Math.trunc(pos * lineLength) - current;
    if (width < 4) throw new Error('Insufficient console width to print summary.');
    widths.push(width);
    current += width;
  }
  return widths;
}

/**
 * Widths rich gives fixed-width columns (padding included, borders excluded) in a table of
 * `tableWidth` cells with edges and one divider between columns.
 */
function richColumnWidths(fixed: number[], tableWidth: number): number[] {
  const maxWidth = tableWidth - (fixed.length + 1);
  if (maxWidth < 1) return fixed.map(() => 0);
  let widths = fixed.map((w) => Math.min(w + 2, maxWidth) || 1);
  let total = widths.reduce((a, b) => a + b, 0);
  if (total > maxWidth) {
    // Fixed-width columns cannot wrap, so rich's first pass (_collapse_widths) changes nothing;
    // the last resort reduces every column evenly.
    widths = ratioReduce(total - maxWidth, widths.map(() => 1), widths, widths);
    total = widths.reduce((a, b) => a + b, 0);
    widths = widths.map((w, i) => Math.max(0, Math.min(fixed[i]! + 2, w)));
  }
  if (total < maxWidth) {
    // A table with an explicit width expands to fill it.
    const pads = ratioDistribute(maxWidth - total, widths);
    widths = widths.map((w, i) => w + pads[i]!);
  }
  return widths;
}

type Justify = 'left' | 'right' | 'center';

/** Code points, each counted as one cell (layer names are ASCII in practice). */
function chars(s: string): string[] {
  return Array.from(s);
}

/** rich's divide_line with overflow "ellipsis" (no folding): break offsets, in code points. */
function divideLine(text: string, width: number): number[] {
  const breaks: number[] = [];
  const re = /\s*\S+\s*/y;
  let offset = 0;
  let pos = 0; // UTF-16 index for the regex
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while ((m = re.exec(text)) !== null) {
    const start = chars(text.slice(0, pos)).length;
    const word = m[0];
    const wordLen = chars(word.replace(/\s+$/, '')).length;
    const fullLen = chars(word).length;
    if (width - offset >= wordLen) {
      offset += fullLen;
    } else if (wordLen > width) {
      if (start) breaks.push(start);
      offset = fullLen;
    } else if (offset && start) {
      breaks.push(start);
      offset = fullLen;
    }
    pos = re.lastIndex;
  }
  return breaks;
}

/** One line cut to `width` with a trailing "…" when too long (rich's Text.truncate). */
function truncateEllipsis(line: string[], width: number): string[] {
  if (line.length > width) return [...line.slice(0, Math.max(0, width - 1)), '…'];
  return line;
}

/** A cell's text as rich lays it out: lines of exactly `width` cells. */
export function layoutCell(text: string, width: number, justify: Justify): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    const cs = chars(paragraph);
    const cuts = [0, ...divideLine(paragraph, width), cs.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      let line = cs.slice(cuts[i], cuts[i + 1]);
      // rstrip_end: drop trailing whitespace only as far as it sticks out past the width.
      if (line.length > width) {
        let ws = 0;
        while (ws < line.length && /\s/.test(line[line.length - 1 - ws]!)) ws++;
        line = line.slice(0, line.length - Math.min(ws, line.length - width));
      }
      if (justify !== 'left') {
        while (line.length && /\s/.test(line[line.length - 1]!)) line = line.slice(0, -1);
      }
      line = truncateEllipsis(line, width);
      const gap = Math.max(0, width - line.length);
      let s = line.join('');
      if (justify === 'left') s += ' '.repeat(gap);
      else if (justify === 'right') s = ' '.repeat(gap) + s;
      else s = ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(gap - Math.floor(gap / 2));
      out.push(s);
    }
  }
  return out;
}

/** The box-drawn table (rich's HEAVY_HEAD box with show_lines) as lines. */
function renderTable(
  header: string[],
  justify: Justify[],
  rows: string[][],
  widths: number[],
): string[] {
  const rule = (left: string, fill: string, mid: string, right: string): string =>
    left + widths.map((w) => fill.repeat(w)).join(mid) + right;
  // Body cells sit at the top of a taller row; rich bottom-aligns header cells.
  const renderRow = (cells: string[], edge: string, divider: string, align: 'top' | 'bottom'): string[] => {
    const laid = cells.map((c, i) => {
      const inner = Math.max(0, widths[i]! - 2);
      const lines = layoutCell(c, inner, justify[i]!);
      return lines.map((l) => (widths[i]! >= 2 ? ` ${l} ` : l.slice(0, widths[i])));
    });
    const height = Math.max(1, ...laid.map((l) => l.length));
    const lines: string[] = [];
    for (let r = 0; r < height; r++) {
      const cellLines = laid.map((l, i) => {
        const at = align === 'top' ? r : r - (height - l.length);
        return l[at] ?? ' '.repeat(widths[i]!);
      });
      lines.push(edge + cellLines.join(divider) + edge);
    }
    return lines;
  };
  const out = [rule('┏', '━', '┳', '┓'), ...renderRow(header, '┃', '┃', 'bottom'), rule('┡', '━', '╇', '┩')];
  rows.forEach((row, i) => {
    if (i > 0) out.push(rule('├', '─', '┼', '┤'));
    out.push(...renderRow(row, '│', '│', 'top'));
  });
  out.push(rule('└', '─', '┴', '┘'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The summary
// ---------------------------------------------------------------------------------------------

/**
 * The whole summary text, lines joined with `\n`, without a trailing newline (print it with
 * console.log). `lineLength` defaults to Keras's 88, or 108 with the "Connected to" column
 * (+12 with showTrainable).
 */
export function renderSummary(data: SummaryData, lineLength?: number, opts: SummaryRenderOptions = {}): string {
  const connected = data.showConnectedTo ?? false;
  let defaultLength = connected ? 108 : 88;
  let positions = opts.positions ?? (connected ? [0.3, 0.56, 0.74, 1.0] : [0.45, 0.8, 1.0]);
  const header = connected
    ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to']
    : ['Layer (type)', 'Output Shape', 'Param #'];
  const justify: Justify[] = connected ? ['left', 'left', 'right', 'left'] : ['left', 'left', 'right'];
  if (data.showTrainable) {
    defaultLength += 12;
    positions = [...positions.map((p) => p * 0.9), 1.0];
    header.push('Trainable');
    justify.push('center');
  }
  if (opts.terminalColumns !== undefined) defaultLength = Math.min(defaultLength, opts.terminalColumns - 4);
  const length = lineLength || defaultLength;

  const widths = richColumnWidths(kerasColumnWidths(length, positions), length);

  const rows = data.rows.map((row) => {
    const params = row.built === false ? '0 (unbuilt)' : formatCount(row.params);
    const cells = [`${row.name} (${row.className})`, formatShape(row.outputShape), params];
    if (connected) cells.push(row.connectedTo && row.connectedTo.length ? row.connectedTo.join(', ') : '-');
    if (data.showTrainable) cells.push(row.trainable === undefined ? '-' : row.trainable ? 'Y' : 'N');
    return cells;
  });

  const trainableBytes = data.trainableBytes ?? data.trainableParams * 4;
  const nonTrainableBytes = data.nonTrainableBytes ?? data.nonTrainableParams * 4;
  const optimizerBytes = data.optimizerBytes ?? (data.optimizerParams ?? 0) * 4;
  const totalBytes = data.totalBytes ?? trainableBytes + nonTrainableBytes + optimizerBytes;
  const totalLine = (label: string, count: number, size: number): string =>
    ` ${label}: ${formatCount(count)} (${readableMemorySize(size)})`;

  const lines = [
    `Model: "${data.modelName}"`,
    ...renderTable(header, justify, rows, widths),
    totalLine('Total params', data.totalParams, totalBytes),
    totalLine('Trainable params', data.trainableParams, trainableBytes),
    totalLine('Non-trainable params', data.nonTrainableParams, nonTrainableBytes),
  ];
  if (data.optimizerParams !== undefined) {
    lines.push(totalLine('Optimizer params', data.optimizerParams, optimizerBytes));
  }
  return lines.join('\n');
}
