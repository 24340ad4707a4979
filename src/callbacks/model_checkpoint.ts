/**
 * ModelCheckpoint with Keras 3 semantics: saves the model (model.save) or its weights
 * (model.saveWeights) at the end of every epoch or every `saveFreq` batches, optionally only when
 * the monitored value improves. The file name is a Python format template filled with the 1-based
 * `epoch`, the 1-based `batch` (batch-level saving) and every logs key.
 *
 * convkit additions: the target directory is created and test-written at train begin, so a bad
 * path fails before the first epoch; a failed save names the file and leaves any earlier file at
 * that path as it was (model.save and saveWeights replace files atomically).
 */
import { stat, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ValueError } from '../errors.js';
import { OptionReader } from '../optimizers/options.js';
import type { Logs } from './callback.js';
import { fixedDirectory, formatTemplate, parseTemplate } from './filepath_template.js';
import { checkMonitorMode, MonitorCallback, type MonitorMode } from './monitor.js';
import { pyFloat, pyInt, type PyValue } from './py_format.js';
import { pyFormatFixed } from './progbar_format.js';
import { describeWriteFailure, ensureWritableDir } from '../io/writable_dir.js';

export interface ModelCheckpointArgs {
  /** Logged value to compare for saveBestOnly. Default 'val_loss'. */
  monitor?: string;
  /** 1 prints a line per decision, as Keras does. Default 0. */
  verbose?: number;
  /** Save only when `monitor` improves. Default false. */
  saveBestOnly?: boolean;
  save_best_only?: boolean;
  /** Save model.saveWeights (`.weights.h5` or `.h5`) instead of model.save. Default false. */
  saveWeightsOnly?: boolean;
  save_weights_only?: boolean;
  /** 'auto' (Keras 3: min for losses, max for accuracies), 'min' or 'max'. Default 'auto'. */
  mode?: MonitorMode;
  /** 'epoch', or save every N batches counted across epochs. Default 'epoch'. */
  saveFreq?: 'epoch' | number;
  save_freq?: 'epoch' | number;
  /** Starting "best" value for saveBestOnly. Default none. */
  initialValueThreshold?: number | null;
  initial_value_threshold?: number | null;
}

const OWNER = 'ModelCheckpoint';

function checkExtension(filepath: string, weightsOnly: boolean): void {
  if (weightsOnly) {
    if (!/\.(h5|hdf5)$/i.test(filepath)) {
      throw new ValueError(`${OWNER}: with saveWeightsOnly (save_weights_only) the filepath must end in .weights.h5 (Keras 3 weights) or .h5 (Keras 2 weights), got ${JSON.stringify(filepath)}`);
    }
  } else if (!/\.(keras|h5|hdf5|convkit)$/i.test(filepath)) {
    throw new ValueError(`${OWNER}: the filepath must end in .keras (Keras 3 model), .h5 (Keras 2 model) or .convkit, got ${JSON.stringify(filepath)}; for weights only pass saveWeightsOnly: true and a .weights.h5 name`);
  }
}

export class ModelCheckpoint extends MonitorCallback {
  readonly filepath: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  private readonly directory: string;
  private batchesSinceLastSave = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;

  constructor(filepath: string, args: ModelCheckpointArgs = {}) {
    if (typeof filepath !== 'string' || filepath.length === 0) throw new ValueError(`${OWNER}: filepath must be a non-empty string such as "ckpt-{epoch:02d}.keras", got ${JSON.stringify(filepath)}`);
    const r = new OptionReader(OWNER, args);
    const monitor = r.string(['monitor'], 'val_loss');
    const verbose = r.number(['verbose'], 0, { min: 0 });
    const saveBestOnly = r.boolean(['saveBestOnly', 'save_best_only'], false);
    const saveWeightsOnly = r.boolean(['saveWeightsOnly', 'save_weights_only'], false);
    const mode = checkMonitorMode(OWNER, r.take('mode') ?? 'auto');
    const saveFreq = r.take('saveFreq', 'save_freq') ?? 'epoch';
    const threshold = r.optionalNumber(['initialValueThreshold', 'initial_value_threshold'], {});
    r.finish();
    super(OWNER, monitor, mode, threshold, 0);
    if (saveFreq !== 'epoch' && !(typeof saveFreq === 'number' && Number.isInteger(saveFreq) && saveFreq > 0)) {
      throw new ValueError(`${OWNER}: unrecognized saveFreq (save_freq) ${JSON.stringify(saveFreq)}; expected 'epoch' or a positive integer number of batches`);
    }
    checkExtension(filepath, saveWeightsOnly);
    parseTemplate(filepath, OWNER);
    this.filepath = filepath;
    this.verbose = verbose;
    this.saveBestOnly = saveBestOnly;
    this.saveWeightsOnly = saveWeightsOnly;
    this.saveFreq = saveFreq;
    this.directory = fixedDirectory(filepath, OWNER);
  }

