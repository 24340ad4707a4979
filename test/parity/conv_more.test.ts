/**
 * Conv1D, Conv2DTranspose and SeparableConv2D against TensorFlow.js 4.22 (cpu backend): forward
 * outputs layer by layer (seeded weights with non-zero biases copied into the tfjs layer in Keras's
 * weight order; batch 1 then batch 3 on one layer instance; odd sizes, strides 1–3, both paddings,
 * channels 1/3/5/6, activations), a few SGD training steps of a small model per layer (every
 * step's loss and every weight after the last step), and a convkit model saved as a TensorFlow.js
 * model and predicted by tfjs. Metric and tolerances as test/helpers/tfjs.ts.
 *
 * Where tfjs and Keras 3 differ, the reference is built from tfjs ops with Keras 3's definition:
 *  - Conv1D padding 'causal': tfjs's Conv1D layer throws (not implemented), so the reference pads
 *    (k − 1)·d zeros in front (tf.pad) and runs tf.conv1d 'valid', as Keras's Conv1D.call does.
 *  - Conv1D groups > 1: tfjs has no groups; the reference convolves each channel group with its
 *    block of filters (tf.conv1d on slices) and concatenates, Keras's definition of groups.
 *  - Conv2DTranspose output_padding: tfjs's layer has no output_padding; the reference is
 *    tf.conv2dTranspose with Keras's output shape ((n − 1)·s + k + op for 'valid',
 *    (n − 1)·s + k % 2 + op for 'same'). tfjs's op cannot express 'same' with an even kernel and
 *    output_padding 0 (the forward convolution of that output is one cell short); that geometry,
 *    like dilated transposed convolution (tfjs's layer drops dilation_rate), is checked against
 *    the definition in test/layers/conv_more.test.ts.
 *  - Training: tfjs has no gradients for dilated convolutions, so the trained models are
 *    undilated; the gradients of dilated, causal and grouped cases are checked against finite
 *    differences in test/layers/conv_more.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import * as optimizers from '../../src/optimizers/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';
import { tf, initTfjs, toTf, randn, copyWeights, assertClose, FORWARD_TOL } from '../helpers/tfjs.js';

const BATCHES = [1, 3];
type Pad = 'same' | 'valid';

interface Case {
  name: string;
  ck: () => Layer;
  /** The tfjs layer, or the reference output from tfjs inputs and convkit's weights. */
  tf: (() => tf.layers.Layer) | ((x: tf.Tensor, weights: Tensor[]) => tf.Tensor);
  input: number[];
  scale?: number;
  seed: number;
}

/** Seeded weights for a built convkit layer, chosen by weight name (biases non-zero). */
function randomizeWeights(layer: Layer, seed: number): void {
  layer.setWeights(layer.weights.map((w, i) => {
    const shape = [...w.shape];
    const s = seed * 101 + i;
    const name = w.name.split('/').pop() as string;
    const fanIn = name === 'depthwise_kernel' ? shape[0] * shape[1] : shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return name === 'bias' ? randn(shape, s, 0.5) : randn(shape, s, 1 / Math.sqrt(fanIn));
  }));
}

function runCase(c: Case): void {
  const ck = c.ck();
  const inputFor = (batch: number) => randn([batch, ...c.input], c.seed * 1000 + batch, c.scale ?? 1);
  ck.apply(inputFor(BATCHES[0]));
  randomizeWeights(ck, c.seed);
  let tfl: tf.layers.Layer | null = null;
  if (c.tf.length === 0) {
    tfl = (c.tf as () => tf.layers.Layer)();
    const t0 = toTf(inputFor(BATCHES[0]));
    (tfl.apply(t0) as tf.Tensor).dispose();
    t0.dispose();
    copyWeights(ck, tfl);
  }
  for (const batch of BATCHES) {
    const x = inputFor(batch);
    const tx = toTf(x);
    const ref = tfl ? tfl.apply(tx) as tf.Tensor : (c.tf as (x: tf.Tensor, w: Tensor[]) => tf.Tensor)(tx, ck.getWeights());
    const out = ck.apply(x) as Tensor;
    assert.deepEqual([null, ...out.shape.slice(1)], ck.computeOutputShape([null, ...c.input]), `${c.name}: computeOutputShape`);
    assertClose(out, ref, `${c.name}, batch ${batch}`, FORWARD_TOL);
    tf.dispose([tx, ref]);
  }
}

