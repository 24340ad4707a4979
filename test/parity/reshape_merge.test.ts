/**
 * Cropping, upsampling, the element-wise merges and squeeze-and-excitation blocks against
 * TensorFlow.js 4.22 (cpu backend), with the metric and tolerances of test/helpers/tfjs.ts.
 *
 *  - Layer outputs at batch 1 and 3 (one layer instance for both), odd spatial sizes:
 *    Cropping2D (tf.layers.cropping2D), Cropping1D (tf.slice: tfjs has no Cropping1D),
 *    UpSampling2D 'nearest' (tf.layers.upSampling2d), Multiply/Average/Maximum/Minimum
 *    (tf.layers.*, 2 and 3 inputs, and a (b, c) input broadcast against (b, h, w, c)),
 *    Subtract (tf.sub: tfjs has no Subtract layer).
 *  - UpSampling2D 'bilinear' and ops.resize: Keras 3 resizes with half-pixel centres (TF 2's
 *    tf.image.resize). The reference is tf.image.resizeBilinear(x, size, alignCorners=false,
 *    halfPixelCenters=true) (and resizeNearestNeighbor likewise for ops.resize 'nearest').
 *    TensorFlow.js's own UpSampling2D 'bilinear' calls resizeBilinear with the TF 1 mapping
 *    (halfPixelCenters=false) and so differs from Keras 3 — asserted below, so a change in tfjs
 *    shows. Its ResizeBilinearGrad also ignores halfPixelCenters, so the training reference
 *    resizes with tfjs gathers instead (HalfPixelBilinear below, whose forward pass is first
 *    checked against resizeBilinear(…, halfPixelCenters=true)).
 *  - tfjs 4.22's cpu ResizeNearestNeighborGrad (behind its UpSampling2D 'nearest') offsets dy by the
 *    input's batch stride, so its gradients are wrong for batch > 1. convkit's nearest gradient is
 *    compared with tfjs's at batch 1 and with exact block sums at batch 3, and the training
 *    reference repeats rows and columns with tfjs gathers (NearestRepeat below).
 *  - An SE block (convkit: GAP keepdims → Conv2D 1×1 relu → Conv2D 1×1 sigmoid → Multiply; tfjs,
 *    which has no keepdims: GAP → Reshape([1, 1, c]) → the same): outputs, the gradients of a
 *    scalar loss with respect to the input and every weight, and SGD training steps.
 *  - SGD training steps on a functional model with Cropping2D, both UpSampling2D modes and every
 *    merge (Subtract as a tfjs layer computing tf.sub): the loss at every step and all weights after.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import type { Layer } from '../../src/layers/layer.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { Model } from '../../src/models/model.js';
import * as ops from '../../src/ops/index.js';
import * as optimizers from '../../src/optimizers/index.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { tf, initTfjs, toTf, fromTf, randn, copyWeights, assertClose, relError } from '../helpers/tfjs.js';

const BATCHES = [1, 3];

// ---------------------------------------------------------------- layer outputs

interface Case {
  name: string;
  ck: () => Layer;
  /** A tfjs layer, or the reference computed from the tfjs inputs. */
  tf: (() => tf.layers.Layer) | ((xs: tf.Tensor[]) => tf.Tensor);
  inputs: number[][];
  seed: number;
}

function runCase(c: Case): void {
  const layer = c.ck();
  const multi = c.inputs.length > 1;
  const tfLayer = c.tf.length === 0 ? (c.tf as () => tf.layers.Layer)() : null;
  for (const batch of BATCHES) {
    const xs = c.inputs.map((s, i) => randn([batch, ...s], c.seed * 100 + batch * 10 + i));
    const txs = xs.map(toTf);
    const want = tfLayer ? tfLayer.apply(multi ? txs : txs[0]) as tf.Tensor : (c.tf as (xs: tf.Tensor[]) => tf.Tensor)(txs);
    const got = layer.apply((multi ? xs : xs[0]) as never) as Tensor;
    assertClose(got, want, `${c.name}, batch ${batch}`);
    assert.deepEqual(layer.computeOutputShape(multi ? xs.map((t) => [null, ...t.shape.slice(1)]) : [null, ...xs[0].shape.slice(1)]), [null, ...got.shape.slice(1)], `${c.name}: computeOutputShape`);
    tf.dispose([want, ...txs]);
  }
}

