/**
 * Layer-by-layer forward parity with TensorFlow.js 4.22 (cpu backend).
 *
 * Each case builds the convkit layer and the tfjs layer with the same configuration, gives the
 * convkit layer seeded random weights (non-zero biases, non-trivial BatchNormalization statistics),
 * copies them into the tfjs layer with setWeights (Keras order), runs both on the same seeded inputs
 * at batch 1 and batch 3 (one layer instance, so a layer built on batch 1 must also serve batch 3)
 * and compares the outputs with the metric of test/helpers/tfjs.ts at FORWARD_TOL = 1e-5.
 *
 * Where tfjs and Keras 3 differ, the reference is rebuilt from tfjs ops with Keras 3's formula:
 *  - tfjs's DepthwiseConv2D layer ignores dilation_rate (a TODO in tfjs-layers), so dilated
 *    depthwise cases use tf.depthwiseConv2d(…, dilations) + bias + activation.
 *  - tfjs's ReLU layer only has maxValue; negative_slope / threshold use Keras 3's ReLU formula
 *    (`x·[x > θ]`, clip to max_value, minus negative_slope·relu(θ − x)) in tfjs ops.
 *  - 'leaky_relu': Keras 3's default negative_slope is 0.2 (tfjs LeakyReLU alpha defaults to 0.3),
 *    so the reference is tf.layers.leakyReLU({alpha: 0.2}).
 *  - 'hard_sigmoid': tfjs implements Keras 2's clip(0.2·x + 0.5, 0, 1); Keras 3 uses
 *    relu6(x + 3) / 6, built from tfjs ops here.
 *  - GlobalPooling keepdims: tfjs has no keepdims, its output is reshaped to [b, 1, 1, c].
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { tf, initTfjs, toTf, randn, copyWeights, assertClose, FORWARD_TOL } from '../helpers/tfjs.js';

const BATCHES = [1, 3];

interface Case {
  name: string;
  ck: () => Layer;
  /** The tfjs layer; or a function computing the reference output from tfjs inputs and convkit's weights. */
  tf: (() => tf.layers.Layer) | ((xs: tf.Tensor[], weights: Tensor[]) => tf.Tensor);
  /** Sample shapes (no batch dimension), one per input; several inputs are passed as a list. */
  inputs: number[][];
  /** Pass a single input as a one-element list (merge layers always take lists). */
  asList?: boolean;
  training?: boolean;
  /** Standard deviation of the random inputs. */
  scale?: number;
  tol?: number;
  seed?: number;
}

/** Seeded weights for a built convkit layer, chosen by weight name (all non-trivial). */
function randomizeWeights(layer: Layer, seed: number): void {
  const ws = layer.weights;
  layer.setWeights(ws.map((w, i) => {
    const shape = [...w.shape];
    const s = seed * 101 + i;
    const name = w.name.split('/').pop() as string;
    switch (name) {
      case 'kernel':
      case 'depthwise_kernel': {
        // fan-in scaled so activations stay O(1)
        const fanIn = shape.length === 4 ? shape[0] * shape[1] * shape[2] : shape[0];
        return randn(shape, s, 1 / Math.sqrt(fanIn));
      }
      case 'bias':
      case 'beta':
      case 'moving_mean':
        return randn(shape, s, 0.5);
      case 'gamma':
        return randn(shape, s, 0.3, 1);
      case 'moving_variance': {
        const t = randn(shape, s, 0.7);
        return new Tensor(Float32Array.from(t.values, (v) => Math.exp(v)), shape);
      }
      default:
        throw new Error(`randomizeWeights: unexpected weight ${w.name}`);
    }
  }));
}

