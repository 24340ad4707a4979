/**
 * Transposed 2-D convolution (Keras's `ops.conv_transpose`, the Conv2DTranspose layer): the adjoint
 * of a conv2d. Input NHWC (batch, h, w, in_channels); kernel as Keras stores it,
 * (kh, kw, filters, in_channels), which is exactly the HWIO filter of the forward convolution that
 * maps the (larger) output back to the input. So the forward pass is that convolution's
 * input-gradient kernel, its input gradient is that convolution itself, and its kernel gradient is
 * that convolution's filter gradient with the roles of x and dy swapped.
 *
 * Output size and padding follow Keras 3 (keras/src/backend/common/backend_utils.py):
 *   valid:  (n − 1)·s + eff + op, op defaulting to max(eff, s) − eff   (= n·s + max(eff − s, 0))
 *   same:   n·s when output_padding is None, else (n − 1)·s + eff % 2 + op
 * with eff = (k − 1)·d + 1. The forward convolution's leading padding is eff − 1 − left_pad with
 * left_pad as in Keras's JAX backend (equal to TensorFlow's 'SAME' floor(total / 2) wherever
 * TensorFlow accepts the shape); its trailing padding is whatever makes that convolution produce
 * exactly n outputs from the output length (cells no window reaches get zero).
 */
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { ShapeError, ValueError } from '../errors.js';
import { type Conv2DInfo, pair, checkPositiveInts, windowAxis } from '../shape/conv.js';
import { Tensor } from '../tensor/tensor.js';
import { widenPair } from './conv.js';
import { asFloatsOf, floats, shapeStr, wrap } from './util.js';

export interface Conv2DTransposeOptions {
  strides?: number | readonly number[];
  padding?: 'valid' | 'same';
  /** Extra cells at the bottom/right, each < its stride; null/undefined = Keras's default. */
  outputPadding?: number | readonly number[] | null;
  dilations?: number | readonly number[];
  /** Name used in error messages (the layer's name when called from a layer). */
  name?: string;
}

export interface TransposeAxis {
  /** Output length (may be ≤ 0 for impossible geometries; callers raise). */
  out: number;
  /** Padding of the forward convolution (output → input) before / after. */
  padBefore: number;
  padAfter: number;
  /** A readable account of the output-length arithmetic, for error messages. */
  arithmetic: string;
}

/**
 * One spatial axis of a transposed convolution over `inSize` cells (kernel k, stride s, dilation
 * d): Keras's output length and the forward convolution's padding.
 */
export function convTransposeAxis(inSize: number, k: number, s: number, d: number, padding: 'valid' | 'same',
  outputPadding: number | null): TransposeAxis {
  const eff = (k - 1) * d + 1;
  const effText = d > 1 ? ` (effective kernel ${eff} = (${k} - 1) * ${d} + 1)` : '';
  let out: number;
  let padBefore: number;
  let arithmetic: string;
  if (padding === 'valid') {
    if (outputPadding === null) {
      out = inSize * s + Math.max(eff - s, 0);
      arithmetic = `'valid': ${inSize} * ${s} + max(${eff} - ${s}, 0) = ${out}${effText}`;
    } else {
      out = (inSize - 1) * s + eff + outputPadding;
      arithmetic = `'valid' with output_padding ${outputPadding}: (${inSize} - 1) * ${s} + ${eff} + ${outputPadding} = ${out}${effText}`;
    }
    padBefore = 0;
  } else {
    const padLen = outputPadding === null ? s + eff - 2 : eff + (eff % 2) - 2 + outputPadding;
    const left = Math.min(Math.floor(padLen / 2) + (padLen % 2), eff - 1);
    padBefore = eff - 1 - left;
    if (outputPadding === null) {
      out = inSize * s;
      arithmetic = `'same': ${inSize} * ${s} = ${out}`;
    } else {
      out = (inSize - 1) * s + (eff % 2) + outputPadding;
      arithmetic = `'same' with output_padding ${outputPadding}: (${inSize} - 1) * ${s} + ${eff} % 2 + ${outputPadding} = ${out}${effText}`;
    }
  }
  // The forward convolution must map `out` cells back onto exactly `inSize`: its last window
  // starts at (inSize − 1)·s − padBefore. When output padding makes `out` longer than the windows
  // reach (by less than one stride), the trailing cells get no contribution: padding 0 there.
  const padAfter = Math.max(0, (inSize - 1) * s + eff - out - padBefore);
  return { out, padBefore, padAfter, arithmetic };
}

