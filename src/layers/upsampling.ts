/**
 * UpSampling2D (channels_last), Keras 3 semantics: 'nearest' repeats rows then columns
 * (keras.ops.repeat); 'bilinear' is keras.ops.image.resize to (size[0]·h, size[1]·w), i.e.
 * TensorFlow 2's half-pixel-centre bilinear resize, not align_corners (see ops/resize.ts).
 * TensorFlow.js's UpSampling2D 'bilinear' uses the TF 1 mapping instead and gives other values.
 */
import { checkChannelsLast } from './layer_checks.js';
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import { pair, checkPositiveInts } from '../shape/conv.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import type { SymShape } from './symbolic.js';

export type UpSamplingInterpolation = 'nearest' | 'bilinear';

export interface UpSampling2DArgs extends LayerArgs {
  /** Upsampling factors for rows and columns: int or [rows, cols]. Default [2, 2]. */
  size?: number | readonly number[];
  dataFormat?: 'channels_last' | 'channelsLast';
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: UpSamplingInterpolation | string;
}

export class UpSampling2D extends Layer {
  static override className = 'UpSampling2D';
  readonly size: [number, number];
  readonly interpolation: UpSamplingInterpolation;

  constructor(args: UpSampling2DArgs = {}) {
    super(args);
    checkChannelsLast(args.dataFormat, 'UpSampling2D');
    this.size = pair(args.size ?? 2, 'UpSampling2D: size');
    checkPositiveInts(this.size, 'size', 'UpSampling2D');
    const interp = String(args.interpolation ?? 'nearest').toLowerCase();
    if (interp !== 'nearest' && interp !== 'bilinear') {
      throw new ValueError(`UpSampling2D: interpolation ${JSON.stringify(args.interpolation)} is not supported yet; convkit supports 'nearest' and 'bilinear'`);
    }
    this.interpolation = interp;
    this.inputSpec = { ndim: 4 };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const [b, h, w, c] = inputShape;
    return [b, h === null ? null : h * this.size[0], w === null ? null : w * this.size[1], c];
  }

  call(x: Tensor): Tensor {
    if (this.interpolation === 'nearest') return ops.repeat(ops.repeat(x, this.size[0], 1), this.size[1], 2);
    return ops.resize(x, [x.shape[1] * this.size[0], x.shape[2] * this.size[1]], { interpolation: 'bilinear' });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: [...this.size], data_format: 'channels_last', interpolation: this.interpolation };
  }
}
