/** compile / fit / evaluate / predict / trainOnBatch for every kind of Model. */
import { ValueError } from '../errors.js';
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
import { type Batch, type BatchSource, isBatchSource } from '../data/batch_source.js';
import { type Feed, checkFinite, checkSamples, sourceFeed, tensorFeed } from './feed.js';

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: LossSpec;
  metrics?: MetricSpec[];
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  validationData?: [Tensor | TensorLike, Tensor | TensorLike] | BatchSource;
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

/** Check every integer label up front, so the message points at the sample in the caller's data. */
function checkLabels(model: Model, x: Tensor, y: Tensor, what: string): void {
  const loss = model.compiled?.loss;
  if (!(loss instanceof SparseCategoricalCrossentropy)) return;
  const out = model.computeOutputShapeSafe([null, ...x.shape.slice(1)]);
  const classes = out?.[out.length - 1];
  if (typeof classes === 'number') sparseLabels(y, classes, what);
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

export type FitData = Tensor | TensorLike | BatchSource;

/** Training from in-memory tensors (x, y) or from a BatchSource (x alone, yielding [x, y] batches). */
export async function fitModel(model: Model, xIn: FitData, yIn: Tensor | TensorLike | undefined, args: FitArgs): Promise<History> {
  requireCompiled(model, 'fit');
  const epochs = args.epochs ?? 1;
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`epochs must be a non-negative integer, got ${epochs}`);
  const rng = args.seed !== undefined ? new Random(args.seed) : new Random(getGlobalRandom().nextUint32());
  let train: Feed;
  let val: Feed | null = null;
  if (isBatchSource(xIn)) {
    if (yIn !== undefined) throw new ValueError('fit(): when x is a batch source (a generator\'s flow(), a directory dataset), do not pass y: the source yields [x, y] batches');
    if (args.validationSplit) throw new ValueError('fit(): validationSplit needs in-memory arrays; with a batch source pass validationData (arrays or another source)');
    train = sourceFeed(xIn, 'fit(): x');
  } else {
    if (yIn === undefined) throw new ValueError('fit(): y is missing; pass labels, or a batch source as x');
    let x = toTensor(xIn, 'fit(): x');
    let y = toTensor(yIn, 'fit(): y');
    checkSamples(x, y);
    checkFinite(x, 'fit(): x');
    checkFinite(y, 'fit(): y');
    checkLabels(model, x, y, 'fit(): y');
    if (args.validationSplit && !args.validationData) {
      const split = args.validationSplit;
      if (!(split > 0 && split < 1)) throw new ValueError(`validationSplit must be in (0, 1), got ${split}`);
      // Keras takes the last fraction of the samples, before any shuffling.
      const at = Math.floor(x.shape[0] * (1 - split));
      if (at === 0 || at === x.shape[0]) throw new ValueError(`validationSplit ${split} leaves no ${at === 0 ? 'training' : 'validation'} samples out of ${x.shape[0]}`);
      const valX = ops.slice(x, [at, ...x.shape.slice(1).map(() => 0)], [x.shape[0] - at, ...x.shape.slice(1)]);
      const valY = ops.slice(y, [at, ...y.shape.slice(1).map(() => 0)], [y.shape[0] - at, ...y.shape.slice(1)]);
      val = tensorFeed(valX, valY, batchSize, null);
      x = ops.slice(x, x.shape.map(() => 0), [at, ...x.shape.slice(1)]);
      y = ops.slice(y, y.shape.map(() => 0), [at, ...y.shape.slice(1)]);
    }
    train = tensorFeed(x, y, batchSize, (args.shuffle ?? true) ? rng : null);
  }
  if (args.validationData) {
    const vd = args.validationData;
    if (isBatchSource(vd)) val = sourceFeed(vd, 'fit(): validationData');
    else {
      const valX = toTensor(vd[0], 'fit(): validationData x');
      const valY = toTensor(vd[1], 'fit(): validationData y');
      checkSamples(valX, valY);
      checkFinite(valX, 'fit(): validationData x');
      val = tensorFeed(valX, valY, batchSize, null);
    }
  }
  const verbose = verbosity(args.verbose);
  const history = new History();
  const cbs: Callback[] = [history, ...(args.callbacks ?? [])];
  if (verbose > 0) cbs.push(new ProgbarLogger());
  const list = new CallbackList(cbs);
  list.configure(model, { epochs, steps: train.steps, verbose, batchSize, samples: train.samples ?? train.steps * batchSize });
  model.stopTraining = false;
  let warnedNaN = false;
  let labelsChecked = !isBatchSource(xIn);

  await list.call('onTrainBegin', {});
  for (let epoch = args.initialEpoch ?? 0; epoch < epochs; epoch++) {
    await list.call('onEpochBegin', epoch, {});
    train.beginEpoch();
    let metrics: Metric[] | null = null;
    let lossSum = 0;
    let seen = 0;
    for (let b = 0; b < train.steps; b++) {
      await list.call('onBatchBegin', b, {});
      const [xb, yb] = await train.get(b);
      if (!labelsChecked) {
        checkLabels(model, xb, yb, 'fit(): y (batch 0)');
        labelsChecked = true;
      }
      if (!metrics) metrics = makeMetrics(model, yb, forwardShape(model, xb));
      const step = trainStep(model, xb, yb, metrics);
      const m = xb.shape[0];
      lossSum += step.loss * m;
      seen += m;
      if (!Number.isFinite(step.loss) && !warnedNaN) {
        warnedNaN = true;
        console.warn(`convkit: the loss became ${step.loss} at epoch ${epoch + 1}, batch ${b + 1}; add callbacks.terminateOnNaN() to stop, or lower the learning rate`);
      }
      await list.call('onBatchEnd', b, logsFrom(lossSum / seen, metrics));
      if (model.stopTraining) break;
    }
    train.endEpoch();
    const logs = logsFrom(seen ? lossSum / seen : NaN, metrics ?? []);
    if (val) {
      const valLogs = await evaluateFeed(model, val);
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

/** Loss and metrics summed over batches, as evaluate reports them. */
class EvalAccumulator {
  private metrics: Metric[] | null = null;
  private lossSum = 0;
  private n = 0;
  constructor(private readonly model: Model) {}

  add(xb: Tensor, yb: Tensor): void {
    const { loss } = requireCompiled(this.model, 'evaluate');
    noGrad(() => {
      const pred = forward(this.model, xb, false);
      this.metrics ??= makeMetrics(this.model, yb, pred.shape);
      let l = loss.apply(yb, pred);
      for (const r of this.model.regularizationLosses()) l = ops.add(l, r);
      this.lossSum += l.item() * xb.shape[0];
      this.n += xb.shape[0];
      for (const mt of this.metrics) mt.update(yb, pred);
    });
  }

  logs(): Logs {
    return logsFrom(this.lossSum / this.n, this.metrics ?? []);
  }
}

function evaluateSync(model: Model, feed: Feed): Logs {
  const acc = new EvalAccumulator(model);
  for (let b = 0; b < feed.steps; b++) acc.add(...(feed.get(b) as Batch));
  return acc.logs();
}

async function evaluateFeed(model: Model, feed: Feed): Promise<Logs> {
  const acc = new EvalAccumulator(model);
  feed.beginEpoch();
  for (let b = 0; b < feed.steps; b++) acc.add(...(await feed.get(b)));
  feed.endEpoch();
  return acc.logs();
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
  return Object.values(evaluateSync(model, tensorFeed(x, y, batchSize, null)));
}

/** evaluate() over a batch source: every batch of one epoch. */
export async function evaluateSource(model: Model, source: BatchSource): Promise<number[]> {
  requireCompiled(model, 'evaluate');
  return Object.values(await evaluateFeed(model, sourceFeed(source, 'evaluate(): x')));
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

/** predict() over a batch source: the x of every batch of one epoch, in order. */
export async function predictSource(model: Model, source: BatchSource): Promise<Tensor> {
  const feed = sourceFeed(source, 'predict(): x');
  const parts: Tensor[] = [];
  for (let b = 0; b < feed.steps; b++) {
    const [xb] = await feed.get(b);
    parts.push(noGrad(() => forward(model, xb, false)));
  }
  feed.endEpoch();
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
