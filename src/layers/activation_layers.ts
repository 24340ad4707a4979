/** ReLU (with max_value / negative_slope / threshold) and Softmax as layers. */
import { ValueError } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';

export interface ReLUArgs extends LayerArgs {
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
}

export class ReLU extends Layer {
  static override className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args);
    this.maxValue = args.maxValue ?? null;
    this.negativeSlope = args.negativeSlope ?? 0;
    this.threshold = args.threshold ?? 0;
    if (this.maxValue !== null && !(this.maxValue >= 0)) throw new ValueError(`ReLU: max_value must be >= 0, got ${this.maxValue}`);
    if (!(this.negativeSlope >= 0)) throw new ValueError(`ReLU: negative_slope must be >= 0, got ${this.negativeSlope}`);
  }

  call(x: Tensor): Tensor {
    return ops.relu(x, { maxValue: this.maxValue ?? undefined, negativeSlope: this.negativeSlope, threshold: this.threshold });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), max_value: this.maxValue, negative_slope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface SoftmaxArgs extends LayerArgs {
  axis?: number;
}

export class Softmax extends Layer {
  static override className = 'Softmax';
  readonly axis: number;

  constructor(args: SoftmaxArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }

  call(x: Tensor): Tensor {
    return ops.softmax(x, this.axis);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}
