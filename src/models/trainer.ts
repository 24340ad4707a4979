/** compile / fit / evaluate / predict / trainOnBatch for every kind of Model. */
import { ValueError } from '../errors.js';
import { noGrad, valueAndGrads } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import { tensor, type TensorLike } from '../ops/creation.js';
import { getGlobalRandom, Random } from '../tensor/random.js';
import { Tensor, type Variable } from '../tensor/tensor.js';
import { withTraining } from '../layers/layer.js';
import { getOptimizer, type Optimizer } from '../optimizers/index.js';
import { type Loss, type LossSpec, SparseCategoricalCrossentropy, sparseLabels } from '../losses/index.js';
import { getMetric, type Metric, type MetricSpec } from '../metrics/index.js';
import { type OutputHead, headLogs, headLosses, makeHeadMetrics, resolveHeads } from './heads.js';
import { Callback, CallbackList, type Logs } from '../callbacks/callback.js';
import { History } from '../callbacks/history.js';
import { ProgbarLogger } from '../callbacks/progbar.js';
import type { Model } from './model.js';
import { type BatchSource, isBatchSource } from '../data/batch_source.js';
import { type Feed, type FeedBatch, checkFinite, checkSampleWeights, checkSamples, sourceFeed, tensorFeed } from './feed.js';
import { TerminateOnNaN } from '../callbacks/early_stopping.js';
import { FitProgress, type FitSnapshot, checkSnapshot } from './fit_progress.js';
import { inferWithPlan } from './inference_plan.js';
import { NonTrainableSnapshot, diagnoseStep, generatorStates, type StepFault } from './step_fault.js';

export interface CompileArgs {
  optimizer: string | Optimizer;
  /** One loss; with several outputs also a list in output order or a dict by output name (null: no loss for it). */
  loss: LossSpec | readonly (LossSpec | null)[] | Readonly<Record<string, LossSpec | null>>;
  /** With several outputs: each output's weight in the total loss (list or dict; default 1). */
  lossWeights?: readonly number[] | Readonly<Record<string, number>>;
  /** Metrics for every output, or per output as a list of lists or a dict by output name. */
  metrics?: MetricSpec[] | MetricSpec[][] | Readonly<Record<string, MetricSpec[]>>;
}

/** Targets: one tensor, or with several outputs a list in output order or a dict by output name. */
export type Targets = Tensor | TensorLike | readonly (Tensor | TensorLike)[] | Readonly<Record<string, Tensor | TensorLike>>;

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  validationData?: [Tensor | TensorLike, Targets] | BatchSource;
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
function checkLabels(model: Model, x: Tensor, ys: readonly Tensor[], what: string): void {
  const heads = requireCompiled(model, 'fit').heads;
  const outs = outputShapes(model, x);
  heads.forEach((h, i) => {
    if (!(h.loss instanceof SparseCategoricalCrossentropy)) return;
    const out = outs?.[i];
    const classes = out?.[out.length - 1];
    if (typeof classes === 'number') sparseLabels(ys[i], classes, heads.length > 1 ? `${what} (output ${h.name})` : what);
  });
}

/** Each output's shape for inputs like x (null when it cannot be inferred symbolically). */
function outputShapes(model: Model, x: Tensor): (readonly (number | null)[])[] | null {
  try {
    const s = model.computeOutputShape([null, ...x.shape.slice(1)]);
    return (Array.isArray(s[0]) || s.length === 0 ? s : [s]) as (readonly (number | null)[])[];
  } catch {
    return null;
  }
}

export function compileModel(model: Model, args: CompileArgs): void {
  if (!args || args.optimizer === undefined || args.loss === undefined) throw new ValueError('compile() needs { optimizer, loss } (and optionally metrics)');
  const heads = resolveHeads(model, args.loss as never, args.lossWeights, args.metrics as never);
  const first = heads.find((h) => h.loss) as OutputHead;
  model.compiled = { optimizer: getOptimizer(args.optimizer), loss: first.loss as Loss, metrics: [...first.metrics], heads, trainableVariables: model.trainableWeights };
  // Resolve names now so a typo fails at compile time, not mid-training.
  for (const h of heads) for (const m of h.metrics) getMetric(m, h.loss);
}