function runCase(c: Case): void {
  const seed = c.seed ?? 7;
  const ckLayer = c.ck();
  const multi = c.inputs.length > 1 || c.asList === true;
  const training = c.training ?? false;
  const inputsFor = (batch: number) => c.inputs.map((s, i) => randn([batch, ...s], seed * 1000 + batch * 10 + i, c.scale ?? 1));
  const isLayerFactory = c.tf.length === 0;
  let tfLayer: tf.layers.Layer | null = null;
  // Build both with an inference call (so a training-mode BN updates nothing yet), randomise
  // convkit's weights and copy them over before either side runs for real.
  const x0 = inputsFor(BATCHES[0]);
  ckLayer.apply(multi ? x0 : x0[0], { training: false });
  randomizeWeights(ckLayer, seed);
  if (isLayerFactory) {
    tfLayer = (c.tf as () => tf.layers.Layer)();
    const t0 = x0.map(toTf);
    (tfLayer.apply(multi ? t0 : t0[0], { training: false }) as tf.Tensor).dispose();
    copyWeights(ckLayer, tfLayer);
    t0.forEach((t) => t.dispose());
  }
  for (const batch of BATCHES) {
    const xs = inputsFor(batch);
    const tfXs = xs.map(toTf);
    const ref = tfLayer
      ? tfLayer.apply(multi ? tfXs : tfXs[0], { training }) as tf.Tensor
      : (c.tf as (xs: tf.Tensor[], w: Tensor[]) => tf.Tensor)(tfXs, ckLayer.getWeights());
    const ckOut = ckLayer.apply(multi ? xs : xs[0], { training }) as Tensor;
    assertClose(ckOut, ref, `${c.name}, batch ${batch}`, c.tol ?? FORWARD_TOL);
    if (tfLayer && training) {
      // BN in training mode: the moving statistics must have been updated identically.
      const tw = tfLayer.getWeights();
      ckLayer.getWeights().forEach((w, i) => assertClose(w, tw[i], `${c.name}, batch ${batch}: weight ${ckLayer.weights[i].name} after the training call`));
    }
    ref.dispose();
    tfXs.forEach((t) => t.dispose());
  }
}

function cases(list: Case[]): void {
  for (const c of list) it(c.name, () => runCase(c));
}

// ---------------------------------------------------------------- Conv2D

type Pad = 'same' | 'valid';

