/**
 * A Keras file's compile settings (Keras 2's `training_config`, Keras 3's `compile_config`) ⇄
 * convkit's compile arguments, so a loaded model can evaluate and keep training.
 *
 * Keras writes optimizer configs with bookkeeping convkit has no use for (`jit_compile`,
 * `is_legacy_optimizer`), Keras 2's `lr`/`decay` spellings, and `Custom>Adam` class names (tf.keras
 * 2.11+); metrics may be nested per-output lists of MeanMetricWrapper objects.
 */
import { FormatError } from '../../errors.js';
import { getLoss, type LossSpec } from '../../losses/index.js';
import { CategoricalCrossentropy, BinaryCrossentropy, SparseCategoricalCrossentropy } from '../../losses/index.js';
import type { Model } from '../../models/model.js';
import { headsCompileConfig } from '../../models/heads.js';
import { getOptimizer, serializeOptimizer, type Optimizer } from '../../optimizers/index.js';

type Json = Record<string, unknown>;

/** Optimizer keys Keras writes that describe how Keras ran, not what the optimizer computes. */
const IGNORED_OPTIMIZER_KEYS = new Set(['jit_compile', 'is_legacy_optimizer', 'mesh']);

function optimizerFromKeras(spec: unknown): Optimizer {
  if (typeof spec === 'string') return getOptimizer(spec);
  if (!spec || typeof spec !== 'object') throw new FormatError(`the optimizer entry is ${JSON.stringify(spec)}, not a {class_name, config} object`);
  const s = spec as { class_name?: unknown; config?: unknown };
  const className = String(s.class_name ?? '').replace(/^Custom>/, '');
  const config: Json = {};
  for (const [k, v] of Object.entries((s.config ?? {}) as Json)) {
    if (IGNORED_OPTIMIZER_KEYS.has(k)) continue;
    if (k === 'lr') config.learning_rate = v;
    else if (k === 'decay' && className === 'Nadam') {
      // Keras 2's Nadam stores its momentum-schedule constant (schedule_decay, 0.004) as `decay`;
      // Keras 3 ignores it and continues with its own schedule (0.96^t), and so does convkit.
      if (v !== 0 && v !== null) process.emitWarning(`the file's Keras 2 Nadam has schedule_decay = ${String(v)} (momentum schedule 0.96^(${String(v)}·t)); it continues as Keras 3's Nadam (0.96^t), as Keras 3 does`, { code: 'CONVKIT_NADAM_SCHEDULE' });
    } else if (k === 'decay') {
      // Keras 2's per-step inverse-time decay of the learning rate; 0 means off.
      if (v !== 0 && v !== null) throw new FormatError(`the optimizer uses Keras 2's decay = ${String(v)}, which convkit does not support; compile with a learning-rate schedule instead`);
    } else config[k] = v;
  }
  return getOptimizer({ class_name: className, config });
}

function lossFromKeras(loss: unknown): LossSpec {
  if (typeof loss === 'string') return loss;
  if (loss && typeof loss === 'object' && !Array.isArray(loss) && typeof (loss as Json).class_name === 'string') {
    const l = loss as { class_name: string; config?: Json };
    const c = l.config ?? {};
    const fromLogits = c.from_logits === true;
    const smoothing = typeof c.label_smoothing === 'number' ? c.label_smoothing : 0;
    switch (l.class_name) {
      case 'CategoricalCrossentropy': return new CategoricalCrossentropy({ fromLogits, labelSmoothing: smoothing });
      case 'SparseCategoricalCrossentropy': return new SparseCategoricalCrossentropy({ fromLogits });
      case 'BinaryCrossentropy':
        if (smoothing !== 0) break;
        return new BinaryCrossentropy({ fromLogits });
      default:
        return getLoss(l.class_name);
    }
  }
  throw new FormatError(`the loss ${JSON.stringify(loss).slice(0, 200)} is not one convkit can rebuild (one loss by name or {class_name, config})`);
}

