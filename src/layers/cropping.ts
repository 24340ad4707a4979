/** Cropping1D and Cropping2D (channels_last), Keras 3 semantics. */
import { checkChannelsLast } from './layer_checks.js';
import { ShapeError, ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';

type Pair = [number, number];

function checkCrop(values: readonly unknown[], layer: string, given: unknown): void {
  if (!values.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
    throw new ValueError(`${layer}: cropping must be non-negative integers, got ${JSON.stringify(given)}`);
  }
}

export interface Cropping1DArgs extends LayerArgs {
  /** int (same at both ends) or [start, end]: entries removed from axis 1. Default [1, 1]. */
  cropping?: number | readonly [number, number] | readonly number[];
}

/** Removes entries at the start and end of axis 1 of (batch, steps, features) inputs. */
export class Cropping1D extends Layer {
  static override className = 'Cropping1D';
  readonly cropping: Pair;

  constructor(args: Cropping1DArgs = {}) {
    super(args);
    const c = args.cropping ?? 1;
    if (typeof c === 'number') this.cropping = [c, c];
    else if (Array.isArray(c) && c.length === 2) this.cropping = [c[0], c[1]];
    else throw new ValueError(`Cropping1D: cropping must be an integer or a pair [start, end], got ${JSON.stringify(c)}`);
    checkCrop(this.cropping, 'Cropping1D', c);
    this.inputSpec = { ndim: 3 };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const [b, n, f] = inputShape;
    const [s, e] = this.cropping;
    if (n !== null && s + e >= n) {
      throw new ShapeError(`Layer "${this.name}" (Cropping1D): cropping [${s}, ${e}] must leave at least one step of axis 1, but the input has ${n}: input shape ${formatShapeTuple(inputShape)}, cropped length would be ${n - s - e}`);
    }
    return [b, n === null ? null : n - s - e, f];
  }

  call(x: Tensor): Tensor {
    const [, n] = this.computeOutputShape(x.shape);
    return ops.slice(x, [0, this.cropping[0], 0], [x.shape[0], n as number, x.shape[2]]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: [...this.cropping] };
  }
}

export interface Cropping2DArgs extends LayerArgs {
  /** int, [symmetricHeight, symmetricWidth], or [[top, bottom], [left, right]]. Default 0 (no cropping). */
  cropping?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]] | readonly (number | readonly number[])[];
  dataFormat?: 'channels_last' | 'channelsLast';
}

/** Removes rows at the top/bottom and columns at the left/right of (batch, height, width, channels) inputs. */
export class Cropping2D extends Layer {
  static override className = 'Cropping2D';
  readonly cropping: [Pair, Pair];

  constructor(args: Cropping2DArgs = {}) {
    super(args);
    checkChannelsLast(args.dataFormat, 'Cropping2D');
    const c = args.cropping ?? 0;
    const bad = () => new ValueError(`Cropping2D: cropping must be an integer, a pair [height, width] or [[top, bottom], [left, right]], got ${JSON.stringify(c)}`);
    if (typeof c === 'number') {
      this.cropping = [[c, c], [c, c]];
    } else if (Array.isArray(c) && c.length === 2) {
      const side = (v: unknown): Pair => {
        if (typeof v === 'number') return [v, v];
        if (Array.isArray(v) && v.length === 2) return [v[0], v[1]];
        throw bad();
      };
      this.cropping = [side(c[0]), side(c[1])];
    } else {
      throw bad();
    }
    checkCrop(this.cropping.flat(), 'Cropping2D', c);
    this.inputSpec = { ndim: 4 };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const [b, h, w, ch] = inputShape;
    const [[t, bo], [l, r]] = this.cropping;
    if ((h !== null && t + bo >= h) || (w !== null && l + r >= w)) {
      throw new ShapeError(`Layer "${this.name}" (Cropping2D): cropping ${JSON.stringify(this.cropping)} must be smaller than the input's height and width: input shape ${formatShapeTuple(inputShape)}, cropped shape would be ${formatShapeTuple([b, h === null ? null : h - t - bo, w === null ? null : w - l - r, ch])}`);
    }
    return [b, h === null ? null : h - t - bo, w === null ? null : w - l - r, ch];
  }

  call(x: Tensor): Tensor {
    const [, h, w] = this.computeOutputShape(x.shape);
    return ops.slice(x, [0, this.cropping[0][0], this.cropping[1][0], 0], [x.shape[0], h as number, w as number, x.shape[3]]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((p) => [...p]), data_format: 'channels_last' };
  }
}
