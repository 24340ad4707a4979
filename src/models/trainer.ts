/** compile / fit / evaluate / predict / trainOnBatch for every kind of Model. */
import { ShapeError, ValueError } from '../errors.js';
import { noGrad, valueAndGrads } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import { tensor, type TensorLike } from '../ops/creation.js';
import { getGlobalRandom, Random } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { withTraining } from '../layers/layer.js';
import { getOptimizer, type Optimizer } from '../optimizers/index.js';
import { getLoss, type LossSpec, SparseCategoricalCrossentropy, sparseLabels } from '../losses/index.js';
import { getMetric, type Metric, type MetricSpec } from '../metrics/index.js';
import { Callback, CallbackList, type Logs } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { ProgbarLogger } from '../callbacks/progbar.js';
import type { Model } from './model.js';

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: LossSpec;
  metrics?: MetricSpec[];
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  validationData?: [Tensor | TensorLike, Tensor | TensorLike];
  shuffle?: boolean;
  callbacks?: Callback[];
  /** 0 = silent, 1 = progress bar, 2 = one line per epoch; 'auto' = 1. */
  verbose?: 0 | 1 | 2 | 'auto';
  initialEpoch?: number;
  /** Seed for shuffling (defaults to the global generator). */
  seed?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 2 | 'auto';
}

export interface PredictArgs {
  batchSize?: number;
}

function toTensor(v: Tensor | TensorLike, what: string): Tensor {
  if (v instanceof Tensor) return v;
  try {
    return tensor(v);
  } catch (e) {
    throw new ValueError(`${what}: ${(e as Error).message}`);
  }
}

function checkFinite(t: Tensor, what: string): void {
  const v = t.values;
  // Fast scan: v·0 is 0 for finite v and NaN for NaN/±∞, so the sums stay 0 exactly when all are finite.
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = v.length - (v.length % 4);
  for (let i = 0; i < n4; i += 4) {
    s0 += v[i] * 0; s1 += v[i + 1] * 0; s2 += v[i + 2] * 0; s3 += v[i + 3] * 0;
  }
  for (let i = n4; i < v.length; i++) s0 += v[i] * 0;
  if (s0 + s1 + s2 + s3 === 0) return;
  const per = t.size / Math.max(1, t.shape[0]);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      throw new ValueError(`${what} contains ${Number.isNaN(v[i]) ? 'NaN' : 'an infinite value'} at sample ${Math.floor(i / per)} (flat index ${i}); clean or impute the data before training`);
    }
  }
}

/** Check every integer label up front, so the message points at the sample in the caller's data. */
function checkLabels(model: Model, x: Tensor, y: Tensor, what: string): void {
  const loss = model.compiled?.loss;
  if (!(loss instanceof SparseCategoricalCrossentropy)) return;
  const out = model.computeOutputShapeSafe([null, ...x.shape.slice(1)]);
  const classes = out?.[out.length - 1];
  if (typeof classes === 'number') sparseLabels(y, classes, what);
}

function checkSamples(x: Tensor, y: Tensor): void {
  if (x.rank === 0 || y.rank === 0) throw new ShapeError('x and y must have a leading batch dimension');
  if (x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`x and y must have the same number of samples: x has ${x.shape[0]} (shape (${x.shape.join(', ')})), y has ${y.shape[0]} (shape (${y.shape.join(', ')}))`);
  }
}

export function compileModel(model: Model, args: CompileArgs): void {
  if (!args || args.optimizer === undefined || args.loss === undefined) throw new ValueError('compile() needs { optimizer, loss } (and optionally metrics)');
  model.compiled = { optimizer: getOptimizer(args.optimizer), loss: getLoss(args.loss), metrics: args.metrics ?? [] };
  // Resolve names now so a typo fails at compile time, not mid-training.
  for (const m of model.compiled.metrics) getMetric(m, model.compiled.loss);
}

function requireCompiled(model: Model, what: string) {
  if (!model.compiled) throw new ValueError(`You must call compile() on model "${model.name}" before ${what}()`);
  return model.compiled;
}

function forward(model: Model, x: Tensor, training: boolean): Tensor {
  const out = withTraining(training, () => model.apply(x, { training }));
  if (Array.isArray(out)) throw new ValueError(`Model "${model.name}" has several outputs; multi-output training is not supported yet`);
  return out as Tensor;
}

interface Step {
  loss: number;
}

/** One optimisation step; updates `metrics` with the batch's predictions. */
function trainStep(model: Model, x: Tensor, y: Tensor, metrics: Metric[]): Step {
  const { optimizer, loss } = requireCompiled(model, 'fit');
  const vars = model.trainableWeights;
  let pred: Tensor | null = null;
  const { value, grads } = valueAndGrads(() => {
    pred = forward(model, x, true);
    let l = loss.apply(y, pred);
    for (const r of model.regularizationLosses()) l = ops.add(l, r);
    return l;
  }, vars);
  noGrad(() => optimizer.applyGradients(vars.map((v, i) => [grads[i], v])));
  for (const m of metrics) m.update(y, pred as unknown as Tensor);
  return { loss: value.item() };
}

