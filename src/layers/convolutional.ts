/** Conv2D and DepthwiseConv2D (channels_last). */
import { checkChannelsLast, checkFilters } from './layer_checks.js';
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
import type { FusedActivation } from '../backend/backend.js';
import type { BatchNormalization } from './normalization.js';
import { foldBatchNorm } from './fold_batchnorm.js';
import { normalizePadding, type PaddingArg } from './padding.js';

/**
 * The channel count of a convolution's input (channels last), which its weights' shapes need: the
 * input must have `rank` dimensions and a known last one.
 */
export function knownChannels(layer: Layer, inputShape: SymShape, rank: 3 | 4): number {
  if (inputShape.length !== rank) {
    const dims = rank === 4 ? '(batch, height, width, channels)' : '(batch, steps, channels)';
    throw new ShapeError(`Layer "${layer.name}" (${layer.className}) expects ${rank}-D input ${dims}, got shape ${formatShapeTuple(inputShape)}`);
  }
  const c = inputShape[rank - 1];
  if (c === null) throw new ShapeError(`Layer "${layer.name}" (${layer.className}): the channel dimension of the input must be known, got ${formatShapeTuple(inputShape)}`);
  return c;
}

export interface ConvArgs extends LayerArgs {
  kernelSize: number | readonly number[];
  strides?: number | readonly number[];
  padding?: PaddingArg;
  dilationRate?: number | readonly number[];
  activation?: string | ActivationFn | null;
  useBias?: boolean;
  biasInitializer?: string | Initializer;
  biasRegularizer?: string | Regularizer | null;
  dataFormat?: 'channels_last' | 'channelsLast';
}

export interface Conv2DArgs extends ConvArgs {
  filters: number;
  kernelInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer | null;
  groups?: number;
}

