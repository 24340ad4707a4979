/**
 * LiveLogger: writes a run directory (the format of src/dashboard/logdir_format.ts) while fit()
 * runs, for `convkit dashboard` to show live: scalars per batch and per epoch, the model's
 * description, feature-map snapshots of one fixed sample, the first convolution's kernel over time,
 * the validation confusion matrix and the latest weights.
 *
 * It never changes what is trained: snapshots and the confusion matrix run the model in inference
 * mode (no dropout, no batch-norm statistics updates, no random draws), on one sample and on at most
 * `confusionMaxSamples` validation samples.
 *
 * Continuing a run (BackupAndRestore resuming, or initialEpoch > 0) appends to the run's files, first
 * dropping records after the step the fit starts from (e.g. the batches of a half-done epoch that
 * the resumed fit runs again); a fit that starts at step 0 starts the run's files afresh.
 */
import { basename, join, resolve } from 'node:path';
import { ValueError } from '../errors.js';
import { removeStaleTemps, writeFileAtomic, writeFileAtomicSync } from '../io/atomic_write.js';
import { ensureWritableDir } from '../io/writable_dir.js';
import { rm, readFile } from 'node:fs/promises';
import { Tensor } from '../tensor/tensor.js';
import { isBatchSource } from '../data/batch_source.js';
import { LOGDIR_FORMAT_VERSION, RUN_FILES, type RunInfo, type RunStatus, type SnapshotImage } from '../dashboard/logdir_format.js';
import { Callback, type Logs } from './callback.js';
import { JsonlAppender } from './jsonl_appender.js';
import {
  type ValidationData, asSampleBatch, classIndices, confusionMatrix, filterRecord, modelInfo, sampleAt, sampleImage, snapshotLayers,
} from './live_logger_records.js';

export interface LiveLoggerArgs {
  /** The run directory (created if missing), e.g. runs/lenet-1; a dashboard's logdir holds many. */
  logdir: string;
  /** Batch records for every batch (default), none ('epoch'), or every N batches (counted across epochs). */
  updateFreq?: 'batch' | 'epoch' | number;
  /** A feature-map snapshot every N epochs (default 1), besides the one before training; 0: none at all. */
  snapshotFreq?: number;
  /** The sample the snapshots show: an image [1, h, w, c] or [h, w, c], or an index into validationData (default 0). */
  snapshotSample?: Tensor | number;
  /** Channels kept per layer in a snapshot (default 16). */
  snapshotMaxChannels?: number;
  /** [x, y] or a batch source: the snapshot sample and the confusion matrix come from it. */
  validationData?: ValidationData;
  /** Class names for the confusion matrix (default: the class indices). */
  classNames?: readonly string[];
  /** Validation samples the confusion matrix counts each epoch (default 2000; 0: no matrix). */
  confusionMaxSamples?: number;
  /** The run's name in run.json (default: the directory's name). */
  name?: string;
  /** Stored in run.json's "options" next to the logger's own (e.g. the command line's options). */
  runOptions?: Record<string, unknown>;
}