/** The targets as one tensor per output, checked against the model's outputs. */
function toTargets(model: Model, y: Targets, what: string): Tensor[] {
  const heads = requireCompiled(model, what.split('(')[0]).heads;
  if (heads.length === 1) {
    if (y instanceof Tensor) return [y];
    if (Array.isArray(y) && y.length === 1 && (y[0] instanceof Tensor)) return [y[0] as Tensor];
    if (!Array.isArray(y) && typeof y === 'object' && y !== null) {
      const vals = Object.values(y as Record<string, Tensor | TensorLike>);
      if (vals.length !== 1) throw new ValueError(`${what}: the model has one output but y is a dict with ${vals.length} entries`);
      return [toTensor(vals[0], what)];
    }
    return [toTensor(y as TensorLike, what)];
  }
  const names = heads.map((h) => h.name);
  if (y instanceof Tensor) throw new ValueError(`${what}: the model has ${names.length} outputs (${names.join(', ')}); pass one target per output, as a list in output order or a dict by output name`);
  if (Array.isArray(y)) {
    if (y.length !== names.length) throw new ValueError(`${what}: got ${y.length} targets for the model's ${names.length} outputs (${names.join(', ')})`);
    return y.map((t, i) => toTensor(t as Tensor | TensorLike, `${what} for output ${names[i]}`));
  }
  const dict = y as Record<string, Tensor | TensorLike>;
  const missing = names.filter((n) => !(n in dict));
  if (missing.length > 0) throw new ValueError(`${what}: no target for output${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the dict has ${Object.keys(dict).join(', ') || 'no keys'}`);
  return names.map((n) => toTensor(dict[n], `${what} for output ${n}`));
}

function requireCompiled(model: Model, what: string) {
  if (!model.compiled) throw new ValueError(`You must call compile() on model "${model.name}" before ${what}()`);
  return model.compiled;
}

/** Every output of the model for x, as a list. */
function forward(model: Model, x: Tensor, training: boolean): Tensor[] {
  const out = withTraining(training, () => model.apply(x, { training }));
  return Array.isArray(out) ? out as Tensor[] : [out as Tensor];
}

interface Step {
  loss: number;
  /** Each output's own loss (NaN for outputs without one). */
  parts: number[];
  /** Set when the loss or a gradient was not finite: the update was not applied. */
  fault: StepFault | null;
}

/** What a training step needs besides the batch: kept for the whole fit so nothing is reallocated. */
class StepContext {
  readonly nonTrainable: NonTrainableSnapshot;
  readonly generators: Random[];
  readonly vars: Variable[];
  /** Variables whose `trainable` changed since compile(): their gradient flag is set as compiled, per step. */
  private readonly changed: Variable[];
  constructor(readonly model: Model) {
    this.vars = requireCompiled(model, 'fit').trainableVariables;
    const trained = new Set(this.vars);
    this.nonTrainable = new NonTrainableSnapshot(model.weights.filter((v) => !trained.has(v)));
    this.changed = model.weights.filter((v) => v.trainable !== trained.has(v));
    this.generators = model.randomGenerators();
  }

  /** Runs fn with gradients recorded for exactly the compiled trainable variables. */
  asCompiled<T>(fn: () => T): T {
    if (this.changed.length === 0) return fn();
    const trained = new Set(this.vars);
    for (const v of this.changed) v.requiresGrad = trained.has(v);
    try {
      return fn();
    } finally {
      for (const v of this.changed) v.requiresGrad = v.trainable;
    }
  }
}

/**
 * One optimisation step; updates `metrics` with the batch's predictions. A non-finite loss or
 * gradient is not applied: the weights (and moving statistics) stay those before the batch.
 */
