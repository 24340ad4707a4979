/**
 * How one layer changes a theoretical receptive field, axis by axis, by the standard recurrence
 * (Dumoulin & Visin 2016; Araujo et al., "Computing receptive fields of CNNs", Distill 2019):
 *
 *   size_out  = size_in + (k − 1)·d·jump_in
 *   jump_out  = jump_in · s
 *   start_out = start_in + ((k − 1)/2·d − p_before)·jump_in
 *
 * `size` counts input pixels, `jump` is the distance in input pixels between neighbouring output
 * units, `start` is the centre of the first output unit's field in input pixel coordinates (pixel
 * centres at 0, 1, 2…; negative when the field reaches into padding). Sequences (Conv1D) use the
 * height axis; their width axis stays a single pixel.
 */
import { ValueError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import type { SymShape } from '../layers/symbolic.js';
import { BaseConv2D } from '../layers/convolutional.js';
import { SeparableConv2D } from '../layers/separable_conv2d.js';
import { Conv2DTranspose } from '../layers/conv2d_transpose.js';
import { Conv1D } from '../layers/conv1d.js';
import { MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/pooling.js';
import { StochasticPooling2D } from '../layers/stochastic_pooling.js';
import { Flatten, Reshape, ZeroPadding2D } from '../layers/reshaping.js';
import { Cropping1D, Cropping2D } from '../layers/cropping.js';
import { UpSampling2D } from '../layers/upsampling.js';
import { Dense, ActivationLayer, Dropout } from '../layers/core.js';
import { ReLU, Softmax } from '../layers/activation_layers.js';
import { BatchNormalization } from '../layers/normalization.js';
import { LayerNormalization, RMSNormalization } from '../layers/layer_normalization.js';
import { SpatialDropout2D } from '../layers/spatial_dropout.js';
import { Rescaling, Normalization } from '../layers/preprocessing.js';
import { RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast } from '../layers/random_image.js';
import { LayerScale } from '../layers/layer_scale.js';
import { StochasticDepth } from '../layers/stochastic_depth.js';
import { Concatenate } from '../layers/merging.js';
import { windowAxis } from '../shape/conv.js';
import { convTransposeAxis } from '../ops/conv_transpose.js';

export interface AxisField {
  size: number;
  jump: number;
  start: number;
}

/** The field of every unit of one tensor: per spatial axis, or the whole input ('global'). */
export interface Field {
  h: AxisField;
  w: AxisField;
  global: boolean;
}

export interface RuleResult {
  field: Field;
  /** Something the reader should know about this row (merged jumps differ, broadcast input…). */
  note?: string;
}

export const INPUT_FIELD: Field = { h: { size: 1, jump: 1, start: 0 }, w: { size: 1, jump: 1, start: 0 }, global: false };

/** The field of a unit that sees the whole input of size [H, W]. */
export function globalField(inputSize: readonly [number, number]): Field {
  const [H, W] = inputSize;
  return { h: { size: H, jump: H, start: (H - 1) / 2 }, w: { size: W, jump: W, start: (W - 1) / 2 }, global: true };
}

/** A sliding window of k taps, dilation d, stride s, p cells of padding before the first input. */
function windowed(f: AxisField, k: number, s: number, d: number, p: number): AxisField {
  return { size: f.size + (k - 1) * d * f.jump, jump: f.jump * s, start: f.start + ((k - 1) / 2 * d - p) * f.jump };
}

/** Moves the first unit by `offset` input units (cropping > 0, padding < 0). */
function shifted(f: AxisField, offset: number): AxisField {
  return { ...f, start: f.start + offset * f.jump };
}

/**
 * Upsampling by `u` (UpSampling2D, transposed convolution): neighbouring outputs are jump/u apart;
 * each output reads `reads` consecutive input units; `offset` is where output 0's centre falls, in
 * input units.
 */
function upsampled(f: AxisField, u: number, reads: number, offset: number): AxisField {
  return { size: f.size + (reads - 1) * f.jump, jump: f.jump / u, start: f.start + offset * f.jump };
}

const POSITIONWISE: readonly (abstract new (...args: never[]) => Layer)[] = [
  BatchNormalization, LayerNormalization, RMSNormalization, ActivationLayer, ReLU, Dropout, SpatialDropout2D,
  Rescaling, Normalization, LayerScale, StochasticDepth,
  // Random augmentation layers are the identity at inference, where fields are read.
  RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast,
];

const GLOBAL: readonly (abstract new (...args: never[]) => Layer)[] = [Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, Reshape];

function spatialSize(shape: SymShape, axis: 1 | 2, layer: Layer): number {
  if (shape.length < 3 || (axis === 2 && shape.length < 4)) return 1;
  const d = shape[axis];
  if (d === null || d === undefined) {
    throw new ValueError(`receptive fields need the input's height and width: layer "${layer.name}" (${layer.className}) gets an input of unknown size ${JSON.stringify(shape)}; build the model with a fixed inputShape`);
  }
  return d;
}

function samePadBefore(inSize: number, k: number, s: number, d: number, padding: string): number {
  return padding === 'same' ? windowAxis(inSize, k, s, d, 'same').padBefore : 0;
}

/** Conv-like windows on both axes: [k, s, d] per axis and the padding mode. */
function window2d(f: Field, inShape: SymShape, layer: Layer, k: readonly number[], s: readonly number[], d: readonly number[], padding: string): Field {
  const H = spatialSize(inShape, 1, layer);
  const W = spatialSize(inShape, 2, layer);
  return {
    h: windowed(f.h, k[0], s[0], d[0], samePadBefore(H, k[0], s[0], d[0], padding)),
    w: windowed(f.w, k[1], s[1], d[1], samePadBefore(W, k[1], s[1], d[1], padding)),
    global: false,
  };
}

/**
 * Transposed convolution, read as the convolution (output → input) it transposes: input i feeds
 * outputs i·s − p + t·d for taps t < k, so output o's centre lies at (o + p − (k−1)·d/2)/s input units.
 */
function transposedAxis(f: AxisField, inSize: number, k: number, s: number, d: number, padding: 'valid' | 'same', outputPadding: number | null): AxisField {
  const { padBefore } = convTransposeAxis(inSize, k, s, d, padding, outputPadding);
  return upsampled(f, s, Math.ceil(((k - 1) * d + 1) / s), (padBefore - (k - 1) / 2 * d) / s);
}

function singleInputRule(layer: Layer, f: Field, inShape: SymShape, outShape: SymShape, inputSize: readonly [number, number]): Field {
  if (layer instanceof BaseConv2D || layer instanceof SeparableConv2D) {
    return window2d(f, inShape, layer, layer.kernelSize, layer.strides, layer.dilationRate, layer.padding);
  }
  if (layer instanceof MaxPooling2D || layer instanceof AveragePooling2D || layer instanceof StochasticPooling2D) {
    return window2d(f, inShape, layer, layer.poolSize, layer.strides, [1, 1], layer.padding);
  }
  if (layer instanceof Conv1D) {
    const [k, s, d] = [layer.kernelSize[0], layer.strides[0], layer.dilationRate[0]];
    const L = spatialSize(inShape, 1, layer);
    const p = layer.padding === 'causal' ? (k - 1) * d : samePadBefore(L, k, s, d, layer.padding);
    return { ...f, h: windowed(f.h, k, s, d, p) };
  }
  if (layer instanceof Conv2DTranspose) {
    const H = spatialSize(inShape, 1, layer);
    const W = spatialSize(inShape, 2, layer);
    return {
      h: transposedAxis(f.h, H, layer.kernelSize[0], layer.strides[0], layer.dilationRate[0], layer.padding, layer.outputPadding?.[0] ?? null),
      w: transposedAxis(f.w, W, layer.kernelSize[1], layer.strides[1], layer.dilationRate[1], layer.padding, layer.outputPadding?.[1] ?? null),
      global: false,
    };
  }
  if (layer instanceof ZeroPadding2D) {
    const [[top], [left]] = layer.padding;
    return { ...f, h: shifted(f.h, -top), w: shifted(f.w, -left) };
  }
  if (layer instanceof Cropping2D) {
    const [[top], [left]] = layer.cropping;
    return { ...f, h: shifted(f.h, top), w: shifted(f.w, left) };
  }
  if (layer instanceof Cropping1D) return { ...f, h: shifted(f.h, layer.cropping[0]) };
  if (layer instanceof UpSampling2D) {
    // Positions in the half-pixel convention: output o is centred at (o + ½)/u − ½ input units, so
    // the jump becomes jump/u. Nearest copies one input unit (the size is exact; the linear centres
    // are off by up to half an input unit for the copies), bilinear blends two neighbours.
    const reads = layer.interpolation === 'bilinear' ? 2 : 1;
    const [uh, uw] = layer.size;
    return { ...f, h: upsampled(f.h, uh, reads, 1 / (2 * uh) - 0.5), w: upsampled(f.w, uw, reads, 1 / (2 * uw) - 0.5) };
  }
  if (layer instanceof Dense) {
    // Dense on a (batch, h, w, c) map acts on each position alone; on vectors it mixes everything.
    return inShape.length > 2 ? f : globalField(inputSize);
  }
  if (layer instanceof Softmax) {
    const axis = layer.axis < 0 ? outShape.length + layer.axis : layer.axis;
    return axis === outShape.length - 1 ? f : globalField(inputSize);
  }
  if (POSITIONWISE.some((cls) => layer instanceof cls)) return f;
  if (GLOBAL.some((cls) => layer instanceof cls)) return globalField(inputSize);
  throw new ValueError(`the receptive field of layer "${layer.name}" (${layer.className}) is not known: convkit computes it for convolutions (Conv1D/2D, Depthwise, Separable, Transpose), pooling, ZeroPadding2D, Cropping, UpSampling2D, merges, position-wise layers (normalisation, activation, dropout, scaling) and flattening/global layers`);
}

function formatPair(a: AxisField, b: AxisField, key: 'jump' | 'size'): string {
  return `${fmt(a[key])}x${fmt(b[key])}`;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
}

/**
 * Several inputs combined position by position (Add, Concatenate on channels, Multiply…): each output
 * unit sees the union of its inputs' fields. When the branches share a jump that union is the same for
 * every unit (the largest field when the branches are centred alike). An input broadcast from a 1×1
 * map, or already global, makes the output global.
 */
function mergeRule(layer: Layer, fields: readonly Field[], inShapes: readonly SymShape[], outShape: SymShape, inputSize: readonly [number, number]): RuleResult {
  if (layer instanceof Concatenate) {
    const axis = layer.axis < 0 ? outShape.length + layer.axis : layer.axis;
    if (axis !== outShape.length - 1) {
      throw new ValueError(`the receptive field of layer "${layer.name}" (Concatenate) is not defined: it joins its inputs along spatial axis ${layer.axis}, not along the channels`);
    }
  }
  const broadcast = inShapes.some((s) => s.length === outShape.length && s.slice(1, -1).some((d, i) => d === 1 && outShape[i + 1] !== 1));
  if (fields.some((f) => f.global) || broadcast) {
    return { field: globalField(inputSize), ...(broadcast && !fields.some((f) => f.global) ? { note: 'an input is broadcast from a 1x1 map' } : {}) };
  }
  const union = (axes: AxisField[]): AxisField => {
    const lo = Math.min(...axes.map((a) => a.start - (a.size - 1) / 2));
    const hi = Math.max(...axes.map((a) => a.start + (a.size - 1) / 2));
    return { size: hi - lo + 1, jump: Math.max(...axes.map((a) => a.jump)), start: (lo + hi) / 2 };
  };
  const field: Field = { h: union(fields.map((f) => f.h)), w: union(fields.map((f) => f.w)), global: false };
  const jumps = [...new Set(fields.map((f) => formatPair(f.h, f.w, 'jump')))];
  return jumps.length > 1
    ? { field, note: `branches' jumps differ (${jumps.join(', ')}): the field shown is unit 0's, and the jump the largest` }
    : { field };
}

/** The field of `layer`'s output given its inputs' fields and shapes (batch first, channels last). */
export function layerField(layer: Layer, fields: readonly Field[], inShapes: readonly SymShape[], outShape: SymShape, inputSize: readonly [number, number]): RuleResult {
  if (fields.length > 1) return mergeRule(layer, fields, inShapes, outShape, inputSize);
  const f = fields[0];
  // Once a unit sees the whole input, every later unit does too (Dense after Flatten, an SE block's 1×1 convs).
  if (f.global) return { field: globalField(inputSize) };
  return { field: singleInputRule(layer, f, inShapes[0], outShape, inputSize) };
}
