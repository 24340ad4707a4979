/**
 * The download progress line: `\r<fname> 12.3/45.6 MB [=====>    ] 27%` on stderr.
 * The training progress bar (src/callbacks/progbar*.ts) counts steps with ETAs and metrics, so it does
 * not fit byte counts; this one is deliberately tiny.
 */

export type ProgressCallback = (received: number, total: number | null) => void;
export type ProgressOption = boolean | ProgressCallback | undefined;

export interface ProgressReporter {
  update: ProgressCallback;
  /** Ends the line (only if something was drawn), so later output starts on a fresh line. */
  done(): void;
}

const WIDTH = 30;
/** Redraw at most ~10 times a second: a fast local transfer would otherwise flood the terminal. */
const MIN_INTERVAL_MS = 100;

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

export function formatProgressLine(fname: string, received: number, total: number | null): string {
  if (total === null || total <= 0) return `${fname} ${mb(received)} MB`;
  const frac = Math.min(1, received / total);
  const filled = Math.floor(frac * WIDTH);
  const bar = filled >= WIDTH ? '='.repeat(WIDTH) : `${'='.repeat(filled)}>${' '.repeat(WIDTH - filled - 1)}`;
  return `${fname} ${mb(received)}/${mb(total)} MB [${bar}] ${Math.floor(frac * 100)}%`;
}

const SILENT: ProgressReporter = { update: () => undefined, done: () => undefined };

/**
 * `true` draws the bar, `false` draws nothing, a function is called with every update (unthrottled),
 * and the default draws the bar only when stderr is a terminal (redirected logs get no \r noise).
 */
export function makeProgress(
  fname: string,
  option: ProgressOption,
  out: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  if (typeof option === 'function') return { update: option, done: () => undefined };
  const enabled = option ?? Boolean(out.isTTY);
  if (!enabled) return SILENT;
  let last = 0;
  let drawn = false;
  let pending: [number, number | null] | null = null;
  const draw = (received: number, total: number | null): void => {
    out.write(`\r${formatProgressLine(fname, received, total)}\x1b[K`);
    drawn = true;
    pending = null;
  };
  return {
    update(received, total) {
      const now = Date.now();
      if (now - last >= MIN_INTERVAL_MS || (total !== null && received >= total)) {
        last = now;
        draw(received, total);
      } else {
        pending = [received, total];
      }
    },
    done() {
      if (pending !== null) draw(...pending);
      if (drawn) out.write('\n');
      drawn = false;
    },
  };
}
