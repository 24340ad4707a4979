/**
 * Where a running fit() stands — epoch, batch, position in the data, running loss and metrics —
 * and its JSON snapshot, so that BackupAndRestore can write it and a later fit() can continue
 * from it exactly: same shuffles, same batches, same logs.
 *
 * The data is consumed in passes (one pass = every batch of the feed once). Without
 * stepsPerEpoch an epoch is one pass; with it, epochs and passes drift apart, so both positions
 * are kept.
 */
import { ValueError } from '../errors.js';
import type { History } from '../callbacks/history.js';
import type { Metric } from '../metrics/index.js';
import type { Random, RandomState } from '../tensor/random.js';
import type { StepFault } from './step_fault.js';

export interface FitSnapshot {
  format: 'convkit-fit-progress';
  version: 1;
  /** The next batch to run is batch `batch` (0-based) of epoch `epoch`. */
  epoch: number;
  batch: number;
  stepsPerEpoch: number;
  /** Passes over the data completed, and batches taken from the current one. */
  pass: number;
  cursor: number;
  /** Whether the current pass has begun (its shuffle drawn). */
  passOpen: boolean;
  /** The shuffle generator before the current pass's shuffle (or before the next one). */
  passRng: RandomState | null;
  lossSum: number;
  /** Running sums of each output's own loss (multi-output models). */
  partSums: number[];
  seen: number;
  /** Running metric sums (every output's metrics, in order) and the shapes they were resolved with. */
  metrics: { states: { total: number; count: number }[]; shapes: { yTrue: number[]; yPred: number[] }[] } | null;
  history: { epoch: number[]; history: Record<string, number[]> };
}

export class FitProgress {
  epoch = 0;
  batch = 0;
  pass = 0;
  cursor = 0;
  passOpen = false;
  passRng: RandomState | null = null;
  lossSum = 0;
  partSums: number[] = [];
  seen = 0;
  /** Each output's metrics. */
  metrics: Metric[][] | null = null;
  metricShapes: { yTrue: number[]; yPred: number[] }[] | null = null;
  /** Set by model.interrupt(): stop at the next batch boundary without finishing the epoch. */
  interrupted = false;
  /** Set by a callback's onTrainBegin (BackupAndRestore) to continue an earlier run. */
  resumeFrom: FitSnapshot | null = null;
  /** The last step whose loss or gradients were not finite (its update was not applied). */
  fault: StepFault | null = null;

  constructor(readonly history: History, readonly shuffleRng: Random | null, readonly stepsPerEpoch: number) {}

  /** The logs of the epoch just finished, until History (the last callback) has recorded them. */
  private finishedEpoch: { epoch: number; logs: Record<string, number> } | null = null;

  /** Moves to the start of the next epoch (after the finished one's logs are computed). */
  nextEpoch(logs: Record<string, number>): void {
    this.finishedEpoch = { epoch: this.epoch, logs };
    this.epoch += 1;
    this.batch = 0;
    this.lossSum = 0;
    this.partSums = [];
    this.seen = 0;
    this.metrics = null;
  }

  snapshot(): FitSnapshot {
    return {
      format: 'convkit-fit-progress',
      version: 1,
      epoch: this.epoch,
      batch: this.batch,
      stepsPerEpoch: this.stepsPerEpoch,
      pass: this.pass,
      cursor: this.cursor,
      passOpen: this.passOpen,
      passRng: this.passOpen ? this.passRng : this.shuffleRng?.getState() ?? null,
      lossSum: this.lossSum,
      partSums: [...this.partSums],
      seen: this.seen,
      metrics: this.metrics && this.metricShapes
        ? { states: this.metrics.flat().map((m) => m.getState()), shapes: this.metricShapes }
        : null,
      history: this.historySoFar(),
    };
  }

  /** History's record, plus the finished epoch when a callback before History saves during onEpochEnd. */
  private historySoFar(): FitSnapshot['history'] {
    const h = structuredClone(this.history.toJSON());
    const done = this.finishedEpoch;
    if (done && h.epoch[h.epoch.length - 1] !== done.epoch) {
      h.epoch.push(done.epoch);
      for (const [k, v] of Object.entries(done.logs)) (h.history[k] ??= []).push(v);
    }
    return h;
  }
}

/** Checks a snapshot read from a file before a fit trusts it. */
export function checkSnapshot(s: unknown, stepsPerEpoch: number, source: string): FitSnapshot {
  const o = s as Partial<FitSnapshot> | null;
  const nat = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (!o || o.format !== 'convkit-fit-progress' || o.version !== 1 || !nat(o.epoch) || !nat(o.batch) || !nat(o.pass) || !nat(o.cursor)
    || typeof o.passOpen !== 'boolean' || typeof o.lossSum !== 'number' || !nat(o.seen) || !o.history || !Array.isArray(o.history.epoch)) {
    throw new ValueError(`${source}: the training progress stored in the backup is missing or malformed`);
  }
  if (o.stepsPerEpoch !== stepsPerEpoch) {
    throw new ValueError(`${source}: the backup was made with ${o.stepsPerEpoch} batches per epoch but this fit() has ${stepsPerEpoch}; resume with the same data, batch size and stepsPerEpoch, or delete the backup to start over`);
  }
  return o as FitSnapshot;
}