function trainStep(ctx: StepContext, batch: FeedBatch, metrics: Metric[][], where: { epoch: number; batch: number }): Step {
  const model = ctx.model;
  const { optimizer, heads } = requireCompiled(model, 'fit');
  const { x, ys, w } = batch;
  const vars = ctx.vars;
  ctx.nonTrainable.take();
  const gensBefore = generatorStates(ctx.generators);
  let preds: Tensor[] = [];
  let parts: (Tensor | null)[] = [];
  const lossOf = () => {
    preds = forward(model, x, true);
    const losses = headLosses(heads, ys, preds, w);
    parts = losses.parts;
    let l = losses.total;
    for (const r of model.regularizationLosses()) l = ops.add(l, r);
    return l;
  };
  const { value, grads } = ctx.asCompiled(() => valueAndGrads(lossOf, vars));
  const lossValue = value.item();
  const partValues = parts.map((p) => (p ? p.item() : NaN));
  if (!Number.isFinite(lossValue) || !grads.every((g) => !g || ops.allFinite(g))) {
    const gensAfter = generatorStates(ctx.generators);
    const fault = diagnoseStep(model, where.epoch, where.batch, lossValue, grads, vars, () => {
      ctx.generators.forEach((g, i) => g.setState(gensBefore[i]));
      noGrad(lossOf);
    });
    ctx.generators.forEach((g, i) => g.setState(gensAfter[i]));
    ctx.nonTrainable.restore();
    return { loss: lossValue, parts: partValues, fault };
  }
  noGrad(() => optimizer.applyGradients(vars.map((v, i) => [grads[i], v])));
  metrics.forEach((ms, i) => ms.forEach((m) => m.update(ys[i], preds[i])));
  return { loss: lossValue, parts: partValues, fault: null };
}

function verbosity(v: FitArgs['verbose']): 0 | 1 | 2 {
  return v === undefined || v === 'auto' ? 1 : v;
}

