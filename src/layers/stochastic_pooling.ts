/**
 * StochasticPooling2D: seed 002's 확률적 풀링 (Zeiler & Fergus, "Stochastic Pooling for
 * Regularization of Deep Convolutional Neural Networks", 2013). Not a Keras layer; convkit saves it
 * under this class name and reads it back without customObjects.
 */
import { checkChannelsLast } from './layer_checks.js';
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkPositiveInts, pair, pool2dInfo } from '../shape/conv.js';
import { randomFor, type Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { type CallContext, Layer, type LayerArgs } from './layer.js';
import type { SymShape } from './symbolic.js';
import { normalizePadding, type PaddingArg } from './padding.js';

export interface StochasticPooling2DArgs extends LayerArgs {
  /** Window size (default 2). */
  poolSize?: number | readonly number[];
  /** Defaults to poolSize. */
  strides?: number | readonly number[] | null;
  padding?: PaddingArg;
  /** Seeds the sampling generator (training only). */
  seed?: number;
  dataFormat?: 'channels_last' | 'channelsLast';
}

/**
 * Pools windows of non-negative activations (put it after a ReLU):
 *  - training: each output is one activation of its window, drawn with probability proportional to
 *    its value (an all-zero window gives 0); the gradient flows to the drawn element only;
 *  - inference: the probability-weighted average Σa²/Σa (0 for an all-zero window), differentiable.
 * A negative input is an error naming the layer and the position. 'same' windows only cover cells
 * inside the input (padding contributes no probability mass).
 */
export class StochasticPooling2D extends Layer {
  static override className = 'StochasticPooling2D';
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  readonly seed?: number;
  private readonly rng: Random;

  constructor(args: StochasticPooling2DArgs = {}) {
    super(args);
    checkChannelsLast(args.dataFormat, `StochasticPooling2D "${this.name}"`);
    this.poolSize = pair(args.poolSize ?? 2, 'pool_size');
    this.strides = pair(args.strides ?? this.poolSize, 'strides');
    checkPositiveInts(this.poolSize, 'pool_size', `Layer "${this.name}"`);
    checkPositiveInts(this.strides, 'strides', `Layer "${this.name}"`);
    this.padding = normalizePadding(args.padding, this.name);
    if (args.seed !== undefined && !Number.isFinite(args.seed)) throw new ValueError(`StochasticPooling2D "${this.name}": seed must be a number, got ${JSON.stringify(args.seed)}`);
    this.seed = args.seed;
    this.rng = randomFor(args.seed);
    this.inputSpec = { ndim: 4 };
  }

  override randomGenerators(): Random[] {
    return [this.rng];
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const [b, h, w, c] = inputShape;
    const info = pool2dInfo({
      inShape: [b ?? 1, h ?? this.poolSize[0], w ?? this.poolSize[1], c ?? 1], filterSize: this.poolSize, strides: this.strides,
      padding: this.padding, name: `Layer "${this.name}" (${this.className})`,
    });
    return [b, h === null ? null : info.outHeight, w === null ? null : info.outWidth, c];
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const opts = { poolSize: this.poolSize, strides: this.strides, padding: this.padding, name: `Layer "${this.name}" (${this.className})` };
    return ctx.training ? ops.stochasticPool2d(x, this.rng, opts) : ops.stochasticPool2dInference(x, opts);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), pool_size: [...this.poolSize], padding: this.padding, strides: [...this.strides],
      data_format: 'channels_last', seed: this.seed ?? null,
    };
  }
}
