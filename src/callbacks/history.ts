/** History: the per-epoch logs fit() returns (history.history.loss, or history.loss). */
import { Callback, type Logs } from './callback.js';

export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  /** True when fit() stopped early through model.interrupt() (Ctrl-C in `convkit train`). */
  interrupted = false;

  /** Continues an earlier run's record (BackupAndRestore): its epochs come first. */
  restore(saved: { epoch: number[]; history: Record<string, number[]> }): void {
    this.epoch.splice(0, this.epoch.length, ...saved.epoch);
    for (const k of Object.keys(this.history)) delete this.history[k];
    for (const [k, v] of Object.entries(saved.history)) this.history[k] = [...v];
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }

  get loss(): number[] | undefined { return this.history.loss; }
  get accuracy(): number[] | undefined { return this.history.accuracy; }
  get val_loss(): number[] | undefined { return this.history.val_loss; }
  get val_accuracy(): number[] | undefined { return this.history.val_accuracy; }

  /** Any logged series by name (e.g. 'acc', 'val_acc'). */
  get(name: string): number[] | undefined {
    return this.history[name];
  }

  toJSON(): { epoch: number[]; history: Record<string, number[]> } {
    return { epoch: this.epoch, history: this.history };
  }
}
