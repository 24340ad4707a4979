/**
 * BackupAndRestore (Keras 3 semantics): fit() writes a backup of everything it needs to go on —
 * weights, optimizer state, random generators, epoch and batch, position in the shuffled data,
 * running loss and metrics, history — and a fit() that finds a backup continues from it, so an
 * interrupted run resumes exactly where it stopped and ends with the same weights as an
 * uninterrupted one. The backup is removed when training finishes (deleteCheckpoint), kept when
 * it was interrupted (model.interrupt(), Ctrl-C in `convkit train`).
 *
 * One file, `<backupDir>/backup.convkit`, written atomically (temp file, fsync, rename): a kill at
 * any moment leaves the previous backup or the new one, never a mixture.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FormatError, ValueError } from '../errors.js';
import { decodeConvkitFile, encodeConvkitFile, type StoredWeight } from '../io/convkit_format.js';
import { removeStaleTemps, writeFileAtomic } from '../io/atomic_write.js';
import { ensureWritableDir } from '../io/writable_dir.js';
import { modelToConfig } from '../io/model_config.js';
import { optimizerState, readState } from '../io/convkit_model.js';
import { restoreStateByName } from '../io/optimizer_state.js';
import type { Model } from '../models/model.js';
import type { FitSnapshot } from '../models/fit_progress.js';
import { getGlobalRandom, type RandomState } from '../tensor/random.js';
import { Callback, type Logs } from './callback.js';

export interface BackupAndRestoreArgs {
  /** Directory of the backup (created if missing). */
  backupDir?: string;
  backup_dir?: string;
  /** 'epoch' (default): after every epoch; N: every N batches; false: only when interrupted. */
  saveFreq?: 'epoch' | number | false;
  save_freq?: 'epoch' | number | false;
  /** Remove the backup when fit() completes (default true, as Keras). */
  deleteCheckpoint?: boolean;
  delete_checkpoint?: boolean;
  /** JSON data stored with the backup (e.g. the command line that started the run). */
  metadata?: Record<string, unknown>;
  /** 1: say when a run resumes from the backup. Default 0. */
  verbose?: number;
}

/** What a backup file's metadata holds besides the weights. */
interface BackupMeta {
  format: 'convkit-backup';
  version: 1;
  progress: FitSnapshot;
  /** The optimizer's state as convkit model files record it; its float32 tensors follow the model's weights. */
  optimizer: Record<string, unknown> | null;
  random: { global: RandomState; generators: RandomState[] };
  user: Record<string, unknown>;
  savedAt: string;
}

export const BACKUP_FILE = 'backup.convkit';

/** The file a BackupAndRestore with this backupDir reads and writes. */
export function backupPath(backupDir: string): string {
  return join(backupDir, BACKUP_FILE);
}

/** The user metadata of the backup in `backupDir`, or null when there is none. */
export async function readBackupMetadata(backupDir: string): Promise<Record<string, unknown> | null> {
  const path = backupPath(backupDir);
  if (!existsSync(path)) return null;
  const meta = decodeConvkitFile(await readFile(path), path).metadata?.backup as BackupMeta | undefined;
  if (!meta || meta.format !== 'convkit-backup') throw new FormatError(`${path} is a convkit file but not a training backup`);
  return meta.user ?? {};
}

export class BackupAndRestore extends Callback {
  readonly backupDir: string;
  readonly saveFreq: 'epoch' | number | false;
  readonly deleteCheckpoint: boolean;
  readonly metadata: Record<string, unknown>;
  readonly verbose: number;
  /** The epoch and batch the last fit() resumed from (null when it started afresh). */
  resumedFrom: { epoch: number; batch: number } | null = null;
  /** Where the last backup written would resume (null before the first save). */
  lastSaved: { epoch: number; batch: number } | null = null;
  private batchesSinceSave = 0;

  constructor(args: BackupAndRestoreArgs) {
    super();
    const dir = args?.backupDir ?? args?.backup_dir;
    if (typeof dir !== 'string' || dir.length === 0) throw new ValueError('BackupAndRestore: backupDir must be a non-empty directory path');
    const freq = args.saveFreq ?? args.save_freq ?? 'epoch';
    if (!(freq === 'epoch' || freq === false || (Number.isInteger(freq) && (freq as number) > 0))) {
      throw new ValueError(`BackupAndRestore: saveFreq must be 'epoch', a positive number of batches, or false; got ${JSON.stringify(freq)}`);
    }
    this.backupDir = dir;
    this.saveFreq = freq;
    this.deleteCheckpoint = args.deleteCheckpoint ?? args.delete_checkpoint ?? true;
    this.metadata = args.metadata ?? {};
    this.verbose = args.verbose ?? 0;
  }

  get path(): string {
    return backupPath(this.backupDir);
  }

  private requireModel(): Model {
    if (!this.model) throw new ValueError('BackupAndRestore: no model; pass the callback to fit()');
    return this.model;
  }