function layerCases(): Case[] {
  const out: Case[] = [];
  let seed = 1;
  for (const [cropping, shape] of [[1, [7, 9, 2]], [[2, 1], [5, 7, 3]], [[[2, 1], [0, 3]], [7, 9, 2]], [[[0, 4], [5, 0]], [5, 6, 1]]] as [number | [number, number] | [[number, number], [number, number]], number[]][]) {
    out.push({
      name: `Cropping2D ${JSON.stringify(cropping)} on ${shape.join('x')}`,
      ck: () => L.cropping2d({ cropping }), tf: () => tf.layers.cropping2D({ cropping: cropping as never }), inputs: [shape], seed: seed++,
    });
  }
  out.push({
    name: 'Cropping1D [2, 1] on 7x3 (ref: tf.slice)',
    ck: () => L.cropping1d({ cropping: [2, 1] }), tf: ([x]: tf.Tensor[]) => tf.slice(x, [0, 2, 0], [-1, 4, -1]), inputs: [[7, 3]], seed: seed++,
  });
  for (const [size, shape] of [[2, [5, 7, 3]], [[3, 2], [3, 1, 2]], [[1, 4], [1, 1, 4]], [[2, 3], [4, 5, 1]]] as [number | [number, number], number[]][]) {
    out.push({
      name: `UpSampling2D nearest size ${JSON.stringify(size)} on ${shape.join('x')}`,
      ck: () => L.upSampling2d({ size }), tf: () => tf.layers.upSampling2d({ size: typeof size === 'number' ? [size, size] : size }), inputs: [shape], seed: seed++,
    });
    const [sh, sw] = typeof size === 'number' ? [size, size] : size;
    out.push({
      name: `UpSampling2D bilinear size ${JSON.stringify(size)} on ${shape.join('x')} (ref: resizeBilinear half-pixel)`,
      ck: () => L.upSampling2d({ size, interpolation: 'bilinear' }),
      tf: ([x]: tf.Tensor[]) => tf.image.resizeBilinear(x as tf.Tensor4D, [x.shape[1]! * sh, x.shape[2]! * sw], false, true),
      inputs: [shape], seed: seed++,
    });
  }
  const merges: [string, () => Layer, () => tf.layers.Layer][] = [
    ['Multiply', () => L.multiply(), () => tf.layers.multiply()],
    ['Average', () => L.average(), () => tf.layers.average()],
    ['Maximum', () => L.maximum(), () => tf.layers.maximum()],
    ['Minimum', () => L.minimum(), () => tf.layers.minimum()],
  ];
  for (const [name, ck, tfl] of merges) {
    out.push({ name: `${name} of 2 inputs 5x7x3`, ck, tf: tfl, inputs: [[5, 7, 3], [5, 7, 3]], seed: seed++ });
    out.push({ name: `${name} of 3 inputs 3x1x4`, ck, tf: tfl, inputs: [[3, 1, 4], [3, 1, 4], [3, 1, 4]], seed: seed++ });
    out.push({ name: `${name} of (b,5,3,4) and (b,4) (rank broadcast)`, ck, tf: tfl, inputs: [[5, 3, 4], [4]], seed: seed++ });
  }
  out.push({ name: 'Subtract 5x7x3 (ref: tf.sub)', ck: () => L.subtract(), tf: ([a, b]: tf.Tensor[]) => tf.sub(a, b), inputs: [[5, 7, 3], [5, 7, 3]], seed: seed++ });
  out.push({
    name: 'Subtract (b,4) − (b,5,3,4) (ref: tf.sub after reshape to (b,1,1,4))', ck: () => L.subtract(),
    tf: ([a, b]: tf.Tensor[]) => tf.sub(tf.reshape(a, [a.shape[0], 1, 1, 4]), b), inputs: [[4], [5, 3, 4]], seed: seed++,
  });
  return out;
}

