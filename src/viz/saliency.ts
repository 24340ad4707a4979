/**
 * Grad-CAM (Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
 * Localization", ICCV 2017): which parts of an image a class decision rests on.
 *
 *   α_k = mean over positions of ∂score / ∂A_k        (A: a convolution layer's (1, h, w, K) output)
 *   cam = ReLU(Σ_k α_k · A_k), divided by its maximum (all zeros when nothing is positive)
 *
 * then resized bilinearly (half-pixel centres, as keras.ops.image.resize) to the input image's size.
 *
 * - Layer: by default the last convolution (Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose)
 *   that ran, followed through the BatchNormalization / activation layers applied directly to its
 *   output (Keras's Grad-CAM example uses Xception's "block14_sepconv2_act" this way).
 * - Class: the top prediction unless given.
 * - Score: the class's value before the final softmax. When the model ends in a Dense layer with a
 *   non-linear activation (softmax, sigmoid) the score is that layer's pre-activation x·W + b, computed
 *   from the Dense layer's own input and weights (Keras's example removes the last activation for the
 *   same reason: a saturated softmax has vanishing gradients, and its gradient mixes in the other
 *   classes). A final Softmax / Activation('softmax') layer is skipped the same way (its input is the
 *   score). Otherwise the model's output is the score.
 * - probability: the model's output for the class when it ends in a softmax, else softmax(output).
 */
import { ValueError } from '../errors.js';
import { gradients, isRecording } from '../autograd/tape.js';
import type { Layer } from '../layers/layer.js';
import { BaseConv2D } from '../layers/convolutional.js';
import { SeparableConv2D } from '../layers/separable_conv2d.js';
import { Conv2DTranspose } from '../layers/conv2d_transpose.js';
import { BatchNormalization } from '../layers/normalization.js';
import { ActivationLayer, Dense } from '../layers/core.js';
import { ReLU, Softmax } from '../layers/activation_layers.js';
import type { Model } from '../models/model.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { traceLayerCalls, type TracedCall } from './call_trace.js';
import { findLayer, leafLayers, imageInputShape, shapeText } from './model_probe.js';

export interface GradCamOptions {
  /** Name of the layer whose output is explained (default: see the module comment). */
  layer?: string;
  /** Class explained (default: the top prediction). */
  classIndex?: number;
}

export interface GradCamResult {
  /** Heat map 0..1, row-major, the input image's height × width. */
  cam: Float32Array;
  height: number;
  width: number;
  /** The map at the layer's own resolution (before resizing), 0..1. */
  layerCam: Float32Array;
  layerShape: [number, number, number];
  layer: string;
  classIndex: number;
  probability: number;
  /** α_k, one per channel of the layer. */
  weights: Float32Array;
  /** What the score was: 'pre-activation' of the final layer or the model's 'output'. */
  score: 'pre-activation' | 'output';
}

/** The differentiated pieces of Grad-CAM, before they are combined into a map. */
export interface ClassGradient {
  layer: Layer;
  /** The layer's output A, (1, h, w, K). */
  activations: Tensor;
  /** ∂score / ∂A, same shape. */
  gradient: Tensor;
  classIndex: number;
  probability: number;
  scoreValue: number;
  score: GradCamResult['score'];
}

const CONV_LIKE = [BaseConv2D, SeparableConv2D, Conv2DTranspose];
const FOLLOWERS = [BatchNormalization, ActivationLayer, ReLU];

/** The default layer's call: the last convolution-like call, then its BN / activation followers. */
function defaultLayerCall(calls: readonly TracedCall[]): TracedCall {
  let i = -1;
  calls.forEach((c, k) => {
    if (CONV_LIKE.some((cls) => c.layer instanceof cls) && c.outputs[0].shape.length === 4) i = k;
  });
  if (i < 0) throw new ValueError('the model has no convolution layer with a 4-D output for Grad-CAM; pass --layer NAME (a layer with a (batch, height, width, channels) output)');
  let chosen = calls[i];
  for (let k = i + 1; k < calls.length; k++) {
    const c = calls[k];
    const follows = c.inputs.length === 1 && c.inputs[0] === chosen.outputs[0] && FOLLOWERS.some((cls) => c.layer instanceof cls);
    if (follows) chosen = c;
  }
  return chosen;
}

function isSoftmax(layer: Layer): boolean {
  if (layer instanceof Softmax) return true;
  return (layer instanceof ActivationLayer || layer instanceof Dense) && layer.activation.name === 'softmax';
}

