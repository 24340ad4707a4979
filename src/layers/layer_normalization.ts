/** LayerNormalization and RMSNormalization (Keras 3 semantics): normalise each sample over the given axes. */
import { ValueError } from '../errors.js';
import { getInitializer, type InitializerIdentifier, serializeInitializer } from '../initializers/index.js';
import { getRegularizer, type RegularizerIdentifier, serializeRegularizer } from '../regularizers/index.js';
import * as ops from '../ops/index.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';

export interface LayerNormalizationArgs extends LayerArgs {
  /** Axis or axes normalised over, per sample (default -1: the features / channels). */
  axis?: number | readonly number[];
  /** Added to the variance (default 1e-3). */
  epsilon?: number;
  /** Add the learned offset beta (default true). */
  center?: boolean;
  /** Multiply by the learned gamma (default true). */
  scale?: boolean;
  /**
   * Keras 3's rms_scaling (deprecated there in favour of RMSNormalization): y = x·γ/√(σ² + ε), where
   * σ² is the sample's (centred) variance, as Keras computes it; center and scale are then ignored,
   * gamma is created and beta is not.
   */
  rmsScaling?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

/**
 * y = (x − μ)/√(σ² + ε)·γ + β with μ, σ² (biased) over `axis` of each sample. gamma and beta have
 * the sizes of the normalised axes, in the order `axis` lists them (Keras's shapes); they broadcast
 * as Keras does, by reshaping to the input's rank. Same computation in training and inference.
 */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';
  readonly axis: number | number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly rmsScaling: boolean;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  private readonly args: LayerNormalizationArgs;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    this.args = args;
    const axis = args.axis ?? -1;
    if (typeof axis === 'number') {
      if (!Number.isInteger(axis)) throw new ValueError(`LayerNormalization "${this.name}": axis must be an integer or a list of integers, got ${JSON.stringify(axis)}`);
      this.axis = axis;
    } else if (Array.isArray(axis) && axis.length > 0 && axis.every((a) => Number.isInteger(a))) {
      this.axis = [...axis];
    } else {
      throw new ValueError(`LayerNormalization "${this.name}": axis must be an integer or a non-empty list of integers, got ${JSON.stringify(axis)}`);
    }
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.epsilon >= 0) || !Number.isFinite(this.epsilon)) throw new ValueError(`LayerNormalization "${this.name}": epsilon must be a finite number ≥ 0, got ${args.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.rmsScaling = args.rmsScaling ?? false;
    // Resolve now so a bad name fails at construction.
    getInitializer(args.betaInitializer ?? 'zeros');
    getInitializer(args.gammaInitializer ?? 'ones');
    if (args.betaRegularizer) getRegularizer(args.betaRegularizer);
    if (args.gammaRegularizer) getRegularizer(args.gammaRegularizer);
  }

  private axesFor(rank: number, shapeText: string): number[] {
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    const axes = list.map((a) => {
      const n = a < 0 ? a + rank : a;
      if (n < 0 || n >= rank) throw new ValueError(`LayerNormalization "${this.name}": axis ${a} is out of bounds for input shape ${shapeText}`);
      return n;
    });
    if (new Set(axes).size !== axes.length) throw new ValueError(`LayerNormalization "${this.name}": duplicate axes in ${JSON.stringify(this.axis)} for input shape ${shapeText}`);
    if (axes.includes(0)) throw new ValueError(`LayerNormalization "${this.name}": cannot normalise over the batch axis (axis ${JSON.stringify(this.axis)}, input shape ${shapeText})`);
    return axes;
  }

  override build(inputShape: SymShape): void {
    const text = formatShapeTuple(inputShape);
    const axes = this.axesFor(inputShape.length, text);
    const shape = axes.map((a) => inputShape[a]);
    if (shape.some((d) => d === null)) throw new ValueError(`LayerNormalization "${this.name}": the normalised axes must have known sizes, got input shape ${text}`);
    const dims = shape as number[];
    if (this.scale || this.rmsScaling) {
      this.gamma = this.addWeight('gamma', dims, { initializer: getInitializer(this.args.gammaInitializer ?? 'ones'), regularizer: this.args.gammaRegularizer ? getRegularizer(this.args.gammaRegularizer) : null });
    }
    if (this.center && !this.rmsScaling) {
      this.beta = this.addWeight('beta', dims, { initializer: getInitializer(this.args.betaInitializer ?? 'zeros'), regularizer: this.args.betaRegularizer ? getRegularizer(this.args.betaRegularizer) : null });
    }
    const spec: Record<number, number> = {};
    axes.forEach((a, i) => { spec[a] = dims[i]; });
    this.inputSpec = { ndim: inputShape.length, axes: spec };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    return inputShape;
  }

  call(x: Tensor): Tensor {
    const axis = this.axesFor(x.rank, formatShapeTuple(x.shape));
    return ops.layerNormalization(x, this.gamma, this.beta, { axis, epsilon: this.epsilon, rmsScaling: this.rmsScaling });
  }

  override getConfig(): Record<string, unknown> {
    const a = this.args;
    return {
      ...super.getConfig(),
      axis: typeof this.axis === 'number' ? this.axis : [...this.axis], epsilon: this.epsilon, center: this.center, scale: this.scale,
      rms_scaling: this.rmsScaling,
      beta_initializer: serializeInitializer(getInitializer(a.betaInitializer ?? 'zeros')),
      gamma_initializer: serializeInitializer(getInitializer(a.gammaInitializer ?? 'ones')),
      beta_regularizer: a.betaRegularizer ? serializeRegularizer(getRegularizer(a.betaRegularizer)) : null,
      gamma_regularizer: a.gammaRegularizer ? serializeRegularizer(getRegularizer(a.gammaRegularizer)) : null,
      beta_constraint: null, gamma_constraint: null,
    };
  }
}

export interface RMSNormalizationArgs extends LayerArgs {
  /** Axis or axes normalised over, per sample (default -1). */
  axis?: number | readonly number[];
  /** Added to the mean square (default 1e-6, Keras's). */
  epsilon?: number;
}

/**
 * Keras 3's RMSNormalization (Zhang & Sennrich, 2019): y = x·scale/√(mean(x²) + ε) over `axis` of
 * each sample, with one trainable weight named `scale` (initialised to ones) shaped like the
 * normalised axes. No centring and no offset.
 */
export class RMSNormalization extends Layer {
  static override className = 'RMSNormalization';
  readonly axis: number | number[];
  readonly epsilon: number;
  scale!: Variable;

  constructor(args: RMSNormalizationArgs = {}) {
    super(args);
    const axis = args.axis ?? -1;
    if (typeof axis === 'number' && Number.isInteger(axis)) this.axis = axis;
    else if (Array.isArray(axis) && axis.length > 0 && axis.every((a) => Number.isInteger(a))) this.axis = [...axis];
    else throw new ValueError(`RMSNormalization "${this.name}": axis must be an integer or a non-empty list of integers, got ${JSON.stringify(axis)}`);
    this.epsilon = args.epsilon ?? 1e-6;
    if (!(this.epsilon >= 0) || !Number.isFinite(this.epsilon)) throw new ValueError(`RMSNormalization "${this.name}": epsilon must be a finite number ≥ 0, got ${args.epsilon}`);
  }

  private axesFor(rank: number, shapeText: string): number[] {
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    const axes = list.map((a) => {
      const n = a < 0 ? a + rank : a;
      if (n < 1 || n >= rank) throw new ValueError(`RMSNormalization "${this.name}": axis ${a} is out of bounds (or the batch axis) for input shape ${shapeText}`);
      return n;
    });
    if (new Set(axes).size !== axes.length) throw new ValueError(`RMSNormalization "${this.name}": duplicate axes in ${JSON.stringify(this.axis)} for input shape ${shapeText}`);
    return axes;
  }

  override build(inputShape: SymShape): void {
    const text = formatShapeTuple(inputShape);
    const axes = this.axesFor(inputShape.length, text);
    const dims = axes.map((a) => inputShape[a]);
    if (dims.some((d) => d === null)) throw new ValueError(`RMSNormalization "${this.name}": the normalised axes must have known sizes, got input shape ${text}`);
    this.scale = this.addWeight('scale', dims as number[], { initializer: 'ones' });
    const spec: Record<number, number> = {};
    axes.forEach((a, i) => { spec[a] = dims[i] as number; });
    this.inputSpec = { ndim: inputShape.length, axes: spec };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    return inputShape;
  }

  call(x: Tensor): Tensor {
    return ops.rmsNormalization(x, this.scale, { axis: this.axesFor(x.rank, formatShapeTuple(x.shape)), epsilon: this.epsilon });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: typeof this.axis === 'number' ? this.axis : [...this.axis], epsilon: this.epsilon };
  }
}