describe('layer outputs: convkit vs tfjs', () => {
  before(async () => {
    await initTfjs();
  });
  for (const c of layerCases()) it(c.name, () => runCase(c));

  it('ops.resize matches resizeBilinear / resizeNearestNeighbor with halfPixelCenters for up, down and mixed sizes', () => {
    const x = randn([2, 7, 5, 3], 77);
    const tx = toTf(x) as tf.Tensor4D;
    for (const size of [[14, 10], [3, 2], [10, 3], [1, 1], [7, 11]] as [number, number][]) {
      const wb = tf.image.resizeBilinear(tx, size, false, true);
      const wn = tf.image.resizeNearestNeighbor(tx, size, false, true);
      assertClose(ops.resize(x, size), wb, `resize bilinear to ${size}`);
      assertClose(ops.resize(x, size, { interpolation: 'nearest' }), wn, `resize nearest to ${size}`);
      tf.dispose([wb, wn]);
    }
    tx.dispose();
  });

  it("tfjs's own UpSampling2D 'bilinear' is not Keras 3's (TF 1 mapping): convkit follows Keras 3", () => {
    const x = randn([1, 4, 5, 2], 78);
    const tx = toTf(x);
    const tfjsLayer = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }).apply(tx) as tf.Tensor;
    const keras3 = tf.image.resizeBilinear(tx as tf.Tensor4D, [8, 10], false, true);
    const got = L.upSampling2d({ size: 2, interpolation: 'bilinear' }).apply(x);
    assertClose(got, keras3, 'convkit vs half-pixel');
    assert.ok(relError(got.values, tfjsLayer.dataSync() as Float32Array).maxErr > 0.05, "tfjs's layer differs from Keras 3's bilinear");
    tf.dispose([tx, tfjsLayer, keras3]);
  });
});

// ---------------------------------------------------------------- tfjs helpers for the models

/** Keras 3's bilinear UpSampling2D in tfjs ops (half-pixel centres), differentiable through gathers. */
function halfPixelBilinear(x: tf.Tensor, outH: number, outW: number): tf.Tensor {
  const along = (t: tf.Tensor, axis: 1 | 2, outSize: number): tf.Tensor => {
    const n = t.shape[axis] as number;
    if (n === outSize) return t;
    const lo: number[] = [], hi: number[] = [], w: number[] = [];
    for (let i = 0; i < outSize; i++) {
      const s = (i + 0.5) * (n / outSize) - 0.5;
      lo.push(Math.max(Math.floor(s), 0));
      hi.push(Math.min(Math.ceil(s), n - 1));
      w.push(s - Math.floor(s));
    }
    const a = tf.gather(t, tf.tensor1d(lo, 'int32'), axis);
    const b = tf.gather(t, tf.tensor1d(hi, 'int32'), axis);
    const shape = [1, 1, 1, 1];
    shape[axis] = outSize;
    return tf.add(a, tf.mul(tf.sub(b, a), tf.tensor(w, shape)));
  };
  return along(along(x, 2, outW), 1, outH);
}

class HalfPixelBilinear extends tf.layers.Layer {
  static className = 'HalfPixelBilinear';
  constructor(private readonly size: [number, number]) {
    super({});
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = s as tf.Shape;
    return [b, (h as number) * this.size[0], (w as number) * this.size[1], c];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return halfPixelBilinear(x, (x.shape[1] as number) * this.size[0], (x.shape[2] as number) * this.size[1]);
  }
}

/** UpSampling2D 'nearest' as repeats (tf.gather), whose gradient tfjs computes correctly at any batch size. */
class NearestRepeat extends tf.layers.Layer {
  static className = 'NearestRepeat';
  constructor(private readonly size: [number, number]) {
    super({});
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, h, w, c] = s as tf.Shape;
    return [b, (h as number) * this.size[0], (w as number) * this.size[1], c];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const rep = (n: number, k: number) => tf.tensor1d(Array.from({ length: n * k }, (_, i) => Math.floor(i / k)), 'int32');
    return tf.gather(tf.gather(x, rep(x.shape[1] as number, this.size[0]), 1), rep(x.shape[2] as number, this.size[1]), 2);
  }
}

class TfSubtract extends tf.layers.Layer {
  static className = 'TfSubtract';
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return (s as tf.Shape[])[0];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.sub(a, b);
  }
}

interface Pair {
  ck: Model;
  tfm: tf.LayersModel;
  /** Layers with weights: convkit → tfjs. */
  weighted: [Layer, tf.layers.Layer][];
}

