/** Keras callback hooks. Hooks may be sync or async; fit awaits each one. */
import type { Model } from '../models/model.js';

export type Logs = Record<string, number>;

export interface TrainingParams {
  epochs: number;
  steps: number;
  verbose: number;
  batchSize?: number;
  samples?: number;
}

export class Callback {
  model: Model | null = null;
  params: TrainingParams = { epochs: 0, steps: 0, verbose: 0 };

  setModel(model: Model): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }

  onTrainBegin(logs?: Logs): void | Promise<void> { void logs; }
  onTrainEnd(logs?: Logs): void | Promise<void> { void logs; }
  onEpochBegin(epoch: number, logs?: Logs): void | Promise<void> { void epoch; void logs; }
  onEpochEnd(epoch: number, logs?: Logs): void | Promise<void> { void epoch; void logs; }
  onBatchBegin(batch: number, logs?: Logs): void | Promise<void> { void batch; void logs; }
  onBatchEnd(batch: number, logs?: Logs): void | Promise<void> { void batch; void logs; }
  onTestBegin(logs?: Logs): void | Promise<void> { void logs; }
  onTestEnd(logs?: Logs): void | Promise<void> { void logs; }
}

type Hook = 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd' | 'onTestBegin' | 'onTestEnd';

/** Calls each hook on every callback in order. */
export class CallbackList {
  constructor(readonly callbacks: Callback[]) {}

  configure(model: Model, params: TrainingParams): void {
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async call(hook: Hook, ...args: [number, Logs?] | [Logs?]): Promise<void> {
    for (const c of this.callbacks) {
      const fn = c[hook] as (...a: unknown[]) => void | Promise<void>;
      const r = fn.apply(c, args);
      if (r && typeof (r as Promise<void>).then === 'function') await r;
    }
  }
}
