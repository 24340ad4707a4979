/**
 * Keras 3's deterministic preprocessing layers: Rescaling (x·scale + offset) and Normalization
 * ((x − mean) / max(√variance, ε), statistics given or learnt with adapt()). Both are built from
 * differentiable ops, so they can sit anywhere in a model.
 */
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import { tensor } from '../ops/creation.js';
import { Tensor, type Variable } from '../tensor/tensor.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';
import type { SymShape } from './symbolic.js';

/** Keras's backend.epsilon(): the floor of the standard deviation. */
const EPSILON = 1e-7;

type Scalars = number | readonly number[];

function asParam(v: Scalars, name: string, layer: string): Tensor {
  const arr = typeof v === 'number' ? [v] : [...v];
  if (arr.length === 0 || !arr.every(Number.isFinite)) throw new ValueError(`${layer}: ${name} must be a finite number or a list of them, got ${JSON.stringify(v)}`);
  return typeof v === 'number' ? tensor(v) : tensor(arr);
}

export interface RescalingArgs extends LayerArgs {
  scale: Scalars;
  offset?: Scalars;
}

export class Rescaling extends Layer {
  static override className = 'Rescaling';
  readonly scale: Scalars;
  readonly offset: Scalars;
  private readonly scaleT: Tensor;
  private readonly offsetT: Tensor;

  constructor(args: RescalingArgs) {
    super(args);
    if (args?.scale === undefined) throw new ValueError('Rescaling: scale is required');
    this.scale = args.scale;
    this.offset = args.offset ?? 0;
    this.scaleT = asParam(this.scale, 'scale', 'Rescaling');
    this.offsetT = asParam(this.offset, 'offset', 'Rescaling');
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    return ops.add(ops.mul(ops.cast(x, 'float32'), this.scaleT), this.offsetT);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}

export interface NormalizationArgs extends LayerArgs {
  /** The axis with separate statistics (default −1, the channels); null: one mean and variance for all. */
  axis?: number | null;
  mean?: Scalars | null;
  variance?: Scalars | null;
  /** Undo a normalisation: mean + x·√variance. */
  invert?: boolean;
}

export class Normalization extends Layer {
  static override className = 'Normalization';
  readonly axis: number | null;
  readonly invert: boolean;
  readonly inputMean: Scalars | null;
  readonly inputVariance: Scalars | null;
  /** Learnt by adapt() (Keras's non-trainable `mean`, `variance`, `count` weights). */
  adaptMean: Variable | null = null;
  adaptVariance: Variable | null = null;
  count: Variable | null = null;
  private rank = 0;

  constructor(args: NormalizationArgs = {}) {
    super(args);
    this.axis = args.axis === undefined ? -1 : args.axis;
    if (Array.isArray(this.axis)) {
      if ((this.axis as number[]).length !== 1) throw new ValueError('Normalization: only one axis (or null) is supported');
      this.axis = (this.axis as number[])[0];
    }
    this.invert = args.invert ?? false;
    const m = args.mean ?? null;
    const v = args.variance ?? null;
    if ((m === null) !== (v === null)) throw new ValueError('Normalization: when setting values directly, both mean and variance must be set');
    this.inputMean = m;
    this.inputVariance = v;
  }

  private axisIndex(rank: number): number | null {
    if (this.axis === null) return null;
    const a = this.axis < 0 ? rank + this.axis : this.axis;
    if (a <= 0 || a >= rank) throw new ValueError(`Normalization: axis ${this.axis} is out of range for inputs of rank ${rank} (the batch axis cannot be normalised)`);
    return a;
  }

  override build(inputShape: SymShape): void {
    this.rank = inputShape.length;
    const a = this.axisIndex(this.rank);
    if (this.inputMean !== null) return;
    const size = a === null ? [] : [inputShape[a]];
    if (size.some((d) => d === null)) throw new ValueError(`Normalization: axis ${this.axis} of the input shape must be known`);
    this.adaptMean = this.addWeight('mean', size as number[], { initializer: 'zeros', trainable: false });
    this.adaptVariance = this.addWeight('variance', size as number[], { initializer: 'ones', trainable: false });
    this.count = this.addWeight('count', [], { initializer: 'zeros', trainable: false });
  }

  /** Compute the mean and variance of `data` (population variance over every other axis). */
  adapt(data: Tensor | number[]): void {
    const x = data instanceof Tensor ? data : tensor(data);
    if (!this.built) {
      this.build([null, ...x.shape.slice(1)]);
      this.built = true;
      this.builtInputShape = [null, ...x.shape.slice(1)];
    }
    if (this.inputMean !== null) throw new ValueError('Normalization: adapt() cannot change a mean and variance given to the constructor');
    const a = this.axisIndex(x.rank);
    const c = a === null ? 1 : x.shape[a];
    const inner = a === null ? 1 : x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
    const v = x.values;
    const count = v.length / c;
    if (!count) throw new ValueError('Normalization.adapt: no data');
    const mean = new Float64Array(c);
    const sq = new Float64Array(c);
    const ch = (i: number) => (a === null ? 0 : Math.floor(i / inner) % c);
    for (let i = 0; i < v.length; i++) mean[ch(i)] += v[i];
    for (let k = 0; k < c; k++) mean[k] /= count;
    for (let i = 0; i < v.length; i++) {
      const d = v[i] - mean[ch(i)];
      sq[ch(i)] += d * d;
    }
    const shape = a === null ? [] : [c];
    Layer.assignNoGrad(this.adaptMean as Variable, new Tensor(Float32Array.from(mean), shape));
    Layer.assignNoGrad(this.adaptVariance as Variable, new Tensor(Float32Array.from(sq, (s) => s / count), shape));
    Layer.assignNoGrad(this.count as Variable, new Tensor(new Float32Array([count]), []));
  }

  /** Mean and variance shaped to broadcast against the inputs. */
  private stats(rank: number): [Tensor, Tensor] {
    const a = this.axisIndex(rank);
    const mean = this.adaptMean ?? asParam(this.inputMean as Scalars, 'mean', 'Normalization');
    const variance = this.adaptVariance ?? asParam(this.inputVariance as Scalars, 'variance', 'Normalization');
    const shape = (t: Tensor) => (a === null || t.size === 1 ? t.size === 1 ? [] : t.shape : Array.from({ length: rank }, (_, i) => (i === a ? t.size : 1)));
    return [ops.reshape(mean, shape(mean)), ops.reshape(variance, shape(variance))];
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const [mean, variance] = this.stats(x.rank);
    const std = ops.maximum(ops.sqrt(variance), EPSILON);
    const xf = ops.cast(x, 'float32');
    return this.invert ? ops.add(mean, ops.mul(xf, std)) : ops.div(ops.sub(xf, mean), std);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, invert: this.invert, mean: this.inputMean, variance: this.inputVariance };
  }
}