/** The class scores (1, classes) before the final layer's activation, and what they are. */
function scoresOf(final: TracedCall | undefined, output: Tensor): { z: Tensor; score: GradCamResult['score'] } {
  if (final && final.layer instanceof Dense && final.layer.activation.name !== 'linear') {
    const dense = final.layer;
    let z = ops.matMul(final.inputs[0], dense.kernel);
    if (dense.bias) z = ops.add(z, dense.bias);
    return { z, score: 'pre-activation' };
  }
  if (final && (final.layer instanceof Softmax || (final.layer instanceof ActivationLayer && final.layer.activation.name === 'softmax'))) {
    return { z: final.inputs[0], score: 'pre-activation' };
  }
  return { z: output, score: 'output' };
}

/** Runs the model on `x` (1, H, W, C) and differentiates the class score with respect to the layer's output. */
export function classGradient(model: Model, x: Tensor, opts: GradCamOptions = {}): ClassGradient {
  if (!isRecording()) throw new ValueError('Grad-CAM differentiates the model: do not call it inside noGrad()');
  const [H, W, C] = imageInputShape(model);
  if (x.shape.length !== 4 || x.shape[0] !== 1 || x.shape[1] !== H || x.shape[2] !== W || x.shape[3] !== C) {
    throw new ValueError(`Grad-CAM takes one image shaped (1, ${H}, ${W}, ${C}) for model "${model.name}", got (${x.shape.join(', ')})`);
  }
  const wanted = opts.layer === undefined ? null : findLayer(model, opts.layer);
  const input = ops.add(x, 0);
  input.requiresGrad = true;       // so every layer output is on the tape, frozen weights or not
  const { result, calls } = traceLayerCalls(leafLayers(model), () => model.apply(input, { training: false }) as Tensor | Tensor[]);
  const output = Array.isArray(result) ? result[0] : result;
  if (output.shape.length !== 2) throw new ValueError(`Grad-CAM needs a classifier: model "${model.name}" outputs ${shapeText(output.shape)}, not (batch, classes)`);
  const target = wanted ? calls.find((c) => c.layer === wanted) : defaultLayerCall(calls);
  if (!target) throw new ValueError(`layer "${opts.layer}" did not run when "${model.name}" was called`);
  const A = target.outputs[0];
  if (A.shape.length !== 4) {
    throw new ValueError(`layer "${target.layer.name}" outputs ${shapeText(A.shape)}: Grad-CAM needs a layer with a 4-D (batch, height, width, channels) output, such as a convolution`);
  }
  const final = [...calls].reverse().find((c) => c.outputs.includes(output));
  const classes = output.shape[1];
  const probs = final && isSoftmax(final.layer) ? output.values : ops.softmax(output, -1).values;
  let classIndex = opts.classIndex;
  if (classIndex === undefined) {
    classIndex = 0;
    for (let k = 1; k < classes; k++) if (probs[k] > probs[classIndex]) classIndex = k;
  } else if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classes) {
    throw new ValueError(`class ${classIndex} is out of range: model "${model.name}" has classes 0..${classes - 1}`);
  }
  const { z, score } = scoresOf(final, output);
  const seed = new Float32Array(classes);
  seed[classIndex] = 1;
  const [gradient] = gradients(z, [A], ops.tensor(seed, [1, classes]));
  if (!gradient) throw new ValueError(`the class score does not depend on layer "${target.layer.name}"; choose a layer the output is computed from`);
  return { layer: target.layer, activations: A, gradient, classIndex, probability: probs[classIndex], scoreValue: z.values[classIndex], score };
}

export function gradCam(model: Model, x: Tensor, opts: GradCamOptions = {}): GradCamResult {
  const g = classGradient(model, x, opts);
  const [, h, w, K] = g.activations.shape;
  const a = g.activations.values;
  const d = g.gradient.values;
  const weights = new Float32Array(K);
  for (let i = 0; i < h * w; i++) for (let k = 0; k < K; k++) weights[k] += d[i * K + k] / (h * w);
  const layerCam = new Float32Array(h * w);
  let max = 0;
  for (let i = 0; i < h * w; i++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += weights[k] * a[i * K + k];
    layerCam[i] = s > 0 ? s : 0;
    if (layerCam[i] > max) max = layerCam[i];
  }
  if (max > 0) for (let i = 0; i < layerCam.length; i++) layerCam[i] /= max;
  const [H, W] = [x.shape[1], x.shape[2]];
  const resized = ops.resize(ops.tensor(layerCam, [1, h, w, 1]), [H, W], { interpolation: 'bilinear' });
  const cam = Float32Array.from(resized.values, (v) => Math.min(1, Math.max(0, v)));
  return {
    cam, height: H, width: W, layerCam, layerShape: [h, w, K], layer: g.layer.name,
    classIndex: g.classIndex, probability: g.probability, weights, score: g.score,
  };
}

export { saliencyFigure, type SaliencyFigureOptions } from './saliency_figure.js';
