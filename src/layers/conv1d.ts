/**
 * Conv1D (Keras 3; alias Convolution1D): temporal convolution of (batch, steps, channels) inputs,
 * with 'valid', 'same' and 'causal' padding, dilation and grouped convolution. Runs as a 2-D
 * convolution of a height-1 image (ops.conv1d), so the backends' fast conv kernels do the work.
 */
import { checkChannelsLast, checkFilters } from './layer_checks.js';
import { knownChannels } from './convolutional.js';
import { type Activation, type ActivationFn, fusedActivationOf, getActivation } from '../activations/index.js';
import { ShapeError, ValueError, unknownName } from '../errors.js';
import { getInitializer, type Initializer, serializeInitializer } from '../initializers/index.js';
import { getRegularizer, type Regularizer, serializeRegularizer } from '../regularizers/index.js';
import * as ops from '../ops/index.js';
import { conv1dOutputLength, type Conv1DPadding } from '../ops/conv1d.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { Layer, type LayerArgs } from './layer.js';
import { formatShapeTuple, type SymShape } from './symbolic.js';
import { applyActivation } from './activation_util.js';

export interface Conv1DArgs extends LayerArgs {
  filters: number;
  kernelSize: number | readonly number[];
  strides?: number | readonly number[];
  /** 'valid' (default), 'same' or 'causal' (upper-case spellings too). */
  padding?: Conv1DPadding | 'VALID' | 'SAME' | 'CAUSAL';
  dataFormat?: 'channels_last' | 'channelsLast';
  dilationRate?: number | readonly number[];
  /** Channel groups, each convolved with filters / groups filters of its own. */
  groups?: number;
  activation?: string | ActivationFn | null;
  useBias?: boolean;
  kernelInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer | null;
  biasRegularizer?: string | Regularizer | null;
}

/** A 1-D option: a number or a list of one (Keras's 1-tuples). */
function one(v: number | readonly number[], what: string, layer: string): number {
  const n = typeof v === 'number' ? v : v.length === 1 ? v[0] : NaN;
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${layer}: ${what} must be a positive integer or a list of one, got ${JSON.stringify(v)}`);
  return n;
}

export class Conv1D extends Layer {
  static override className = 'Conv1D';
  readonly filters: number;
  readonly kernelSize: [number];
  readonly strides: [number];
  readonly dilationRate: [number];
  readonly padding: Conv1DPadding;
  readonly groups: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  kernel!: Variable;
  bias: Variable | null = null;
  private readonly args: Conv1DArgs;

  constructor(args: Conv1DArgs) {
    super(args);
    this.args = args;
    const who = `Layer "${this.name}" (Conv1D)`;
    checkChannelsLast(args.dataFormat, who, '(batch, steps, channels)');
    checkFilters(args.filters, who);
    this.filters = args.filters;
    this.kernelSize = [one(args.kernelSize, 'kernel_size', who)];
    this.strides = [one(args.strides ?? 1, 'strides', who)];
    this.dilationRate = [one(args.dilationRate ?? 1, 'dilation_rate', who)];
    if (this.strides[0] > 1 && this.dilationRate[0] > 1) {
      throw new ValueError(`${who}: strides > 1 are not supported together with dilation_rate > 1 (strides [${this.strides}], dilation_rate [${this.dilationRate}]), as in Keras`);
    }
    const p = (args.padding ?? 'valid').toLowerCase();
    if (p !== 'valid' && p !== 'same' && p !== 'causal') throw unknownName(`padding for layer "${this.name}"`, args.padding, ['valid', 'same', 'causal']);
    this.padding = p;
    this.groups = args.groups ?? 1;
    if (!Number.isInteger(this.groups) || this.groups <= 0) throw new ValueError(`${who}: groups must be a positive integer, got ${args.groups}`);
    if (this.filters % this.groups !== 0) throw new ValueError(`${who}: filters (${this.filters}) must be divisible by groups (${this.groups})`);
    this.activation = getActivation(args.activation);
    this.useBias = args.useBias ?? true;
  }

  private inChannels(inputShape: SymShape): number {
    const c = knownChannels(this, inputShape, 3);
    if (c % this.groups !== 0) {
      throw new ShapeError(`Layer "${this.name}" (Conv1D): the input's ${c} channels are not divisible by groups (${this.groups}); input shape ${formatShapeTuple(inputShape)}`);
    }
    return c;
  }

  override build(inputShape: SymShape): void {
    const c = this.inChannels(inputShape);
    this.computeOutputShape(inputShape); // refuse geometries with an empty output before creating weights, as Keras does
    this.kernel = this.addWeight('kernel', [this.kernelSize[0], c / this.groups, this.filters], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer });
    this.inputSpec = { ndim: 3, axes: { [-1]: c } };
  }

  override computeOutputShape(inputShape: SymShape): SymShape {
    this.assertInputCompatible(inputShape);
    this.inChannels(inputShape);
    const [b, steps] = inputShape;
    const out = steps === null ? null
      : conv1dOutputLength(inputShape, this.kernelSize[0], this.strides[0], this.dilationRate[0], this.padding, `Layer "${this.name}" (Conv1D)`);
    return [b, out, this.filters];
  }

  call(x: Tensor): Tensor {
    const opts = { strides: this.strides, padding: this.padding, dilations: this.dilationRate, groups: this.groups, name: `Layer "${this.name}" (Conv1D)` };
    const fused = fusedActivationOf(this.activation);
    if (fused) return ops.fusedConv1d(x, this.kernel, this.bias, fused, opts);
    let y = ops.conv1d(x, this.kernel, opts);
    if (this.bias) y = ops.add(y, this.bias);
    return applyActivation(this.activation, y);
  }

  override getConfig(): Record<string, unknown> {
    const a = this.args;
    return {
      ...super.getConfig(), filters: this.filters, kernel_size: [...this.kernelSize], strides: [...this.strides], padding: this.padding,
      data_format: 'channels_last', dilation_rate: [...this.dilationRate], groups: this.groups, activation: this.activation.name, use_bias: this.useBias,
      kernel_initializer: serializeInitializer(getInitializer(a.kernelInitializer ?? 'glorot_uniform')),
      bias_initializer: serializeInitializer(getInitializer(a.biasInitializer ?? 'zeros')),
      kernel_regularizer: a.kernelRegularizer ? serializeRegularizer(getRegularizer(a.kernelRegularizer)) : null,
      bias_regularizer: a.biasRegularizer ? serializeRegularizer(getRegularizer(a.biasRegularizer)) : null,
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    };
  }
}
