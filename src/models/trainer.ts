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
import { type Feed, checkFinite, checkSampleWeights, checkSamples, sourceFeed, tensorFeed } from './feed.js';
import { TerminateOnNaN } from '../callbacks/early_stopping.js';
import { FitProgress, type FitSnapshot, checkSnapshot } from './fit_progress.js';
import { NonTrainableSnapshot, allFinite, diagnoseStep, generatorStates, type StepFault } from './step_fault.js';

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
  /** Weight of each class index in the loss (Keras's class_weight); classes not listed weigh 1. */
  classWeight?: Record<number, number> | readonly number[];
  /** One loss weight per training sample (Keras's sample_weight); in-memory x and y only. */
  sampleWeight?: Tensor | TensorLike;
  /**
   * Batches per epoch. Without it an epoch is one pass over the data; with it, each epoch takes
   * the next stepsPerEpoch batches, continuing (and reshuffling) across passes as needed.
   */
  stepsPerEpoch?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 2 | 'auto';
  /** One loss weight per sample, as in fit. */
  sampleWeight?: Tensor | TensorLike;
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
  /** Set when the loss or a gradient was not finite: the update was not applied. */
  fault: StepFault | null;
}

/** What a training step needs besides the batch: kept for the whole fit so nothing is reallocated. */
class StepContext {
  readonly nonTrainable: NonTrainableSnapshot;
  readonly generators: Random[];
  constructor(readonly model: Model) {
    this.nonTrainable = new NonTrainableSnapshot(model.nonTrainableWeights);
    this.generators = model.randomGenerators();
  }
}

/**
 * One optimisation step; updates `metrics` with the batch's predictions. A non-finite loss or
 * gradient is not applied: the weights (and moving statistics) stay those before the batch.
 */
function trainStep(ctx: StepContext, x: Tensor, y: Tensor, w: Tensor | undefined, metrics: Metric[], where: { epoch: number; batch: number }): Step {
  const model = ctx.model;
  const { optimizer, loss } = requireCompiled(model, 'fit');
  const vars = model.trainableWeights;
  ctx.nonTrainable.take();
  const gensBefore = generatorStates(ctx.generators);
  let pred: Tensor | null = null;
  const lossOf = () => {
    pred = forward(model, x, true);
    let l = loss.apply(y, pred, w);
    for (const r of model.regularizationLosses()) l = ops.add(l, r);
    return l;
  };
  const { value, grads } = valueAndGrads(lossOf, vars);
  const lossValue = value.item();
  if (!Number.isFinite(lossValue) || !grads.every((g) => !g || allFinite(g.values))) {
    const gensAfter = generatorStates(ctx.generators);
    const fault = diagnoseStep(model, where.epoch, where.batch, lossValue, grads, vars, () => {
      ctx.generators.forEach((g, i) => g.setState(gensBefore[i]));
      noGrad(lossOf);
    });
    ctx.generators.forEach((g, i) => g.setState(gensAfter[i]));
    ctx.nonTrainable.restore();
    return { loss: lossValue, fault };
  }
  noGrad(() => optimizer.applyGradients(vars.map((v, i) => [grads[i], v])));
  for (const m of metrics) m.update(y, pred as unknown as Tensor);
  return { loss: lossValue, fault: null };
}

