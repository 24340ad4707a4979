/**
 * ReduceLROnPlateau with Keras 3 semantics: after `patience` epochs without an improvement of
 * more than `minDelta` in `monitor`, multiply the optimizer's learning rate by `factor` (not below
 * `minLr`), then ignore `cooldown` epochs. Every epoch's logs get `learning_rate` (the rate used
 * during that epoch), so History-like callbacks after this one and CSVLogger record it.
 *
 * Keras's cooldown counting is kept as is: the epoch on which the counter reaches zero already
 * counts towards `patience` again.
 */
import { ValueError } from '../errors.js';
import { OptionReader } from '../optimizers/options.js';
import type { Logs } from './callback.js';
import { checkMonitorMode, MonitorCallback, type MonitorMode } from './monitor.js';
import { optimizerWithSettableRate } from './optimizer_rate.js';
import { pyFloatRepr } from './py_format.js';

export interface ReduceLROnPlateauArgs {
  /** Logged value to watch. Default 'val_loss'. */
  monitor?: string;
  /** new rate = rate · factor; must be below 1. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  verbose?: number;
  /** 'auto' (Keras 3: min for losses, max for accuracies), 'min' or 'max'. Default 'auto'. */
  mode?: MonitorMode;
  /** Smallest change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  min_delta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate. Default 0. */
  minLr?: number;
  min_lr?: number;
}

const OWNER = 'ReduceLROnPlateau';

export class ReduceLROnPlateau extends MonitorCallback {
  readonly factor: number;
  readonly patience: number;
  readonly verbose: number;
  readonly cooldown: number;
  readonly minLr: number;
  cooldownCounter = 0;
  wait = 0;
  private warned = false;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    const r = new OptionReader(OWNER, args);
    const monitor = r.string(['monitor'], 'val_loss');
    const factor = r.number(['factor'], 0.1, {});
    const patience = r.number(['patience'], 10, { min: 0 });
    const verbose = r.number(['verbose'], 0, { min: 0 });
    const mode = checkMonitorMode(OWNER, r.take('mode') ?? 'auto');
    const minDelta = r.number(['minDelta', 'min_delta'], 1e-4, {});
    const cooldown = r.number(['cooldown'], 0, { min: 0 });
    const minLr = r.number(['minLr', 'min_lr'], 0, { min: 0 });
    r.finish();
    if (factor >= 1) throw new ValueError(`${OWNER} does not support a factor >= 1.0. Received factor=${factor}; expected a factor in [0, 1), e.g. 0.1 or 0.5`);
    if (factor < 0) throw new ValueError(`${OWNER}: factor must be in [0, 1), got ${factor}`);
    super(OWNER, monitor, mode, null, minDelta);
    this.factor = factor;
    this.patience = patience;
    this.verbose = verbose;
    this.cooldown = cooldown;
    this.minLr = minLr;
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  override onTrainBegin(): void {
    optimizerWithSettableRate(this.model, OWNER);
    // As in Keras 3, `best` is kept across fit() calls; only the counters restart.
    this.cooldownCounter = 0;
    this.wait = 0;
    this.warned = false;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.monitorDirection();
    const optimizer = optimizerWithSettableRate(this.model, OWNER);
    logs.learning_rate = optimizer.currentLearningRate();
    const current = logs[this.monitor];
    if (current === undefined) {
      if (!this.warned) {
        this.warned = true;
        console.warn(`Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}.`);
      }
      return;
    }
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.inCooldown()) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const oldLr = optimizer.currentLearningRate();
    // Keras holds the rate in a float32 variable and compares it with float32(min_lr); comparing
    // the same float32 roundings stops the reductions at exactly the epoch Keras stops them.
    if (Math.fround(oldLr) > Math.fround(this.minLr)) {
      const newLr = Math.max(oldLr * this.factor, this.minLr);
      optimizer.learningRate = newLr;
      if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ${OWNER} reducing learning rate to ${pyFloatRepr(newLr)}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}
