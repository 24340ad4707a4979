/**
 * TensorFlow.js 4.22 (cpu) parity for LayerNormalization (forward, every axis form, and SGD training
 * steps through it), for the activations EfficientNet / MobileNetV3 / ConvNeXt use (values and
 * gradients), and tfjs reading a convkit-written model with LayerNormalization.
 *
 * tfjs has no rms_scaling, RMSNormalization, hard_silu, Keras 3 hard_sigmoid, SpatialDropout2D or stochastic pooling:
 * rms_scaling, RMSNormalization, hard_silu and hard_sigmoid are rebuilt from tfjs ops with Keras 3's formulas; the
 * random layers are tested against statistics in test/layers/norm_dropout_pool.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import type { Layer } from '../../src/layers/layer.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';
import { getActivation } from '../../src/activations/index.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import * as ops from '../../src/ops/index.js';
import * as optimizers from '../../src/optimizers/index.js';
import { Random } from '../../src/tensor/random.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { tf, initTfjs, toTf, randn, copyWeights, assertClose, FORWARD_TOL } from '../helpers/tfjs.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-ndp-parity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  await initTfjs();
});

/** gamma ~ N(1, 0.3), beta ~ N(0, 0.5): non-trivial weights for a built LayerNormalization. */
function randomizeLn(layer: Layer, seed: number): void {
  layer.setWeights(layer.weights.map((w, i) => (w.name.endsWith('gamma') ? randn([...w.shape], seed + i, 0.3, 1) : randn([...w.shape], seed + i, 0.5))));
}

interface LnCase {
  name: string;
  args: L.LayerNormalizationArgs;
  shape: number[];
  /** tfjs reference for convkit's weights (rms_scaling only); else tf.layers.layerNormalization(args). */
  ref?: (x: tf.Tensor, w: Tensor[]) => tf.Tensor;
}

/** Keras 3 rms_scaling: x·rsqrt(var(x) + ε)·γ over the last axis. */
const rmsRef = (eps: number) => (x: tf.Tensor, w: Tensor[]) => tf.tidy(() => {
  const { variance } = tf.moments(x, -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), toTf(w[0]));
});

const LN_CASES: LnCase[] = [
  { name: 'axis -1 on (b,7,9,3)', args: {}, shape: [7, 9, 3] },
  { name: 'axis [1,2,3] on (b,5,4,6) (whole sample)', args: { axis: [1, 2, 3] }, shape: [5, 4, 6] },
  { name: 'axis [1,2] on (b,5,4,6) (spatial, not trailing)', args: { axis: [1, 2] }, shape: [5, 4, 6] },
  { name: 'axis 1 on (b,5,4,6)', args: { axis: 1 }, shape: [5, 4, 6] },
  { name: 'axis -1 on (b,12) (after Dense), epsilon 1e-5', args: { epsilon: 1e-5 }, shape: [12] },
  { name: 'center false', args: { center: false }, shape: [6, 5, 4] },
  { name: 'scale false', args: { scale: false }, shape: [6, 5, 4] },
  { name: 'rms_scaling (ref: Keras 3 formula in tfjs ops)', args: { rmsScaling: true, epsilon: 1e-3 }, shape: [6, 5, 4], ref: rmsRef(1e-3) },
];

describe('LayerNormalization forward parity with tfjs', () => {
  LN_CASES.forEach((c, k) => it(c.name, () => {
    const seed = 300 + k;
    const ck = L.layerNormalization(c.args);
    ck.apply(randn([1, ...c.shape], seed), { training: false });
    randomizeLn(ck, seed);
    let tfl: tf.layers.Layer | null = null;
    if (!c.ref) {
      const { rmsScaling: _r, ...tfArgs } = c.args;
      tfl = tf.layers.layerNormalization(tfArgs as never);
      const t0 = tf.zeros([1, ...c.shape]);
      (tfl.apply(t0) as tf.Tensor).dispose();
      t0.dispose();
      copyWeights(ck, tfl);
    }
    for (const batch of [1, 3]) {
      const x = randn([batch, ...c.shape], seed * 10 + batch, 2, 0.5);
      const tx = toTf(x);
      const ref = tfl ? tfl.apply(tx) as tf.Tensor : c.ref!(tx, ck.getWeights());
      assertClose(ck.apply(x, { training: true }), ref, `${c.name}, batch ${batch}, training`, FORWARD_TOL);
      assertClose(ck.apply(x), ref, `${c.name}, batch ${batch}, inference`, FORWARD_TOL);
      tf.dispose([tx, ref]);
    }
  }));
});