export abstract class BaseConv2D extends Layer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: 'valid' | 'same';
  readonly activation: Activation;
  readonly useBias: boolean;
  kernel!: Variable;
  bias: Variable | null = null;
  protected readonly baseArgs: ConvArgs;

  constructor(args: ConvArgs) {
    super(args);
    this.baseArgs = args;
    checkChannelsLast(args.dataFormat, this.className, 'NHWC');
    this.kernelSize = pair(args.kernelSize, `${this.className} kernel_size`);
    this.strides = pair(args.strides ?? 1, `${this.className} strides`);
    this.dilationRate = pair(args.dilationRate ?? 1, `${this.className} dilation_rate`);
    checkPositiveInts(this.kernelSize, 'kernel_size', `Layer "${this.name}"`);
    checkPositiveInts(this.strides, 'strides', `Layer "${this.name}"`);
    checkPositiveInts(this.dilationRate, 'dilation_rate', `Layer "${this.name}"`);
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      // Keras rejects this combination; mirror it so models stay portable to Keras.
      throw new ValueError(`Layer "${this.name}" (${this.className}): strides > 1 are not supported together with dilation_rate > 1 (strides ${JSON.stringify(this.strides)}, dilation_rate ${JSON.stringify(this.dilationRate)})`);
    }
    this.padding = normalizePadding(args.padding, this.name);
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
  }

  protected inChannels(inputShape: SymShape): number {
    return knownChannels(this, inputShape, 4);
  }

  protected abstract outChannels(inChannels: number): number;

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const c = this.inChannels(inputShape);
    const [b, h, w] = inputShape;
    const info = conv2dInfo({
      inShape: [b ?? 1, h ?? this.kernelSize[0], w ?? this.kernelSize[1], c], filterSize: this.kernelSize, strides: this.strides,
      dilations: this.dilationRate, padding: this.padding, name: `Layer "${this.name}" (${this.className})`,
    }, this.outChannels(c));
    return [b, h === null ? null : info.outHeight, w === null ? null : info.outWidth, info.outChannels];
  }

  /**
   * Inference with a following BatchNormalization folded into this convolution's kernel and bias
   * (w·s, (b − mean)·s + beta with s = gamma/√(var + ε)), plus a fusable activation, in one kernel
   * call. Used by model execution when training is off and nothing is recorded; the folded weights
   * are cached until any of the variables involved is assigned.
   */
  private foldedOpts?: { pad: unknown; opts: ops.Conv2DOptions };

  /** Whether a following BatchNormalization can be folded into this kernel for inference. */
  get foldable(): boolean {
    return true;
  }

  /** With `residual` (a Conv2D only): activation(conv + bias + residual), a residual block's join. */
  applyFolded(x: Tensor, bn: BatchNormalization, activation: FusedActivation,
    pad?: readonly [readonly [number, number], readonly [number, number]], residual?: ops.Residual): Tensor {
    const { kernel, bias, opts } = this.prepareFolded(x.shape, bn, pad);
    if (this instanceof DepthwiseConv2D) {
      if (residual) throw new Error(`convkit internal error: ${this.name}: a depthwise chain with a residual`);
      return ops.fusedDepthwiseConv2d(x, kernel, bias, activation, opts);
    }
    return ops.fusedConv2d(x, kernel, bias, activation, opts, residual);
  }

  /**
   * For an input of shape `inShape`: builds and checks the layer, and returns the folded weights and
   * the convolution's options. With `pad` (a folded ZeroPadding2D; this layer's own padding is then
   * 'valid'), the layer sees the padded shape, and the convolution pads explicitly instead.
   */
  prepareFolded(inShape: readonly number[], bn: BatchNormalization,
    pad?: readonly [readonly [number, number], readonly [number, number]]): { kernel: Tensor; bias: Tensor; opts: ops.Conv2DOptions } {
    const shape = pad ? [inShape[0], inShape[1] + pad[0][0] + pad[0][1], inShape[2] + pad[1][0] + pad[1][1], inShape[3]] : inShape;
    if (!this.built) this.maybeBuild([null, ...shape.slice(1)]);
    this.assertInputCompatible(shape);
    const { kernel, bias } = foldBatchNorm(this, bn);
    // Made once per padding: this runs for every chain of every predict.
    let cached = this.foldedOpts;
    if (!cached || cached.pad !== pad) {
      // The folded kernel is a new array whenever a variable changes, never written to afterwards.
      cached = this.foldedOpts = {
        pad, opts: { strides: this.strides, padding: pad ?? this.padding, dilations: this.dilationRate, name: `Layer "${this.name}" (${this.className})`, constantFilter: true },
      };
    }
    return { kernel, bias, opts: cached.opts };
  }

  protected finish(y: Tensor): Tensor {
    if (this.bias) y = ops.add(y, this.bias);
    return applyActivation(this.activation, y);
  }

  override getConfig(): Record<string, unknown> {
    const a = this.baseArgs;
    return {
      ...super.getConfig(), kernel_size: [...this.kernelSize], strides: [...this.strides], padding: this.padding,
      data_format: 'channels_last', dilation_rate: [...this.dilationRate], activation: this.activation.name, use_bias: this.useBias,
      bias_initializer: serializeInitializer(getInitializer(a.biasInitializer ?? 'zeros')),
      bias_regularizer: a.biasRegularizer ? serializeRegularizer(getRegularizer(a.biasRegularizer)) : null,
      activity_regularizer: null, bias_constraint: null,
    };
  }
}

export class Conv2D extends BaseConv2D {
  static override className = 'Conv2D';
  readonly filters: number;
  /**
   * Keras's grouped convolution: input channels and filters split into `groups` groups, group g's
   * filters seeing only group g's channels; kernel (kh, kw, channels / groups, filters).
   */
  readonly groups: number;
  private readonly convArgs: Conv2DArgs;