type TSym = tf.SymbolicTensor;
const ap = (l: tf.layers.Layer, x: TSym | TSym[]) => l.apply(x) as TSym;

function seedWeights(pair: Pair, seed: number): void {
  let s = seed;
  for (const [ckl, tfl] of pair.weighted) {
    ckl.setWeights(ckl.weights.map((w) => {
      const shape = [...w.shape];
      s += 1;
      return w.name.endsWith('kernel') ? randn(shape, s, 1 / Math.sqrt(shape.slice(0, -1).reduce((a, b) => a * b, 1))) : randn(shape, s, 0.3);
    }));
    copyWeights(ckl, tfl);
  }
}

const CLASSES = 4;

/** SE block on conv features, then GAP → Dense softmax. */
function sePair(): Pair {
  const shape = [6, 7, 3];
  const c = {
    conv: L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
    sq: L.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }),
    ex: L.conv2d({ filters: 6, kernelSize: 1, activation: 'sigmoid' }),
    dense: L.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const t = {
    conv: tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
    sq: tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }),
    ex: tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'sigmoid' }),
    dense: tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const ci = Input({ shape });
  const x: SymbolicTensor = c.conv.apply(ci);
  const s: SymbolicTensor = c.ex.apply(c.sq.apply(L.globalAveragePooling2d({ keepdims: true }).apply(x)));
  const co = c.dense.apply(L.globalAveragePooling2d().apply(L.multiply([x, s])));
  const ti = tf.input({ shape });
  const tx = ap(t.conv, ti);
  const ts = ap(t.ex, ap(t.sq, ap(tf.layers.reshape({ targetShape: [1, 1, 6] }), ap(tf.layers.globalAveragePooling2d({}), tx))));
  const to = ap(t.dense, ap(tf.layers.globalAveragePooling2d({}), ap(tf.layers.multiply(), [tx, ts])));
  const keys = Object.keys(c) as (keyof typeof c)[];
  return { ck: new Model({ inputs: ci, outputs: co }), tfm: tf.model({ inputs: ti, outputs: to }), weighted: keys.map((k) => [c[k], t[k]]) };
}

/**
 * Input(7, 9, 3):
 *   a = Conv2D(4, 3, same, tanh)
 *   b = Cropping2D([[1, 2], [2, 3]])(UpSampling2D(2, nearest)(Conv2D(4, 3, valid)))        → 7×9×4
 *   c = Cropping2D([[1, 0], [1, 2]])(UpSampling2D([2, 3], bilinear)(Conv2D(4, [4, 6])))   → 7×9×4
 *   v = Dense(4)(GlobalMaxPooling2D(a))                                                   → (b, 4)
 *   Concatenate([Multiply([a, b, v]), Average([a, b, c]), Subtract([Maximum([b, c]), Minimum([a, c])])])
 *   → GlobalAveragePooling2D → Dense(4, softmax)
 */
function mergePair(): Pair {
  const shape = [7, 9, 3];
  const c = {
    ca: L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
    cb: L.conv2d({ filters: 4, kernelSize: 3 }),
    cc: L.conv2d({ filters: 4, kernelSize: [4, 6] }),
    dv: L.dense({ units: 4 }),
    dense: L.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const t = {
    ca: tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
    cb: tf.layers.conv2d({ filters: 4, kernelSize: 3 }),
    cc: tf.layers.conv2d({ filters: 4, kernelSize: [4, 6] }),
    dv: tf.layers.dense({ units: 4 }),
    dense: tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const ci = Input({ shape });
  const a: SymbolicTensor = c.ca.apply(ci);
  const b = L.cropping2d({ cropping: [[1, 2], [2, 3]] }).apply(L.upSampling2d({ size: 2 }).apply(c.cb.apply(ci)));
  const cc = L.cropping2d({ cropping: [[1, 0], [1, 2]] }).apply(L.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }).apply(c.cc.apply(ci)));
  const v = c.dv.apply(L.globalMaxPooling2d().apply(a));
  const merged = L.concatenate([L.multiply([a, b, v]), L.average([a, b, cc]), L.subtract([L.maximum([b, cc]), L.minimum([a, cc])])]);
  const co = c.dense.apply(L.globalAveragePooling2d().apply(merged));

  const ti = tf.input({ shape });
  const ta = ap(t.ca, ti);
  const tb = ap(tf.layers.cropping2D({ cropping: [[1, 2], [2, 3]] }), ap(new NearestRepeat([2, 2]), ap(t.cb, ti)));
  const tc = ap(tf.layers.cropping2D({ cropping: [[1, 0], [1, 2]] }), ap(new HalfPixelBilinear([2, 3]), ap(t.cc, ti)));
  const tv = ap(t.dv, ap(tf.layers.globalMaxPooling2d({}), ta));
  const tmerged = ap(tf.layers.concatenate(), [
    ap(tf.layers.multiply(), [ta, tb, tv]), ap(tf.layers.average(), [ta, tb, tc]),
    ap(new TfSubtract({}), [ap(tf.layers.maximum(), [tb, tc]), ap(tf.layers.minimum(), [ta, tc])]),
  ]);
  const to = ap(t.dense, ap(tf.layers.globalAveragePooling2d({}), tmerged));
  const keys = Object.keys(c) as (keyof typeof c)[];
  return { ck: new Model({ inputs: ci, outputs: co }), tfm: tf.model({ inputs: ti, outputs: to }), weighted: keys.map((k) => [c[k], t[k]]) };
}