describe('LayerNormalization backward parity with tfjs', () => {
  it('gradients of x, gamma and beta equal tf.grads of Keras\'s formula in tfjs ops (axis -1, [1,2], and rms_scaling)', () => {
    const cases: [L.LayerNormalizationArgs, number[]][] = [[{ axis: -1 }, [4, 3, 5]], [{ axis: [1, 2] }, [4, 3, 5]], [{ axis: -1, rmsScaling: true }, [4, 3, 5]]];
    for (const [args, shape] of cases) {
      const ck = L.layerNormalization(args);
      const x = randn([2, ...shape], 41, 1.5);
      ck.apply(x);
      randomizeLn(ck, 42);
      const axes = (typeof args.axis === 'number' ? [args.axis] : args.axis!).map((a) => (a < 0 ? a + 4 : a));
      const bshape = [1, ...shape].map((d, i) => (axes.includes(i) ? d : 1));
      const w = randn([2, ...shape], 43);
      const vars = [new Variable(x, 'x', true), ...ck.weights];
      const { grads } = valueAndGrads(() => ops.sum(ops.mul(ck.apply(vars[0], { training: true }), w)), vars);
      const tw = toTf(w);
      const f = (tx: tf.Tensor, g: tf.Tensor, b?: tf.Tensor) => {
        const { mean, variance } = tf.moments(tx, axes, true);
        const inv = tf.rsqrt(tf.add(variance, 1e-3));
        let y = args.rmsScaling ? tf.mul(tx, inv) : tf.mul(tf.sub(tx, mean), inv);
        y = tf.mul(y, tf.reshape(g, bshape));
        if (b) y = tf.add(y, tf.reshape(b, bshape));
        return tf.sum(tf.mul(y, tw));
      };
      const tgrads = tf.grads(f as never)([toTf(x), ...ck.getWeights().map(toTf)]);
      ['x', 'gamma', 'beta'].slice(0, vars.length).forEach((n, i) => assertClose(grads[i]!, tgrads[i], `${JSON.stringify(args)}: d${n}`, 1e-4));
      tf.dispose([tw, ...tgrads]);
    }
  });
});

describe('RMSNormalization parity with Keras 3\'s formula in tfjs ops', () => {
  it('values and gradients (x, scale) of x·scale·rsqrt(mean(x²) + ε), axis -1 and [1,2]', () => {
    for (const [axis, shape] of [[-1, [4, 3, 5]], [[1, 2], [4, 3, 5]]] as [number | number[], number[]][]) {
      const ck = L.rmsNormalization({ axis, epsilon: 1e-5 });
      const x = randn([2, ...shape], 51, 1.5, 0.3);
      ck.apply(x);
      ck.setWeights([randn([...ck.weights[0].shape], 52, 0.3, 1)]);
      const axes = (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + 4 : a));
      const bshape = [1, ...shape].map((d, i) => (axes.includes(i) ? d : 1));
      const ref = (tx: tf.Tensor, sc: tf.Tensor) => tf.mul(tf.mul(tx, tf.rsqrt(tf.add(tf.mean(tf.square(tx), axes, true), 1e-5))), tf.reshape(sc, bshape));
      const want = tf.tidy(() => ref(toTf(x), toTf(ck.getWeights()[0])));
      assertClose(ck.apply(x), want, `axis ${JSON.stringify(axis)}: values`, FORWARD_TOL);
      const w = randn([2, ...shape], 53);
      const vars = [new Variable(x, 'x', true), ck.weights[0]];
      const { grads } = valueAndGrads(() => ops.sum(ops.mul(ck.apply(vars[0]), w)), vars);
      const tw = toTf(w);
      const tgrads = tf.grads(((tx: tf.Tensor, sc: tf.Tensor) => tf.sum(tf.mul(ref(tx, sc), tw))) as never)([toTf(x), toTf(ck.getWeights()[0])]);
      assertClose(grads[0]!, tgrads[0], `axis ${JSON.stringify(axis)}: dx`, 1e-4);
      assertClose(grads[1]!, tgrads[1], `axis ${JSON.stringify(axis)}: dscale`, 1e-4);
      tf.dispose([want, tw, ...tgrads]);
    }
  });
});

