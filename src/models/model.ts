/**
 * Model: a Layer made of layers. Three ways to define one, as in Keras:
 *  - functional: `new Model({ inputs, outputs })` over symbolic tensors from Input();
 *  - subclassed: `class LeNet5 extends Model { call(x) {…} }` with layers held in fields;
 *  - Sequential (sequential.ts).
 * Training (compile/fit/evaluate/predict) lives in trainer.ts; summary rows in summary.ts.
 */
import type { SaveOptions } from '../io/model_io.js';
import { ShapeError, ValueError } from '../errors.js';
import { noGrad } from '../autograd/tape.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { Layer, type CallContext, isShapeList, observedOutputShapes } from '../layers/layer.js';
import { InputLayer } from '../layers/input.js';
import { uniqueName } from '../layers/naming.js';
import { formatShapeTuple, type GraphNode, type SymShape, SymbolicTensor } from '../layers/symbolic.js';
import { registerContainerCall } from './inference_plan.js';
import { buildGraph, type Graph, runGraph } from './graph.js';
import type { FitProgress } from './fit_progress.js';
import type { OutputHead } from './heads.js';
import type { Optimizer } from '../optimizers/index.js';
import type { Loss } from '../losses/index.js';
import type { MetricSpec } from '../metrics/index.js';
import type { History } from '../callbacks/history.js';
import { type CompileArgs, type EvaluateArgs, type FitArgs, type PredictArgs, type Targets, compileModel, evaluateModel, evaluateSource, fitModel, predictModel, predictSource, trainOnBatch } from './trainer.js';
import { type BatchSource, isBatchSource } from '../data/batch_source.js';
import { type SummaryInfo, summarizeModel } from './summary.js';
import { type TensorLike, zeros as zerosTensor } from '../ops/creation.js';

export interface ModelArgs {
  inputs?: SymbolicTensor | SymbolicTensor[];
  outputs?: SymbolicTensor | SymbolicTensor[];
  name?: string;
  trainable?: boolean;
}

export interface CompiledState {
  optimizer: Optimizer;
  /** The (first) output's loss and metrics; `heads` has every output's. */
  loss: Loss;
  metrics: MetricSpec[];
  heads: OutputHead[];
  /**
   * The variables training updates, fixed when compile() ran: as in Keras, changing a layer's
   * `trainable` afterwards takes effect at the next compile().
   */
  trainableVariables: Variable[];
}

export class Model extends Layer {
  static override className = 'Functional';
  /** Set by callbacks (EarlyStopping…) to end fit() after the current epoch. */
  stopTraining = false;
  /** The fit() in progress on this model, for callbacks that save or resume it (BackupAndRestore). */
  activeFit: FitProgress | null = null;
  compiled: CompiledState | null = null;
  protected graph: Graph | null = null;

  constructor(args: ModelArgs = {}) {
    super({ name: args.name ?? (args.inputs !== undefined ? uniqueName('functional') : undefined), trainable: args.trainable });
    if (args.inputs !== undefined || args.outputs !== undefined) {
      if (args.inputs === undefined || args.outputs === undefined) throw new ValueError('Model: a functional model needs both `inputs` and `outputs`');
      const ins = Array.isArray(args.inputs) ? args.inputs : [args.inputs];
      const outs = Array.isArray(args.outputs) ? args.outputs : [args.outputs];
      for (const t of [...ins, ...outs]) {
        if (!(t instanceof SymbolicTensor)) throw new ValueError(`Model "${this.name}": inputs and outputs must be symbolic tensors from Input() and layer calls, got ${typeof t}`);
      }
      this.graph = buildGraph(ins, outs, this.name);
      this.built = true;
      this.builtInputShape = ins.length === 1 ? ins[0].shape : ins.map((t) => t.shape);
    }
  }

  override get className(): string {
    const own = Object.prototype.hasOwnProperty.call(this.constructor, 'className');
    if (own) return (this.constructor as unknown as { className: string }).className;
    return this.constructor.name;
  }

  /** Whether this is a functional model (built from Input()). */
  get isFunctional(): boolean {
    return this.graph !== null;
  }

  get inputs(): SymbolicTensor[] {
    return this.graph?.inputs ?? [];
  }

  get outputs(): SymbolicTensor[] {
    return this.graph?.outputs ?? [];
  }

  /** The model's layers (functional models include their InputLayers, as in Keras). */
  get layers(): Layer[] {
    if (this.graph) return [...this.graph.layers];
    return this.trackedLayers();
  }

  override subLayers(): Layer[] {
    return this.layers;
  }