function cases(list: Case[]): void {
  for (const c of list) it(c.name, () => runCase(c));
}

type Act = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'softmax';
function tfAct(y: tf.Tensor, a: Act): tf.Tensor {
  switch (a) {
    case 'linear': return y;
    case 'relu': return tf.relu(y);
    case 'tanh': return tf.tanh(y);
    case 'sigmoid': return tf.sigmoid(y);
    case 'elu': return tf.elu(y);
    case 'softmax': return tf.softmax(y);
  }
}

// ---------------------------------------------------------------- Conv1D

function conv1dCases(): Case[] {
  const out: Case[] = [];
  let seed = 100;
  const chans = [1, 3, 5, 6];
  for (const k of [1, 2, 3, 5]) {
    for (const s of [1, 2, 3]) {
      for (const padding of ['same', 'valid'] as Pad[]) {
        for (const steps of [7, 11]) {
          const c = chans[(k + s + steps) % chans.length];
          const filters = 2 + ((k + s) % 3);
          const useBias = padding === 'same' || (k + c) % 2 === 0;
          out.push({
            name: `Conv1D k=${k} s=${s} ${padding} (b,${steps},${c}) -> ${filters}${useBias ? '' : ' no bias'}`,
            ck: () => L.conv1d({ filters, kernelSize: k, strides: s, padding, useBias }),
            tf: () => tf.layers.conv1d({ filters, kernelSize: k, strides: s, padding, useBias }),
            input: [steps, c], seed: seed++,
          });
        }
      }
    }
  }
  for (const padding of ['same', 'valid'] as Pad[]) {
    for (const [k, d] of [[3, 2], [2, 3]]) {
      out.push({
        name: `Conv1D dilation ${d} k=${k} ${padding} (b,13,3)`,
        ck: () => L.conv1d({ filters: 4, kernelSize: k, dilationRate: d, padding }),
        tf: () => tf.layers.conv1d({ filters: 4, kernelSize: k, dilationRate: d, padding }),
        input: [13, 3], seed: seed++,
      });
    }
  }
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu', 'softmax'] as Act[]) {
    out.push({
      name: `Conv1D activation ${activation} k=3 s=2 same (b,9,5)`,
      ck: () => L.conv1d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation }),
      tf: () => tf.layers.conv1d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation }),
      input: [9, 5], scale: 2, seed: seed++,
    });
  }
  // 'causal' and groups: Keras's definitions in tfjs ops (see the header).
  for (const [k, s, d, groups, c, f, activation] of [[3, 1, 1, 1, 3, 4, 'linear'], [4, 2, 1, 1, 5, 3, 'relu'], [3, 1, 2, 1, 2, 5, 'tanh'], [2, 3, 1, 2, 6, 4, 'linear'], [3, 1, 2, 3, 6, 3, 'relu']] as [number, number, number, number, number, number, Act][]) {
    for (const padding of ['causal', 'same', 'valid'] as const) {
      if (groups === 1 && padding !== 'causal') continue;
      out.push({
        name: `Conv1D ${padding} k=${k} s=${s} d=${d} groups=${groups} (b,11,${c}) -> ${f} ${activation} (ref: tf.pad / tf.conv1d per group)`,
        ck: () => L.conv1d({ filters: f, kernelSize: k, strides: s, dilationRate: d, padding, groups, activation }),
        tf: (x: tf.Tensor, w: Tensor[]) => tf.tidy(() => {
          const xin = padding === 'causal' ? tf.pad(x, [[0, 0], [(k - 1) * d, 0], [0, 0]]) : x;
          const pad = padding === 'same' ? 'same' : 'valid';
          const kernel = toTf(w[0]);
          const cg = c / groups;
          const fg = f / groups;
          const parts: tf.Tensor[] = [];
          for (let g = 0; g < groups; g++) {
            parts.push(tf.conv1d(tf.slice(xin, [0, 0, g * cg], [-1, -1, cg]) as tf.Tensor3D, tf.slice(kernel, [0, 0, g * fg], [-1, -1, fg]) as tf.Tensor3D, s, pad, 'NWC', d));
          }
          return tfAct(tf.add(tf.concat(parts, 2), toTf(w[1])), activation);
        }),
        input: [11, c], seed: seed++,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- Conv2DTranspose

/** Keras's transposed output length (written out here, independent of convkit's). */
function deconvLength(n: number, k: number, s: number, padding: Pad, op: number | null): number {
  if (padding === 'valid') return (n - 1) * s + k + (op ?? Math.max(k, s) - k);
  return op === null ? n * s : (n - 1) * s + (k % 2) + op;
}

function transposeCases(): Case[] {
  const out: Case[] = [];
  let seed = 300;
  const sizes: [number, number][] = [[5, 7], [4, 3]];
  const chans = [1, 3, 5];
  for (const k of [1, 2, 3, 4, 5]) {
    for (const s of [1, 2, 3]) {
      for (const padding of ['same', 'valid'] as Pad[]) {
        for (const [h, w] of sizes) {
          const c = chans[(k + s + h) % 3];
          const filters = 2 + ((k + c) % 3);
          const useBias = padding === 'same' || (k + s) % 2 === 0;
          out.push({
            name: `Conv2DTranspose k=${k} s=${s} ${padding} ${h}x${w}x${c} -> ${filters}${useBias ? '' : ' no bias'}`,
            ck: () => L.conv2dTranspose({ filters, kernelSize: k, strides: s, padding, useBias }),
            tf: () => tf.layers.conv2dTranspose({ filters, kernelSize: k, strides: s, padding, useBias }),
            input: [h, w, c], seed: seed++,
          });
        }
      }
    }
  }
  out.push({
    name: 'Conv2DTranspose kernel [3,2] strides [2,3] same 5x4x3',
    ck: () => L.conv2dTranspose({ filters: 4, kernelSize: [3, 2], strides: [2, 3], padding: 'same' }),
    tf: () => tf.layers.conv2dTranspose({ filters: 4, kernelSize: [3, 2], strides: [2, 3], padding: 'same' }),
    input: [5, 4, 3], seed: seed++,
  });
  out.push({
    name: 'Conv2DTranspose kernel [2,5] strides [3,1] valid 3x4x6',
    ck: () => L.conv2dTranspose({ filters: 2, kernelSize: [2, 5], strides: [3, 1], padding: 'valid' }),
    tf: () => tf.layers.conv2dTranspose({ filters: 2, kernelSize: [2, 5], strides: [3, 1], padding: 'valid' }),
    input: [3, 4, 6], seed: seed++,
  });
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu', 'softmax'] as Act[]) {
    out.push({
      name: `Conv2DTranspose activation ${activation} k=3 s=2 same 4x5x3`,
      ck: () => L.conv2dTranspose({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation }),
      tf: () => tf.layers.conv2dTranspose({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation }),
      input: [4, 5, 3], scale: 2, seed: seed++,
    });
  }
  // output_padding (ref: tf.conv2dTranspose with Keras's output shape).
  for (const padding of ['valid', 'same'] as Pad[]) {
    for (const [k, s, op] of [[3, 2, [1, 0]], [3, 3, [2, 1]], [4, 2, [1, 1]], [2, 3, [2, 2]], [5, 2, [0, 1]], [1, 3, [1, 2]]] as [number, number, [number, number]][]) {
      if (padding === 'same' && k % 2 === 0 && (op[0] === 0 || op[1] === 0)) continue; // not expressible with tfjs's op (see the header)
      const [h, w, c, f] = [4, 3, 3, 2];
      out.push({
        name: `Conv2DTranspose output_padding [${op}] k=${k} s=${s} ${padding} ${h}x${w}x${c} (ref: tf.conv2dTranspose, Keras's output shape)`,
        ck: () => L.conv2dTranspose({ filters: f, kernelSize: k, strides: s, padding, outputPadding: op, activation: 'relu' }),
        tf: (x: tf.Tensor, wts: Tensor[]) => tf.tidy(() => {
          const shape: [number, number, number, number] = [x.shape[0], deconvLength(h, k, s, padding, op[0]), deconvLength(w, k, s, padding, op[1]), f];
          return tf.relu(tf.add(tf.conv2dTranspose(x as tf.Tensor4D, toTf(wts[0]) as tf.Tensor4D, shape, s, padding), toTf(wts[1])));
        }),
        input: [h, w, c], seed: seed++,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- SeparableConv2D

function separableCases(): Case[] {
  const out: Case[] = [];
  let seed = 700;
  for (const depthMultiplier of [1, 2]) {
    for (const [k, s, padding] of [[1, 1, 'valid'], [3, 1, 'same'], [3, 2, 'same'], [3, 3, 'valid'], [5, 2, 'valid'], [2, 3, 'same'], [[3, 2], 2, 'same']] as [number | number[], number, Pad][]) {
      for (const [h, w, c] of [[7, 9, 3], [11, 6, 1]]) {
        const filters = 2 + ((h + depthMultiplier) % 3);
        const useBias = padding === 'same' || c === 3;
        out.push({
          name: `SeparableConv2D x${depthMultiplier} k=${k} s=${s} ${padding} ${h}x${w}x${c} -> ${filters}${useBias ? '' : ' no bias'}`,
          ck: () => L.separableConv2d({ filters, kernelSize: k, strides: s, padding, depthMultiplier, useBias }),
          tf: () => tf.layers.separableConv2d({ filters, kernelSize: k, strides: s, padding, depthMultiplier, useBias }),
          input: [h, w, c], seed: seed++,
        });
      }
    }
  }
  for (const padding of ['same', 'valid'] as Pad[]) {
    out.push({
      name: `SeparableConv2D dilation 2 k=3 ${padding} 9x8x5 x2`,
      ck: () => L.separableConv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding, depthMultiplier: 2 }),
      tf: () => tf.layers.separableConv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding, depthMultiplier: 2 }),
      input: [9, 8, 5], seed: seed++,
    });
  }
  for (const activation of ['relu', 'tanh', 'sigmoid', 'elu', 'softmax'] as Act[]) {
    out.push({
      name: `SeparableConv2D activation ${activation} k=3 s=2 same 7x6x3`,
      ck: () => L.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation }),
      tf: () => tf.layers.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation }),
      input: [7, 6, 3], scale: 2, seed: seed++,
    });
  }
  return out;
}