// ---------------------------------------------------------------- SGD steps through LayerNormalization

const STEPS = 5;
const BATCH = 6;
const CLASSES = 4;

async function sgdPair(lnArgs: L.LayerNormalizationArgs, seed: number): Promise<void> {
  const shape = [6, 5, 2];
  type Sym = SymbolicTensor;
  type TSym = tf.SymbolicTensor;
  const c = {
    conv: L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), ln: L.layerNormalization(lnArgs), relu: L.reLU(),
    flat: L.flatten(), dense: L.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const t = {
    conv: tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), ln: tf.layers.layerNormalization(lnArgs as never), relu: tf.layers.reLU(),
    flat: tf.layers.flatten(), dense: tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
  };
  const ci = Input({ shape });
  const co: Sym = c.dense.apply(c.flat.apply(c.relu.apply(c.ln.apply(c.conv.apply(ci)))));
  const ti = tf.input({ shape });
  const f = (l: tf.layers.Layer, x: TSym) => l.apply(x) as TSym;
  const to = f(t.dense, f(t.flat, f(t.relu, f(t.ln, f(t.conv, ti)))));
  const ck = new Model({ inputs: ci, outputs: co });
  const tfm = tf.model({ inputs: ti, outputs: to });
  let s = seed;
  const pairs: [Layer, tf.layers.Layer][] = (Object.keys(c) as (keyof typeof c)[]).map((k) => [c[k], t[k]]);
  for (const [ckl, tfl] of pairs) {
    ckl.setWeights(ckl.weights.map((w) => {
      s += 1;
      const name = w.name.split('/').pop();
      if (name === 'kernel') return randn([...w.shape], s, 1 / Math.sqrt(w.shape.slice(0, -1).reduce((a, b) => a * b, 1)));
      if (name === 'gamma') return randn([...w.shape], s, 0.2, 1);
      return randn([...w.shape], s, 0.3);
    }));
    copyWeights(ckl, tfl);
  }
  ck.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'sparse_categorical_crossentropy' });
  tfm.compile({ optimizer: tf.train.sgd(0.05), loss: 'sparseCategoricalCrossentropy' });
  const r = new Random(seed);
  const before = ck.getWeights();
  for (let step = 0; step < STEPS; step++) {
    const x = randn([BATCH, ...shape], seed * 100 + step);
    const y = new Tensor(Float32Array.from({ length: BATCH }, () => r.int(CLASSES)), [BATCH]);
    const [ckLoss] = ck.trainOnBatch(x, y);
    const tx = toTf(x);
    const ty = tf.reshape(toTf(y), [BATCH, 1]);
    const out = await tfm.trainOnBatch(tx, ty);
    const tfLoss = Array.isArray(out) ? out[0] : out;
    tf.dispose([tx, ty]);
    assert.ok(Math.abs(ckLoss - tfLoss) <= 1e-5, `step ${step + 1}: loss convkit ${ckLoss} vs tfjs ${tfLoss}`);
  }
  for (const [ckl, tfl] of pairs) {
    const tw = tfl.getWeights();
    ckl.getWeights().forEach((w, i) => assertClose(w, tw[i], `${ckl.weights[i].name} after ${STEPS} SGD steps`, 1e-4));
  }
  const afterW = ck.getWeights();
  ck.weights.forEach((v, i) => assert.ok(Array.from(afterW[i].values).some((a, j) => a !== before[i].values[j]), `${v.name} did not change`));
}

describe('training through LayerNormalization: SGD steps match tfjs', () => {
  it('conv → LayerNormalization(axis -1) → relu → dense', () => sgdPair({}, 61));
  it('conv → LayerNormalization(axis [1,2,3], epsilon 1e-5) → relu → dense', () => sgdPair({ axis: [1, 2, 3], epsilon: 1e-5 }, 62));
});

// ---------------------------------------------------------------- activations

