/**
 * Follows a logdir: every ~500 ms it lists the runs and reads what was appended
 * to each run's files since the last look (byte offsets, via the tolerant reader), and reports it as
 * events. Polling rather than fs.watch: fs.watch misses changes on network and container-mounted file
 * systems and reports renames (atomic rewrites) inconsistently across platforms, while a stat per file
 * every half second costs nothing at this scale.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ConfusionInfo, type FilterRecord, type RunEntry, type ScalarRecord, type SnapshotRecord, type Warn,
  RUN_FILES, listRuns, readConfusion, readFilters, readScalars, readSnapshots,
} from './logdir_format.js';
import { type RunSummary, runSummary } from './run_summary.js';

export type DashboardEvent =
  | { type: 'run'; data: RunSummary }
  | { type: 'removed'; data: { run: string } }
  | { type: 'scalars'; data: { run: string; fromByte: number; nextByte: number; reset: boolean; records: ScalarRecord[] } }
  | { type: 'snapshots'; data: { run: string; records: SnapshotRecord[] } }
  | { type: 'filters'; data: { run: string; records: FilterRecord[] } }
  | { type: 'confusion'; data: { run: string; confusion: ConfusionInfo } }
  | { type: 'weights'; data: { run: string; mtimeMs: number } };

type Listener = (event: DashboardEvent) => void;

/** What was last seen of one run. */
interface RunState {
  summaryKey: string;
  scalarsByte: number;
  snapshotsByte: number;
  filtersByte: number;
  confusionMtime: number;
  weightsMtime: number;
}

async function mtimeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export class RunWatcher {
  private readonly listeners = new Set<Listener>();
  private readonly runs = new Map<string, RunState>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private primed = false;

  constructor(private readonly logdir: string, private readonly warn: Warn, private readonly intervalMs = 500) {}

  /**
   * Takes the logdir as it is now as seen (the page fetches that through the API), then polls until
   * stop(). Polling runs for the server's lifetime, not per page, so that a run created while no page
   * was open is still reported as new when one opens, and the offsets always follow the files.
   */
  async start(): Promise<void> {
    await this.tick();
    if (this.timer === null) this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private emit(event: DashboardEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.warn(`dashboard: an event listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** One look at the logdir. Never throws: a failure is a warning and the next tick tries again. */
  async tick(): Promise<void> {
    if (this.ticking) return; // a slow disk: skip rather than pile up
    this.ticking = true;
    try {
      const entries = await listRuns(this.logdir, this.warn);
      const seen = new Set<string>();
      for (const entry of entries) {
        seen.add(entry.name);
        await this.look(entry);
      }
      for (const name of [...this.runs.keys()]) {
        if (!seen.has(name)) {
          this.runs.delete(name);
          if (this.primed) this.emit({ type: 'removed', data: { run: name } });
        }
      }
      this.primed = true;
    } catch (e) {
      this.warn(`dashboard: reading ${this.logdir} failed: ${(e as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * The first tick takes the runs already there as seen (the page fetched them through the API); a run
   * appearing later is new, and everything in it is reported.
   */
  private async look(entry: RunEntry): Promise<void> {
    const { dir, name } = entry;
    const summary = runSummary(entry);
    const key = JSON.stringify(summary);
    let state = this.runs.get(name);
    if (state === undefined) {
      state = { summaryKey: '', scalarsByte: 0, snapshotsByte: 0, filtersByte: 0, confusionMtime: 0, weightsMtime: 0 };
      this.runs.set(name, state);
      if (!this.primed) {
        state.summaryKey = key;
        state.scalarsByte = (await readScalars(dir, 0)).nextByte;
        // Offsets from the reader, not file sizes: they stop before a line still being written.
        state.snapshotsByte = (await readSnapshots(dir, 0)).nextByte;
        state.filtersByte = (await readFilters(dir, 0)).nextByte;
        state.confusionMtime = await mtimeOf(join(dir, RUN_FILES.confusion));
        state.weightsMtime = await mtimeOf(join(dir, RUN_FILES.weights));
        return;
      }
    }
    if (key !== state.summaryKey) {
      state.summaryKey = key;
      this.emit({ type: 'run', data: summary });
    }

    if ((await sizeOf(join(dir, RUN_FILES.scalars))) !== state.scalarsByte) {
      const fromByte = state.scalarsByte;
      const chunk = await readScalars(dir, fromByte, this.warn);
      state.scalarsByte = chunk.nextByte;
      if (chunk.records.length > 0 || chunk.reset) {
        this.emit({ type: 'scalars', data: { run: name, fromByte: chunk.reset ? 0 : fromByte, nextByte: chunk.nextByte, reset: chunk.reset, records: chunk.records } });
      }
    }
    if ((await sizeOf(join(dir, RUN_FILES.snapshots))) > state.snapshotsByte) {
      const chunk = await readSnapshots(dir, state.snapshotsByte, this.warn);
      state.snapshotsByte = chunk.nextByte;
      if (chunk.records.length > 0) this.emit({ type: 'snapshots', data: { run: name, records: chunk.records } });
    }
    if ((await sizeOf(join(dir, RUN_FILES.filters))) > state.filtersByte) {
      const chunk = await readFilters(dir, state.filtersByte, this.warn);
      state.filtersByte = chunk.nextByte;
      if (chunk.records.length > 0) this.emit({ type: 'filters', data: { run: name, records: chunk.records } });
    }
    const confusionMtime = await mtimeOf(join(dir, RUN_FILES.confusion));
    if (confusionMtime !== state.confusionMtime) {
      state.confusionMtime = confusionMtime;
      const confusion = await readConfusion(dir, this.warn);
      if (confusion !== null) this.emit({ type: 'confusion', data: { run: name, confusion } });
    }
    const weightsMtime = await mtimeOf(join(dir, RUN_FILES.weights));
    if (weightsMtime !== state.weightsMtime) {
      state.weightsMtime = weightsMtime;
      if (weightsMtime > 0) this.emit({ type: 'weights', data: { run: name, mtimeMs: weightsMtime } });
    }
  }
}