  override async onTrainBegin(): Promise<void> {
    await ensureWritableDir(this.directory, OWNER);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onBatchEnd(batch: number, logs: Logs = {}): Promise<void> {
    if (this.shouldSaveOnBatch(batch)) await this.saveModel(this.currentEpoch, batch, logs);
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') await this.saveModel(epoch, null, logs);
  }

  /** Keras's counting: batches seen since the last save, carried across epoch boundaries. */
  private shouldSaveOnBatch(batch: number): boolean {
    if (this.saveFreq === 'epoch') return false;
    const added = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSinceLastSave += added;
    this.lastBatchSeen = batch;
    if (this.batchesSinceLastSave >= this.saveFreq) {
      this.batchesSinceLastSave = 0;
      return true;
    }
    return false;
  }

  /** The template filled as Keras does: epoch and batch are ints, every logs value a float. */
  private filePathFor(epoch: number, batch: number | null, logs: Logs): string {
    const values: Record<string, PyValue> = { epoch: pyInt(epoch + 1) };
    if (batch !== null && !('batch' in logs)) values.batch = pyInt(batch + 1);
    for (const [k, v] of Object.entries(logs)) if (k !== 'epoch') values[k] = pyFloat(v);
    return formatTemplate(this.filepath, values, OWNER);
  }

  private shouldSave(epoch: number, logs: Logs, filepath: string): boolean {
    if (!this.saveBestOnly) {
      if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: saving model to ${filepath}`);
      return true;
    }
    // Decided before the first comparison, as Keras does at the first epoch end: a monitor whose
    // direction is unknown fails on epoch 1, not when a second value arrives.
    this.monitorDirection();
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`Can save best model only with ${this.monitor} available.`);
      return true;
    }
    const bestText = this.best === null ? 'None' : pyFormatFixed(this.best, 5);
    if (this.isImprovement(current, this.best)) {
      if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${bestText} to ${pyFormatFixed(current, 5)}, saving model to ${filepath}`);
      this.best = current;
      return true;
    }
    if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${bestText}`);
    return false;
  }

  private async saveModel(epoch: number, batch: number | null, logs: Logs): Promise<void> {
    const filepath = this.filePathFor(epoch, batch, logs);
    if (!this.shouldSave(epoch, logs, filepath)) return;
    const model = this.model;
    if (!model) throw new ValueError(`${OWNER}: no model to save; the callback must be passed to fit() (or given one with setModel)`);
    const where = `at epoch ${epoch + 1}${batch === null ? '' : `, batch ${batch + 1}`}`;
    const isDir = await stat(filepath).then((s) => s.isDirectory(), () => false);
    if (isDir) throw new ValueError(`${OWNER}: the filepath ${JSON.stringify(filepath)} is an existing directory; expected a file path (e.g. ${JSON.stringify(`${filepath.replace(/[\\/]+$/, '')}/model.keras`)})`);
    const dir = dirname(filepath);
    try {
      await mkdir(dir, { recursive: true });
      if (this.saveWeightsOnly) await model.saveWeights(filepath);
      else await model.save(filepath);
    } catch (err) {
      const reason = await describeWriteFailure(dir, err);
      const e = new Error(`${OWNER}: saving the ${this.saveWeightsOnly ? 'weights' : 'model'} to ${JSON.stringify(filepath)} ${where} failed: ${reason}. A checkpoint written earlier to that path, if any, is unchanged`, { cause: err });
      const code = (err as { code?: unknown } | null)?.code;
      if (code !== undefined) (e as Error & { code?: unknown }).code = code;
      throw e;
    }
    if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: finished saving model to ${filepath}`);
  }
}