function makeMetrics(model: Model, y: Tensor, yPredShape: readonly number[]): Metric[] {
  const c = requireCompiled(model, 'fit');
  return c.metrics.map((m) => getMetric(m, c.loss, { yTrue: y.shape, yPred: yPredShape }));
}

function batches(n: number, batchSize: number, order: Int32Array | null): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < n; s += batchSize) {
    const idx: number[] = [];
    for (let i = s; i < Math.min(n, s + batchSize); i++) idx.push(order ? order[i] : i);
    out.push(idx);
  }
  return out;
}

function take(t: Tensor, idx: number[], contiguousFrom: number | null): Tensor {
  if (contiguousFrom !== null) return ops.slice(t, [contiguousFrom, ...t.shape.slice(1).map(() => 0)], [idx.length, ...t.shape.slice(1)]);
  return ops.gather(t, idx, 0);
}

function verbosity(v: FitArgs['verbose']): 0 | 1 | 2 {
  return v === undefined || v === 'auto' ? 1 : v;
}

function checkBatchSize(b: number): void {
  if (!Number.isInteger(b) || b <= 0) throw new ValueError(`batchSize must be a positive integer, got ${b}`);
}

/** Loss then metrics, as Keras logs them. */
function logsFrom(lossMean: number, metrics: Metric[], prefix = ''): Logs {
  const logs: Logs = { [`${prefix}loss`]: lossMean };
  for (const m of metrics) logs[`${prefix}${m.name}`] = m.result();
  return logs;
}

export async function fitModel(model: Model, xIn: Tensor | TensorLike, yIn: Tensor | TensorLike, args: FitArgs): Promise<History> {
  requireCompiled(model, 'fit');
  let x = toTensor(xIn, 'fit(): x');
  let y = toTensor(yIn, 'fit(): y');
  checkSamples(x, y);
  checkFinite(x, 'fit(): x');
  checkFinite(y, 'fit(): y');
  checkLabels(model, x, y, 'fit(): y');
  const epochs = args.epochs ?? 1;
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`epochs must be a non-negative integer, got ${epochs}`);
  let valX: Tensor | null = null;
  let valY: Tensor | null = null;
  if (args.validationData) {
    valX = toTensor(args.validationData[0], 'fit(): validationData x');
    valY = toTensor(args.validationData[1], 'fit(): validationData y');
    checkSamples(valX, valY);
    checkFinite(valX, 'fit(): validationData x');
  } else if (args.validationSplit) {
    const split = args.validationSplit;
    if (!(split > 0 && split < 1)) throw new ValueError(`validationSplit must be in (0, 1), got ${split}`);
    // Keras takes the last fraction of the samples, before any shuffling.
    const at = Math.floor(x.shape[0] * (1 - split));
    if (at === 0 || at === x.shape[0]) throw new ValueError(`validationSplit ${split} leaves no ${at === 0 ? 'training' : 'validation'} samples out of ${x.shape[0]}`);
    valX = ops.slice(x, [at, ...x.shape.slice(1).map(() => 0)], [x.shape[0] - at, ...x.shape.slice(1)]);
    valY = ops.slice(y, [at, ...y.shape.slice(1).map(() => 0)], [y.shape[0] - at, ...y.shape.slice(1)]);
    x = ops.slice(x, x.shape.map(() => 0), [at, ...x.shape.slice(1)]);
    y = ops.slice(y, y.shape.map(() => 0), [at, ...y.shape.slice(1)]);
  }
  const n = x.shape[0];
  const steps = Math.ceil(n / batchSize);
  const verbose = verbosity(args.verbose);
  const history = new History();
  const cbs: Callback[] = [history, ...(args.callbacks ?? [])];
  if (verbose > 0) cbs.push(new ProgbarLogger());
  const list = new CallbackList(cbs);
  list.configure(model, { epochs, steps, verbose, batchSize, samples: n });
  const rng = args.seed !== undefined ? new Random(args.seed) : new Random(getGlobalRandom().nextUint32());
  const shuffle = args.shuffle ?? true;
  model.stopTraining = false;
  let warnedNaN = false;

  await list.call('onTrainBegin', {});
  for (let epoch = args.initialEpoch ?? 0; epoch < epochs; epoch++) {
    await list.call('onEpochBegin', epoch, {});
    const order = shuffle ? rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)) : null;
    let metrics: Metric[] | null = null;
    let lossSum = 0;
    let seen = 0;
    const plan = batches(n, batchSize, order);
    for (let b = 0; b < plan.length; b++) {
      await list.call('onBatchBegin', b, {});
      const idx = plan[b];
      const xb = take(x, idx, order ? null : idx[0]);
      const yb = take(y, idx, order ? null : idx[0]);
      if (!metrics) metrics = makeMetrics(model, yb, forwardShape(model, xb));
      const step = trainStep(model, xb, yb, metrics);
      lossSum += step.loss * idx.length;
      seen += idx.length;
      if (!Number.isFinite(step.loss) && !warnedNaN) {
        warnedNaN = true;
        console.warn(`convkit: the loss became ${step.loss} at epoch ${epoch + 1}, batch ${b + 1}; add callbacks.terminateOnNaN() to stop, or lower the learning rate`);
      }
      await list.call('onBatchEnd', b, logsFrom(lossSum / seen, metrics));
      if (model.stopTraining) break;
    }
    const logs = logsFrom(seen ? lossSum / seen : NaN, metrics ?? []);
    if (valX && valY) {
      const valLogs = evaluateLogs(model, valX, valY, batchSize);
      for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
    }
    await list.call('onEpochEnd', epoch, logs);
    if (model.stopTraining) break;
  }
  await list.call('onTrainEnd', {});
  return history;
}

