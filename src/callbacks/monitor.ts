/**
 * What Keras 3's MonitorCallback does for ModelCheckpoint and ReduceLROnPlateau (and
 * EarlyStopping): decide whether a monitored value should go down or up, and whether a new value
 * improves on a reference.
 *
 * `mode: 'auto'` follows Keras 3, which decides from the model rather than from the name: `loss`
 * and `val_loss` are minimised; any other name must be a compiled metric (with or without `val_`)
 * whose direction is known: convkit's accuracy metrics go up, and a custom Metric may declare
 * `direction = 'up' | 'down'` (Keras's `_direction`). Anything else is an error asking for an
 * explicit mode, as in Keras. The decision is taken at the first epoch end, when the model is known.
 */
import { ValueError } from '../errors.js';
import {
  BinaryAccuracy, CategoricalAccuracy, getMetric, Metric, SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy,
} from '../metrics/index.js';
import type { Model } from '../models/model.js';
import { Callback } from './callback.js';

export type MonitorMode = 'auto' | 'min' | 'max';
export type Direction = 'min' | 'max';

export function checkMonitorMode(owner: string, mode: unknown): MonitorMode {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new ValueError(`${owner}: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
  return mode;
}

const RISING = [SparseCategoricalAccuracy, CategoricalAccuracy, BinaryAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy];

function metricDirection(m: Metric): Direction | null {
  const declared = (m as { direction?: unknown }).direction;
  if (declared === 'up') return 'max';
  if (declared === 'down') return 'min';
  return RISING.some((C) => m instanceof C) ? 'max' : null;
}

/** The compiled metrics as fit() will name them in the logs. */
function compiledMetrics(model: Model | null): Metric[] {
  const c = model?.compiled;
  if (!c) return [];
  const out: Metric[] = [];
  for (const spec of c.metrics) {
    try {
      out.push(getMetric(spec, c.loss));
    } catch {
      // compile() already rejected unknown names; nothing to learn from one here.
    }
  }
  return out;
}

/** Keras 3's rule for the direction of `monitor` (see the module comment). */
export function resolveDirection(owner: string, monitor: string, mode: MonitorMode, model: Model | null): Direction {
  if (mode !== 'auto') return mode;
  const name = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  let direction: Direction | null = name === 'loss' ? 'min' : null;
  const metrics = compiledMetrics(model);
  for (const m of metrics) {
    if (m.name !== name) continue;
    direction = metricDirection(m) ?? direction;
  }
  if (direction === null) {
    const known = metrics.map((m) => m.name);
    throw new ValueError(`${owner}: cannot tell whether monitor ${JSON.stringify(monitor)} should be minimized or maximized: it is not the loss${known.length ? ` nor a compiled metric with a known direction (compiled metrics: ${known.join(', ')})` : ' and the model has no compiled metrics'}. Pass mode: 'min' to use the lowest value or mode: 'max' to use the highest`);
  }
  return direction;
}

/** Base of the callbacks that watch one logged value (Keras's MonitorCallback). */
export class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  /** The best value so far; null until the first value (or the baseline) is known. */
  best: number | null;
  protected direction: Direction | null = null;

  constructor(protected readonly owner: string, monitor: string, mode: MonitorMode, baseline: number | null, minDelta: number) {
    super();
    this.monitor = monitor;
    this.mode = checkMonitorMode(owner, mode);
    this.best = baseline;
    this.minDelta = Math.abs(minDelta);
  }

  /** The direction, decided once (Keras delays it until the model's metrics exist). */
  protected monitorDirection(): Direction {
    this.direction ??= resolveDirection(this.owner, this.monitor, this.mode, this.model);
    return this.direction;
  }

  /** Whether `value` beats `reference` by more than minDelta; anything beats no reference. */
  protected isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.monitorDirection() === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }
}
