/** Dense, Activation, Dropout: the core layers. */
import { type Activation, type ActivationFn, fusedActivationOf, getActivation } from '../activations/index.js';
import { ValueError } from '../errors.js';
import type { Initializer } from '../initializers/index.js';
import { getInitializer, serializeInitializer } from '../initializers/index.js';
import type { Regularizer } from '../regularizers/index.js';
import { serializeRegularizer, getRegularizer } from '../regularizers/index.js';
import * as ops from '../ops/index.js';
import { randomFor, type Random } from '../tensor/random.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';
import { applyActivation } from './activation_util.js';

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: string | ActivationFn | null;
  useBias?: boolean;
  kernelInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer | null;
  biasRegularizer?: string | Regularizer | null;
}

export class Dense extends Layer {
  static override className = 'Dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  kernel!: Variable;
  bias: Variable | null = null;
  private readonly args: DenseArgs;

  constructor(args: DenseArgs) {
    super(args);
    if (!Number.isInteger(args?.units) || args.units <= 0) throw new ValueError(`Dense: units must be a positive integer, got ${args?.units}`);
    this.args = args;
    this.units = args.units;
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
  }

  override build(inputShape: SymShape): void {
    const inDim = inputShape[inputShape.length - 1];
    if (inDim === null || inDim === undefined) throw new ValueError(`Layer "${this.name}": the last dimension of the input must be known, got ${formatShapeTuple(inputShape)}`);
    this.kernel = this.addWeight('kernel', [inDim, this.units], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer });
    this.inputSpec = { minNdim: 2, axes: { [-1]: inDim } };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    return [...inputShape.slice(0, -1), this.units];
  }

  call(x: Tensor): Tensor {
    // The bias always goes in the matmul's epilogue; an activation the kernels cannot apply there
    // (softmax, a classifier's) follows as its own op.
    const fused = fusedActivationOf(this.activation);
    const y = ops.fusedMatMul(x, this.kernel, this.bias ?? null, fused ?? 'linear', `Layer "${this.name}" (Dense)`);
    return fused ? y : applyActivation(this.activation, y);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation.name, use_bias: this.useBias,
      kernel_initializer: serializeInitializer(getInitializer(this.args.kernelInitializer ?? 'glorot_uniform')),
      bias_initializer: serializeInitializer(getInitializer(this.args.biasInitializer ?? 'zeros')),
      kernel_regularizer: this.args.kernelRegularizer ? serializeRegularizer(getRegularizer(this.args.kernelRegularizer)) : null,
      bias_regularizer: this.args.biasRegularizer ? serializeRegularizer(getRegularizer(this.args.biasRegularizer)) : null,
      kernel_constraint: null, bias_constraint: null, activity_regularizer: null,
    };
  }
}

export interface ActivationArgs extends LayerArgs {
  activation: string | ActivationFn;
}

export class ActivationLayer extends Layer {
  static override className = 'Activation';
  readonly activation: Activation;

  constructor(args: ActivationArgs) {
    super(args);
    this.activation = getActivation(args.activation);
  }

  call(x: Tensor): Tensor {
    return applyActivation(this.activation, x);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.activation.name };
  }
}

export interface DropoutArgs extends LayerArgs {
  rate: number;
  noiseShape?: readonly (number | null)[];
  seed?: number;
}

/** Inverted dropout, active only in training. */
export class Dropout extends Layer {
  static override className = 'Dropout';
  readonly rate: number;
  readonly noiseShape?: readonly (number | null)[];
  readonly seed?: number;
  private readonly rng: Random;

  constructor(args: DropoutArgs) {
    super(args);
    if (!(args?.rate >= 0 && args.rate < 1)) throw new ValueError(`Dropout: rate must be in [0, 1), got ${args?.rate}`);
    this.rate = args.rate;
    this.noiseShape = args.noiseShape;
    this.seed = args.seed;
    this.rng = randomFor(args.seed);
  }

  override randomGenerators(): Random[] {
    return [this.rng];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    const noise = this.noiseShape?.map((d, i) => d ?? x.shape[i]);
    return ops.dropout(x, this.rate, this.rng, noise);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null, noise_shape: this.noiseShape ?? null };
  }
}