  /** Layers held in fields of a subclassed model, in assignment order. */
  protected trackedLayers(): Layer[] {
    const found: Layer[] = [];
    for (const v of Object.values(this)) {
      if (v instanceof Layer && v !== this) found.push(v);
      else if (Array.isArray(v)) for (const e of v) if (e instanceof Layer) found.push(e);
    }
    return [...new Set(found)];
  }

  getLayer(name: string): Layer {
    const l = this.layers.find((x) => x.name === name);
    if (!l) throw new ValueError(`No such layer: "${name}". Layers of "${this.name}": ${this.layers.map((x) => x.name).join(', ')}`);
    return l;
  }

  /** Current weight values keyed by variable name (e.g. "conv2d/kernel"). */
  getWeightsByName(): Map<string, Tensor> {
    return new Map(this.weights.map((v) => [v.name, v.read()]));
  }

  /** Assign weights by variable name; every name must exist and shapes must match. */
  setWeightsByName(values: Map<string, Tensor> | Record<string, Tensor>): void {
    const entries = values instanceof Map ? [...values.entries()] : Object.entries(values);
    const byName = new Map(this.weights.map((v) => [v.name, v]));
    for (const [name, t] of entries) {
      const v = byName.get(name);
      if (!v) throw new ValueError(`Model "${this.name}" has no weight named "${name}". Weights: ${[...byName.keys()].join(', ')}`);
      v.assign(t);
    }
  }

  protected override assertInputCompatible(shapes: SymShape | SymShape[]): void {
    if (!this.graph) return;
    const list = isShapeList(shapes) ? shapes : [shapes];
    if (list.length !== this.graph.inputs.length) {
      throw new ValueError(`Model "${this.name}" expects ${this.graph.inputs.length} input(s), got ${list.length}`);
    }
    list.forEach((shape, i) => {
      const expected = this.graph!.inputs[i].shape;
      const ok = shape.length === expected.length && expected.every((d, j) => d === null || shape[j] === null || d === shape[j]);
      if (!ok) {
        throw new ShapeError(`Input ${i} of layer "${this.name}" is incompatible with the layer: expected shape=${formatShapeTuple(expected)}, found shape=${formatShapeTuple(shape)}`);
      }
    });
  }

  override computeOutputShape(inputShape: SymShape | SymShape[]): SymShape | SymShape[] {
    if (!this.graph) throw new ValueError(`Model "${this.name}" (subclassed) cannot infer output shapes symbolically; call it on a Tensor or build() it first`);
    this.assertInputCompatible(inputShape);
    const outs = this.graph.outputs.map((t) => t.shape);
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Output shape of the first output, or null when it cannot be inferred symbolically. */
  computeOutputShapeSafe(inputShape: SymShape): SymShape | null {
    try {
      const s = this.computeOutputShape(inputShape);
      return isShapeList(s) ? s[0] : s;
    } catch {
      return null;
    }
  }

  call(inputs: Tensor | Tensor[], ctx: CallContext): Tensor | Tensor[] {
    if (!this.graph) throw new ValueError(`Model "${this.name}": a subclassed model must implement call(inputs)`);
    const outs = runGraph(this.graph, Array.isArray(inputs) ? inputs : [inputs], ctx.training);
    return outs.length === 1 ? outs[0] : outs;
  }

  /**
   * Create the weights by running one forward pass on zeros of this input shape (batch dimension
   * may be null). Needed before summary() of a subclassed model.
   */
  override build(inputShape: SymShape | SymShape[]): void {
    if (this.graph || this.built) {
      this.built = true;
      return;
    }
    this.built = true;
    this.builtInputShape = inputShape;
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape];
    noGrad(() => {
      const zs = shapes.map((s) => zerosOf(s));
      this.apply(zs.length === 1 ? zs[0] : zs, { training: false });
    });
  }

  // ------------------------------------------------------------------ training API

  /**
   * Stops a running fit() at the next batch boundary without finishing the epoch (no validation,
   * no onEpochEnd): what Ctrl-C does in `convkit train`. A BackupAndRestore callback then writes a
   * backup that a later fit() resumes from that batch. Unlike `stopTraining`, which Keras
   * callbacks set to end training normally after the current batch or epoch.
   */
  interrupt(): void {
    if (this.activeFit) this.activeFit.interrupted = true;
  }

  compile(args: CompileArgs): void {
    compileModel(this, args);
  }

