/** SpatialDropout2D (Keras 3): dropout of whole feature maps (channels_last). */
import { checkChannelsLast } from './layer_checks.js';
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import { randomFor, type Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';
import type { SymShape } from './symbolic.js';

export interface SpatialDropout2DArgs extends LayerArgs {
  /** Fraction of feature maps (channels) to drop, per sample, in [0, 1). */
  rate: number;
  seed?: number;
  dataFormat?: 'channels_last' | 'channelsLast';
}

/**
 * In training, zeroes each (sample, channel) feature map with probability `rate` and scales the
 * kept ones by 1/(1 − rate) (Keras's noise shape (batch, 1, 1, channels)); the identity otherwise.
 */
export class SpatialDropout2D extends Layer {
  static override className = 'SpatialDropout2D';
  readonly rate: number;
  readonly seed?: number;
  private readonly rng: Random;

  constructor(args: SpatialDropout2DArgs) {
    super(args);
    if (!(args?.rate >= 0 && args.rate < 1)) throw new ValueError(`SpatialDropout2D: rate must be in [0, 1), got ${args?.rate}`);
    checkChannelsLast(args.dataFormat, `SpatialDropout2D "${this.name}"`);
    this.rate = args.rate;
    this.seed = args.seed;
    this.rng = randomFor(args.seed);
    this.inputSpec = { ndim: 4 };
  }

  override randomGenerators(): Random[] {
    return [this.rng];
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    return inputShape;
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    return ops.dropout(x, this.rate, this.rng, [x.shape[0], 1, 1, x.shape[3]]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null, data_format: 'channels_last' };
  }
}