  constructor(args: Conv2DArgs) {
    super(args);
    checkFilters(args.filters, 'Conv2D');
    const groups = args.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`Conv2D "${this.name}": groups must be a positive integer, got ${args.groups}`);
    if (args.filters % groups !== 0) throw new ValueError(`Conv2D "${this.name}": filters (${args.filters}) must be divisible by groups (${groups})`);
    this.filters = args.filters;
    this.groups = groups;
    this.convArgs = args;
  }

  /** A grouped kernel does not fold with batch norm into the one-kernel inference path. */
  override get foldable(): boolean {
    return this.groups === 1;
  }

  protected outChannels(): number {
    return this.filters;
  }

  override build(inputShape: SymShape): void {
    const c = this.inChannels(inputShape);
    if (c % this.groups !== 0) throw new ShapeError(`Layer "${this.name}" (Conv2D): the input's ${c} channels are not divisible by groups (${this.groups}); input shape ${formatShapeTuple(inputShape)}`);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, c / this.groups, this.filters], { initializer: this.convArgs.kernelInitializer ?? 'glorot_uniform', regularizer: this.convArgs.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.convArgs.biasInitializer ?? 'zeros', regularizer: this.convArgs.biasRegularizer });
    this.inputSpec = { ndim: 4, axes: { [-1]: c } };
  }

  call(x: Tensor): Tensor {
    const opts = { strides: this.strides, padding: this.padding, dilations: this.dilationRate, name: `Layer "${this.name}" (Conv2D)` };
    if (this.groups > 1) return this.finish(this.groupedConv(x, opts));
    const fused = fusedActivationOf(this.activation);
    if (fused) return ops.fusedConv2d(x, this.kernel, this.bias ?? null, fused, opts);
    return this.finish(ops.conv2d(x, this.kernel, opts));
  }

  private groupedConv(x: Tensor, opts: Parameters<typeof ops.conv2d>[2]): Tensor {
    const [kh, kw, cg, f] = this.kernel.shape;
    const c = x.shape[3];
    // One channel per group (ConvNeXt's depthwise form) is a depthwise convolution: the kernel
    // (kh, kw, 1, C·m) holds the same values as a depthwise (kh, kw, C, m) one.
    if (cg === 1) return ops.depthwiseConv2d(x, ops.reshape(this.kernel, [kh, kw, c, f / c]), opts);
    const fg = f / this.groups;
    const parts: Tensor[] = [];
    for (let g = 0; g < this.groups; g++) {
      const xg = ops.slice(x, [0, 0, 0, g * cg], [x.shape[0], x.shape[1], x.shape[2], cg]);
      const kg = ops.slice(this.kernel, [0, 0, 0, g * fg], [kh, kw, cg, fg]);
      parts.push(ops.conv2d(xg, kg, opts));
    }
    return ops.concat(parts, 3);
  }

  override getConfig(): Record<string, unknown> {
    const a = this.convArgs;
    return {
      ...super.getConfig(), filters: this.filters, groups: this.groups,
      kernel_initializer: serializeInitializer(getInitializer(a.kernelInitializer ?? 'glorot_uniform')),
      kernel_regularizer: a.kernelRegularizer ? serializeRegularizer(getRegularizer(a.kernelRegularizer)) : null, kernel_constraint: null,
    };
  }
}

export interface DepthwiseConv2DArgs extends ConvArgs {
  depthMultiplier?: number;
  depthwiseInitializer?: string | Initializer;
  depthwiseRegularizer?: string | Regularizer | null;
}

export class DepthwiseConv2D extends BaseConv2D {
  static override className = 'DepthwiseConv2D';
  readonly depthMultiplier: number;
  private readonly dwArgs: DepthwiseConv2DArgs;

  constructor(args: DepthwiseConv2DArgs) {
    super(args);
    this.depthMultiplier = args.depthMultiplier ?? 1;
    if (!Number.isInteger(this.depthMultiplier) || this.depthMultiplier <= 0) throw new ValueError(`DepthwiseConv2D: depth_multiplier must be a positive integer, got ${args.depthMultiplier}`);
    this.dwArgs = args;
  }

  protected outChannels(inChannels: number): number {
    return inChannels * this.depthMultiplier;
  }

  override build(inputShape: SymShape): void {
    const c = this.inChannels(inputShape);
    this.kernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], { initializer: this.dwArgs.depthwiseInitializer ?? 'glorot_uniform', regularizer: this.dwArgs.depthwiseRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [c * this.depthMultiplier], { initializer: this.dwArgs.biasInitializer ?? 'zeros', regularizer: this.dwArgs.biasRegularizer });
    this.inputSpec = { ndim: 4, axes: { [-1]: c } };
  }

  call(x: Tensor): Tensor {
    const opts = { strides: this.strides, padding: this.padding, dilations: this.dilationRate, name: `Layer "${this.name}" (DepthwiseConv2D)` };
    const fused = fusedActivationOf(this.activation);
    if (fused) return ops.fusedDepthwiseConv2d(x, this.kernel, this.bias ?? null, fused, opts);
    return this.finish(ops.depthwiseConv2d(x, this.kernel, opts));
  }

  override getConfig(): Record<string, unknown> {
    const a = this.dwArgs;
    return {
      ...super.getConfig(), depth_multiplier: this.depthMultiplier,
      depthwise_initializer: serializeInitializer(getInitializer(a.depthwiseInitializer ?? 'glorot_uniform')),
      depthwise_regularizer: a.depthwiseRegularizer ? serializeRegularizer(getRegularizer(a.depthwiseRegularizer)) : null, depthwise_constraint: null,
    };
  }
}
