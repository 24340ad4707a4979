/**
 * The Layer base class (Keras semantics): lazily built from the first input shape, owns named
 * variables, runs eagerly on Tensors, and on SymbolicTensors records a graph node for the
 * functional API. Layers compute with ops only.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Initializer } from '../initializers/index.js';
import {
  getInitializer, Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, LecunNormal, LecunUniform,
  Ones, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros,
} from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import { getRegularizer } from '../regularizers/index.js';
import { noGrad } from '../autograd/tape.js';
import type { DType } from '../tensor/dtype.js';
import { type Shape, Tensor, Variable } from '../tensor/tensor.js';
import type { Random } from '../tensor/random.js';
import { add } from '../ops/index.js';
import { formatShapeTuple, type SymShape, SymbolicTensor, type GraphNode } from './symbolic.js';
import { uniqueName, toSnakeCase } from './naming.js';

/**
 * Whether `init` is a built-in initializer, whose apply() returns a newly allocated array (the exact
 * classes: a subclass may override apply). The set is made on first use, after every module loaded.
 */
let freshInitializers: ReadonlySet<unknown> | null = null;
function returnsFreshArray(init: Initializer): boolean {
  freshInitializers ??= new Set([
    Zeros, Ones, Constant, Identity, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform,
  ]);
  return freshInitializers.has(init.constructor);
}

export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** Shape of one sample, without the batch dimension (Keras input_shape). */
  inputShape?: readonly (number | null)[];
  batchInputShape?: readonly (number | null)[];
  batchSize?: number;
  dtype?: DType | string | Record<string, unknown>;
}

export interface CallContext {
  training: boolean;
}

/** Expected input structure, checked on every call (Keras InputSpec). */
export interface InputSpec {
  ndim?: number;
  minNdim?: number;
  /** axis (may be negative) → required size. */
  axes?: Record<number, number>;
}

interface WeightEntry {
  variable: Variable;
  /** Whether the weight is trainable when its layer is (BatchNorm moving stats never are). */
  trainableByDefault: boolean;
  regularizer: Regularizer | null;
}

let trainingContext: boolean | null = null;

/** Output shapes seen on eager calls: the only shape source for layers of subclassed models. */
export const observedOutputShapes = new WeakMap<Layer, SymShape | SymShape[]>();

/** Run `fn` with a default training flag for layers called without an explicit context. */
export function withTraining<T>(training: boolean, fn: () => T): T {
  const prev = trainingContext;
  trainingContext = training;
  try {
    return fn();
  } finally {
    trainingContext = prev;
  }
}

type OutputProbe = (layer: Layer, outputs: readonly Tensor[]) => void;
let outputProbe: OutputProbe | null = null;

/**
 * Runs `fn` with `probe` called on every layer's concrete outputs, innermost layers first (a
 * nested model reports after its own layers). Used to find where a non-finite value first
 * appears; costs one null check per layer call otherwise.
 */
export function withOutputProbe<T>(probe: OutputProbe, fn: () => T): T {
  const prev = outputProbe;
  outputProbe = probe;
  try {
    return fn();
  } finally {
    outputProbe = prev;
  }
}

/** Whether a withOutputProbe() is running (its probe must see every layer's outputs). */
export function outputProbeActive(): boolean {
  return outputProbe !== null;
}

export type LayerInput = Tensor | SymbolicTensor | readonly (Tensor | SymbolicTensor)[];
export type LayerOutput<T> = T extends SymbolicTensor | readonly SymbolicTensor[] ? SymbolicTensor : Tensor;

export abstract class Layer {
  /** Keras class name used in summaries and saved configs. Subclasses set it. */
  static className = 'Layer';
  readonly name: string;
  built = false;
  supportsMasking = false;
  inputSpec: InputSpec | null = null;
  /** The batch input shape given at construction (inputShape / batchInputShape), if any. */
  readonly batchInputShape: SymShape | null;
  /** Graph nodes created by calling this layer on symbolic tensors. */
  readonly inboundNodes: GraphNode[] = [];
  /** Shape(s) the layer was built for (batch as null). */
  builtInputShape: SymShape | SymShape[] | null = null;
  protected trainableFlag: boolean;
  private readonly entries: WeightEntry[] = [];

  constructor(args: LayerArgs = {}) {
    const cls = new.target as unknown as { className?: string; name: string };
    const className = Object.prototype.hasOwnProperty.call(cls, 'className') ? cls.className as string : cls.name;
    this.name = args.name ?? uniqueName(toSnakeCase(className));
    this.trainableFlag = args.trainable ?? true;
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    else this.batchInputShape = null;
    if (args.dtype !== undefined && args.dtype !== 'float32' && typeof args.dtype === 'string') {
      throw new ValueError(`Layer "${this.name}": dtype ${JSON.stringify(args.dtype)} is not supported; layers compute in float32`);
    }
  }

