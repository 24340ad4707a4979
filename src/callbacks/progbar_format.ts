/**
 * Text of the Keras 3 progress bar (keras.utils.Progbar as driven by ProgbarLogger), reproduced
 * character for character. Everything here is pure: no I/O, no clock; callers pass the times in.
 *
 *   verbose=1, finished: `83/83 ━━━━━━━━━━━━━━━━━━━━ 3s 30ms/step - acc: 0.8564 - loss: 0.3977`
 *   verbose=1, running:  `  41/1500 ━━━━━━━━━━━━━━━━━━━━ 45s 31ms/step - loss: 0.4138` (ETA, not elapsed)
 *   verbose=2:           `83/83 - 3s - 30ms/step - acc: 0.8564 - loss: 0.3977`
 *
 * Metric order: `formatProgbarLine` prints values in the order it is given them, as Keras does.
 * The order Keras ends up with: the bar lists names in first-seen order, and every logs dict Keras 3
 * hands to callbacks went through `pythonify_logs`, which sorts the keys. Batch logs carry only the
 * training metrics, so those come first, alphabetically (`acc` before `loss`, `accuracy` before
 * `loss`); the `val_*` entries first appear in the epoch-end logs and are appended after them, also
 * sorted. `orderMetrics` produces that order from one epoch-end list, `sortLogsLikeKeras` sorts one
 * logs dict, and `ProgbarState` tracks first-seen order across updates exactly like Keras.
 *
 * Numbers are formatted like Python's `format()` (round-half-even on the exact binary value), not
 * like `Number.prototype.toFixed` (which rounds exact ties away from zero): `pyFormatFixed` and
 * `pyFormatExp` are exported for the summary table too.
 */

// ---------------------------------------------------------------------------------------------
// Python-compatible float formatting
// ---------------------------------------------------------------------------------------------

/** |x| as an exact decimal: |x| = digits / 10^scale. Requires a finite x. */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074;
  } else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (mant === 0n) return { digits: 0n, scale: 0 };
  if (exp >= 0) return { digits: mant << BigInt(exp), scale: 0 };
  // mant / 2^k = mant * 5^k / 10^k
  return { digits: mant * 5n ** BigInt(-exp), scale: -exp };
}

