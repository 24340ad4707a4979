/** BatchNormalization over the last axis (Keras 3 semantics). */
import { ValueError } from '../errors.js';
import { getInitializer, type Initializer, serializeInitializer } from '../initializers/index.js';
import { noGrad } from '../autograd/tape.js';
import * as ops from '../ops/index.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';

export interface BatchNormalizationArgs extends LayerArgs {
  axis?: number | readonly number[];
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: string | Initializer;
  gammaInitializer?: string | Initializer;
  movingMeanInitializer?: string | Initializer;
  movingVarianceInitializer?: string | Initializer;
}

/**
 * In training, normalises with the batch's statistics and updates the moving averages
 * (moving = moving·momentum + batch·(1−momentum)); otherwise uses the moving statistics. A frozen
 * layer (trainable = false) always runs in inference mode, as in Keras 3.
 */
export class BatchNormalization extends Layer {
  static override className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean!: Variable;
  movingVariance!: Variable;
  private readonly args: BatchNormalizationArgs;
  private ones: Tensor | null = null;
  private zeros: Tensor | null = null;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    this.args = args;
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    const axis = args.axis ?? -1;
    const axes = typeof axis === 'number' ? [axis] : axis;
    if (axes.length !== 1) throw new ValueError(`BatchNormalization "${this.name}": only a single (last) axis is supported, got axis ${JSON.stringify(axis)}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) throw new ValueError(`BatchNormalization: momentum must be in [0, 1], got ${this.momentum}`);
    if (!(this.epsilon > 0)) throw new ValueError(`BatchNormalization: epsilon must be > 0, got ${this.epsilon}`);
  }

  override build(inputShape: SymShape): void {
    const axis = typeof this.args.axis === 'number' ? this.args.axis : this.args.axis?.[0] ?? -1;
    const a = axis < 0 ? inputShape.length + axis : axis;
    if (a !== inputShape.length - 1) {
      throw new ValueError(`BatchNormalization "${this.name}": only the channels-last axis is supported (axis -1 or ${inputShape.length - 1}), got ${axis} for input ${formatShapeTuple(inputShape)}`);
    }
    const c = inputShape[a];
    if (c === null) throw new ValueError(`BatchNormalization "${this.name}": the normalised axis must have a known size, got ${formatShapeTuple(inputShape)}`);
    if (this.scale) this.gamma = this.addWeight('gamma', [c], { initializer: this.args.gammaInitializer ?? 'ones' });
    if (this.center) this.beta = this.addWeight('beta', [c], { initializer: this.args.betaInitializer ?? 'zeros' });
    this.movingMean = this.addWeight('moving_mean', [c], { initializer: this.args.movingMeanInitializer ?? 'zeros', trainable: false });
    this.movingVariance = this.addWeight('moving_variance', [c], { initializer: this.args.movingVarianceInitializer ?? 'ones', trainable: false });
    this.inputSpec = { minNdim: 2, axes: { [-1]: c } };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    return inputShape;
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const c = this.movingMean.size;
    this.ones ??= ops.ones([c]);
    this.zeros ??= ops.zeros([c]);
    const gamma = this.gamma ?? this.ones;
    const beta = this.beta ?? this.zeros;
    if (ctx.training && this.trainable) {
      const { y, mean, variance } = ops.batchNormTrain(x, gamma, beta, this.epsilon);
      noGrad(() => {
        const m = this.momentum;
        this.movingMean.assign(ops.add(ops.mul(this.movingMean, m), ops.mul(mean, 1 - m)));
        this.movingVariance.assign(ops.add(ops.mul(this.movingVariance, m), ops.mul(variance, 1 - m)));
      });
      return y;
    }
    return ops.batchNormInference(x, this.movingMean, this.movingVariance, gamma, beta, this.epsilon);
  }

  override getConfig(): Record<string, unknown> {
    const a = this.args;
    return {
      ...super.getConfig(), axis: -1, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      beta_initializer: serializeInitializer(getInitializer(a.betaInitializer ?? 'zeros')),
      gamma_initializer: serializeInitializer(getInitializer(a.gammaInitializer ?? 'ones')),
      moving_mean_initializer: serializeInitializer(getInitializer(a.movingMeanInitializer ?? 'zeros')),
      moving_variance_initializer: serializeInitializer(getInitializer(a.movingVarianceInitializer ?? 'ones')),
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, synchronized: false,
    };
  }
}
