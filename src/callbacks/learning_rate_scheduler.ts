/**
 * LearningRateScheduler with Keras 3 semantics: at the start of every epoch the optimizer's rate
 * becomes `schedule(epoch, currentRate)` (epoch 0-based), and every epoch's logs get
 * `learning_rate`. A one-argument `schedule(epoch)` works too, as in Keras.
 */
import { ValueError } from '../errors.js';
import { OptionReader } from '../optimizers/options.js';
import { Callback, type Logs } from './callback.js';
import { optimizerWithSettableRate } from './optimizer_rate.js';
import { pyFloatRepr } from './py_format.js';

export type Schedule = (epoch: number, lr: number) => number;

export interface LearningRateSchedulerArgs {
  /** 1 prints the rate set at each epoch, as Keras does. Default 0. */
  verbose?: number;
}

const OWNER = 'LearningRateScheduler';

function show(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') return 'a Promise';
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v);
}

export class LearningRateScheduler extends Callback {
  readonly schedule: Schedule;
  readonly verbose: number;

  constructor(schedule: Schedule, args: LearningRateSchedulerArgs = {}) {
    super();
    if (typeof schedule !== 'function') throw new ValueError(`${OWNER}: schedule must be a function (epoch, lr) => newLr, got ${show(schedule)}`);
    const r = new OptionReader(OWNER, args);
    this.verbose = r.number(['verbose'], 0, { min: 0 });
    r.finish();
    this.schedule = schedule;
  }

  override onTrainBegin(): void {
    optimizerWithSettableRate(this.model, OWNER);
  }

  override onEpochBegin(epoch: number): void {
    const optimizer = optimizerWithSettableRate(this.model, OWNER);
    const lr = this.schedule(epoch, optimizer.currentLearningRate());
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new ValueError(`${OWNER}: the schedule returned ${show(lr)} for epoch ${epoch}; expected a finite number >= 0 (the new learning rate)`);
    }
    optimizer.learningRate = lr;
    if (this.verbose > 0) console.log(`\nEpoch ${epoch + 1}: ${OWNER} setting learning rate to ${pyFloatRepr(lr)}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    logs.learning_rate = optimizerWithSettableRate(this.model, OWNER).currentLearningRate();
  }
}