function convCases(): Case[] {
  const out: Case[] = [];
  const sizes: [number, number][] = [[7, 9], [11, 5]];
  const chans = [1, 3, 5];
  let seed = 100;
  for (const k of [1, 3, 5]) {
    for (const s of [1, 2]) {
      for (const padding of ['same', 'valid'] as Pad[]) {
        for (const [h, w] of sizes) {
          for (const c of chans) {
            if (padding === 'valid' && (k > h || k > w)) continue;
            const filters = 2 + ((k + s + c) % 3);
            const useBias = (k + c + s) % 2 === 0 || padding === 'same';
            out.push({
              name: `Conv2D k=${k} s=${s} ${padding} ${h}x${w}x${c} -> ${filters} filters${useBias ? '' : ' no bias'}`,
              ck: () => L.conv2d({ filters, kernelSize: k, strides: s, padding, useBias }),
              tf: () => tf.layers.conv2d({ filters, kernelSize: k, strides: s, padding, useBias }),
              inputs: [[h, w, c]],
              seed: seed++,
            });
          }
        }
      }
    }
  }
  // Dilation 2 (stride 1), both paddings, odd sizes.
  for (const padding of ['same', 'valid'] as Pad[]) {
    for (const [h, w, c, k] of [[7, 9, 3, 3], [11, 5, 1, 2], [11, 9, 5, 3]]) {
      out.push({
        name: `Conv2D dilation 2 k=${k} ${padding} ${h}x${w}x${c}`,
        ck: () => L.conv2d({ filters: 4, kernelSize: k, dilationRate: 2, padding }),
        tf: () => tf.layers.conv2d({ filters: 4, kernelSize: k, dilationRate: 2, padding }),
        inputs: [[h, w, c]],
        seed: seed++,
      });
    }
  }
  // Even kernels: 'same' pads asymmetrically (the extra row/column goes at the bottom/right).
  for (const k of [2, 4]) {
    for (const s of [1, 2]) {
      for (const [h, w, c] of [[7, 9, 3], [6, 5, 2]]) {
        out.push({
          name: `Conv2D even kernel k=${k} s=${s} same ${h}x${w}x${c}`,
          ck: () => L.conv2d({ filters: 3, kernelSize: k, strides: s, padding: 'same' }),
          tf: () => tf.layers.conv2d({ filters: 3, kernelSize: k, strides: s, padding: 'same' }),
          inputs: [[h, w, c]],
          seed: seed++,
        });
      }
    }
  }
  // Kernel larger than the input ('same': the padding exceeds the input).
  for (const s of [1, 2]) {
    out.push({
      name: `Conv2D k=5 s=${s} same on a 3x2x2 input (kernel larger than input)`,
      ck: () => L.conv2d({ filters: 2, kernelSize: 5, strides: s, padding: 'same' }),
      tf: () => tf.layers.conv2d({ filters: 2, kernelSize: 5, strides: s, padding: 'same' }),
      inputs: [[3, 2, 2]],
      seed: seed++,
    });
  }
  // Large enough that convkit splits the im2col patch matrix into chunks (2^22 elements / (5·5·64)
  // = 2621 output positions per chunk; batch 3 has 3072, so a chunk boundary falls mid-image).
  out.push({
    name: 'Conv2D k=5 same (b,32,32,64) -> 8 filters (im2col split into chunks)',
    ck: () => L.conv2d({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }),
    tf: () => tf.layers.conv2d({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }),
    inputs: [[32, 32, 64]],
    seed: seed++,
  });
  // 1x1 stride 1: convkit's pointwise path (no im2col).
  out.push({
    name: 'Conv2D 1x1 (pointwise path) (b,6,7,16) -> 9 filters tanh',
    ck: () => L.conv2d({ filters: 9, kernelSize: 1, activation: 'tanh' }),
    tf: () => tf.layers.conv2d({ filters: 9, kernelSize: 1, activation: 'tanh' }),
    inputs: [[6, 7, 16]],
    seed: seed++,
  });
  // Non-square kernels and strides.
  out.push({
    name: 'Conv2D kernel [3,1] strides [2,1] same 7x9x3',
    ck: () => L.conv2d({ filters: 3, kernelSize: [3, 1], strides: [2, 1], padding: 'same' }),
    tf: () => tf.layers.conv2d({ filters: 3, kernelSize: [3, 1], strides: [2, 1], padding: 'same' }),
    inputs: [[7, 9, 3]],
    seed: seed++,
  });
  out.push({
    name: 'Conv2D kernel [2,4] strides [1,3] valid 11x9x2',
    ck: () => L.conv2d({ filters: 3, kernelSize: [2, 4], strides: [1, 3], padding: 'valid' }),
    tf: () => tf.layers.conv2d({ filters: 3, kernelSize: [2, 4], strides: [1, 3], padding: 'valid' }),
    inputs: [[11, 9, 2]],
    seed: seed++,
  });
  // Activations (the output of softmax is over the filters axis).
  for (const activation of ['relu', 'linear', 'sigmoid', 'tanh', 'softmax', 'elu', 'relu6'] as const) {
    for (const useBias of [true, false]) {
      out.push({
        name: `Conv2D activation ${activation}${useBias ? '' : ' no bias'} k=3 s=2 same 7x9x3`,
        ck: () => L.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation, useBias }),
        tf: () => tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation, useBias }),
        inputs: [[7, 9, 3]],
        scale: 2,
        seed: seed++,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- DepthwiseConv2D

function depthwiseReference(opts: { k: number; strides: number; padding: Pad; dilation: number; useBias: boolean; activation: string }) {
  return (xs: tf.Tensor[], w: Tensor[]): tf.Tensor => tf.tidy(() => {
    let y: tf.Tensor = tf.depthwiseConv2d(xs[0] as tf.Tensor4D, toTf(w[0]) as tf.Tensor4D, opts.strides, opts.padding, 'NHWC', opts.dilation);
    if (opts.useBias) y = tf.add(y, toTf(w[1]));
    switch (opts.activation) {
      case 'linear': return y;
      case 'relu': return tf.relu(y);
      case 'relu6': return tf.relu6(y);
      default: throw new Error(opts.activation);
    }
  });
}

function depthwiseCases(): Case[] {
  const out: Case[] = [];
  let seed = 500;
  for (const depthMultiplier of [1, 2]) {
    for (const [k, strides, padding] of [[3, 1, 'valid'], [3, 1, 'same'], [3, 2, 'same'], [5, 2, 'valid'], [2, 2, 'same']] as [number, number, Pad][]) {
      for (const [h, w, c] of [[7, 9, 3], [11, 5, 1], [8, 8, 5]]) {
        const useBias = (k + c) % 2 === 1;
        out.push({
          name: `DepthwiseConv2D x${depthMultiplier} k=${k} s=${strides} ${padding} ${h}x${w}x${c}${useBias ? '' : ' no bias'}`,
          ck: () => L.depthwiseConv2d({ kernelSize: k, depthMultiplier, strides, padding, useBias }),
          tf: () => tf.layers.depthwiseConv2d({ kernelSize: k, depthMultiplier, strides, padding, useBias }),
          inputs: [[h, w, c]],
          seed: seed++,
        });
      }
    }
  }
  for (const depthMultiplier of [1, 2]) {
    for (const padding of ['same', 'valid'] as Pad[]) {
      for (const [h, w, c] of [[7, 9, 3], [11, 5, 2]]) {
        const activation = padding === 'same' ? 'relu' : 'linear';
        out.push({
          name: `DepthwiseConv2D x${depthMultiplier} dilation 2 k=3 ${padding} ${h}x${w}x${c} ${activation} (ref: tf.depthwiseConv2d op)`,
          ck: () => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier, dilationRate: 2, padding, activation }),
          tf: depthwiseReference({ k: 3, strides: 1, padding, dilation: 2, useBias: true, activation }),
          inputs: [[h, w, c]],
          seed: seed++,
        });
      }
    }
  }
  out.push({
    name: 'DepthwiseConv2D x2 k=3 s=2 same 7x9x3 relu6',
    ck: () => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu6' }),
    tf: () => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu6' }),
    inputs: [[7, 9, 3]],
    scale: 3,
    seed: seed++,
  });
  return out;
}