  get className(): string {
    const cls = this.constructor as unknown as { className?: string; name: string };
    return Object.prototype.hasOwnProperty.call(cls, 'className') ? cls.className as string : cls.name;
  }

  // ---------------------------------------------------------------- weights

  /** Create a weight named `<layer>/<name>`; called from build(). */
  protected addWeight(name: string, shape: Shape, opts: {
    initializer?: Initializer | string; trainable?: boolean; regularizer?: Regularizer | string | null; dtype?: DType;
  } = {}): Variable {
    const init = getInitializer(opts.initializer ?? 'glorot_uniform');
    const trainableByDefault = opts.trainable ?? true;
    const value = init.apply(shape, opts.dtype === 'float64' ? 'float64' : 'float32');
    // A built-in initializer returns a fresh array no one else holds: the variable adopts it, so each
    // weight is allocated once (copying it doubled the peak: VGG19's 392 MiB fc1 kernel twice). A
    // custom initializer's tensor may be shared, so the Variable copies it (its constructor's rule).
    const owned = returnsFreshArray(init) ? value.values : value;
    const v = new Variable(owned, `${this.name}/${name}`, trainableByDefault && this.trainableFlag, value.shape);
    this.entries.push({ variable: v, trainableByDefault, regularizer: opts.regularizer ? getRegularizer(opts.regularizer) : null });
    return v;
  }