function checkedOutputPadding(op: number | readonly number[] | null | undefined, strides: [number, number], name: string): [number | null, number | null] {
  if (op === null || op === undefined) return [null, null];
  const p = pair(op, `${name}: output_padding`);
  for (let i = 0; i < 2; i++) {
    if (!Number.isInteger(p[i]) || p[i] < 0 || p[i] >= strides[i]) {
      throw new ValueError(`${name}: output_padding must be non-negative integers smaller than strides, got output_padding ${JSON.stringify(p)} with strides ${JSON.stringify(strides)}`);
    }
  }
  return p;
}

/**
 * The shape record of the forward convolution whose input gradient is this transposed
 * convolution: its "input" is the transposed output (batch, outH, outW, filters), its "output" the
 * transposed input (batch, h, w, in_channels).
 */
export function conv2dTransposeInfo(xShape: readonly number[], kernelShape: readonly number[], opts: Conv2DTransposeOptions = {}): Conv2DInfo {
  const name = opts.name ?? 'conv2dTranspose';
  if (xShape.length !== 4) throw new ShapeError(`${name}: expected a 4-D input (batch, height, width, channels), got shape ${shapeStr(xShape)}`);
  if (kernelShape.length !== 4) throw new ShapeError(`${name}: expected a 4-D kernel (height, width, filters, in_channels), got shape ${shapeStr(kernelShape)}`);
  if (kernelShape[3] !== xShape[3]) {
    throw new ShapeError(`${name}: input has ${xShape[3]} channels (shape ${shapeStr(xShape)}) but the kernel expects ${kernelShape[3]} (kernel shape ${shapeStr(kernelShape)}, laid out (height, width, filters, in_channels))`);
  }
  const strides = pair(opts.strides ?? 1, `${name}: strides`);
  const dilations = pair(opts.dilations ?? 1, `${name}: dilation_rate`);
  checkPositiveInts(strides, 'strides', name);
  checkPositiveInts(dilations, 'dilation_rate', name);
  const padding = opts.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') throw new ValueError(`${name}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`);
  const [oph, opw] = checkedOutputPadding(opts.outputPadding, strides, name);
  const [n, h, w, c] = xShape;
  const [kh, kw, filters] = kernelShape;
  const ha = convTransposeAxis(h, kh, strides[0], dilations[0], padding, oph);
  const wa = convTransposeAxis(w, kw, strides[1], dilations[1], padding, opw);
  if (ha.out <= 0 || wa.out <= 0) {
    throw new ShapeError(`${name}: output would be empty for input (None, ${h}, ${w}, ${c}) with kernel ${kh}x${kw}, strides ${strides[0]}x${strides[1]}: ` +
      `height ${ha.arithmetic}; width ${wa.arithmetic}. Use padding 'valid', a larger output_padding or a larger input.`);
  }
  // Internal consistency: the forward convolution of the output must give back the input size.
  const back = [windowAxis(ha.out, kh, strides[0], dilations[0], [ha.padBefore, ha.padAfter]).out,
    windowAxis(wa.out, kw, strides[1], dilations[1], [wa.padBefore, wa.padAfter]).out];
  if (back[0] !== h || back[1] !== w) throw new Error(`${name}: internal error: transposed geometry ${ha.out}x${wa.out} maps back to ${back[0]}x${back[1]}, not ${h}x${w}`);
  return {
    batch: n, inHeight: ha.out, inWidth: wa.out, inChannels: filters,
    outHeight: h, outWidth: w, outChannels: c,
    filterHeight: kh, filterWidth: kw,
    strideHeight: strides[0], strideWidth: strides[1],
    dilationHeight: dilations[0], dilationWidth: dilations[1],
    padTop: ha.padBefore, padBottom: ha.padAfter, padLeft: wa.padBefore, padRight: wa.padAfter,
    channelMultiplier: 1,
  };
}

/**
 * Transposed convolution of x (batch, h, w, in_channels) with kernel (kh, kw, filters,
 * in_channels); output (batch, outH, outW, filters) with Keras's output size.
 */
export function conv2dTranspose(x: Tensor, kernel: Tensor, opts: Conv2DTransposeOptions = {}): Tensor {
  const info = conv2dTransposeInfo(x.shape, kernel.shape, opts);
  const [xv, kv] = widenPair(x, kernel);
  const y = wrap(be().conv2dBackpropInput(xv, kv, info), [info.batch, info.inHeight, info.inWidth, info.inChannels]);
  return record('conv2dTranspose', y, [x, kernel], (dy) => {
    const dv = asFloatsOf(floats(dy), xv);
    return [
      // The forward convolution of dy gives dx; its filter gradient (dy as its input, x as its output gradient) gives dK.
      x.requiresGrad ? wrap(be().conv2d(dv, kv, info), x.shape) : null,
      kernel.requiresGrad ? wrap(be().conv2dBackpropFilter(dv, xv, info), kernel.shape) : null,
    ];
  });
}