/** n / divisor for non-negative bigints, rounding half to even. */
function roundHalfEven(n: bigint, divisor: bigint): bigint {
  const q = n / divisor;
  const twice = (n % divisor) * 2n;
  if (twice > divisor || (twice === divisor && q % 2n === 1n)) return q + 1n;
  return q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** Python `f"{x:.{digits}f}"`: exact value, round half to even, keeps the sign of -0.0. */
export function pyFormatFixed(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { digits: n, scale } = exactDecimal(x);
  const q = scale <= digits ? n * 10n ** BigInt(digits - scale) : roundHalfEven(n, 10n ** BigInt(scale - digits));
  const s = q.toString().padStart(digits + 1, '0');
  const intPart = s.slice(0, s.length - digits);
  const text = digits > 0 ? `${intPart}.${s.slice(s.length - digits)}` : intPart;
  return (isNegative(x) ? '-' : '') + text;
}

/** Python `f"{x:.{digits}e}"`, e.g. `1.2346e-04`, `0.0000e+00`. */
export function pyFormatExp(x: number, digits: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  const { digits: n, scale } = exactDecimal(x);
  let mantissa = 0n;
  let exponent = 0;
  if (n !== 0n) {
    const len = n.toString().length;
    const keep = digits + 1;
    exponent = len - 1 - scale;
    if (len > keep) {
      mantissa = roundHalfEven(n, 10n ** BigInt(len - keep));
      if (mantissa === 10n ** BigInt(keep)) {
        mantissa /= 10n;
        exponent += 1;
      }
    } else {
      mantissa = n * 10n ** BigInt(keep - len);
    }
  }
  const m = mantissa.toString().padStart(digits + 1, '0');
  const body = digits > 0 ? `${m[0]}.${m.slice(1)}` : m;
  const expText = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${isNegative(x) ? '-' : ''}${body}e${expText}`;
}

/** Python `"%d" % x` for a float (truncated toward zero), optionally zero-padded like `%02d`. */
function pyPercentD(x: number, zeroPad = 0): string {
  if (!Number.isFinite(x)) return String(x);
  const t = Math.trunc(x);
  const neg = t < 0;
  return (neg ? '-' : '') + String(Math.abs(t)).padStart(Math.max(0, zeroPad - (neg ? 1 : 0)), '0');
}

/** Python's float `divmod(a, b)`: floor quotient, remainder with the sign of b. */
function pyDivmod(a: number, b: number): [number, number] {
  let mod = a % b;
  let div = (a - mod) / b;
  if (mod) {
    if (b < 0 !== mod < 0) {
      mod += b;
      div -= 1;
    }
  } else {
    mod = b < 0 ? -0 : 0;
  }
  let floorDiv: number;
  if (div) {
    floorDiv = Math.floor(div);
    if (div - floorDiv > 0.5) floorDiv += 1;
  } else {
    floorDiv = a / b < 0 ? -0 : 0;
  }
  return [floorDiv, mod];
}

// ---------------------------------------------------------------------------------------------
// Pieces of the line
// ---------------------------------------------------------------------------------------------

/**
 * Keras's ETA text: `%ds` up to and including 60 s (`52s`, `60s`), then `m:ss` (`1:02`), above an
 * hour `h:mm:ss` (`1:00:05`). Fractions are truncated, as Python's `%d` does.
 */
export function formatDuration(seconds: number): string {
  if (seconds > 3600) {
    const [hours, rest] = pyDivmod(seconds, 3600);
    const [minutes] = pyDivmod(rest, 60);
    const [, secs] = pyDivmod(seconds, 60);
    return `${pyPercentD(hours)}:${pyPercentD(minutes, 2)}:${pyPercentD(secs, 2)}`;
  }
  if (seconds > 60) {
    const [minutes, secs] = pyDivmod(seconds, 60);
    return `${pyPercentD(minutes)}:${pyPercentD(secs, 2)}`;
  }
  return `${pyPercentD(seconds)}s`;
}

/** Elapsed time on a finished line: whole seconds, rounded (`52s`, `84s`, `125s`; never `m:ss`). */
export function formatElapsed(seconds: number): string {
  return `${pyFormatFixed(seconds, 0)}s`;
}

/** `2s/step` at or above one second (and for exactly 0), `33ms/step` from 1 ms, else `500us/step`. */
export function formatTimePerStep(seconds: number, unitName = 'step'): string {
  if (seconds >= 1 || seconds === 0) return `${pyFormatFixed(seconds, 0)}s/${unitName}`;
  if (seconds >= 1e-3) return `${pyFormatFixed(seconds * 1000.0, 0)}ms/${unitName}`;
  return `${pyFormatFixed(seconds * 1000000.0, 0)}us/${unitName}`;
}

/** A metric on a verbose=1 line: `%.4f` when |v| > 1e-3, else `%.4e` (`0.4138`, `5.0000e-04`). */
export function formatMetricValue(v: number): string {
  return Math.abs(v) > 1e-3 ? pyFormatFixed(v, 4) : pyFormatExp(v, 4);
}

/**
 * A metric on a verbose=2 line. Keras tests `v > 1e-3` there, without abs(), so every negative
 * value comes out in `%.4e` form (`-2.5000e-01`).
 */
export function formatMetricValueVerbose2(v: number): string {
  return v > 1e-3 ? pyFormatFixed(v, 4) : pyFormatExp(v, 4);
}

/** Width of the step counter: Keras's `int(math.log10(target)) + 1`. */
function counterDigits(target: number): number {
  if (Number.isInteger(target) && target >= 1 && target < 1e21) return String(target).length;
  return Math.trunc(Math.log10(target)) + 1;
}

/** `%{n}d/%d`: the current step right-aligned to the target's width, e.g. `  41/1500`. */
function stepCounter(current: number, target: number): string {
  return `${pyPercentD(current).padStart(counterDigits(target), ' ')}/${pyPercentD(target)}`;
}

/** Python's str ordering (by code point). */
function compareCodePoints(a: string, b: string): number {
  const ca = Array.from(a);
  const cb = Array.from(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = ca[i]!.codePointAt(0)! - cb[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/** One logs dict in the order Keras 3 hands it to callbacks: keys sorted (`pythonify_logs`). */
export function sortLogsLikeKeras(logs: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(logs).sort((a, b) => compareCodePoints(a[0], b[0]));
}

/**
 * The order of an epoch-end line when the batch logs carried only the training metrics: names
 * without the `val_` prefix sorted, then the `val_` ones sorted (`acc, loss, val_acc, val_loss`).
 */
export function orderMetrics(values: ReadonlyArray<readonly [string, number]>): [string, number][] {
  const byName = (a: readonly [string, number], b: readonly [string, number]): number => compareCodePoints(a[0], b[0]);
  const train = values.filter(([k]) => !k.startsWith('val_')).sort(byName);
  const val = values.filter(([k]) => k.startsWith('val_')).sort(byName);
  return [...train, ...val].map(([k, v]) => [k, v]);
}

const ANSI_RE = /\x1b\[[0-9;]*m/g;

/** Visible width of a line (ANSI escapes removed; `━` is one column, as Keras counts it). */
export function visibleWidth(line: string): number {
  return Array.from(line.replace(ANSI_RE, '')).length;
}

// ---------------------------------------------------------------------------------------------
// Whole lines
// ---------------------------------------------------------------------------------------------

export interface ProgbarLineInput {
  /** Steps done so far (1-based). */
  current: number;
  /** Steps per epoch; null, undefined or 0 when unknown (`     12/Unknown`). */
  target: number | null | undefined;
  /** Seconds since the bar started (shown on the finished line). */
  elapsedSeconds: number;
  /** Seconds per step (Keras leaves the first step out: see `estimateStepDuration`). */
  timePerStepSeconds: number;
  /** Displayed values, printed in this order. */
  values?: ReadonlyArray<readonly [string, number]>;
  /** Last update of the bar: elapsed time instead of the ETA. */
  finalized: boolean;
  /** Bar width in characters, default 20. */
  width?: number;
  /** Default `step`. */
  unitName?: string;
  /** Include Keras's ANSI escapes (bold counter and time, green done part, white rest). Default false. */
  ansi?: boolean;
}

/**
 * One verbose=1 progress line, without the `\b…\r` redraw prefix, the padding spaces or the final
 * `\n` (see `composeProgbarWrite`). With `ansi: false` (default) this is the plain text seen in
 * logs and notebooks: done and remaining cells are both `━` (Keras only colours them: green for
 * done, `\x1b[37m` for the rest).
 */
export function formatProgbarLine(input: ProgbarLineInput): string {
  const width = input.width ?? 20;
  const unit = input.unitName ?? 'step';
  const ansi = input.ansi ?? false;
  const target = input.target;
  const known = target !== null && target !== undefined && target > 0;
  const bold = (s: string): string => (ansi ? `\x1b[1m${s}\x1b[0m` : s);

  let bar: string;
  if (known) {
    bar = `${bold(stepCounter(input.current, target))} `;
    const progWidth = Math.trunc(width * (input.current / target));
    const done = progWidth > 0 ? '━'.repeat(progWidth) : '';
    const rest = width - progWidth > 0 ? '━'.repeat(width - progWidth) : '';
    if (ansi) {
      if (progWidth > 0) bar += `\x1b[32m${done}\x1b[0m`;
      bar += `\x1b[37m${rest}\x1b[0m`;
    } else {
      bar += done + rest;
    }
  } else {
    bar = `${pyPercentD(input.current).padStart(7, ' ')}/Unknown`;
  }

  let info = known && !input.finalized
    ? ` ${bold(formatDuration(input.timePerStepSeconds * (target - input.current)))}`
    : ` ${bold(formatElapsed(input.elapsedSeconds))}`;
  info += ` ${formatTimePerStep(input.timePerStepSeconds, unit)}`;
  for (const [name, value] of input.values ?? []) info += ` - ${name}: ${formatMetricValue(value)}`;
  return bar + info;
}

export interface ProgbarEpochLineInput {
  current: number;
  target: number;
  elapsedSeconds: number;
  timePerStepSeconds: number;
  values?: ReadonlyArray<readonly [string, number]>;
  unitName?: string;
}

/** The verbose=2 line, once per epoch: `83/83 - 3s - 30ms/step - acc: 0.8564 - loss: 0.3977`. */
export function formatProgbarEpochLine(input: ProgbarEpochLineInput): string {
  let info = `${stepCounter(input.current, input.target)} - ${formatElapsed(input.elapsedSeconds)}`;
  info += ` - ${formatTimePerStep(input.timePerStepSeconds, input.unitName ?? 'step')}`;
  for (const [name, value] of input.values ?? []) info += ` - ${name}: ${formatMetricValueVerbose2(value)}`;
  return info;
}

/**
 * Exactly what Keras writes for one verbose=1 update. On a "dynamic display" (a TTY, a notebook,
 * and, since Keras tests `"posix" in sys.modules`, any Linux/macOS process): `\b` × previous width
 * then `\r`; otherwise `\n`. Then the line, spaces over the rest of a longer previous line, and `\n`
 * on the final update. Returns the text and the width to pass as `prevWidth` next time.
 */
export function composeProgbarWrite(
  line: string,
  prevWidth: number,
  opts: { finalized: boolean; dynamicDisplay?: boolean },
): { text: string; width: number } {
  const width = visibleWidth(line);
  let text = (opts.dynamicDisplay ?? true) ? `${'\b'.repeat(Math.max(0, prevWidth))}\r` : '\n';
  text += line;
  if (prevWidth > width) text += ' '.repeat(prevWidth - width);
  if (opts.finalized) text += '\n';
  return { text, width };
}

/**
 * Keras's seconds-per-step estimate: once step 1 is done its (compile-heavy) time is left out,
 * `(now - timeAfterFirstStep) / (current - 1)`; otherwise `(now - start) / current`; 0 at step 0.
 */
export function estimateStepDuration(
  current: number,
  nowSeconds: number,
  startSeconds: number,
  timeAfterFirstStepSeconds: number | null,
): number {
  if (!current) return 0;
  if (timeAfterFirstStepSeconds !== null && current > 1) {
    return (nowSeconds - timeAfterFirstStepSeconds) / (current - 1);
  }
  return (nowSeconds - startSeconds) / current;
}

export interface ProgbarStateOptions {
  /** Steps per epoch, or null when unknown. */
  target: number | null;
  /** Clock reading (seconds) when the bar was created. */
  startSeconds: number;
  /** 1 (line redrawn in place) or 2 (one line per epoch). Default 1. */
  verbose?: 1 | 2;
  width?: number;
  /** Minimum seconds between verbose=1 redraws, default 0.05. */
  interval?: number;
  /** Names displayed as given; all others are averaged over the steps seen (Keras default: none). */
  statefulMetrics?: Iterable<string>;
  unitName?: string;
  /** Keras's `_dynamic_display` (true on any POSIX system). Default true. */
  dynamicDisplay?: boolean;
  ansi?: boolean;
}

/**
 * keras.utils.Progbar's bookkeeping without the I/O: averaging of non-stateful values weighted by
 * the steps since the last update (replaced by the given value on the final update), first-seen
 * value order, step timing that skips the first step, redraw throttling and width padding.
 * `update` returns the exact text Keras would write for that call, or null when it writes nothing.
 */
export class ProgbarState {
  target: number | null;
  private readonly start: number;
  private readonly verbose: 1 | 2;
  private readonly width: number;
  private readonly interval: number;
  private readonly stateful: Set<string>;
  private readonly unitName: string;
  private readonly dynamicDisplay: boolean;
  private readonly ansi: boolean;
  private seenSoFar = 0;
  private readonly sums = new Map<string, [number, number]>();
  private readonly order: string[] = [];
  private lastUpdate = 0;
  private timeAfterFirstStep: number | null = null;
  private prevWidth = 0;

  constructor(opts: ProgbarStateOptions) {
    this.target = opts.target;
    this.start = opts.startSeconds;
    this.verbose = opts.verbose ?? 1;
    this.width = opts.width ?? 20;
    this.interval = opts.interval ?? 0.05;
    this.stateful = new Set(opts.statefulMetrics ?? []);
    this.unitName = opts.unitName ?? 'step';
    this.dynamicDisplay = opts.dynamicDisplay ?? true;
    this.ansi = opts.ansi ?? false;
  }

  /** The values as they would be displayed now, in display order. */
  displayedValues(): [string, number][] {
    return this.order.map((k) => {
      const [sum, count] = this.sums.get(k)!;
      return [k, sum / Math.max(1, count)];
    });
  }

  update(
    current: number,
    values: ReadonlyArray<readonly [string, number]>,
    nowSeconds: number,
    finalize?: boolean,
  ): string | null {
    const fin = finalize ?? (this.target === null ? false : current >= this.target);
    for (const [k, v] of values) {
      if (!this.order.includes(k)) this.order.push(k);
      if (this.stateful.has(k) || fin) {
        this.sums.set(k, [v, 1]);
      } else {
        const base = Math.max(current - this.seenSoFar, 1);
        const prev = this.sums.get(k);
        this.sums.set(k, prev ? [prev[0] + v * base, prev[1] + base] : [v * base, base]);
      }
    }
    this.seenSoFar = current;

    // Keras estimates (and records the end of step 1) before deciding whether to redraw.
    const timePerStep = estimateStepDuration(current, nowSeconds, this.start, this.timeAfterFirstStep);
    if (current === 1) this.timeAfterFirstStep = nowSeconds;

    let out: string | null = null;
    if (this.verbose === 1) {
      if (nowSeconds - this.lastUpdate < this.interval && !fin) return null;
      const line = formatProgbarLine({
        current,
        target: this.target,
        elapsedSeconds: nowSeconds - this.start,
        timePerStepSeconds: timePerStep,
        values: this.displayedValues(),
        finalized: fin,
        width: this.width,
        unitName: this.unitName,
        ansi: this.ansi,
      });
      const write = composeProgbarWrite(line, this.prevWidth, { finalized: fin, dynamicDisplay: this.dynamicDisplay });
      this.prevWidth = write.width;
      out = write.text;
    } else if (fin && this.target !== null && this.target > 0) {
      out = `${formatProgbarEpochLine({
        current,
        target: this.target,
        elapsedSeconds: nowSeconds - this.start,
        timePerStepSeconds: timePerStep,
        values: this.displayedValues(),
        unitName: this.unitName,
      })}\n`;
    }
    this.lastUpdate = nowSeconds;
    return out;
  }
}
