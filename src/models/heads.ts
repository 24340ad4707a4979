/**
 * A model's outputs as training sees them ("heads"): each output's loss, loss weight and metrics,
 * resolved at compile time from Keras's forms — one loss for a single output, a list in output
 * order, or a dict by output-layer name — and how a batch's total loss and logs are formed from
 * them. A single-output model has one head and logs `loss`, `accuracy`… as before; with several
 * outputs the logs are Keras 3's: `loss` (the weighted total), `<output>_loss` per output, and
 * `<output>_<metric>`.
 */
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { getLoss, type Loss, type LossSpec } from '../losses/index.js';
import { getMetric, type Metric, type MetricSpec } from '../metrics/index.js';
import type { Logs } from '../callbacks/callback.js';
import type { Model } from './model.js';

export interface OutputHead {
  /** The output layer's name (Keras's output_names); '' for a single-output model's only head. */
  readonly name: string;
  /** null: this output has no loss (Keras's None in a loss list or dict). */
  readonly loss: Loss | null;
  readonly weight: number;
  readonly metrics: readonly MetricSpec[];
}

/** Names of the model's outputs: the layers that produce them (functional models). */
export function outputNames(model: Model): string[] {
  return model.outputs.map((t) => t.node.layer.name);
}

type PerOutput<T> = T | readonly T[] | Readonly<Record<string, T>>;

function perOutput<T>(value: PerOutput<T> | undefined, names: string[], what: string, isSingle: (v: unknown) => boolean, fallback: T): T[] {
  if (value === undefined) return names.map(() => fallback);
  if (isSingle(value)) return names.map(() => value as T);
  if (Array.isArray(value)) {
    if (value.length !== names.length) throw new ValueError(`compile(): ${what} has ${value.length} entries but the model has ${names.length} outputs (${names.join(', ')}); give one per output, in output order, or a dict by output name`);
    return [...value];
  }
  const dict = value as Record<string, T>;
  const unknown = Object.keys(dict).filter((k) => !names.includes(k));
  if (unknown.length > 0) throw new ValueError(`compile(): ${what} names ${unknown.map((k) => JSON.stringify(k)).join(', ')}, which ${unknown.length > 1 ? 'are not outputs' : 'is not an output'} of the model; its outputs are ${names.join(', ')}`);
  return names.map((n) => (n in dict ? dict[n] : fallback));
}

const isLossSpec = (v: unknown) => typeof v === 'string' || typeof v === 'function' || (typeof v === 'object' && v !== null && 'call' in v && 'name' in v);

/** The heads for `compile({loss, lossWeights, metrics})`. */
export function resolveHeads(model: Model, loss: PerOutput<LossSpec | null>, lossWeights: PerOutput<number> | undefined, metrics: PerOutput<MetricSpec[]> | MetricSpec[] | undefined): OutputHead[] {
  const names = model.isFunctional ? outputNames(model) : [''];
  if (names.length === 1) {
    const single = Array.isArray(loss) ? loss[0] : isLossSpec(loss) ? loss : Object.values(loss as Record<string, LossSpec>)[0];
    if (single === undefined || single === null) throw new ValueError('compile(): the model\'s only output needs a loss');
    const weight = typeof lossWeights === 'number' ? lossWeights : Array.isArray(lossWeights) ? lossWeights[0] ?? 1 : 1;
    const m = metrics === undefined ? [] : Array.isArray(metrics) && metrics.every((e) => !Array.isArray(e)) ? metrics as MetricSpec[] : perOutput(metrics as PerOutput<MetricSpec[]>, names, 'metrics', () => false, [])[0];
    return [{ name: '', loss: getLoss(single as LossSpec), weight, metrics: m }];
  }
  const losses = perOutput<LossSpec | null>(loss, names, 'loss', isLossSpec, null);
  const weights = perOutput<number>(lossWeights, names, 'lossWeights', (v) => typeof v === 'number', 1);
  // A flat list of metrics applies to every output; a list of lists or a dict is per output.
  const flat = Array.isArray(metrics) && metrics.every((e) => !Array.isArray(e));
  const perMetrics = flat ? names.map(() => metrics as MetricSpec[]) : perOutput<MetricSpec[]>(metrics as PerOutput<MetricSpec[]> | undefined, names, 'metrics', () => false, []);
  const heads = names.map((name, i) => {
    const w = weights[i];
    if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0)) throw new ValueError(`compile(): lossWeights for output ${name} must be a finite number >= 0, got ${String(w)}`);
    return { name, loss: losses[i] === null || losses[i] === undefined ? null : getLoss(losses[i] as LossSpec), weight: w, metrics: perMetrics[i] ?? [] };
  });
  if (heads.every((h) => h.loss === null)) throw new ValueError('compile(): at least one output needs a loss');
  return heads;
}

/** The weighted total loss of a batch, and each head's own (unweighted) loss. */
export function headLosses(heads: readonly OutputHead[], ys: readonly Tensor[], preds: readonly Tensor[], w: Tensor | undefined): { total: Tensor; parts: (Tensor | null)[] } {
  let total: Tensor | null = null;
  const parts = heads.map((h, i) => {
    if (!h.loss) return null;
    const l = h.loss.apply(ys[i], preds[i], w);
    const weighted = h.weight === 1 ? l : ops.mul(l, h.weight);
    total = total === null ? weighted : ops.add(total, weighted);
    return l;
  });
  return { total: total as unknown as Tensor, parts };
}

/** Each head's metrics, resolved against that output's shapes, flattened in head order. */
export function makeHeadMetrics(model: Model, heads: readonly OutputHead[], shapes: readonly { yTrue: readonly number[]; yPred: readonly number[] }[]): Metric[][] {
  return heads.map((h, i) => h.metrics.map((m) => getMetric(m, h.loss, { yTrue: shapes[i].yTrue, yPred: shapes[i].yPred })));
}

/** Keras's logs: `loss` (and per-output losses and prefixed metrics with several outputs). */
export function headLogs(heads: readonly OutputHead[], loss: number, partMeans: readonly number[], metrics: readonly Metric[][], prefix = ''): Logs {
  const logs: Logs = { [`${prefix}loss`]: loss };
  if (heads.length === 1) {
    for (const m of metrics[0] ?? []) logs[`${prefix}${m.name}`] = m.result();
    return logs;
  }
  heads.forEach((h, i) => {
    if (h.loss) logs[`${prefix}${h.name}_loss`] = partMeans[i];
  });
  heads.forEach((h, i) => {
    for (const m of metrics[i] ?? []) logs[`${prefix}${h.name}_${m.name}`] = m.result();
  });
  return logs;
}

/**
 * The compile settings of the heads as Keras files write them: a single output's loss name and
 * metric list, or with several outputs dicts by output name (and loss_weights).
 */
export function headsCompileConfig(heads: readonly OutputHead[], metricName: (m: MetricSpec) => unknown): { loss: unknown; loss_weights: unknown; metrics: unknown } {
  if (heads.length === 1) return { loss: heads[0].loss?.name ?? null, loss_weights: null, metrics: heads[0].metrics.map(metricName) };
  return {
    loss: Object.fromEntries(heads.map((h) => [h.name, h.loss?.name ?? null])),
    loss_weights: heads.every((h) => h.weight === 1) ? null : Object.fromEntries(heads.map((h) => [h.name, h.weight])),
    metrics: Object.fromEntries(heads.map((h) => [h.name, h.metrics.map(metricName)])),
  };
}