// ---------------------------------------------------------------- pooling

function poolCases(): Case[] {
  const out: Case[] = [];
  let seed = 900;
  for (const kind of ['max', 'avg'] as const) {
    for (const pool of [2, 3]) {
      for (const strides of [1, 2, 3]) {
        for (const padding of ['same', 'valid'] as Pad[]) {
          for (const [h, w, c] of [[7, 9, 3], [11, 5, 2]]) {
            const args = { poolSize: pool, strides, padding };
            out.push({
              name: `${kind === 'max' ? 'MaxPooling2D' : 'AveragePooling2D'} pool=${pool} s=${strides} ${padding} ${h}x${w}x${c}`,
              ck: () => (kind === 'max' ? L.maxPooling2d(args) : L.averagePooling2d(args)),
              tf: () => (kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)),
              inputs: [[h, w, c]],
              seed: seed++,
            });
          }
        }
      }
    }
    out.push({
      name: `${kind === 'max' ? 'MaxPooling2D' : 'AveragePooling2D'} pool [3,2] strides [1,2] same 7x9x3 (strides default = pool elsewhere)`,
      ck: () => (kind === 'max' ? L.maxPooling2d({ poolSize: [3, 2], strides: [1, 2], padding: 'same' }) : L.averagePooling2d({ poolSize: [3, 2], strides: [1, 2], padding: 'same' })),
      tf: () => (kind === 'max' ? tf.layers.maxPooling2d({ poolSize: [3, 2], strides: [1, 2], padding: 'same' }) : tf.layers.averagePooling2d({ poolSize: [3, 2], strides: [1, 2], padding: 'same' })),
      inputs: [[7, 9, 3]],
      seed: seed++,
    });
    out.push({
      name: `${kind === 'max' ? 'MaxPooling2D' : 'AveragePooling2D'} default (pool 2, strides = pool, valid) 11x5x4`,
      ck: () => (kind === 'max' ? L.maxPooling2d() : L.averagePooling2d()),
      tf: () => (kind === 'max' ? tf.layers.maxPooling2d({ poolSize: 2 }) : tf.layers.averagePooling2d({ poolSize: 2 })),
      inputs: [[11, 5, 4]],
      seed: seed++,
    });
  }
  for (const kind of ['max', 'avg'] as const) {
    for (const [pool, strides, h, w] of [[3, 2, 2, 1], [3, 1, 2, 2], [2, 3, 1, 4]]) {
      const args = { poolSize: pool, strides, padding: 'same' as const };
      out.push({
        name: `${kind === 'max' ? 'MaxPooling2D' : 'AveragePooling2D'} pool=${pool} s=${strides} same on a ${h}x${w}x3 input (window larger than input)`,
        ck: () => (kind === 'max' ? L.maxPooling2d(args) : L.averagePooling2d(args)),
        tf: () => (kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args)),
        inputs: [[h, w, 3]],
        seed: seed++,
      });
    }
  }
  for (const [h, w, c] of [[7, 9, 3], [11, 5, 1], [1, 1, 4]]) {
    out.push({
      name: `GlobalAveragePooling2D ${h}x${w}x${c}`,
      ck: () => L.globalAveragePooling2d(),
      tf: () => tf.layers.globalAveragePooling2d({}),
      inputs: [[h, w, c]],
      scale: 2,
      seed: seed++,
    });
    out.push({
      name: `GlobalMaxPooling2D ${h}x${w}x${c}`,
      ck: () => L.globalMaxPooling2d(),
      tf: () => tf.layers.globalMaxPooling2d({}),
      inputs: [[h, w, c]],
      scale: 2,
      seed: seed++,
    });
  }
  out.push({
    name: 'GlobalAveragePooling2D keepdims 7x9x3 (ref: tfjs output reshaped to [b,1,1,c])',
    ck: () => L.globalAveragePooling2d({ keepdims: true }),
    tf: (xs: tf.Tensor[]) => tf.tidy(() => tf.mean(xs[0], [1, 2], true)),
    inputs: [[7, 9, 3]],
    seed: seed++,
  });
  out.push({
    name: 'GlobalMaxPooling2D keepdims 11x5x2 (ref: tf.max keepDims)',
    ck: () => L.globalMaxPooling2d({ keepdims: true }),
    tf: (xs: tf.Tensor[]) => tf.tidy(() => tf.max(xs[0], [1, 2], true)),
    inputs: [[11, 5, 2]],
    seed: seed++,
  });
  return out;
}

