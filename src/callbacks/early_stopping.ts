/** EarlyStopping (Keras 3 semantics: monitor, min_delta, patience, mode, baseline, restore_best_weights, start_from_epoch). */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Callback, type Logs } from './callback.js';
import { resolveDirection } from './monitor.js';
import type { Model } from '../models/model.js';
import type { StepFault } from '../models/step_fault.js';

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  verbose?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number | null;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/**
 * Keras 3's rule for 'auto' (see monitor.ts): the loss is minimised, a compiled metric goes its
 * known direction (accuracies up), anything else needs an explicit mode.
 */
export function monitorDirection(monitor: string, mode: 'auto' | 'min' | 'max', model: Model | null = null): 'min' | 'max' {
  return resolveDirection('EarlyStopping', monitor, mode, model);
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  /** The mode as given; for 'auto' the direction comes from the model when training begins. */
  readonly requestedMode: 'auto' | 'min' | 'max';
  private direction: 'min' | 'max' | null = null;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  wait = 0;
  stoppedEpoch = 0;
  best = Infinity;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;
  private warned = false;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.baseline = args.baseline ?? null;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    const mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) throw new ValueError(`EarlyStopping: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.requestedMode = mode;
    this.minDelta = Math.abs(args.minDelta ?? 0);
    if (!(this.patience >= 0)) throw new ValueError(`EarlyStopping: patience must be >= 0, got ${args.patience}`);
  }

  /** 'min' or 'max', decided once from the model (Keras 3 waits for the model's metrics too). */
  get mode(): 'min' | 'max' {
    this.direction ??= monitorDirection(this.monitor, this.requestedMode, this.model);
    return this.direction;
  }

  private isImprovement(value: number, reference: number): boolean {
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      if (!this.warned) {
        this.warned = true;
        console.warn(`Early stopping conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}`);
      }
      return;
    }
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model?.getWeights() ?? null;
    if (epoch < this.startFromEpoch) return;
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model?.getWeights() ?? null;
      if (this.baseline === null || this.isImprovement(current, this.baseline)) {
        this.wait = 0;
        return;
      }
    }
    if (this.wait >= this.patience && epoch > 0 && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights && this.model) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
    }
  }
}

/**
 * Stops training at the first batch whose loss or gradients are not finite. fit() never applies
 * such a batch's update, so the model keeps the weights of the last good batch; `fault` says
 * where the bad values began (epoch, batch, and the layer).
 */
export class TerminateOnNaN extends Callback {
  fault: StepFault | null = null;

  override onBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    const fault = this.model?.activeFit?.fault ?? null;
    if (!fault && (loss === undefined || Number.isFinite(loss))) return;
    this.fault = fault;
    console.log(fault ? `Batch ${batch}: Invalid loss, terminating training. ${fault.message}` : `Batch ${batch}: Invalid loss, terminating training`);
    if (this.model) this.model.stopTraining = true;
  }
}
