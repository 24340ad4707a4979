/** Flatten, Reshape and ZeroPadding2D. */
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';

export class Flatten extends Layer {
  static override className = 'Flatten';

  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args);
    this.inputSpec = { minNdim: 1 };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    const rest = inputShape.slice(1);
    return [inputShape[0], rest.some((d) => d === null) ? null : rest.reduce<number>((p, d) => p * (d as number), 1)];
  }

  call(x: Tensor): Tensor {
    return ops.reshape(x, [x.shape[0], x.size / Math.max(1, x.shape[0]) || 0]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: 'channels_last' };
  }
}

export interface ReshapeArgs extends LayerArgs {
  /** Target shape of one sample; may contain one -1. */
  targetShape: readonly number[];
}

export class Reshape extends Layer {
  static override className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: ReshapeArgs) {
    super(args);
    if (!Array.isArray(args?.targetShape)) throw new ValueError('Reshape: targetShape must be an array of integers (one sample, no batch dimension)');
    this.targetShape = [...args.targetShape];
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) return [inputShape[0], ...this.targetShape.map((d) => (d === -1 ? null : d))];
    const n = rest.reduce<number>((p, d) => p * (d as number), 1);
    const known = this.targetShape.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const out = this.targetShape.map((d) => (d === -1 ? n / known : d));
    if (out.reduce((p, d) => p * d, 1) !== n || !out.every(Number.isInteger)) {
      throw new ShapeError(`Layer "${this.name}" (Reshape): cannot reshape input ${formatShapeTuple(inputShape)} (${n} values per sample) to target shape ${formatShapeTuple(this.targetShape)}`);
    }
    return [inputShape[0], ...out];
  }

  call(x: Tensor): Tensor {
    const out = this.computeOutputShape([null, ...x.shape.slice(1)]);
    return ops.reshape(x, [x.shape[0], ...(out.slice(1) as number[])]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), target_shape: [...this.targetShape] };
  }
}

export interface ZeroPadding2DArgs extends LayerArgs {
  /** int, [symH, symW], or [[top, bottom], [left, right]]. */
  padding?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
}

export class ZeroPadding2D extends Layer {
  static override className = 'ZeroPadding2D';
  readonly padding: [[number, number], [number, number]];

  constructor(args: ZeroPadding2DArgs = {}) {
    super(args);
    const p = args.padding ?? 1;
    if (typeof p === 'number') this.padding = [[p, p], [p, p]];
    else if (typeof p[0] === 'number') this.padding = [[p[0], p[0]], [p[1] as number, p[1] as number]];
    else this.padding = [[...(p[0] as [number, number])], [...(p[1] as [number, number])]];
    if (this.padding.flat().some((v) => !Number.isInteger(v) || v < 0)) throw new ValueError(`ZeroPadding2D: padding must be non-negative integers, got ${JSON.stringify(args.padding)}`);
    this.inputSpec = { ndim: 4 };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const [b, h, w, c] = inputShape;
    const [[t, bo], [l, r]] = this.padding;
    return [b, h === null ? null : h + t + bo, w === null ? null : w + l + r, c];
  }

  call(x: Tensor): Tensor {
    return ops.pad(x, [[0, 0], this.padding[0], this.padding[1], [0, 0]]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), data_format: 'channels_last' };
  }
}
