/**
 * Output-size arithmetic for convolution and pooling, shared by ops (kernels' shape records),
 * layers (computeOutputShape, summary) and error messages, so all three always agree.
 * Semantics follow TensorFlow/Keras: 'valid' = no padding, 'same' = output ceil(in / stride) with
 * the extra padding cell at the bottom/right.
 */
import { ShapeError } from '../errors.js';

/** 'valid' | 'same' | explicit [[top, bottom], [left, right]]. */
export type Padding = 'valid' | 'same' | readonly [readonly [number, number], readonly [number, number]];

export interface Conv2DInfo {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  /** Depthwise only: output channels per input channel (1 for ordinary convolution). */
  channelMultiplier: number;
}

export interface Pool2DInfo {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  poolHeight: number;
  poolWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

export interface WindowAxis {
  out: number;
  padBefore: number;
  padAfter: number;
  /** A readable account of the arithmetic, for error messages. */
  arithmetic: string;
}

/**
 * One spatial axis: size `inSize`, window `k` dilated by `d`, stride `s`. Returns out size and padding.
 * `out` may be ≤ 0; callers decide whether that is an error (it always is for layers).
 */
export function windowAxis(inSize: number, k: number, s: number, d: number, padding: 'valid' | 'same' | readonly [number, number]): WindowAxis {
  const eff = (k - 1) * d + 1;
  const effText = d > 1 ? `effective kernel ${eff} = (${k} - 1) * ${d} + 1` : `kernel ${k}`;
  if (padding === 'same') {
    const out = Math.ceil(inSize / s);
    const total = Math.max((out - 1) * s + eff - inSize, 0);
    const padBefore = Math.floor(total / 2);
    return { out, padBefore, padAfter: total - padBefore, arithmetic: `'same': ceil(${inSize} / ${s}) = ${out}` };
  }
  if (padding === 'valid') {
    const out = inSize >= eff ? Math.floor((inSize - eff) / s) + 1 : 0;
    return { out, padBefore: 0, padAfter: 0, arithmetic: `'valid': floor((${inSize} - ${eff}) / ${s}) + 1 = ${inSize >= eff ? out : 'none'} (${effText})` };
  }
  const [p0, p1] = padding;
  const padded = inSize + p0 + p1;
  const out = padded >= eff ? Math.floor((padded - eff) / s) + 1 : 0;
  return {
    out, padBefore: p0, padAfter: p1,
    arithmetic: `padding ${p0}+${p1}: floor((${inSize} + ${p0} + ${p1} - ${eff}) / ${s}) + 1 = ${padded >= eff ? out : 'none'} (${effText})`,
  };
}

function axisPadding(padding: Padding, axis: 0 | 1): 'valid' | 'same' | readonly [number, number] {
  return typeof padding === 'string' ? padding : padding[axis];
}

export function pair(v: number | readonly number[], what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (v.length === 1) return [v[0], v[0]];
  if (v.length === 2) return [v[0], v[1]];
  throw new ShapeError(`${what} must be a number or a pair of numbers, got [${v.join(', ')}]`);
}

export function checkPositiveInts(values: readonly number[], what: string, layer: string): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`${layer}: ${what} must be positive integers, got [${values.join(', ')}]`);
  }
}

export interface ConvGeometry {
  inShape: readonly number[];
  filterSize: readonly [number, number];
  strides: readonly [number, number];
  dilations: readonly [number, number];
  padding: Padding;
  /** For messages: the layer or op name. */
  name: string;
}

function spatial(g: ConvGeometry): { h: WindowAxis; w: WindowAxis } {
  const [, inH, inW] = g.inShape;
  const h = windowAxis(inH, g.filterSize[0], g.strides[0], g.dilations[0], axisPadding(g.padding, 0));
  const w = windowAxis(inW, g.filterSize[1], g.strides[1], g.dilations[1], axisPadding(g.padding, 1));
  if (h.out <= 0 || w.out <= 0) {
    throw new ShapeError(
      `${g.name}: output would be empty for input (None, ${g.inShape.slice(1).join(', ')}) with kernel ${g.filterSize[0]}x${g.filterSize[1]}, ` +
      `strides ${g.strides[0]}x${g.strides[1]}: height ${h.arithmetic}; width ${w.arithmetic}. ` +
      `Use a smaller kernel or stride, padding 'same', or a larger input.`);
  }
  return { h, w };
}

/** Shape record for conv2d / depthwise conv2d. `inShape` is NHWC (batch may be -1 for "unknown"). */
export function conv2dInfo(g: ConvGeometry, outChannels: number, channelMultiplier = 1): Conv2DInfo {
  if (g.inShape.length !== 4) {
    throw new ShapeError(`${g.name}: expected a 4-D input (batch, height, width, channels), got shape (${g.inShape.join(', ')})`);
  }
  const { h, w } = spatial(g);
  return {
    batch: g.inShape[0], inHeight: g.inShape[1], inWidth: g.inShape[2], inChannels: g.inShape[3],
    outHeight: h.out, outWidth: w.out, outChannels,
    filterHeight: g.filterSize[0], filterWidth: g.filterSize[1],
    strideHeight: g.strides[0], strideWidth: g.strides[1],
    dilationHeight: g.dilations[0], dilationWidth: g.dilations[1],
    padTop: h.padBefore, padBottom: h.padAfter, padLeft: w.padBefore, padRight: w.padAfter,
    channelMultiplier,
  };
}

export function pool2dInfo(g: Omit<ConvGeometry, 'dilations'>): Pool2DInfo {
  if (g.inShape.length !== 4) {
    throw new ShapeError(`${g.name}: expected a 4-D input (batch, height, width, channels), got shape (${g.inShape.join(', ')})`);
  }
  const { h, w } = spatial({ ...g, dilations: [1, 1] });
  return {
    batch: g.inShape[0], inHeight: g.inShape[1], inWidth: g.inShape[2], channels: g.inShape[3],
    outHeight: h.out, outWidth: w.out, poolHeight: g.filterSize[0], poolWidth: g.filterSize[1],
    strideHeight: g.strides[0], strideWidth: g.strides[1],
    padTop: h.padBefore, padBottom: h.padAfter, padLeft: w.padBefore, padRight: w.padAfter,
  };
}