/** Keras 3 activations as tfjs references: tfjs's own where it matches Keras 3, else its formula in tfjs ops. */
const ACT_REFS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  swish: (x) => tf.layers.activation({ activation: 'swish' }).apply(x) as tf.Tensor,
  silu: (x) => tf.layers.activation({ activation: 'swish' }).apply(x) as tf.Tensor,
  gelu: (x) => tf.layers.activation({ activation: 'gelu' as never }).apply(x) as tf.Tensor,
  hard_sigmoid: (x) => tf.div(tf.relu6(tf.add(x, 3)), 6),
  hard_silu: (x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)),
  hard_swish: (x) => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)),
};

describe('activations: values and gradients match tfjs', () => {
  // Inputs spread over ±6 (both hard kinks at ±3), kept 1e-3 away from the kinks for the gradients.
  const x = randn([5, 40], 7, 3);
  x.values.forEach((v, i) => { if (Math.abs(Math.abs(v) - 3) < 1e-3) x.values[i] = v + 0.01; });
  const w = randn([5, 40], 8);
  const check = (name: string, ck: (t: Tensor) => Tensor, ref: (t: tf.Tensor) => tf.Tensor) => {
    const xv = new Variable(x, 'x', true);
    const { grads } = valueAndGrads(() => ops.sum(ops.mul(ck(xv), w)), [xv]);
    const tx = toTf(x);
    const want = tf.tidy(() => ref(tx));
    assertClose(ck(x), want, `${name}: values`, FORWARD_TOL);
    const tw = toTf(w);
    const tg = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ref(t), tw)))(tx);
    assertClose(grads[0]!, tg, `${name}: gradient`, 1e-4);
    tf.dispose([tx, want, tw, tg]);
  };
  for (const [name, ref] of Object.entries(ACT_REFS)) {
    it(`${name}`, () => check(name, getActivation(name).apply, ref));
  }
  it('gelu approximate=True (ops.gelu(x, true)) vs tfjs gelu_new', () => {
    check('gelu approximate', (t) => ops.gelu(t, true), (t) => tf.layers.activation({ activation: 'gelu_new' as never }).apply(t) as tf.Tensor);
  });
  it('Conv2D with activation hard_swish (MobileNetV3) vs tfjs conv + formula', () => {
    const layer = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'hard_swish' });
    const xi = randn([2, 5, 5, 2], 9, 3);
    const y = layer.apply(xi);
    const [k, b] = layer.getWeights();
    const ref = tf.tidy(() => ACT_REFS.hard_swish(tf.add(tf.conv2d(toTf(xi) as tf.Tensor4D, toTf(k) as tf.Tensor4D, 1, 'same'), toTf(b))));
    assertClose(y, ref, 'conv2d hard_swish', FORWARD_TOL);
    ref.dispose();
  });
});

// ---------------------------------------------------------------- tfjs reads convkit's file

describe('tfjs reads a convkit-written model with LayerNormalization', () => {
  it('tf.loadLayersModel on convkit\'s tfjs save gives the same predictions', async () => {
    const input = Input({ shape: [6, 6, 2] });
    let h = L.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }).apply(input);
    const ln1 = L.layerNormalization({ axis: [1, 2, 3], epsilon: 1e-4 });
    const ln2 = L.layerNormalization({});
    h = ln2.apply(ln1.apply(h));
    const out = L.dense({ units: 3, activation: 'softmax' }).apply(L.globalAveragePooling2d().apply(h));
    const model = new Model({ inputs: input, outputs: out });
    randomizeLn(ln1, 5);
    randomizeLn(ln2, 6);
    await model.save(join(dir, 'tfjs'), { format: 'tfjs' });
    const modelDir = join(dir, 'tfjs');
    const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
    const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))));
    const m = await tf.loadLayersModel({
      load: async () => ({
        modelTopology: json.modelTopology, format: json.format, weightSpecs: groups.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      }),
    });
    const x = randn([3, 6, 6, 2], 12);
    const tx = toTf(x);
    const ref = m.predict(tx) as tf.Tensor;
    assertClose(model.predict(x), ref, 'predictions', FORWARD_TOL);
    tf.dispose([tx, ref]);
    m.dispose();
  });
});