/** Metric entries → metric names: flattens Keras 2's per-output lists and reads MeanMetricWrapper's fn. */
function metricNames(metrics: unknown): string[] {
  if (metrics === null || metrics === undefined) return [];
  const out: string[] = [];
  const visit = (m: unknown) => {
    if (Array.isArray(m)) m.forEach(visit);
    else if (typeof m === 'string') out.push(m);
    else if (m && typeof m === 'object') {
      const c = ((m as Json).config ?? {}) as Json;
      const name = typeof c.fn === 'string' ? c.fn : typeof c.name === 'string' ? c.name : (m as Json).class_name;
      if (typeof name !== 'string') throw new FormatError(`a metric entry ${JSON.stringify(m).slice(0, 200)} names no metric`);
      out.push(name);
    } else throw new FormatError(`a metric entry ${JSON.stringify(m)} is neither a name nor a metric object`);
  };
  visit(metrics);
  return out;
}

/**
 * Compiles `model` as the file's training config says. A config convkit cannot follow leaves the
 * model uncompiled with a warning rather than failing the load: the weights are still good.
 */
export function compileFromKeras(model: Model, trainingConfig: unknown, source: string): boolean {
  if (!trainingConfig || typeof trainingConfig !== 'object') return false;
  const tc = trainingConfig as Json;
  try {
    const optimizer = optimizerFromKeras(tc.optimizer_config ?? tc.optimizer);
    if (tc.loss === undefined || tc.loss === null) throw new FormatError('the training config has no loss');
    if (model.outputs.length > 1) {
      // Several outputs: Keras writes a loss (and loss_weights, metrics) per output, as a list in output order or a dict by output name.
      const each = <T>(v: unknown, f: (x: unknown) => T): T[] | Record<string, T> | undefined =>
        v === null || v === undefined ? undefined
          : Array.isArray(v) ? v.map(f)
            : typeof v === 'object' && !('class_name' in (v as Json)) ? Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, f(x)])) : undefined;
      const loss = each(tc.loss, (l) => (l === null ? null : lossFromKeras(l))) ?? lossFromKeras(tc.loss);
      const lossWeights = each(tc.loss_weights, (w) => Number(w));
      const metrics = Array.isArray(tc.metrics) && !tc.metrics.every(Array.isArray) ? metricNames(tc.metrics) : each(tc.metrics, metricNames);
      model.compile({ optimizer, loss: loss as never, lossWeights: lossWeights as never, metrics: metrics as never });
      return true;
    }
    const loss = lossFromKeras(tc.loss);
    model.compile({ optimizer, loss, metrics: metricNames(tc.metrics) });
    return true;
  } catch (e) {
    process.emitWarning(`${source}: loaded the model without compiling it: ${(e as Error).message}. Call model.compile() before fit/evaluate`, { code: 'CONVKIT_UNCOMPILED' });
    return false;
  }
}

function metricName(m: unknown): string {
  return typeof m === 'string' ? m : (m as { name: string }).name;
}

/** The model's compile settings in Keras 2's `training_config` form, or null if not compiled. */
export function keras2TrainingConfig(model: Model): Json | null {
  const c = model.compiled;
  if (!c) return null;
  const heads = headsCompileConfig(c.heads, metricName);
  return {
    loss: heads.loss,
    metrics: heads.metrics,
    weighted_metrics: null,
    loss_weights: heads.loss_weights,
    optimizer_config: serializeOptimizer(c.optimizer),
  };
}

/** The model's compile settings in Keras 3's `compile_config` form, or null if not compiled. */
export function keras3CompileConfig(model: Model): Json | null {
  const c = model.compiled;
  if (!c) return null;
  const opt = serializeOptimizer(c.optimizer);
  return {
    optimizer: { module: 'keras.optimizers', class_name: opt.class_name, config: opt.config, registered_name: null },
    ...headsCompileConfig(c.heads, metricName),
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: false,
  };
}
