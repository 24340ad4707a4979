/**
 * 1-D convolution (Keras's Conv1D): x (batch, steps, channels), kernel (k, channels / groups,
 * filters). Computed as a 2-D convolution of a height-1 image (reshapes share the data), so both
 * backends' conv2d kernels, fused bias/activation epilogue and gradients do the work. 'causal'
 * pads (k − 1)·d zeros before the first step, as Keras does, so output[t] never sees input[t + 1:].
 * Grouped convolution (groups > 1) convolves each group of channels with its own block of filters
 * and concatenates the results along the channel axis.
 */
import type { FusedActivation } from '../backend/backend.js';
import { ShapeError, ValueError } from '../errors.js';
import { type Padding, type WindowAxis, windowAxis } from '../shape/conv.js';
import type { Tensor } from '../tensor/tensor.js';
import { conv2d } from './conv.js';
import { fusedConv2d } from './fused.js';
import { concat, reshape, slice } from './movement.js';
import { shapeStr } from './util.js';

export type Conv1DPadding = 'valid' | 'same' | 'causal';

export interface Conv1DOptions {
  strides?: number | readonly number[];
  padding?: Conv1DPadding;
  dilations?: number | readonly number[];
  groups?: number;
  /** Name used in error messages (the layer's name when called from a layer). */
  name?: string;
}

/** A number or a one-element list (Keras's 1-tuples), as a positive integer. */
function single(v: number | readonly number[], what: string, name: string): number {
  const n = typeof v === 'number' ? v : v.length === 1 ? v[0] : NaN;
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`${name}: ${what} must be a positive integer or a list of one, got ${JSON.stringify(v)}`);
  return n;
}

/** Output length of one 1-D convolution axis; 'causal' is 'valid' after (k − 1)·d leading zeros. */
export function conv1dAxis(steps: number, k: number, s: number, d: number, padding: Conv1DPadding): WindowAxis {
  if (padding !== 'causal') return windowAxis(steps, k, s, d, padding);
  const a = windowAxis(steps, k, s, d, [(k - 1) * d, 0]);
  return { ...a, arithmetic: `'causal' (${(k - 1) * d} leading zeros): floor((${steps} - 1) / ${s}) + 1 = ${a.out}` };
}

/** Checked output length; the error names the layer, the input shape and the arithmetic. */
export function conv1dOutputLength(inShape: readonly (number | null)[], k: number, s: number, d: number, padding: Conv1DPadding, name: string): number {
  const steps = inShape[1] as number;
  const a = conv1dAxis(steps, k, s, d, padding);
  if (a.out <= 0) {
    const shown = `(None, ${inShape.slice(1).map((v) => (v === null ? 'None' : String(v))).join(', ')})`;
    throw new ShapeError(`${name}: output would be empty for input ${shown} with kernel ${k}, strides ${s}: steps ${a.arithmetic}. ` +
      `Use a smaller kernel or stride, padding 'same' or 'causal', or a longer input.`);
  }
  return a.out;
}

function conv1dImpl(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: FusedActivation | null, opts: Conv1DOptions): Tensor {
  const name = opts.name ?? 'conv1d';
  if (x.rank !== 3) throw new ShapeError(`${name}: expected a 3-D input (batch, steps, channels), got shape ${shapeStr(x.shape)}`);
  if (kernel.rank !== 3) throw new ShapeError(`${name}: expected a 3-D kernel (kernel_size, in_channels / groups, filters), got shape ${shapeStr(kernel.shape)}`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${name}: groups must be a positive integer, got ${groups}`);
  const [b, steps, c] = x.shape;
  const [k, cg, filters] = kernel.shape;
  if (c % groups !== 0 || cg * groups !== c) {
    throw new ShapeError(`${name}: input has ${c} channels (shape ${shapeStr(x.shape)}) but the kernel expects ${cg * groups} (kernel shape ${shapeStr(kernel.shape)}, groups ${groups})`);
  }
  if (filters % groups !== 0) throw new ShapeError(`${name}: the kernel's ${filters} filters are not divisible by groups ${groups}`);
  const s = single(opts.strides ?? 1, 'strides', name);
  const d = single(opts.dilations ?? 1, 'dilation_rate', name);
  const padding = opts.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same' && padding !== 'causal') throw new ValueError(`${name}: padding must be 'valid', 'same' or 'causal', got ${JSON.stringify(padding)}`);
  const out = conv1dOutputLength(x.shape, k, s, d, padding, name);
  const pad2: Padding = padding === 'causal' ? [[0, 0], [(k - 1) * d, 0]] : padding;
  const convOpts = { strides: [1, s], dilations: [1, d], padding: pad2, name };
  const x4 = reshape(x, [b, 1, steps, c]);
  const k4 = reshape(kernel, [1, k, cg, filters]);
  const one = (xi: Tensor, ki: Tensor, bi: Tensor | null): Tensor =>
    (bi || activation ? fusedConv2d(xi, ki, bi, activation ?? 'linear', convOpts) : conv2d(xi, ki, convOpts));
  let y: Tensor;
  if (groups === 1) {
    y = one(x4, k4, bias);
  } else {
    const fg = filters / groups;
    const parts: Tensor[] = [];
    for (let g = 0; g < groups; g++) {
      parts.push(one(slice(x4, [0, 0, 0, g * cg], [-1, -1, -1, cg]), slice(k4, [0, 0, 0, g * fg], [-1, -1, -1, fg]),
        bias ? slice(bias, [g * fg], [fg]) : null));
    }
    y = concat(parts, 3);
  }
  return reshape(y, [b, out, filters]);
}

/** 1-D convolution of x (batch, steps, channels) with kernel (k, channels / groups, filters). */
export function conv1d(x: Tensor, kernel: Tensor, opts: Conv1DOptions = {}): Tensor {
  return conv1dImpl(x, kernel, null, null, opts);
}

/** act(conv1d(x, kernel) + bias), fused into the convolution kernels. */
export function fusedConv1d(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: FusedActivation, opts: Conv1DOptions = {}): Tensor {
  if (bias && (bias.rank !== 1 || bias.shape[0] !== kernel.shape[kernel.rank - 1])) {
    throw new ShapeError(`${opts.name ?? 'fusedConv1d'}: bias must have shape (${kernel.shape[kernel.rank - 1]},), got ${shapeStr(bias.shape)}`);
  }
  return conv1dImpl(x, kernel, bias, activation, opts);
}
