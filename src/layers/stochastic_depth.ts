/**
 * StochasticDepth (Huang et al., 2016; timm's DropPath): in training, drops the residual branch
 * of whole samples. Keras defines it as a custom class inside keras/src/applications/convnext.py;
 * convkit registers it under the same class name and config key (`drop_path_rate`), so Keras's
 * ConvNeXt files load.
 */
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import { randomFor, type Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';
import type { SymShape } from './symbolic.js';

export interface StochasticDepthArgs extends LayerArgs {
  /** Probability of dropping a sample's path, in [0, 1) (Keras: drop_path_rate). */
  dropPathRate: number;
  /** Seed of the layer's own generator (convkit's addition; Keras draws from its global seed). */
  seed?: number;
}

/**
 * Keras's StochasticDepth: in training, each sample of the batch is kept with probability
 * keep = 1 − drop_path_rate and divided by keep, or zeroed whole (one draw per sample, broadcast
 * over all its other axes); at inference, the identity.
 */
export class StochasticDepth extends Layer {
  static override className = 'StochasticDepth';
  readonly dropPathRate: number;
  readonly seed?: number;
  private readonly rng: Random;

  constructor(args: StochasticDepthArgs) {
    super(args);
    const rate = args?.dropPathRate;
    // Keras accepts 1.0 but then divides by keep = 0 (NaN outputs in training); refuse it here.
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new ValueError(`StochasticDepth: drop_path_rate must be in [0, 1), got ${JSON.stringify(rate)}`);
    }
    this.dropPathRate = rate;
    this.seed = args.seed;
    this.rng = randomFor(args.seed);
  }

  override randomGenerators(): Random[] {
    return [this.rng];
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    return inputShape;
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.dropPathRate === 0) return x;
    // keep ⇔ floor(keep + U[0, 1)) = 1 ⇔ U ≥ rate: exactly inverted dropout with noise shape (batch, 1, …, 1).
    return ops.dropout(x, this.dropPathRate, this.rng, [x.shape[0], ...x.shape.slice(1).map(() => 1)]);
  }

  override getConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = { ...super.getConfig(), drop_path_rate: this.dropPathRate };
    if (this.seed !== undefined) cfg.seed = this.seed;
    return cfg;
  }
}