function makeMetrics(model: Model, yTrueShape: readonly number[], yPredShape: readonly number[]): Metric[] {
  const c = requireCompiled(model, 'fit');
  return c.metrics.map((m) => getMetric(m, c.loss, { yTrue: yTrueShape, yPred: yPredShape }));
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

/** Per-sample loss weights from classWeight (by label: the index, or the argmax of a one-hot row) times sampleWeight. */
function combinedWeights(y: Tensor, classWeight: FitArgs['classWeight'], sampleWeight: Tensor | null): Tensor | null {
  if (!classWeight) return sampleWeight;
  const table: Record<number, number> = Array.isArray(classWeight) ? Object.fromEntries(classWeight.map((v, i) => [i, v])) : classWeight as Record<number, number>;
  for (const [k, v] of Object.entries(table)) {
    if (!/^\d+$/.test(k) || !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new ValueError(`fit(): classWeight must map class indices (integers >= 0) to finite weights >= 0; got ${JSON.stringify(k)}: ${v}`);
    }
  }
  const n = y.shape[0];
  const per = y.size / n;
  if (y.rank > 2) throw new ValueError(`fit(): classWeight needs one label per sample (shape (n,), (n, 1) or one-hot (n, classes)); y has shape (${y.shape.join(', ')})`);
  const w = new Float32Array(n);
  const v = y.values;
  for (let i = 0; i < n; i++) {
    let label = 0;
    if (per === 1) label = Math.round(v[i]);
    else for (let j = 1; j < per; j++) if (v[i * per + j] > v[i * per + label]) label = j;
    w[i] = (table[label] ?? 1) * (sampleWeight ? sampleWeight.values[i] : 1);
  }
  return new Tensor(w, [n]);
}

/** Training from in-memory tensors (x, y) or from a BatchSource (x alone, yielding [x, y] batches). */
export async function fitModel(model: Model, xIn: FitData, yIn: Tensor | TensorLike | undefined, args: FitArgs): Promise<History> {
  requireCompiled(model, 'fit');
  const epochs = args.epochs ?? 1;
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`epochs must be a non-negative integer, got ${epochs}`);
  if (args.stepsPerEpoch !== undefined && !(Number.isInteger(args.stepsPerEpoch) && args.stepsPerEpoch > 0)) {
    throw new ValueError(`stepsPerEpoch must be a positive integer, got ${args.stepsPerEpoch}`);
  }
  const rng = args.seed !== undefined ? new Random(args.seed) : new Random(getGlobalRandom().nextUint32());
  let train: Feed;
  let val: Feed | null = null;
  if (isBatchSource(xIn)) {
    if (yIn !== undefined) throw new ValueError('fit(): when x is a batch source (a generator\'s flow(), a directory dataset), do not pass y: the source yields [x, y] batches');
    if (args.validationSplit) throw new ValueError('fit(): validationSplit needs in-memory arrays; with a batch source pass validationData (arrays or another source)');
    if (args.sampleWeight !== undefined) throw new ValueError('fit(): sampleWeight needs in-memory arrays; a batch source can yield [x, y, sampleWeight] batches instead');
    train = sourceFeed(xIn, 'fit(): x');
  } else {
    if (yIn === undefined) throw new ValueError('fit(): y is missing; pass labels, or a batch source as x');
    let x = toTensor(xIn, 'fit(): x');
    let y = toTensor(yIn, 'fit(): y');
    checkSamples(x, y);
    checkFinite(x, 'fit(): x');
    checkFinite(y, 'fit(): y');
    checkLabels(model, x, y, 'fit(): y');
    let w: Tensor | null = null;
    if (args.sampleWeight !== undefined) {
      w = toTensor(args.sampleWeight, 'fit(): sampleWeight');
      checkSampleWeights(w, x.shape[0], 'fit(): sampleWeight');
    }
    w = combinedWeights(y, args.classWeight, w);
    if (args.validationSplit && !args.validationData) {
      const split = args.validationSplit;
      if (!(split > 0 && split < 1)) throw new ValueError(`validationSplit must be in (0, 1), got ${split}`);
      // Keras takes the last fraction of the samples, before any shuffling.
      const at = Math.floor(x.shape[0] * (1 - split));
      if (at === 0 || at === x.shape[0]) throw new ValueError(`validationSplit ${split} leaves no ${at === 0 ? 'training' : 'validation'} samples out of ${x.shape[0]}`);
      const head = (t: Tensor) => ops.slice(t, t.shape.map(() => 0), [at, ...t.shape.slice(1)]);
      const tail = (t: Tensor) => ops.slice(t, [at, ...t.shape.slice(1).map(() => 0)], [t.shape[0] - at, ...t.shape.slice(1)]);
      val = tensorFeed(tail(x), tail(y), batchSize, null, w && tail(w));
      [x, y, w] = [head(x), head(y), w && head(w)];
    }
    train = tensorFeed(x, y, batchSize, (args.shuffle ?? true) ? rng : null, w);
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
  const steps = args.stepsPerEpoch ?? train.steps;
  const verbose = verbosity(args.verbose);
  const history = new History();
  // Keras's order: the progress bar first (its epoch line before callbacks' messages), History
  // last (so it records what callbacks add to the logs, such as learning_rate).
  const cbs: Callback[] = [...(verbose > 0 ? [new ProgbarLogger()] : []), ...(args.callbacks ?? []), history];
  const list = new CallbackList(cbs);
  list.configure(model, { epochs, steps, verbose, batchSize, samples: args.stepsPerEpoch === undefined ? train.samples ?? steps * batchSize : steps * batchSize });
  const progress = new FitProgress(history, (args.shuffle ?? true) && !isBatchSource(xIn) ? rng : null, steps);
  progress.epoch = args.initialEpoch ?? 0;
  const stepCtx = new StepContext(model);
  model.stopTraining = false;
  model.activeFit = progress;
  let warnedFault = false;
  let labelsChecked = !isBatchSource(xIn);

  /** The next batch of the data, opening (shuffling) and closing passes as they start and end. */
  const nextBatch = async () => {
    if (!progress.passOpen) {
      progress.passRng = progress.shuffleRng?.getState() ?? null;
      train.beginEpoch();
      progress.passOpen = true;
      progress.cursor = 0;
    }
    const batch = await train.get(progress.cursor);
    progress.cursor += 1;
    if (progress.cursor === train.steps) {
      train.endEpoch();
      progress.pass += 1;
      progress.passOpen = false;
      progress.cursor = 0;
    }
    return batch;
  };

  try {
    await list.call('onTrainBegin', {});
    if (progress.resumeFrom) resume(progress, checkSnapshot(progress.resumeFrom, steps, 'fit()'), train, model);
    for (; progress.epoch < epochs; ) {
      if (progress.interrupted) break;
      const epoch = progress.epoch;
      await list.call('onEpochBegin', epoch, {});
      for (let b = progress.batch; b < steps; b++) {
        if (progress.interrupted) break;
        await list.call('onBatchBegin', b, {});
        const [xb, yb, wb] = await nextBatch();
        if (!labelsChecked) {
          checkLabels(model, xb, yb, 'fit(): y (batch 0)');
          labelsChecked = true;
        }
        if (!progress.metrics) {
          progress.metricShapes = { yTrue: [...yb.shape], yPred: forwardShape(model, xb) };
          progress.metrics = makeMetrics(model, progress.metricShapes.yTrue, progress.metricShapes.yPred);
        }
        const step = trainStep(stepCtx, xb, yb, wb, progress.metrics, { epoch, batch: b });
        progress.lossSum += step.loss * xb.shape[0];
        progress.seen += xb.shape[0];
        progress.batch = b + 1;
        progress.fault = step.fault;
        if (step.fault && !warnedFault && !cbs.some((c) => c instanceof TerminateOnNaN)) {
          warnedFault = true;
          console.warn(`convkit: ${step.fault.message}. Add callbacks.terminateOnNaN() to stop there, or lower the learning rate`);
        }
        await list.call('onBatchEnd', b, logsFrom(progress.lossSum / progress.seen, progress.metrics));
        if (model.stopTraining) break;
        // Awaiting only promises never lets timers and signal handlers run (Ctrl-C must be able
        // to reach model.interrupt() during a long epoch); one macrotask turn per batch does.
        await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
      }
      if (progress.interrupted) break;
      const logs = logsFrom(progress.seen ? progress.lossSum / progress.seen : NaN, progress.metrics ?? []);
      if (val) {
        const valLogs = await evaluateFeed(model, val);
        for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
      }
      progress.nextEpoch(logs);
      await list.call('onEpochEnd', epoch, logs);
      if (model.stopTraining) break;
    }
    history.interrupted = progress.interrupted;
    await list.call('onTrainEnd', {});
  } finally {
    model.activeFit = null;
  }
  return history;
}

/** Puts the loop where a snapshot left it: data position, shuffles, running sums, history. */
function resume(progress: FitProgress, s: FitSnapshot, train: Feed, model: Model): void {
  progress.epoch = s.epoch;
  progress.batch = s.batch;
  // Replaying the passes' ends brings sources that reshuffle per epoch to the same order.
  for (let p = 0; p < s.pass; p++) train.endEpoch();
  progress.pass = s.pass;
  if (s.passRng && progress.shuffleRng) progress.shuffleRng.setState(s.passRng);
  if (s.passOpen) {
    progress.passRng = s.passRng;
    train.beginEpoch();
    progress.passOpen = true;
  }
  progress.cursor = s.cursor;
  progress.lossSum = s.lossSum;
  progress.seen = s.seen;
  if (s.metrics) {
    progress.metricShapes = { yTrue: s.metrics.yTrueShape, yPred: s.metrics.yPredShape };
    progress.metrics = makeMetrics(model, s.metrics.yTrueShape, s.metrics.yPredShape);
    progress.metrics.forEach((m, i) => m.setState(s.metrics!.states[i] ?? { total: 0, count: 0 }));
  }
  progress.history.restore(s.history);
  progress.resumeFrom = null;
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

  add(xb: Tensor, yb: Tensor, wb?: Tensor): void {
    const { loss } = requireCompiled(this.model, 'evaluate');
    noGrad(() => {
      const pred = forward(this.model, xb, false);
      this.metrics ??= makeMetrics(this.model, yb.shape, pred.shape);
      let l = loss.apply(yb, pred, wb);
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
  let w: Tensor | null = null;
  if (args.sampleWeight !== undefined) {
    w = toTensor(args.sampleWeight, 'evaluate(): sampleWeight');
    checkSampleWeights(w, x.shape[0], 'evaluate(): sampleWeight');
  }
  return Object.values(evaluateSync(model, tensorFeed(x, y, batchSize, null, w)));
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
  const metrics = makeMetrics(model, y.shape, forwardShape(model, x));
  const step = trainStep(new StepContext(model), x, y, undefined, metrics, { epoch: 0, batch: 0 });
  if (step.fault) console.warn(`convkit: trainOnBatch: ${step.fault.message}`);
  return [step.loss, ...metrics.map((m) => m.result())];
}