  /** fit(x, y, args) on arrays, or fit(source, args) on a BatchSource (ImageDataGenerator.flow(), a directory dataset). */
  fit(x: Tensor | TensorLike, y: Targets, args?: FitArgs): Promise<History>;
  fit(source: BatchSource, args?: FitArgs): Promise<History>;
  fit(x: Tensor | TensorLike | BatchSource, yOrArgs?: Targets | FitArgs, args: FitArgs = {}): Promise<History> {
    if (isBatchSource(x)) {
      const looksLikeY = Array.isArray(yOrArgs) || (typeof yOrArgs === 'object' && yOrArgs !== null && 'shape' in yOrArgs);
      // Passing y with a source is refused by fitModel, with the reason.
      if (looksLikeY) return fitModel(this, x, yOrArgs as Tensor, args);
      return fitModel(this, x, undefined, (yOrArgs as FitArgs | undefined) ?? {});
    }
    return fitModel(this, x, yOrArgs as Targets, args);
  }

  /** [loss, ...metrics] (with several outputs: loss, each output's loss, then metrics); over a BatchSource a Promise. */
  evaluate(x: Tensor | TensorLike, y: Targets, args?: EvaluateArgs): number[];
  evaluate(source: BatchSource): Promise<number[]>;
  evaluate(x: Tensor | TensorLike | BatchSource, y?: Targets, args: EvaluateArgs = {}): number[] | Promise<number[]> {
    if (isBatchSource(x)) return evaluateSource(this, x);
    if (y === undefined) throw new ValueError('evaluate(): y is missing; pass labels, or a batch source as x');
    return evaluateModel(this, x, y, args);
  }

  /**
   * Outputs for every sample; over a BatchSource the result is a Promise. A model with several
   * outputs returns one tensor per output, as Keras's list: `model.predict<Tensor[]>(x)`.
   */
  predict<T extends Tensor | Tensor[] = Tensor>(x: Tensor | TensorLike, args?: PredictArgs): NoInfer<T>;
  predict<T extends Tensor | Tensor[] = Tensor>(source: BatchSource): Promise<NoInfer<T>>;
  predict(x: Tensor | TensorLike | BatchSource, args: PredictArgs = {}): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    if (isBatchSource(x)) return predictSource(this, x);
    return predictModel(this, x, args);
  }

  trainOnBatch(x: Tensor | TensorLike, y: Targets): number[] {
    return trainOnBatch(this, x, y);
  }

  /**
   * Save architecture, weights and compile settings, atomically: `m.keras` (Keras 3 archive),
   * `m.h5` (Keras 2 HDF5), `m.convkit` (convkit's format), or `save(dir, {format: 'tfjs'})`
   * (TensorFlow.js model.json + shards). Loaded back with loadModel(path).
   */
  async save(path: string, opts: SaveOptions = {}): Promise<void> {
    // Imported lazily: io depends on the model classes, so a static import would be circular.
    const { saveModel } = await import('../io/model_io.js');
    await saveModel(this, path, opts);
  }

  /** Keras's save_weights: `x.weights.h5` (Keras 3 layout) or `x.h5` (Keras 2 layout). */
  async saveWeights(path: string): Promise<void> {
    const { saveWeights } = await import('../io/model_io.js');
    await saveWeights(this, path);
  }

  /** Keras's load_weights: any Keras weights or model file (or convkit file), a path or URL. */
  async loadWeights(path: string | URL, opts: { fileHash?: string } = {}): Promise<void> {
    const { loadWeights } = await import('../io/model_io.js');
    await loadWeights(this, path, opts);
  }

  /** Print Keras's summary table (unless printFn is null) and return its figures. */
  summary(opts: { lineLength?: number; printFn?: ((line: string) => void) | null } = {}): SummaryInfo {
    const info = summarizeModel(this, opts.lineLength);
    const print = opts.printFn === undefined ? console.log : opts.printFn;
    if (print) print(info.text);
    return info;
  }

  /** Output shape of each layer as seen in this model (null batch), for summary and tools. */
  layerOutputShape(layer: Layer): SymShape | SymShape[] | null {
    if (this.graph) {
      const node = this.nodeOf(layer);
      if (!node) return null;
      const shapes = node.outputs.map((t) => t.shape);
      return shapes.length === 1 ? shapes[0] : shapes;
    }
    return observedOutputShapes.get(layer) ?? null;
  }

  /** The graph node where this functional model calls `layer` (first call if shared). */
  nodeOf(layer: Layer): GraphNode | null {
    return this.graph?.nodes.find((n) => n.layer === layer) ?? null;
  }
}


function zerosOf(shape: SymShape): Tensor {
  const concrete = shape.map((d, i) => (d === null ? (i === 0 ? 1 : NaN) : d));
  if (concrete.some((d) => Number.isNaN(d))) throw new ValueError(`build(): every dimension except the batch must be known, got ${formatShapeTuple(shape)}`);
  return zerosTensor(concrete);
}


registerContainerCall(Model.prototype.call);

export { InputLayer };