function checkBatchSize(b: number): void {
  if (!Number.isInteger(b) || b <= 0) throw new ValueError(`batchSize must be a positive integer, got ${b}`);
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
export async function fitModel(model: Model, xIn: FitData, yIn: Targets | undefined, args: FitArgs): Promise<History> {
  const { heads } = requireCompiled(model, 'fit');
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
    let ys = toTargets(model, yIn, 'fit(): y');
    checkData(model, x, ys, 'fit()');
    let w: Tensor | null = null;
    if (args.sampleWeight !== undefined) {
      w = toTensor(args.sampleWeight, 'fit(): sampleWeight');
      checkSampleWeights(w, x.shape[0], 'fit(): sampleWeight');
    }
    if (args.classWeight && heads.length > 1) throw new ValueError('fit(): classWeight is for single-output models (as in Keras); with several outputs pass sampleWeight');
    w = combinedWeights(ys[0], args.classWeight, w);
    if (args.validationSplit && !args.validationData) {
      const split = args.validationSplit;
      if (!(split > 0 && split < 1)) throw new ValueError(`validationSplit must be in (0, 1), got ${split}`);
      // Keras takes the last fraction of the samples, before any shuffling.
      const at = Math.floor(x.shape[0] * (1 - split));
      if (at === 0 || at === x.shape[0]) throw new ValueError(`validationSplit ${split} leaves no ${at === 0 ? 'training' : 'validation'} samples out of ${x.shape[0]}`);
      const head = (t: Tensor) => ops.slice(t, t.shape.map(() => 0), [at, ...t.shape.slice(1)]);
      const tail = (t: Tensor) => ops.slice(t, [at, ...t.shape.slice(1).map(() => 0)], [t.shape[0] - at, ...t.shape.slice(1)]);
      val = tensorFeed(tail(x), ys.map(tail), batchSize, null, w && tail(w));
      [x, ys, w] = [head(x), ys.map(head), w && head(w)];
    }
    train = tensorFeed(x, ys, batchSize, (args.shuffle ?? true) ? rng : null, w);
  }
  if (args.validationData) {
    const vd = args.validationData;
    if (isBatchSource(vd)) val = sourceFeed(vd, 'fit(): validationData');
    else {
      const valX = toTensor(vd[0], 'fit(): validationData x');
      const valYs = toTargets(model, vd[1], 'fit(): validationData y');
      for (const vy of valYs) checkSamples(valX, vy);
      checkFinite(valX, 'fit(): validationData x');
      val = tensorFeed(valX, valYs, batchSize, null);
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
        const batch = await nextBatch();
        const m = batch.x.shape[0];
        if (!labelsChecked) {
          checkLabels(model, batch.x, batch.ys, 'fit(): y (batch 0)');
          labelsChecked = true;
        }
        if (!progress.metrics) {
          progress.metricShapes = metricShapesFor(model, batch);
          progress.metrics = makeHeadMetrics(model, heads, progress.metricShapes);
        }
        const step = trainStep(stepCtx, batch, progress.metrics, { epoch, batch: b });
        progress.lossSum += step.loss * m;
        step.parts.forEach((p, i) => (progress.partSums[i] = (progress.partSums[i] ?? 0) + p * m));
        progress.seen += m;
        progress.batch = b + 1;
        progress.fault = step.fault;
        if (step.fault && !warnedFault && !cbs.some((c) => c instanceof TerminateOnNaN)) {
          warnedFault = true;
          console.warn(`convkit: ${step.fault.message}. Add callbacks.terminateOnNaN() to stop there, or lower the learning rate`);
        }
        await list.call('onBatchEnd', b, progressLogs(heads, progress));
        if (model.stopTraining) break;
        // Awaiting only promises never lets timers and signal handlers run (Ctrl-C must be able
        // to reach model.interrupt() during a long epoch); one macrotask turn per batch does.
        await new Promise<void>((resolveTurn) => setImmediate(resolveTurn));
      }
      if (progress.interrupted) break;
      const logs = progressLogs(heads, progress);
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
  progress.partSums = [...(s.partSums ?? [])];
  progress.seen = s.seen;
  if (s.metrics) {
    progress.metricShapes = s.metrics.shapes;
    progress.metrics = makeHeadMetrics(model, requireCompiled(model, 'fit').heads, s.metrics.shapes);
    progress.metrics.flat().forEach((m, i) => m.setState(s.metrics!.states[i] ?? { total: 0, count: 0 }));
  }
  progress.history.restore(s.history);
  progress.resumeFrom = null;
}

/** Running means of the epoch so far, as Keras logs them. */
function progressLogs(heads: readonly OutputHead[], p: FitProgress): Logs {
  const mean = (sum: number) => (p.seen ? sum / p.seen : NaN);
  return headLogs(heads, mean(p.lossSum), heads.map((_, i) => mean(p.partSums[i] ?? 0)), p.metrics ?? []);
}

/** Shapes each output's metrics are resolved with: the batch's targets and the model's outputs. */
function metricShapesFor(model: Model, batch: FeedBatch): { yTrue: number[]; yPred: number[] }[] {
  const outs = outputShapes(model, batch.x);
  return batch.ys.map((y, i) => ({
    yTrue: [...y.shape],
    yPred: outs?.[i] ? outs[i].map((d) => d ?? batch.x.shape[0]) : [batch.x.shape[0], 1],
  }));
}

/** x and every target: same sample count, finite values, labels in range. `who`: 'fit()', 'evaluate()'… */
function checkData(model: Model, x: Tensor, ys: readonly Tensor[], who: string, targetsFinite = true): void {
  for (const y of ys) checkSamples(x, y);
  checkFinite(x, `${who}: x`);
  if (targetsFinite) ys.forEach((y) => checkFinite(y, `${who}: y`));
  checkLabels(model, x, ys, `${who}: y`);
}

/** Loss and metrics summed over batches, as evaluate reports them. */
class EvalAccumulator {
  private metrics: Metric[][] | null = null;
  private lossSum = 0;
  private partSums: number[] = [];
  private n = 0;
  private readonly heads: readonly OutputHead[];
  constructor(private readonly model: Model) {
    this.heads = requireCompiled(model, 'evaluate').heads;
  }

  add({ x, ys, w }: FeedBatch): void {
    noGrad(() => {
      const preds = forward(this.model, x, false);
      this.metrics ??= makeHeadMetrics(this.model, this.heads, ys.map((y, i) => ({ yTrue: y.shape, yPred: preds[i].shape })));
      const { total, parts } = headLosses(this.heads, ys, preds, w);
      let l = total;
      for (const r of this.model.regularizationLosses()) l = ops.add(l, r);
      const m = x.shape[0];
      this.lossSum += l.item() * m;
      parts.forEach((p, i) => (this.partSums[i] = (this.partSums[i] ?? 0) + (p ? p.item() : NaN) * m));
      this.n += m;
      this.metrics.forEach((ms, i) => ms.forEach((mt) => mt.update(ys[i], preds[i])));
    });
  }

  logs(): Logs {
    return headLogs(this.heads, this.lossSum / this.n, this.heads.map((_, i) => (this.partSums[i] ?? 0) / this.n), this.metrics ?? []);
  }
}

function evaluateSync(model: Model, feed: Feed): Logs {
  const acc = new EvalAccumulator(model);
  for (let b = 0; b < feed.steps; b++) acc.add(feed.get(b) as FeedBatch);
  return acc.logs();
}

async function evaluateFeed(model: Model, feed: Feed): Promise<Logs> {
  const acc = new EvalAccumulator(model);
  feed.beginEpoch();
  for (let b = 0; b < feed.steps; b++) acc.add(await feed.get(b));
  feed.endEpoch();
  return acc.logs();
}

/** [loss, (per-output losses,) ...metrics] over the whole data set (Keras's evaluate). */
export function evaluateModel(model: Model, xIn: Tensor | TensorLike, yIn: Targets, args: EvaluateArgs): number[] {
  requireCompiled(model, 'evaluate');
  const x = toTensor(xIn, 'evaluate(): x');
  const ys = toTargets(model, yIn, 'evaluate(): y');
  checkData(model, x, ys, 'evaluate()', false);
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  let w: Tensor | null = null;
  if (args.sampleWeight !== undefined) {
    w = toTensor(args.sampleWeight, 'evaluate(): sampleWeight');
    checkSampleWeights(w, x.shape[0], 'evaluate(): sampleWeight');
  }
  return Object.values(evaluateSync(model, tensorFeed(x, ys, batchSize, null, w)));
}

/** evaluate() over a batch source: every batch of one epoch. */
export async function evaluateSource(model: Model, source: BatchSource): Promise<number[]> {
  requireCompiled(model, 'evaluate');
  return Object.values(await evaluateFeed(model, sourceFeed(source, 'evaluate(): x')));
}

/** Joins per-batch outputs: one tensor, or one per output for a multi-output model (as Keras's list). */
function joinOutputs(batches: Tensor[][]): Tensor | Tensor[] {
  const outs = batches[0].map((_, k) => (batches.length === 1 ? batches[0][k] : ops.concat(batches.map((b) => b[k]), 0)));
  return outs.length === 1 ? outs[0] : outs;
}

/** Outputs for every sample, computed in batches without recording gradients. */
export function predictModel(model: Model, xIn: Tensor | TensorLike, args: PredictArgs): Tensor | Tensor[] {
  const x = toTensor(xIn, 'predict(): x');
  checkFinite(x, 'predict(): x');
  const batchSize = args.batchSize ?? 32;
  checkBatchSize(batchSize);
  const n = x.shape[0];
  if (n === 0) throw new ValueError('predict(): x has no samples');
  const parts: Tensor[][] = [];
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) {
      const m = Math.min(batchSize, n - s);
      const xb = m === n ? x : ops.slice(x, [s, ...x.shape.slice(1).map(() => 0)], [m, ...x.shape.slice(1)]);
      parts.push(inferWithPlan(model, xb, () => forward(model, xb, false)));
    }
  });
  return joinOutputs(parts);
}