// ---------------------------------------------------------------- training

const STEPS = 3;
const BATCH = 5;
const CLASSES = 3;
const LOSS_TOL = 1e-5;
const WEIGHT_TOL = 1e-4;

interface Pair {
  ck: Model;
  tfm: tf.LayersModel;
  layers: [Layer, tf.layers.Layer][];
}

/** Builds the same chain in both libraries from [convkit layer, tfjs layer] pairs. */
function chain(shape: number[], pairs: [Layer, tf.layers.Layer][]): Pair {
  const ci = Input({ shape });
  const ti = tf.input({ shape });
  let c: SymbolicTensor = ci;
  let t: tf.SymbolicTensor = ti;
  for (const [a, b] of pairs) {
    c = a.apply(c);
    t = b.apply(t) as tf.SymbolicTensor;
  }
  return { ck: new Model({ inputs: ci, outputs: c }), tfm: tf.model({ inputs: ti, outputs: t }), layers: pairs };
}

const dense = (): [Layer, tf.layers.Layer] => [L.dense({ units: CLASSES, activation: 'softmax' }), tf.layers.dense({ units: CLASSES, activation: 'softmax' })];
const flatten = (): [Layer, tf.layers.Layer] => [L.flatten(), tf.layers.flatten()];

const MODELS: Record<string, () => Pair> = {
  'Conv1D (k3 s2 same relu; k2 s3 valid tanh)': () => chain([13, 5], [
    [L.conv1d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), tf.layers.conv1d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })],
    [L.conv1d({ filters: 4, kernelSize: 2, strides: 3, activation: 'tanh' }), tf.layers.conv1d({ filters: 4, kernelSize: 2, strides: 3, activation: 'tanh' })],
    flatten(), dense(),
  ]),
  'Conv2DTranspose (k3 s2 same relu; k[2,3] s[3,1] valid tanh)': () => chain([4, 3, 3], [
    [L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), tf.layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })],
    [L.conv2dTranspose({ filters: 3, kernelSize: [2, 3], strides: [3, 1], activation: 'tanh' }), tf.layers.conv2dTranspose({ filters: 3, kernelSize: [2, 3], strides: [3, 1], activation: 'tanh' })],
    flatten(), dense(),
  ]),
  'SeparableConv2D (x2 k3 s2 same relu; k[3,2] s3 valid tanh)': () => chain([9, 7, 3], [
    [L.separableConv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, activation: 'relu' }), tf.layers.separableConv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, activation: 'relu' })],
    [L.separableConv2d({ filters: 4, kernelSize: [3, 2], strides: 3, activation: 'tanh' }), tf.layers.separableConv2d({ filters: 4, kernelSize: [3, 2], strides: 3, activation: 'tanh' })],
    flatten(), dense(),
  ]),
};