// ---------------------------------------------------------------- activations

const ACTIVATIONS = ['relu', 'linear', 'sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'relu6'] as const;

/** Keras 3 activations that tfjs lacks or defines differently, as tfjs-op formulas. */
const ACTIVATION_FORMULAS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  leaky_relu: (x) => tf.leakyRelu(x, 0.2),
  hard_sigmoid: (x) => tf.div(tf.relu6(tf.add(x, 3)), 6),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  exponential: (x) => tf.exp(x),
  log_softmax: (x) => tf.logSoftmax(x, -1),
};

function activationCases(): Case[] {
  const out: Case[] = [];
  let seed = 1300;
  for (const activation of ACTIVATIONS) {
    out.push({
      name: `Activation ${activation} on (b,7,9,3)`,
      ck: () => L.activation({ activation }),
      tf: () => tf.layers.activation({ activation }),
      inputs: [[7, 9, 3]],
      scale: 3,
      seed: seed++,
    });
    out.push({
      name: `Dense 12 -> 7 activation ${activation}`,
      ck: () => L.dense({ units: 7, activation }),
      tf: () => tf.layers.dense({ units: 7, activation }),
      inputs: [[12]],
      scale: 2,
      seed: seed++,
    });
  }
  out.push({
    name: 'Activation leaky_relu (Keras 3 default negative_slope 0.2; ref tf.layers.leakyReLU({alpha: 0.2}))',
    ck: () => L.activation({ activation: 'leaky_relu' }),
    tf: () => tf.layers.leakyReLU({ alpha: 0.2 }),
    inputs: [[7, 9, 3]],
    scale: 3,
    seed: seed++,
  });
  for (const [name, f] of Object.entries(ACTIVATION_FORMULAS)) {
    out.push({
      name: `Activation ${name} (ref: Keras 3 formula in tfjs ops)`,
      ck: () => L.activation({ activation: name }),
      tf: (xs: tf.Tensor[]) => tf.tidy(() => f(xs[0])),
      inputs: [[4, 5, 6]],
      scale: 3,
      seed: seed++,
    });
  }
  out.push({
    name: 'Activation camelCase name "hardSigmoid" resolves to Keras 3 hard_sigmoid',
    ck: () => L.activation({ activation: 'hardSigmoid' }),
    tf: (xs: tf.Tensor[]) => tf.tidy(() => ACTIVATION_FORMULAS.hard_sigmoid(xs[0])),
    inputs: [[4, 5, 6]],
    scale: 3,
    seed: seed++,
  });
  out.push({
    name: 'Dense without bias 12 -> 5',
    ck: () => L.dense({ units: 5, useBias: false }),
    tf: () => tf.layers.dense({ units: 5, useBias: false }),
    inputs: [[12]],
    seed: seed++,
  });
  out.push({
    name: 'Dense on rank-3 input (b,4,6) -> (b,4,3) relu',
    ck: () => L.dense({ units: 3, activation: 'relu' }),
    tf: () => tf.layers.dense({ units: 3, activation: 'relu' }),
    inputs: [[4, 6]],
    seed: seed++,
  });
  out.push({
    name: 'Dense 4000 -> 64 relu (convkit tiles the k loop of its gemm)',
    ck: () => L.dense({ units: 64, activation: 'relu' }),
    tf: () => tf.layers.dense({ units: 64, activation: 'relu' }),
    inputs: [[4000]],
    seed: seed++,
  });
  out.push({
    name: 'Dense 300 -> 10 softmax (long dot products)',
    ck: () => L.dense({ units: 10, activation: 'softmax' }),
    tf: () => tf.layers.dense({ units: 10, activation: 'softmax' }),
    inputs: [[300]],
    seed: seed++,
  });
  return out;
}