const STEPS = 4;
const LOSS_TOL = 1e-5;
const WEIGHT_TOL = 1e-4;

async function trainPair(make: () => Pair, seed: number): Promise<void> {
  const pair = make();
  seedWeights(pair, seed);
  pair.ck.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'sparse_categorical_crossentropy' });
  pair.tfm.compile({ optimizer: tf.train.sgd(0.05), loss: 'sparseCategoricalCrossentropy' });
  const shape = pair.ck.inputs[0].shape.slice(1) as number[];
  const r = new Random(seed);
  const before = pair.ck.getWeights();
  for (let step = 0; step < STEPS; step++) {
    const batch = step % 2 === 0 ? 3 : 1;
    const x = randn([batch, ...shape], seed * 100 + step);
    const y = new Tensor(Float32Array.from({ length: batch }, () => r.int(CLASSES)), [batch]);
    const [ckLoss] = pair.ck.trainOnBatch(x, y);
    const tx = toTf(x);
    const ty = tf.reshape(toTf(y), [batch, 1]);
    const tfOut = await pair.tfm.trainOnBatch(tx, ty);
    const tfLoss = Array.isArray(tfOut) ? tfOut[0] : tfOut;
    tf.dispose([tx, ty]);
    assert.ok(Math.abs(ckLoss - tfLoss) <= LOSS_TOL, `step ${step + 1} (batch ${batch}): loss convkit ${ckLoss} vs tfjs ${tfLoss}`);
  }
  for (const [ckl, tfl] of pair.weighted) {
    const tw = tfl.getWeights();
    ckl.getWeights().forEach((w, i) => assertClose(w, tw[i], `${ckl.weights[i].name} after ${STEPS} SGD steps`, WEIGHT_TOL));
  }
  const after = pair.ck.getWeights();
  pair.ck.weights.forEach((v, i) => assert.ok(Array.from(after[i].values).some((a, j) => a !== before[i].values[j]), `${v.name} changed`));
}