/** predict() over a batch source: the x of every batch of one epoch, in order. */
export async function predictSource(model: Model, source: BatchSource): Promise<Tensor | Tensor[]> {
  const feed = sourceFeed(source, 'predict(): x');
  const parts: Tensor[][] = [];
  for (let b = 0; b < feed.steps; b++) {
    const { x } = await feed.get(b);
    parts.push(noGrad(() => inferWithPlan(model, x, () => forward(model, x, false))));
  }
  feed.endEpoch();
  return joinOutputs(parts);
}

/** One gradient step on one batch; returns [loss, (per-output losses,) ...metrics] for that batch. */
export function trainOnBatch(model: Model, xIn: Tensor | TensorLike, yIn: Targets): number[] {
  const { heads } = requireCompiled(model, 'trainOnBatch');
  const x = toTensor(xIn, 'trainOnBatch(): x');
  const ys = toTargets(model, yIn, 'trainOnBatch(): y');
  checkData(model, x, ys, 'trainOnBatch()', false);
  const batch = { x, ys };
  const metrics = makeHeadMetrics(model, heads, metricShapesFor(model, batch));
  const step = trainStep(new StepContext(model), batch, metrics, { epoch: 0, batch: 0 });
  if (step.fault) console.warn(`convkit: trainOnBatch: ${step.fault.message}`);
  return Object.values(headLogs(heads, step.loss, step.parts, metrics));
}