// ---------------------------------------------------------------- ReLU / Softmax layers

/** Keras 3 `activations.relu(x, negative_slope, max_value, threshold)` in tfjs ops. */
function kerasRelu(opts: { negativeSlope?: number; maxValue?: number; threshold?: number }) {
  const slope = opts.negativeSlope ?? 0;
  const thr = opts.threshold ?? 0;
  return (xs: tf.Tensor[]): tf.Tensor => tf.tidy(() => {
    const x = xs[0];
    let y = thr !== 0 ? tf.mul(x, tf.cast(tf.greater(x, thr), 'float32')) : tf.relu(x);
    if (opts.maxValue !== undefined) y = tf.clipByValue(y, 0, opts.maxValue);
    if (slope !== 0) y = tf.sub(y, tf.mul(slope, tf.relu(tf.sub(thr, x))));
    return y;
  });
}

function reluCases(): Case[] {
  const out: Case[] = [];
  let seed = 1700;
  const shape = [6, 7, 3];
  out.push({ name: 'ReLU default', ck: () => L.reLU(), tf: () => tf.layers.reLU({}), inputs: [shape], scale: 3, seed: seed++ });
  for (const maxValue of [6, 1.5, 0]) {
    out.push({ name: `ReLU maxValue ${maxValue} (tf.layers.reLU)`, ck: () => L.reLU({ maxValue }), tf: () => tf.layers.reLU({ maxValue }), inputs: [shape], scale: 4, seed: seed++ });
  }
  out.push({ name: 'ReLU negativeSlope 0.3 (tf.layers.leakyReLU)', ck: () => L.reLU({ negativeSlope: 0.3 }), tf: () => tf.layers.leakyReLU({ alpha: 0.3 }), inputs: [shape], scale: 3, seed: seed++ });
  out.push({ name: 'ReLU threshold 0.5 (tf.layers.thresholdedReLU)', ck: () => L.reLU({ threshold: 0.5 }), tf: () => tf.layers.thresholdedReLU({ theta: 0.5 }), inputs: [shape], scale: 3, seed: seed++ });
  const combos: { negativeSlope?: number; maxValue?: number; threshold?: number }[] = [
    { negativeSlope: 0.1, maxValue: 6 },
    { negativeSlope: 0.2, threshold: 1 },
    { maxValue: 2, threshold: 0.5 },
    { negativeSlope: 0.25, maxValue: 3, threshold: 1.5 },
    { maxValue: 6, threshold: 0.7 },
  ];
  for (const o of combos) {
    out.push({ name: `ReLU ${JSON.stringify(o)} (Keras 3 formula)`, ck: () => L.reLU(o), tf: kerasRelu(o), inputs: [shape], scale: 3, seed: seed++ });
  }
  // tfjs's Softmax layer defaults to axis 1 (not -1), so the axis is always given.
  out.push({ name: 'Softmax layer default axis (-1) on (b,7,9,5)', ck: () => L.softmax(), tf: () => tf.layers.softmax({ axis: -1 }), inputs: [[7, 9, 5]], scale: 3, seed: seed++ });
  out.push({ name: 'Softmax layer on (b,10), large logits', ck: () => L.softmax(), tf: () => tf.layers.softmax({ axis: -1 }), inputs: [[10]], scale: 30, seed: seed++ });
  // tf.softmax only works on the last axis: the reference moves the axis last and back.
  for (const [axis, perm] of [[1, [0, 3, 2, 1]], [2, [0, 1, 3, 2]], [-3, [0, 3, 2, 1]]] as [number, number[]][]) {
    out.push({
      name: `Softmax layer axis ${axis} (b,4,3,2) (ref: transpose, tf.softmax, transpose)`,
      ck: () => L.softmax({ axis }),
      tf: (xs: tf.Tensor[]) => tf.tidy(() => tf.transpose(tf.softmax(tf.transpose(xs[0], perm)), perm)),
      inputs: [[4, 3, 2]],
      scale: 3,
      seed: seed++,
    });
  }
  return out;
}

// ---------------------------------------------------------------- BatchNormalization