  override async onTrainBegin(): Promise<void> {
    this.batchesSinceSave = 0;
    this.resumedFrom = null;
    await ensureWritableDir(this.backupDir, 'BackupAndRestore');
    await removeStaleTemps(this.path);
    if (existsSync(this.path)) await this.restore();
  }

  override async onBatchEnd(): Promise<void> {
    if (typeof this.saveFreq !== 'number') return;
    this.batchesSinceSave += 1;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.save();
    }
  }

  override async onEpochEnd(_epoch: number, _logs?: Logs): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save();
  }

  override async onTrainEnd(): Promise<void> {
    const fit = this.model?.activeFit;
    if (fit?.interrupted) {
      await this.save();
      return;
    }
    if (this.deleteCheckpoint) {
      await rm(this.path, { force: true });
      await rmdir(this.backupDir).catch(() => undefined); // only if nothing else lives there
    }
  }

  /** Writes the backup now (fit() calls this through the hooks; exposed for tools and tests). */
  async save(): Promise<void> {
    const model = this.requireModel();
    const fit = model.activeFit;
    if (!fit) throw new ValueError('BackupAndRestore.save(): no fit() is running on this model');
    const weights: StoredWeight[] = model.weights.map((v) => ({ name: v.name, shape: [...v.shape], dtype: 'float32', data: Float32Array.from(v.values) }));
    const optimizer = model.compiled?.optimizer ?? null;
    const state = optimizer ? optimizerState(optimizer) : null;
    if (state) weights.push(...state.weights);
    const meta: BackupMeta = {
      format: 'convkit-backup',
      version: 1,
      progress: fit.snapshot(),
      optimizer: state?.record ?? null,
      random: { global: getGlobalRandom().getState(), generators: model.randomGenerators().map((g) => g.getState()) },
      user: this.metadata,
      savedAt: new Date().toISOString(),
    };
    let config: unknown = null;
    try {
      config = modelToConfig(model);
    } catch {
      // Subclassed models have no config; the backup only needs their weights.
    }
    await writeFileAtomic(this.path, encodeConvkitFile({ config, weights, metadata: { backup: meta } }));
    this.lastSaved = { epoch: meta.progress.epoch, batch: meta.progress.batch };
  }

  private async restore(): Promise<void> {
    const model = this.requireModel();
    const path = this.path;
    const file = decodeConvkitFile(await readFile(path), path);
    const meta = file.metadata?.backup as BackupMeta | undefined;
    if (!meta || meta.format !== 'convkit-backup' || meta.version !== 1) throw new FormatError(`${path} is not a convkit training backup`);
    const vars = model.weights;
    const stale = `; it belongs to another model or run: delete ${path} to start over`;
    const optimizer = model.compiled?.optimizer ?? null;
    const savedClass = meta.optimizer?.class_name;
    if (meta.optimizer && optimizer && savedClass !== optimizer.className) {
      throw new ValueError(`${path}: the backup was made with optimizer ${String(savedClass)} but the model is compiled with ${optimizer.className}${stale}`);
    }
    const modelCount = file.weights.findIndex((w) => w.name.startsWith('optimizer/'));
    const stored = modelCount < 0 ? file.weights.length : modelCount;
    if (stored !== vars.length) {
      throw new ValueError(`${path}: the backup holds ${stored} model weights, which does not fit model "${model.name}" (${vars.length} weights)${stale}`);
    }
    vars.forEach((v, i) => {
      const w = file.weights[i];
      if (w.shape.join() !== v.shape.join()) {
        throw new ValueError(`${path}: weight ${i} ("${w.name}") has shape (${w.shape.join(', ')}) but the model's "${v.name}" has (${v.shape.join(', ')})${stale}`);
      }
    });
    const state = meta.optimizer && optimizer ? readState(meta.optimizer, file.weights.slice(stored)) : null;
    if (typeof state === 'string') throw new FormatError(`${path}: ${state}`);
    const generators = model.randomGenerators();
    if (meta.random.generators.length !== generators.length) {
      throw new ValueError(`${path}: the backup holds ${meta.random.generators.length} random generator states but the model has ${generators.length} random layers${stale}`);
    }
    // Everything checked: now change state.
    vars.forEach((v, i) => v.assign(file.weights[i].data));
    if (state) restoreStateByName(model, state, path, { strict: true });
    generators.forEach((g, i) => g.setState(meta.random.generators[i]));
    getGlobalRandom().setState(meta.random.global);
    const fit = model.activeFit;
    if (fit) fit.resumeFrom = meta.progress;
    this.resumedFrom = { epoch: meta.progress.epoch, batch: meta.progress.batch };
    if (this.verbose > 0) console.log(`Resuming from the backup in ${this.backupDir}: epoch ${meta.progress.epoch + 1}, after batch ${meta.progress.batch} (saved ${meta.savedAt})`);
  }
}