  get trainable(): boolean {
    return this.trainableFlag;
  }

  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const e of this.entries) e.variable.trainable = value && e.trainableByDefault;
    for (const l of this.subLayers()) l.trainable = value;
  }

  /** Layers nested inside this one (models override). */
  subLayers(): Layer[] {
    return [];
  }

  /**
   * The random generators this layer draws from while training (dropout masks, augmentation),
   * own then nested layers'. Backups save their states so a resumed run draws the same numbers.
   */
  randomGenerators(): Random[] {
    return this.subLayers().flatMap((l) => l.randomGenerators());
  }

  /** All variables in creation order (own, then nested layers'). */
  get weights(): Variable[] {
    const own = this.entries.map((e) => e.variable);
    const nested = this.subLayers().flatMap((l) => l.weights);
    return dedupe([...own, ...nested]);
  }

  get trainableWeights(): Variable[] {
    return this.weights.filter((v) => v.trainable);
  }

  get nonTrainableWeights(): Variable[] {
    return this.weights.filter((v) => !v.trainable);
  }

  /** Copies of the current weight values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((v) => v.read());
  }

  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new ValueError(`Layer "${this.name}" expects ${ws.length} weight arrays (${ws.map((w) => `${w.name} ${formatShapeTuple(w.shape)}`).join(', ')}), got ${values.length}`);
    }
    ws.forEach((w, i) => w.assign(values[i]));
  }

  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** Regularisation penalties of this layer's (and nested layers') weights, as scalar tensors. */
  regularizationLosses(): Tensor[] {
    const own = this.entries.filter((e) => e.regularizer && e.variable.trainable).map((e) => (e.regularizer as Regularizer).apply(e.variable));
    return [...own, ...this.subLayers().flatMap((l) => l.regularizationLosses())];
  }

  // ---------------------------------------------------------------- shapes

  /** Create weights for inputs of this shape (batch dimension null). */
  build(inputShape: SymShape | SymShape[]): void {
    void inputShape;
    this.built = true;
  }

  computeOutputShape(inputShape: SymShape | SymShape[]): SymShape | SymShape[] {
    return inputShape;
  }

  abstract call(inputs: Tensor | Tensor[], ctx: CallContext): Tensor | Tensor[];

  protected maybeBuild(shapes: SymShape | SymShape[]): void {
    if (this.built) return;
    this.build(shapes);
    this.built = true;
    this.builtInputShape = shapes;
  }

  /** Check inputs against inputSpec; the message names the layer, the expectation and the shape. */
  protected assertInputCompatible(shapes: SymShape | SymShape[]): void {
    const spec = this.inputSpec;
    if (!spec) return;
    // Runs on every call of every layer: no allocation unless a check fails.
    const list = isShapeList(shapes) ? shapes : [shapes];
    for (let i = 0; i < list.length; i++) {
      const shape = list[i];
      if (spec.ndim !== undefined && shape.length !== spec.ndim) {
        throw this.incompatible(i, `expected ndim=${spec.ndim}, found ndim=${shape.length}. Full shape received: ${formatShapeTuple(shape)}`);
      }
      if (spec.minNdim !== undefined && shape.length < spec.minNdim) {
        throw this.incompatible(i, `expected min_ndim=${spec.minNdim}, found ndim=${shape.length}. Full shape received: ${formatShapeTuple(shape)}`);
      }
      for (const axisStr in spec.axes) {
        const size = spec.axes[Number(axisStr)];
        const axis = Number(axisStr);
        const d = shape[axis < 0 ? shape.length + axis : axis];
        if (d !== null && d !== undefined && d !== size) {
          throw this.incompatible(i, `expected axis ${axis} of input shape to have value ${size}, but received input with shape ${formatShapeTuple(shape)}`);
        }
      }
    }
  }

  private incompatible(input: number, detail: string): ShapeError {
    return new ShapeError(`Input ${input} of layer "${this.name}" is incompatible with the layer: ${detail}`);
  }

  // ---------------------------------------------------------------- calling

  /**
   * Call the layer: on Tensors it computes now; on SymbolicTensors (from `Input`) it records a
   * graph node and returns the symbolic output, for the functional API.
   */
  apply<T extends LayerInput>(inputs: T, ctx?: Partial<CallContext>): LayerOutput<T>;
  apply(inputs: LayerInput, ctx?: Partial<CallContext>): Tensor | SymbolicTensor | Tensor[] | SymbolicTensor[] {
    const list = Array.isArray(inputs) ? inputs as (Tensor | SymbolicTensor)[] : [inputs as Tensor | SymbolicTensor];
    if (list.length === 0) throw new ValueError(`Layer "${this.name}" was called with an empty list of inputs`);
    const symbolic = list.some((t) => t instanceof SymbolicTensor);
    if (symbolic) {
      if (!list.every((t) => t instanceof SymbolicTensor)) {
        throw new ValueError(`Layer "${this.name}": cannot mix symbolic inputs (from Input()) and concrete Tensors in one call`);
      }
      return this.applySymbolic(list as SymbolicTensor[], Array.isArray(inputs), ctx?.training);
    }
    for (const t of list) {
      if (!(t instanceof Tensor)) throw new ValueError(`Layer "${this.name}" expects Tensor inputs, got ${t === null ? 'null' : typeof t}`);
    }
    const tensors = list as Tensor[];
    const shapes = tensors.map((t) => [null, ...t.shape.slice(1)] as SymShape);
    const shapeArg = Array.isArray(inputs) ? shapes : shapes[0];
    this.maybeBuild(shapeArg);
    this.assertInputCompatible(Array.isArray(inputs) ? tensors.map((t) => t.shape) : tensors[0].shape);
    const training = ctx?.training ?? trainingContext ?? false;
    const out = withTraining(training, () => this.call(Array.isArray(inputs) ? tensors : tensors[0], { training }));
    observedOutputShapes.set(this, Array.isArray(out) ? out.map((t) => [null, ...t.shape.slice(1)]) : [null, ...out.shape.slice(1)]);
    if (outputProbe) outputProbe(this, Array.isArray(out) ? out : [out]);
    return out;
  }

  private applySymbolic(inputs: SymbolicTensor[], asList: boolean, training?: boolean): SymbolicTensor | SymbolicTensor[] {
    const shapes = inputs.map((t) => t.shape);
    const shapeArg = asList ? shapes : shapes[0];
    this.maybeBuild(shapeArg);
    this.assertInputCompatible(shapeArg);
    const out = this.computeOutputShape(shapeArg);
    const outShapes = isShapeList(out) ? out : [out];
    const node: GraphNode = { layer: this, inputs, outputs: [], inputsAsList: asList, ...(training !== undefined ? { training } : {}) };
    node.outputs = outShapes.map((s, i) => new SymbolicTensor(s, 'float32', node, i, `${this.name}_out${i}`));
    this.inboundNodes.push(node);
    return isShapeList(out) ? node.outputs : node.outputs[0];
  }

  /** Keras-style config (snake_case keys) for saving. */
  getConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.batchInputShape) cfg.batch_input_shape = [...this.batchInputShape];
    return cfg;
  }

  /** Overwrite variable values without recording gradients (e.g. moving averages). */
  protected static assignNoGrad(v: Variable, value: Tensor): void {
    noGrad(() => v.assign(value));
  }
}

export function isShapeList(s: SymShape | SymShape[] | readonly SymShape[]): s is SymShape[] {
  return s.length > 0 && Array.isArray(s[0]);
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Sum of tensors (for losses); zero-length lists give undefined. */
export function sumAll(ts: Tensor[]): Tensor | undefined {
  return ts.reduce<Tensor | undefined>((acc, t) => (acc ? add(acc, t) : t), undefined);
}
