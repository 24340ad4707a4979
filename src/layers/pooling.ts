/** Max/average pooling and their global forms (channels_last). */
import { checkChannelsLast } from './layer_checks.js';
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import { pair, pool2dInfo, checkPositiveInts } from '../shape/conv.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';
import { normalizePadding, type PaddingArg } from './padding.js';

export interface Pooling2DArgs extends LayerArgs {
  poolSize?: number | readonly number[];
  strides?: number | readonly number[] | null;
  padding?: PaddingArg;
  dataFormat?: 'channels_last' | 'channelsLast';
}

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';

  constructor(args: Pooling2DArgs = {}) {
    super(args);
    checkChannelsLast(args.dataFormat, this.className);
    this.poolSize = pair(args.poolSize ?? 2, 'pool_size');
    this.strides = pair(args.strides ?? this.poolSize, 'strides');
    checkPositiveInts(this.poolSize, 'pool_size', `Layer "${this.name}"`);
    checkPositiveInts(this.strides, 'strides', `Layer "${this.name}"`);
    this.padding = normalizePadding(args.padding, this.name);
    this.inputSpec = { ndim: 4 };
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

  protected opts() {
    return { poolSize: this.poolSize, strides: this.strides, padding: this.padding, name: `Layer "${this.name}" (${this.className})` };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), pool_size: [...this.poolSize], padding: this.padding, strides: [...this.strides], data_format: 'channels_last' };
  }
}

export class MaxPooling2D extends Pooling2D {
  static override className = 'MaxPooling2D';
  call(x: Tensor): Tensor {
    return ops.maxPool2d(x, this.opts());
  }
}

export class AveragePooling2D extends Pooling2D {
  static override className = 'AveragePooling2D';
  call(x: Tensor): Tensor {
    return ops.avgPool2d(x, this.opts());
  }
}

export interface GlobalPooling2DArgs extends LayerArgs {
  keepdims?: boolean;
  dataFormat?: 'channels_last' | 'channelsLast';
}

abstract class GlobalPooling2D extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPooling2DArgs = {}) {
    super(args);
    checkChannelsLast(args.dataFormat, this.className);
    this.keepdims = args.keepdims ?? false;
    this.inputSpec = { ndim: 4 };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    if (inputShape.length !== 4) throw new ValueError(`Layer "${this.name}" expects 4-D input, got ${formatShapeTuple(inputShape)}`);
    return this.keepdims ? [inputShape[0], 1, 1, inputShape[3]] : [inputShape[0], inputShape[3]];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: 'channels_last', keepdims: this.keepdims };
  }
}

export class GlobalAveragePooling2D extends GlobalPooling2D {
  static override className = 'GlobalAveragePooling2D';
  call(x: Tensor): Tensor {
    return ops.mean(x, [1, 2], this.keepdims);
  }
}

export class GlobalMaxPooling2D extends GlobalPooling2D {
  static override className = 'GlobalMaxPooling2D';
  call(x: Tensor): Tensor {
    return ops.max(x, [1, 2], this.keepdims);
  }
}