async function trainPair(make: () => Pair, seed: number): Promise<void> {
  const pair = make();
  let s = seed;
  for (const [ckl, tfl] of pair.layers) {
    ckl.setWeights(ckl.weights.map((w) => {
      const shape = [...w.shape];
      s += 1;
      return w.name.endsWith('/bias') ? randn(shape, s, 0.3) : randn(shape, s, 1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1)));
    }));
    copyWeights(ckl, tfl);
  }
  pair.ck.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'sparse_categorical_crossentropy' });
  pair.tfm.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
  const shape = pair.ck.inputs[0].shape.slice(1) as number[];
  const r = new Random(seed);
  const before = pair.ck.getWeights();
  for (let step = 0; step < STEPS; step++) {
    const x = randn([BATCH, ...shape], seed * 100 + step);
    const y = new Tensor(Float32Array.from({ length: BATCH }, () => r.int(CLASSES)), [BATCH]);
    const [ckLoss] = pair.ck.trainOnBatch(x, y);
    const tx = toTf(x);
    const ty = tf.reshape(toTf(y), [BATCH, 1]);
    const tfOut = await pair.tfm.trainOnBatch(tx, ty);
    const tfLoss = Array.isArray(tfOut) ? tfOut[0] : tfOut;
    tf.dispose([tx, ty]);
    assert.ok(Math.abs(ckLoss - tfLoss) <= LOSS_TOL, `step ${step + 1}: loss convkit ${ckLoss} vs tfjs ${tfLoss}`);
  }
  for (const [ckl, tfl] of pair.layers) {
    const tw = tfl.getWeights();
    ckl.getWeights().forEach((w, i) => assertClose(w, tw[i], `${ckl.weights[i].name} after ${STEPS} SGD steps`, WEIGHT_TOL));
  }
  const after = pair.ck.getWeights();
  pair.ck.weights.forEach((v, i) => assert.ok(Array.from(after[i].values).some((a, j) => a !== before[i].values[j]), `${v.name} did not change`));
}

