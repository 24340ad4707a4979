/**
 * Keras-style progress output for fit(): verbose 1 redraws one line in place on a terminal
 * (and prints one line per epoch when output is not a terminal); verbose 2 prints one line per epoch.
 */
import { estimateStepDuration, formatProgbarLine, orderMetrics } from './progbar_format.js';
import { Callback, type Logs } from './callback.js';

export class ProgbarLogger extends Callback {
  private epochStart = 0;
  private lastDraw = 0;
  /** Seconds into the epoch when the first step ended (Keras leaves step 1 out of the per-step time). */
  private afterFirstStep: number | null = null;
  private readonly out: NodeJS.WriteStream;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    super();
    this.out = out;
  }

  private get interactive(): boolean {
    return this.params.verbose === 1 && Boolean(this.out.isTTY);
  }

  override onEpochBegin(epoch: number): void {
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.afterFirstStep = null;
    if (this.params.epochs > 1) this.out.write(`Epoch ${epoch + 1}/${this.params.epochs}\n`);
  }

  private line(current: number, logs: Logs, finalized: boolean): string {
    const now = performance.now() / 1000;
    const start = this.epochStart / 1000;
    return formatProgbarLine({
      current, target: this.params.steps, elapsedSeconds: now - start,
      timePerStepSeconds: estimateStepDuration(current, now, start, this.afterFirstStep),
      values: orderMetrics(Object.entries(logs)), finalized,
    });
  }

  override onBatchEnd(batch: number, logs: Logs = {}): void {
    if (batch === 0) this.afterFirstStep = performance.now() / 1000;
    if (!this.interactive) return;
    const now = performance.now();
    // Redraw at most ~20 times a second: terminal writes are slow next to small batches.
    if (now - this.lastDraw < 50 && batch + 1 < this.params.steps) return;
    this.lastDraw = now;
    this.out.write(`\r${this.line(batch + 1, logs, false)}\x1b[K`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const text = this.line(this.params.steps, logs, true);
    this.out.write(this.interactive ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}