function bnCases(): Case[] {
  const out: Case[] = [];
  let seed = 2100;
  for (const [label, shape] of [['(b,7,9,3)', [7, 9, 3]], ['(b,11,5,1)', [11, 5, 1]], ['(b,6)', [6]]] as [string, number[]][]) {
    for (const epsilon of [1e-3, 0.1]) {
      out.push({
        name: `BatchNormalization inference ${label} eps=${epsilon}, non-trivial moving stats`,
        ck: () => L.batchNormalization({ epsilon }),
        tf: () => tf.layers.batchNormalization({ epsilon }),
        inputs: [shape],
        scale: 2,
        seed: seed++,
      });
    }
    out.push({
      name: `BatchNormalization training ${label} momentum 0.9 (output and moving stats)`,
      ck: () => L.batchNormalization({ momentum: 0.9 }),
      tf: () => tf.layers.batchNormalization({ momentum: 0.9 }),
      inputs: [shape],
      training: true,
      scale: 2,
      seed: seed++,
    });
  }
  for (const [center, scale] of [[false, true], [true, false], [false, false]]) {
    out.push({
      name: `BatchNormalization inference center=${center} scale=${scale} (b,5,4,3)`,
      ck: () => L.batchNormalization({ center, scale, epsilon: 0.01 }),
      tf: () => tf.layers.batchNormalization({ center, scale, epsilon: 0.01 }),
      inputs: [[5, 4, 3]],
      scale: 2,
      seed: seed++,
    });
  }
  return out;
}

// ---------------------------------------------------------------- reshaping, merging

function shapeCases(): Case[] {
  let seed = 2500;
  return [
    { name: 'Flatten (b,7,9,3)', ck: () => L.flatten(), tf: () => tf.layers.flatten(), inputs: [[7, 9, 3]], seed: seed++ },
    { name: 'Flatten (b,4,5)', ck: () => L.flatten(), tf: () => tf.layers.flatten(), inputs: [[4, 5]], seed: seed++ },
    { name: 'Reshape (b,6,4,2) -> [12,4]', ck: () => L.reshape({ targetShape: [12, 4] }), tf: () => tf.layers.reshape({ targetShape: [12, 4] }), inputs: [[6, 4, 2]], seed: seed++ },
    { name: 'Reshape (b,6,4,2) -> [-1,3,2]', ck: () => L.reshape({ targetShape: [-1, 3, 2] }), tf: () => tf.layers.reshape({ targetShape: [-1, 3, 2] }), inputs: [[6, 4, 2]], seed: seed++ },
    { name: 'Reshape (b,24) -> [2,3,4]', ck: () => L.reshape({ targetShape: [2, 3, 4] }), tf: () => tf.layers.reshape({ targetShape: [2, 3, 4] }), inputs: [[24]], seed: seed++ },
    { name: 'ZeroPadding2D default (1) (b,7,9,3)', ck: () => L.zeroPadding2d(), tf: () => tf.layers.zeroPadding2d({}), inputs: [[7, 9, 3]], seed: seed++ },
    { name: 'ZeroPadding2D 2 (b,5,4,2)', ck: () => L.zeroPadding2d({ padding: 2 }), tf: () => tf.layers.zeroPadding2d({ padding: 2 }), inputs: [[5, 4, 2]], seed: seed++ },
    { name: 'ZeroPadding2D [1,3] (b,5,4,2)', ck: () => L.zeroPadding2d({ padding: [1, 3] }), tf: () => tf.layers.zeroPadding2d({ padding: [1, 3] }), inputs: [[5, 4, 2]], seed: seed++ },
    { name: 'ZeroPadding2D [[1,2],[3,0]] (b,7,9,3)', ck: () => L.zeroPadding2d({ padding: [[1, 2], [3, 0]] }), tf: () => tf.layers.zeroPadding2d({ padding: [[1, 2], [3, 0]] }), inputs: [[7, 9, 3]], seed: seed++ },
    { name: 'ZeroPadding2D [[0,1],[2,1]] (b,11,5,1)', ck: () => L.zeroPadding2d({ padding: [[0, 1], [2, 1]] }), tf: () => tf.layers.zeroPadding2d({ padding: [[0, 1], [2, 1]] }), inputs: [[11, 5, 1]], seed: seed++ },
    { name: 'Dropout 0.5 in inference is the identity', ck: () => L.dropout({ rate: 0.5 }), tf: () => tf.layers.dropout({ rate: 0.5 }), inputs: [[7, 9, 3]], seed: seed++ },
    { name: 'Add of 2 (b,7,9,3)', ck: () => L.add(), tf: () => tf.layers.add({}), inputs: [[7, 9, 3], [7, 9, 3]], seed: seed++ },
    { name: 'Add of 3 (b,5)', ck: () => L.add(), tf: () => tf.layers.add({}), inputs: [[5], [5], [5]], seed: seed++ },
    { name: 'Concatenate axis -1 (b,7,9,3)+(b,7,9,2)', ck: () => L.concatenate(), tf: () => tf.layers.concatenate({}), inputs: [[7, 9, 3], [7, 9, 2]], seed: seed++ },
    { name: 'Concatenate axis 1 (b,4,5,2)+(b,3,5,2)+(b,1,5,2)', ck: () => L.concatenate({ axis: 1 }), tf: () => tf.layers.concatenate({ axis: 1 }), inputs: [[4, 5, 2], [3, 5, 2], [1, 5, 2]], seed: seed++ },
    { name: 'Concatenate axis 2 (b,4,5,2)+(b,4,2,2)', ck: () => L.concatenate({ axis: 2 }), tf: () => tf.layers.concatenate({ axis: 2 }), inputs: [[4, 5, 2], [4, 2, 2]], seed: seed++ },
    { name: 'Concatenate axis -1 (b,3)+(b,4)', ck: () => L.concatenate({ axis: -1 }), tf: () => tf.layers.concatenate({ axis: -1 }), inputs: [[3], [4]], seed: seed++ },
  ];
}