function checkCount(v: unknown, what: string, min: number): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ValueError(`LiveLogger: ${what} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v as number;
}

function checkArgs(a: LiveLoggerArgs): void {
  if (typeof a?.logdir !== 'string' || a.logdir.length === 0) {
    throw new ValueError(`LiveLogger: logdir must be a run directory path (e.g. 'runs/lenet-1'), got ${JSON.stringify(a?.logdir)}`);
  }
  const f = a.updateFreq;
  if (f !== undefined && f !== 'batch' && f !== 'epoch') checkCount(f, "updateFreq ('batch', 'epoch' or a number of batches)", 1);
  if (a.snapshotFreq !== undefined) checkCount(a.snapshotFreq, 'snapshotFreq (epochs)', 0);
  if (a.snapshotMaxChannels !== undefined) checkCount(a.snapshotMaxChannels, 'snapshotMaxChannels', 1);
  if (a.confusionMaxSamples !== undefined) checkCount(a.confusionMaxSamples, 'confusionMaxSamples', 0);
  const s = a.snapshotSample;
  if (s !== undefined && !(s instanceof Tensor)) checkCount(s, 'snapshotSample (a tensor or a validation sample index)', 0);
  if (s instanceof Tensor) asSampleBatch(s, 'LiveLogger: snapshotSample');
  const v = a.validationData;
  if (v !== undefined && !isBatchSource(v)) {
    if (!Array.isArray(v) || v.length !== 2 || !(v[0] instanceof Tensor) || !(v[1] instanceof Tensor)) {
      throw new ValueError('LiveLogger: validationData must be [x, y] tensors or a batch source');
    }
    if (v[0].shape[0] !== v[1].shape[0]) {
      throw new ValueError(`LiveLogger: validationData x has ${v[0].shape[0]} samples but y has ${v[1].shape[0]}`);
    }
  }
  if (a.classNames !== undefined && !(Array.isArray(a.classNames) && a.classNames.every((n) => typeof n === 'string'))) {
    throw new ValueError('LiveLogger: classNames must be an array of strings');
  }
}

export class LiveLogger extends Callback {
  readonly dir: string;
  readonly runName: string;
  readonly updateFreq: 'batch' | 'epoch' | number;
  readonly snapshotFreq: number;
  readonly snapshotMaxChannels: number;
  readonly confusionMaxSamples: number;
  private readonly args: LiveLoggerArgs;
  private readonly scalars: JsonlAppender;
  private readonly snapshots: JsonlAppender;
  private readonly filters: JsonlAppender;
  private info: RunInfo | null = null;
  private begun = false;
  /** Begin-of-run records not written yet because the model was not built (subclassed models). */
  private modelPending = false;
  private step = 0;
  private sample: { x: Tensor; image: SnapshotImage } | null = null;
  /** The epoch just ended: its scalar record is written at the next hook, once later callbacks (History last) have added their logs. */
  private pendingEpoch: { epoch: number; step: number; time: number; logs: Logs } | null = null;
  private readonly onExit = () => this.writeStatusSync('interrupted');

  constructor(args: LiveLoggerArgs) {
    super();
    checkArgs(args);
    this.args = args;
    this.dir = resolve(args.logdir);
    this.runName = args.name ?? basename(this.dir);
    this.updateFreq = args.updateFreq ?? 'batch';
    this.snapshotFreq = args.snapshotFreq ?? 1;
    this.snapshotMaxChannels = args.snapshotMaxChannels ?? 16;
    this.confusionMaxSamples = args.confusionMaxSamples ?? 2000;
    this.scalars = new JsonlAppender(join(this.dir, RUN_FILES.scalars));
    this.snapshots = new JsonlAppender(join(this.dir, RUN_FILES.snapshots));
    this.filters = new JsonlAppender(join(this.dir, RUN_FILES.filters));
  }

  private path(file: keyof typeof RUN_FILES): string {
    return join(this.dir, RUN_FILES[file]);
  }

  override async onTrainBegin(): Promise<void> {
    this.begun = false;
    this.pendingEpoch = null;
    // A bad directory fails before the first batch, with the reason.
    await ensureWritableDir(this.dir, 'LiveLogger logdir');
  }

  /**
   * The run's start, done at the first epoch's start (or train end when no epoch runs): only then
   * has BackupAndRestore moved the fit to where it resumes.
   */
  private async begin(): Promise<void> {
    if (this.begun) return;
    this.begun = true;
    const model = this.requireModel();
    const fit = model.activeFit;
    const steps = this.params.steps;
    this.step = fit ? fit.epoch * steps + fit.batch : 0;
    const fresh = this.step === 0;
    for (const f of [this.scalars, this.snapshots, this.filters]) f.open(this.step);
    await removeStaleTemps(this.path('run'));
    const previous = fresh ? null : await this.previousInfo();
    if (fresh) await rm(this.path('confusion'), { force: true });
    const now = new Date().toISOString();
    const shape = model.builtInputShape;
    this.info = {
      version: LOGDIR_FORMAT_VERSION,
      name: this.runName,
      startedAt: previous?.startedAt ?? now,
      updatedAt: now,
      status: 'running',
      epochs: this.params.epochs,
      stepsPerEpoch: steps,
      pid: process.pid,
      model: {
        name: model.name,
        className: model.className,
        inputShape: Array.isArray(shape) && shape.every((d) => d === null || typeof d === 'number') ? (shape as (number | null)[]).slice(1).map((d) => d ?? 0) : [],
      },
      options: this.optionsRecord(),
      completedEpochs: fit?.epoch ?? 0,
    };
    // After the record exists, so that a sample that cannot be read still ends the run as 'failed' (close()).
    this.sample = await this.chooseSample();
    this.info.options.snapshots = this.sample !== null && this.snapshotFreq > 0;
    await this.writeInfo();
    process.off('exit', this.onExit);
    process.on('exit', this.onExit);
    this.modelPending = true;
    if (model.built) await this.writeModelRecords(fresh, -1);
  }

  /** model.json, and for a fresh run the weights, the filters and a snapshot before training. */
  private async writeModelRecords(fresh: boolean, epoch: number): Promise<void> {
    this.modelPending = false;
    const model = this.requireModel();
    await writeFileAtomic(this.path('model'), JSON.stringify(modelInfo(model)) + '\n');
    if (!fresh) return;
    await model.save(this.path('weights'));
    this.writeFilters(epoch);
    this.writeSnapshot(epoch);
  }

  private async previousInfo(): Promise<{ startedAt?: string } | null> {
    try {
      return JSON.parse(await readFile(this.path('run'), 'utf8')) as { startedAt?: string };
    } catch {
      return null;
    }
  }

  private optionsRecord(): Record<string, unknown> {
    return {
      updateFreq: this.updateFreq,
      snapshotFreq: this.snapshotFreq,
      snapshotMaxChannels: this.snapshotMaxChannels,
      confusionMaxSamples: this.args.validationData ? this.confusionMaxSamples : 0,
      ...(this.args.classNames ? { classNames: [...this.args.classNames] } : {}),
      ...(this.params.batchSize !== undefined ? { batchSize: this.params.batchSize } : {}),
      ...(this.params.samples !== undefined ? { samples: this.params.samples } : {}),
      ...(this.args.runOptions ?? {}),
    };
  }

  /** The snapshot sample and its label: the given image, or a validation sample. */
  private async chooseSample(): Promise<{ x: Tensor; image: SnapshotImage } | null> {
    const s = this.args.snapshotSample;
    if (s instanceof Tensor) {
      const x = asSampleBatch(s, 'LiveLogger: snapshotSample');
      return { x, image: sampleImage(x, undefined) };
    }
    const data = this.args.validationData;
    if (!data) return null;
    let index = s ?? 0;
    const pick = (x: Tensor, y: Tensor, i: number) => {
      const one = sampleAt(x, i);
      return { x: one, image: sampleImage(one, classIndices(sampleAt(y, i))[0]) };
    };
    if (!isBatchSource(data)) {
      if (index >= data[0].shape[0]) throw new ValueError(`LiveLogger: snapshotSample ${index} is out of range: validationData has ${data[0].shape[0]} samples`);
      return pick(data[0], data[1], index);
    }
    for (let b = 0; b < data.length; b++) {
      const [x, y] = await data.batch(b);
      if (index < x.shape[0]) return pick(x, y, index);
      index -= x.shape[0];
    }
    throw new ValueError(`LiveLogger: snapshotSample ${s} is out of range of validationData's samples`);
  }

  private requireModel() {
    if (!this.model) throw new ValueError('LiveLogger: no model set; pass the logger to model.fit({callbacks: [...]})');
    return this.model;
  }

  private writeSnapshot(epoch: number): void {
    if (this.sample === null || this.snapshotFreq === 0) return;
    const layers = snapshotLayers(this.requireModel(), this.sample.x, this.snapshotMaxChannels);
    this.snapshots.append({ epoch, step: this.step, sample: this.sample.image, layers });
  }

  private writeFilters(epoch: number): void {
    const record = filterRecord(this.requireModel(), epoch, this.step);
    if (record) this.filters.append(record);
  }

  private async writeInfo(): Promise<void> {
    if (!this.info) return;
    this.info.updatedAt = new Date().toISOString();
    await writeFileAtomic(this.path('run'), JSON.stringify(this.info, null, 2) + '\n');
  }

  private flushEpoch(): void {
    const p = this.pendingEpoch;
    if (p === null) return;
    this.pendingEpoch = null;
    this.scalars.append({ kind: 'epoch', step: p.step, epoch: p.epoch, time: p.time, logs: { ...p.logs } });
  }

  override async onEpochBegin(): Promise<void> {
    this.flushEpoch();
    await this.begin();
  }

  override async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    const fit = this.model?.activeFit;
    const epoch = fit?.epoch ?? 0;
    this.step = epoch * this.params.steps + batch + 1;
    const f = this.updateFreq;
    if (f === 'batch' || (typeof f === 'number' && this.step % f === 0)) {
      this.scalars.append({ kind: 'batch', step: this.step, epoch, batch, time: Date.now(), logs: { ...logs } });
    }
    // A subclassed model is built by its first batch: its description and first records come now.
    if (this.modelPending && this.model?.built) await this.writeModelRecords(this.step === 1, -1);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    // The logs object is shared: later callbacks' additions (learning_rate) are in it when it is written.
    this.pendingEpoch = { epoch, step: this.step, time: Date.now(), logs };
    const model = this.requireModel();
    if (this.modelPending && model.built) await this.writeModelRecords(false, epoch);
    await model.save(this.path('weights'));
    this.writeFilters(epoch);
    if (this.snapshotFreq > 0 && (epoch + 1) % this.snapshotFreq === 0) this.writeSnapshot(epoch);
    const data = this.args.validationData;
    if (data && this.confusionMaxSamples > 0) {
      const confusion = await confusionMatrix(model, data, this.confusionMaxSamples, this.args.classNames, epoch);
      if (confusion) await writeFileAtomic(this.path('confusion'), JSON.stringify(confusion) + '\n');
    }
    if (this.info) {
      this.info.completedEpochs = epoch + 1;
      await this.writeInfo();
    }
  }

  override async onTrainEnd(): Promise<void> {
    await this.begin();
    await this.close(this.model?.activeFit?.interrupted ? 'interrupted' : 'finished');
  }

  /**
   * Ends the run with `status`, writing what is pending and closing the files. fit() calls it
   * (through onTrainEnd) with 'finished' or 'interrupted'; call it with 'failed' when fit() throws.
   */
  async close(status: Exclude<RunStatus, 'running'>, error?: unknown): Promise<void> {
    this.flushEpoch();
    for (const f of [this.scalars, this.snapshots, this.filters]) f.close();
    process.off('exit', this.onExit);
    if (!this.info || this.info.status !== 'running') return;
    this.info.status = status;
    if (error !== undefined) this.info.error = error instanceof Error ? error.message : String(error);
    await this.writeInfo();
  }

  /** The process is exiting mid-run (a second Ctrl-C): record it, synchronously. */
  private writeStatusSync(status: RunStatus): void {
    if (!this.info || this.info.status !== 'running') return;
    this.flushEpoch();
    this.info.status = status;
    this.info.updatedAt = new Date().toISOString();
    try {
      writeFileAtomicSync(this.path('run'), JSON.stringify(this.info, null, 2) + '\n');
    } catch {
      // Exiting anyway: the run stays marked running, with a pid that no longer exists.
    }
  }
}