/** The output shape for a batch, without running the model (for metric resolution). */
function forwardShape(model: Model, xb: Tensor): number[] {
  const s = model.computeOutputShapeSafe([null, ...xb.shape.slice(1)]);
  return s ? s.map((d) => d ?? xb.shape[0]) : [xb.shape[0], 1];
}

function evaluateLogs(model: Model, xIn: Tensor, yIn: Tensor, batchSize: number): Logs {
  const { loss } = requireCompiled(model, 'evaluate');
  let metrics: Metric[] | null = null;
  let lossSum = 0;
  const n = xIn.shape[0];
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) {
      const m = Math.min(batchSize, n - s);
      const xb = ops.slice(xIn, [s, ...xIn.shape.slice(1).map(() => 0)], [m, ...xIn.shape.slice(1)]);
      const yb = ops.slice(yIn, [s, ...yIn.shape.slice(1).map(() => 0)], [m, ...yIn.shape.slice(1)]);
      const pred = forward(model, xb, false);
      metrics ??= makeMetrics(model, yb, pred.shape);
      let l = loss.apply(yb, pred);
      for (const r of model.regularizationLosses()) l = ops.add(l, r);
      lossSum += l.item() * m;
      for (const mt of metrics) mt.update(yb, pred);
    }
  });
  return logsFrom(lossSum / n, metrics ?? []);
}

/** [loss, ...metrics] over the whole data set (Keras's evaluate). */
export function evaluateModel(model: Model, xIn: Tensor | TensorLike, yIn: Tensor | TensorLike, args: EvaluateArgs): number[] {
  requireCompiled(model, 'evaluate');
  const x = toTensor(xIn, 'evaluate(): x');
  const y = toTensor(yIn, 'evaluate(): y');
  checkSamples(x, y);
  checkFinite(x, 'evaluate(): x');
  checkLabels(model, x, y, 'evaluate(): y');
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  const logs = evaluateLogs(model, x, y, batchSize);
  return Object.values(logs);
}

/** Outputs for every sample, computed in batches without recording gradients. */
export function predictModel(model: Model, xIn: Tensor | TensorLike, args: PredictArgs): Tensor {
  const x = toTensor(xIn, 'predict(): x');
  checkFinite(x, 'predict(): x');
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  const n = x.shape[0];
  if (n === 0) throw new ValueError('predict(): x has no samples');
  const parts: Tensor[] = [];
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) {
      const m = Math.min(batchSize, n - s);
      const xb = m === n ? x : ops.slice(x, [s, ...x.shape.slice(1).map(() => 0)], [m, ...x.shape.slice(1)]);
      parts.push(forward(model, xb, false));
    }
  });
  return parts.length === 1 ? parts[0] : ops.concat(parts, 0);
}

/** One gradient step on one batch; returns [loss, ...metrics] for that batch. */
export function trainOnBatch(model: Model, xIn: Tensor | TensorLike, yIn: Tensor | TensorLike): number[] {
  const x = toTensor(xIn, 'trainOnBatch(): x');
  const y = toTensor(yIn, 'trainOnBatch(): y');
  checkSamples(x, y);
  checkFinite(x, 'trainOnBatch(): x');
  checkLabels(model, x, y, 'trainOnBatch(): y');
  const metrics = makeMetrics(model, y, forwardShape(model, x));
  const step = trainStep(model, x, y, metrics);
  return [step.loss, ...metrics.map((m) => m.result())];
}