// ---------------------------------------------------------------- tfjs reads convkit's files

const dir = mkdtempSync(join(tmpdir(), 'convkit-conv-more-tfjs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function tfjsPredictSaved(modelDir: string, x: Tensor): Promise<Float32Array> {
  const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))));
  const m = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology, format: json.format, weightSpecs: groups.flatMap((g) => g.weights),
      weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    }),
  });
  const tx = toTf(x);
  const out = m.predict(tx) as tf.Tensor;
  const values = Float32Array.from(out.dataSync() as Float32Array);
  tf.dispose([tx, out]);
  m.dispose();
  return values;
}

before(async () => {
  await initTfjs();
});

describe('parity with tfjs: Conv1D', () => cases(conv1dCases()));
describe('parity with tfjs: Conv2DTranspose', () => cases(transposeCases()));
describe('parity with tfjs: SeparableConv2D', () => cases(separableCases()));

describe('training parity with tfjs (SGD): every step\'s loss and the weights after', () => {
  Object.entries(MODELS).forEach(([name, make], i) => it(name, () => trainPair(make, 40 + i)));
});

describe('TensorFlow.js reads convkit\'s files with these layers', () => {
  it('a model saved in the tfjs format predicts the same in tfjs (within 1e-5)', async () => {
    const inp = Input({ shape: [12, 4] });
    let h = L.conv1d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(inp);
    h = L.reshape({ targetShape: [6, 2, 3] }).apply(h);
    h = L.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }).apply(h);
    h = L.separableConv2d({ filters: 3, kernelSize: 3, depthMultiplier: 2, activation: 'relu' }).apply(h);
    const out = L.dense({ units: 4, activation: 'softmax' }).apply(L.flatten().apply(h));
    const model = new Model({ inputs: inp, outputs: out });
    model.layers.forEach((l, i) => { if (l.weights.length) randomizeWeights(l, 60 + i); });
    const x = randn([3, 12, 4], 61);
    const modelDir = join(dir, 'tfjs');
    await model.save(modelDir, { format: 'tfjs' });
    assertClose(model.predict(x).values, await tfjsPredictSaved(modelDir, x), 'convkit vs tfjs predictions of the saved model', 1e-5);
  });
});