before(async () => {
  await initTfjs();
});

describe('parity with tfjs: Conv2D', () => cases(convCases()));
describe('parity with tfjs: DepthwiseConv2D', () => cases(depthwiseCases()));
describe('parity with tfjs: pooling', () => cases(poolCases()));
describe('parity with tfjs: activations, Activation and Dense', () => cases(activationCases()));
describe('parity with tfjs: ReLU and Softmax layers', () => cases(reluCases()));
describe('parity with tfjs: BatchNormalization', () => {
  cases(bnCases());
  it('BatchNormalization training, data with a large offset (mean 50, std 0.1)', () => {
    // Shifted inputs: a one-pass E[x²] − E[x]² variance would lose most digits here.
    const ck = L.batchNormalization({ momentum: 0.5, epsilon: 1e-5 });
    const tfl = tf.layers.batchNormalization({ momentum: 0.5, epsilon: 1e-5 });
    const x = randn([3, 6, 5, 4], 4242, 0.1, 50);
    ck.apply(x, { training: false });
    randomizeWeights(ck, 99);
    const tx = toTf(x);
    tfl.apply(tx, { training: false });
    copyWeights(ck, tfl);
    const y = ck.apply(x, { training: true }) as Tensor;
    const ref = tfl.apply(tx, { training: true }) as tf.Tensor;
    // Normalised outputs come from differences of O(50) values scaled by 1/0.1: each library's
    // float32 rounding of the mean (~50·6e-8) is amplified ~500x, so parity here is ~3e-5, not 1e-6.
    // (Measured 2.3e-5; a one-pass E[x²]−E[x]² variance would be off by O(1).)
    assertClose(y, ref, 'BN training on offset data', 2e-4);
    const tw = tfl.getWeights();
    ck.getWeights().forEach((w, i) => assertClose(w, tw[i], `BN offset data: ${ck.weights[i].name} after the training call`, 1e-4));
  });
});
describe('parity with tfjs: Flatten, Reshape, ZeroPadding2D, Dropout, Add, Concatenate', () => cases(shapeCases()));

describe('parity helpers can fail', () => {
  it('the metric rejects a one-ulp-scale bug that is real (shifted conv window)', () => {
    // A convkit conv compared with tfjs on a shifted input must fail the check: guards the harness.
    const ck = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' });
    const x = randn([1, 7, 9, 3], 1);
    ck.apply(x);
    const tfl = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same' });
    const shifted = tf.tidy(() => tf.pad(tf.slice(toTf(x), [0, 1, 0, 0], [1, 6, 9, 3]), [[0, 0], [0, 1], [0, 0], [0, 0]]));
    tfl.apply(shifted);
    copyWeights(ck, tfl);
    assert.throws(() => assertClose(ck.apply(x) as Tensor, tfl.apply(shifted) as tf.Tensor, 'shifted'), /max relative error/);
  });
});
