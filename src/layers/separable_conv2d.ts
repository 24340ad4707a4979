/**
 * SeparableConv2D (Keras 3; alias SeparableConvolution2D): a depthwise convolution (kernel
 * (kh, kw, channels, depth_multiplier); strides, padding and dilation apply here) followed by a
 * pointwise 1×1 convolution (kernel (1, 1, channels·depth_multiplier, filters)) with the bias and
 * activation. Weights in Keras's order: depthwise_kernel, pointwise_kernel, bias.
 */
import { checkChannelsLast, checkFilters } from './layer_checks.js';
import { knownChannels } from './convolutional.js';
import { type Activation, type ActivationFn, fusedActivationOf, getActivation } from '../activations/index.js';
import { ShapeError, ValueError } from '../errors.js';
import { getInitializer, type Initializer, serializeInitializer } from '../initializers/index.js';
import { getRegularizer, type Regularizer, serializeRegularizer } from '../regularizers/index.js';
import * as ops from '../ops/index.js';
import { conv2dInfo, pair, checkPositiveInts } from '../shape/conv.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';
import { applyActivation } from './activation_util.js';
import { normalizePadding, type PaddingArg } from './padding.js';

export interface SeparableConv2DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | readonly number[];
  strides?: number | readonly number[];
  padding?: PaddingArg;
  dataFormat?: 'channels_last' | 'channelsLast';
  dilationRate?: number | readonly number[];
  depthMultiplier?: number;
  activation?: string | ActivationFn | null;
  useBias?: boolean;
  depthwiseInitializer?: string | Initializer;
  pointwiseInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  depthwiseRegularizer?: string | Regularizer | null;
  pointwiseRegularizer?: string | Regularizer | null;
  biasRegularizer?: string | Regularizer | null;
}

export class SeparableConv2D extends Layer {
  static override className = 'SeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: 'valid' | 'same';
  readonly depthMultiplier: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  depthwiseKernel!: Variable;
  pointwiseKernel!: Variable;
  bias: Variable | null = null;
  private readonly args: SeparableConv2DArgs;

  constructor(args: SeparableConv2DArgs) {
    super(args);
    this.args = args;
    const who = `Layer "${this.name}" (SeparableConv2D)`;
    checkChannelsLast(args.dataFormat, who, 'NHWC');
    checkFilters(args.filters, who);
    this.filters = args.filters;
    this.depthMultiplier = args.depthMultiplier ?? 1;
    if (!Number.isInteger(this.depthMultiplier) || this.depthMultiplier <= 0) throw new ValueError(`${who}: depth_multiplier must be a positive integer, got ${args.depthMultiplier}`);
    this.kernelSize = pair(args.kernelSize, `${who} kernel_size`);
    this.strides = pair(args.strides ?? 1, `${who} strides`);
    this.dilationRate = pair(args.dilationRate ?? 1, `${who} dilation_rate`);
    checkPositiveInts(this.kernelSize, 'kernel_size', who);
    checkPositiveInts(this.strides, 'strides', who);
    checkPositiveInts(this.dilationRate, 'dilation_rate', who);
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      throw new ValueError(`${who}: strides > 1 are not supported together with dilation_rate > 1 (strides ${JSON.stringify(this.strides)}, dilation_rate ${JSON.stringify(this.dilationRate)}), as in Keras`);
    }
    this.padding = normalizePadding(args.padding, this.name);
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
  }

  private inChannels(inputShape: SymShape): number {
    return knownChannels(this, inputShape, 4);
  }

  override build(inputShape: SymShape): void {
    const c = this.inChannels(inputShape);
    this.computeOutputShape(inputShape); // refuse empty outputs before creating weights
    const a = this.args;
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], { initializer: a.depthwiseInitializer ?? 'glorot_uniform', regularizer: a.depthwiseRegularizer });
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, c * this.depthMultiplier, this.filters], { initializer: a.pointwiseInitializer ?? 'glorot_uniform', regularizer: a.pointwiseRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: a.biasInitializer ?? 'zeros', regularizer: a.biasRegularizer });
    this.inputSpec = { ndim: 4, axes: { [-1]: c } };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const c = this.inChannels(inputShape);
    const [b, h, w] = inputShape;
    // The depthwise step sets the spatial size; the same arithmetic (and message) as Conv2D's.
    const info = conv2dInfo({
      inShape: [b ?? 1, h ?? this.kernelSize[0], w ?? this.kernelSize[1], c], filterSize: this.kernelSize, strides: this.strides,
      dilations: this.dilationRate, padding: this.padding, name: `Layer "${this.name}" (SeparableConv2D)`,
    }, this.filters);
    return [b, h === null ? null : info.outHeight, w === null ? null : info.outWidth, this.filters];
  }

  call(x: Tensor): Tensor {
    const opts = { strides: this.strides, padding: this.padding, dilations: this.dilationRate, name: `Layer "${this.name}" (SeparableConv2D)` };
    const fused = fusedActivationOf(this.activation);
    if (fused) return ops.fusedSeparableConv2d(x, this.depthwiseKernel, this.pointwiseKernel, this.bias, fused, opts);
    let y = ops.separableConv2d(x, this.depthwiseKernel, this.pointwiseKernel, opts);
    if (this.bias) y = ops.add(y, this.bias);
    return applyActivation(this.activation, y);
  }

  override getConfig(): Record<string, unknown> {
    const a = this.args;
    const reg = (r: string | Regularizer | null | undefined) => (r ? serializeRegularizer(getRegularizer(r)) : null);
    return {
      ...super.getConfig(), depth_multiplier: this.depthMultiplier, filters: this.filters, kernel_size: [...this.kernelSize],
      strides: [...this.strides], padding: this.padding, data_format: 'channels_last', dilation_rate: [...this.dilationRate],
      activation: this.activation.name, use_bias: this.useBias,
      depthwise_initializer: serializeInitializer(getInitializer(a.depthwiseInitializer ?? 'glorot_uniform')),
      pointwise_initializer: serializeInitializer(getInitializer(a.pointwiseInitializer ?? 'glorot_uniform')),
      bias_initializer: serializeInitializer(getInitializer(a.biasInitializer ?? 'zeros')),
      depthwise_regularizer: reg(a.depthwiseRegularizer), pointwise_regularizer: reg(a.pointwiseRegularizer), bias_regularizer: reg(a.biasRegularizer),
      activity_regularizer: null, depthwise_constraint: null, pointwise_constraint: null, bias_constraint: null,
    };
  }
}