describe('models with SE blocks, cropping, upsampling and merges: convkit vs tfjs', () => {
  before(async () => {
    await initTfjs();
  });

  it('the half-pixel bilinear reference used for training equals tf.image.resizeBilinear(…, halfPixelCenters=true)', () => {
    const x = toTf(randn([2, 4, 4, 3], 5));
    const a = halfPixelBilinear(x, 8, 12);
    const b = tf.image.resizeBilinear(x as tf.Tensor4D, [8, 12], false, true);
    assertClose(fromTf(a), b, 'gather reference vs resizeBilinear');
    tf.dispose([x, a, b]);
  });

  it("UpSampling2D 'nearest' gradient: equals tfjs's at batch 1 and exact block sums at batch 3 (where tfjs's is wrong)", () => {
    for (const batch of BATCHES) {
      const x = randn([batch, 5, 3, 2], 60 + batch);
      const R = randn([batch, 10, 9, 2], 70 + batch);
      const xv = new Variable(x, 'x', true);
      const g = valueAndGrads(() => ops.sum(ops.mul(L.upSampling2d({ size: [2, 3] }).apply(xv), R)), [xv]).grads[0] as Tensor;
      const sums = new Float32Array(x.size);
      for (let b = 0; b < batch; b++) for (let i = 0; i < 10; i++) for (let j = 0; j < 9; j++) for (let c = 0; c < 2; c++) {
        sums[((b * 5 + Math.floor(i / 2)) * 3 + Math.floor(j / 3)) * 2 + c] += R.values[((b * 10 + i) * 9 + j) * 2 + c];
      }
      assertClose(g, sums, `nearest gradient vs block sums, batch ${batch}`);
      const tx = toTf(x), tR = toTf(R);
      const tg = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.layers.upSampling2d({ size: [2, 3] }).apply(t) as tf.Tensor, tR)))(tx);
      const tfjsRight = relError(g.values, tg.dataSync() as Float32Array).maxErr <= 1e-5;
      assert.equal(tfjsRight, batch === 1, `tfjs's nearest gradient is ${tfjsRight ? 'right' : 'wrong'} at batch ${batch}`);
      tf.dispose([tx, tR, tg]);
    }
  });

  it('SE block: outputs (batch 1 and 3) and the gradients of a loss w.r.t. the input and every weight match tfjs', () => {
    const pair = sePair();
    seedWeights(pair, 21);
    for (const batch of BATCHES) {
      const x = randn([batch, 6, 7, 3], 30 + batch);
      const tx = toTf(x);
      const want = pair.tfm.predict(tx) as tf.Tensor;
      const got: Tensor = pair.ck.predict(x);
      assertClose(got, want, `SE model predict, batch ${batch}`);
      // loss = Σ out·R for a fixed random R.
      const R = randn([batch, CLASSES], 40 + batch);
      const tR = toTf(R);
      const xv = new Variable(x, 'x', true);
      const vars = [xv, ...pair.ck.trainableWeights];
      const { value, grads } = valueAndGrads(() => ops.sum(ops.mul(pair.ck.apply(xv, { training: true }) as Tensor, R)), vars);
      const tfVars = pair.weighted.flatMap(([, tl]) => tl.trainableWeights.map((w) => w.read() as tf.Variable));
      const tfLossOf = (inp: tf.Tensor) => tf.sum(tf.mul(pair.tfm.apply(inp, { training: true }) as tf.Tensor, tR)) as tf.Scalar;
      const tfWeightGrads = tf.variableGrads(() => tfLossOf(tx), tfVars);
      const tfInputGrad = tf.grad((inp: tf.Tensor) => tfLossOf(inp))(tx);
      assert.ok(Math.abs(value.item() - (tfWeightGrads.value.dataSync()[0])) <= 1e-5 * Math.max(1, Math.abs(value.item())), 'loss');
      assertClose(grads[0] as Tensor, tfInputGrad, `d loss / d x, batch ${batch}`, 1e-4);
      tfVars.forEach((v, i) => assertClose(grads[i + 1] as Tensor, tfWeightGrads.grads[v.name], `d loss / d ${vars[i + 1].name}, batch ${batch}`, 1e-4));
      assert.ok(grads.every((g) => g && Array.from(g.values).some((u) => u !== 0)), 'every gradient is non-zero');
      tf.dispose([tx, want, tR, tfInputGrad, tfWeightGrads.value, ...Object.values(tfWeightGrads.grads)]);
    }
  });

  it('SE block: SGD training steps (batches of 3 and 1) match tfjs', () => trainPair(sePair, 22));

  it('Cropping2D, UpSampling2D (nearest and bilinear) and every merge: outputs and SGD training steps match tfjs', async () => {
    const pair = mergePair();
    seedWeights(pair, 23);
    for (const batch of BATCHES) {
      const x = randn([batch, 7, 9, 3], 50 + batch);
      const tx = toTf(x);
      const want = pair.tfm.predict(tx) as tf.Tensor;
      const got: Tensor = pair.ck.predict(x);
      assertClose(got, want, `merge model predict, batch ${batch}`);
      tf.dispose([tx, want]);
    }
    await trainPair(mergePair, 24);
  });
});
