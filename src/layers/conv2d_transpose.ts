/**
 * Conv2DTranspose (Keras 3; alias Convolution2DTranspose): the transposed ("deconvolution")
 * layer. Kernel (kh, kw, filters, in_channels) and bias (filters,), as Keras stores them; output
 * size by Keras's arithmetic (see ops/conv_transpose.ts), with output_padding and dilation_rate.
 */
import { checkChannelsLast, checkFilters } from './layer_checks.js';
import { knownChannels } from './convolutional.js';
import { type Activation, type ActivationFn, getActivation } from '../activations/index.js';
import { ShapeError, ValueError } from '../errors.js';
import { getInitializer, type Initializer, serializeInitializer } from '../initializers/index.js';
import { getRegularizer, type Regularizer, serializeRegularizer } from '../regularizers/index.js';
import * as ops from '../ops/index.js';
import { convTransposeAxis } from '../ops/conv_transpose.js';
import { pair, checkPositiveInts } from '../shape/conv.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';
import { applyActivation } from './activation_util.js';
import { normalizePadding, type PaddingArg } from './padding.js';

export interface Conv2DTransposeArgs extends LayerArgs {
  filters: number;
  kernelSize: number | readonly number[];
  strides?: number | readonly number[];
  padding?: PaddingArg;
  /** Extra rows/columns at the bottom/right of the output, each smaller than its stride (Keras's default: none). */
  outputPadding?: number | readonly number[] | null;
  dataFormat?: 'channels_last' | 'channelsLast';
  dilationRate?: number | readonly number[];
  activation?: string | ActivationFn | null;
  useBias?: boolean;
  kernelInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer | null;
  biasRegularizer?: string | Regularizer | null;
  /** Accepted only as 1 (tf.keras 2 writes groups: 1 in this layer's config; Keras 3 has no groups here). */
  groups?: number;
}

export class Conv2DTranspose extends Layer {
  static override className = 'Conv2DTranspose';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly outputPadding: [number, number] | null;
  readonly padding: 'valid' | 'same';
  readonly activation: Activation;
  readonly useBias: boolean;
  kernel!: Variable;
  bias: Variable | null = null;
  private readonly args: Conv2DTransposeArgs;

  constructor(args: Conv2DTransposeArgs) {
    super(args);
    this.args = args;
    const who = `Layer "${this.name}" (Conv2DTranspose)`;
    checkChannelsLast(args.dataFormat, who, 'NHWC');
    checkFilters(args.filters, who);
    if (args.groups !== undefined && args.groups !== 1) throw new ValueError(`${who}: groups must be 1 (Keras's Conv2DTranspose has no grouped form), got ${args.groups}`);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, `${who} kernel_size`);
    this.strides = pair(args.strides ?? 1, `${who} strides`);
    this.dilationRate = pair(args.dilationRate ?? 1, `${who} dilation_rate`);
    checkPositiveInts(this.kernelSize, 'kernel_size', who);
    checkPositiveInts(this.strides, 'strides', who);
    checkPositiveInts(this.dilationRate, 'dilation_rate', who);
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      throw new ValueError(`${who}: strides > 1 are not supported together with dilation_rate > 1 (strides ${JSON.stringify(this.strides)}, dilation_rate ${JSON.stringify(this.dilationRate)}), as in Keras`);
    }
    if (args.outputPadding === null || args.outputPadding === undefined) {
      this.outputPadding = null;
    } else {
      const op = pair(args.outputPadding, `${who} output_padding`);
      for (let i = 0; i < 2; i++) {
        if (!Number.isInteger(op[i]) || op[i] < 0 || op[i] >= this.strides[i]) {
          throw new ValueError(`${who}: output_padding must be non-negative integers smaller than strides, got output_padding ${JSON.stringify(op)} with strides ${JSON.stringify(this.strides)}`);
        }
      }
      this.outputPadding = op;
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
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, c], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer });
    this.inputSpec = { ndim: 4, axes: { [-1]: c } };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    const c = this.inChannels(inputShape);
    const [b, h, w] = inputShape;
    const op = this.outputPadding;
    const ha = h === null ? null : convTransposeAxis(h, this.kernelSize[0], this.strides[0], this.dilationRate[0], this.padding, op ? op[0] : null);
    const wa = w === null ? null : convTransposeAxis(w, this.kernelSize[1], this.strides[1], this.dilationRate[1], this.padding, op ? op[1] : null);
    if ((ha && ha.out <= 0) || (wa && wa.out <= 0)) {
      throw new ShapeError(`Layer "${this.name}" (Conv2DTranspose): output would be empty for input ${formatShapeTuple([null, h, w, c])} with kernel ${this.kernelSize[0]}x${this.kernelSize[1]}, ` +
        `strides ${this.strides[0]}x${this.strides[1]}: height ${ha ? ha.arithmetic : 'None'}; width ${wa ? wa.arithmetic : 'None'}. Use padding 'valid', a larger output_padding or a larger input.`);
    }
    return [b, ha ? ha.out : null, wa ? wa.out : null, this.filters];
  }

  call(x: Tensor): Tensor {
    let y = ops.conv2dTranspose(x, this.kernel, {
      strides: this.strides, padding: this.padding, outputPadding: this.outputPadding, dilations: this.dilationRate,
      name: `Layer "${this.name}" (Conv2DTranspose)`,
    });
    if (this.bias) y = ops.add(y, this.bias);
    return applyActivation(this.activation, y);
  }

  override getConfig(): Record<string, unknown> {
    const a = this.args;
    return {
      ...super.getConfig(), filters: this.filters, kernel_size: [...this.kernelSize], strides: [...this.strides], padding: this.padding,
      data_format: 'channels_last', dilation_rate: [...this.dilationRate], activation: this.activation.name, use_bias: this.useBias,
      kernel_initializer: serializeInitializer(getInitializer(a.kernelInitializer ?? 'glorot_uniform')),
      bias_initializer: serializeInitializer(getInitializer(a.biasInitializer ?? 'zeros')),
      kernel_regularizer: a.kernelRegularizer ? serializeRegularizer(getRegularizer(a.kernelRegularizer)) : null,
      bias_regularizer: a.biasRegularizer ? serializeRegularizer(getRegularizer(a.biasRegularizer)) : null,
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      // Keras 3 takes output_padding as a constructor argument; tf.keras 2 writes it in the config.
      output_padding: this.outputPadding ? [...this.outputPadding] : null,
    };
  }
}
