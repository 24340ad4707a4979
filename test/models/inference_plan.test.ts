/**
 * Inference plans (src/models/inference_plan.ts): from the third predict() on one input shape, the
 * native backend replays the recorded kernel calls. A replay must equal the normal pass for every
 * new input, never be used when it could differ (JavaScript computing on activations, changed
 * weights or layers), and never write storage anyone else holds. On the js backend there is no
 * recorder: the same tests then check that predict() is unchanged.
 */
import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Layer } from '../../src/layers/layer.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { Input } from '../../src/layers/input.js';
import { getBackend } from '../../src/backend/registry.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';
import * as ops from '../../src/ops/index.js';
import { CustomScaleLayer } from '../../src/applications/inception_resnet_v2.js';
import { MAX_PLAN_BYTES, planSteps, plainLayerClasses } from '../../src/models/inference_plan.js';
import type { SymbolicTensor } from '../../src/layers/symbolic.js';

const recording = getBackend().recording !== undefined;

function randomTensor(shape: number[], seed: number): Tensor {
  const r = new Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.uniform() * 2 - 1), shape);
}

function withoutPlans<T>(fn: () => T): T {
  process.env.CONVKIT_PLAN = '0';
  try {
    return fn();
  } finally {
    delete process.env.CONVKIT_PLAN;
  }
}

function randomizeBatchNorms(m: Layer, seed: number): void {
  const r = new Random(seed);
  const visit = (l: Layer): void => {
    for (const s of l.subLayers()) visit(s);
    if (!(l instanceof L.BatchNormalization)) return;
    const c = l.movingMean.size;
    l.movingMean.assign(Float32Array.from({ length: c }, () => r.uniform() - 0.5));
    l.movingVariance.assign(Float32Array.from({ length: c }, () => 0.2 + r.uniform()));
  };
  visit(m);
}

function assertClose(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  for (let i = 0; i < a.size; i++) {
    const d = Math.abs(a.values[i] - b.values[i]);
    assert.ok(d <= 1e-6 * (1 + Math.abs(b.values[i])), `${what}: element ${i} ${a.values[i]} vs ${b.values[i]}`);
  }
}

function differs(a: Tensor, b: Tensor): boolean {
  for (let i = 0; i < a.size; i++) if (a.values[i] !== b.values[i]) return true;
  return false;
}

/**
 * Records a plan with one input, then checks that new inputs give the normal pass's outputs (and
 * different ones: the replay reads the new input), that earlier outputs are left alone, and that a
 * plan was made on a recording backend.
 */
function checkReplay(m: Model, inShape: number[], what: string): void {
  const shape = [2, ...inShape];
  const first = randomTensor(shape, 1);
  m.predict(first);  // builds the layers
  randomizeBatchNorms(m, 7);
  for (let i = 0; i < 3; i++) m.predict(first);
  const steps = planSteps(m, shape);
  if (recording) assert.ok(steps !== null && steps > 0, `${what}: a plan was recorded`);
  else assert.equal(steps, null);
  const xs = [2, 3, 4].map((s) => randomTensor(shape, s));
  const got = xs.map((x) => m.predict(x));
  const kept = got[0].values.slice();
  const want = withoutPlans(() => xs.map((x) => m.predict(x)));
  got.forEach((g, i) => assertClose(g, want[i], `${what}, input ${i}`));
  assert.ok(differs(got[0], got[1]), `${what}: outputs follow the input`);
  assert.notEqual(got[0].values, got[1].values);
  assert.deepEqual(got[0].values, kept, `${what}: a later predict left an earlier output alone`);
}

function functional(inShape: number[], body: (x: SymbolicTensor) => SymbolicTensor | SymbolicTensor[]): Model {
  const x = Input({ shape: inShape });
  return new Model({ inputs: x, outputs: body(x) });
}

/** One model per group of plain layers; together they hold every class of plainLayerClasses(). */
const CASES: [string, number[], () => Model][] = [
  ['Conv2D → BN → ReLU (folded), pooling, Flatten, Dense softmax', [8, 8, 3], () => new Sequential([
    new L.Conv2D({ filters: 4, kernelSize: 3, padding: 'same' }), new L.BatchNormalization(), new L.ReLU(),
    new L.MaxPooling2D({ poolSize: 2 }), new L.AveragePooling2D({ poolSize: 2 }), new L.Flatten(),
    new L.Dense({ units: 5, activation: 'softmax' })])],
  ['expand → depthwise → BN → ReLU6 → projection with a fused residual join', [9, 9, 4], () => functional([9, 9, 4], (x) => {
    let y = new L.Conv2D({ filters: 8, kernelSize: 1, useBias: false }).apply(x) as SymbolicTensor;
    y = new L.BatchNormalization().apply(y) as SymbolicTensor;
    y = new L.ReLU({ maxValue: 6 }).apply(y) as SymbolicTensor;
    y = new L.DepthwiseConv2D({ kernelSize: 3, padding: 'same' }).apply(y) as SymbolicTensor;
    y = new L.BatchNormalization().apply(y) as SymbolicTensor;
    y = new L.ReLU({ maxValue: 6 }).apply(y) as SymbolicTensor;
    y = new L.Conv2D({ filters: 4, kernelSize: 1, useBias: false }).apply(y) as SymbolicTensor;
    y = new L.BatchNormalization().apply(y) as SymbolicTensor;
    const z = new L.Add().apply([x, y]) as SymbolicTensor;
    return new L.GlobalAveragePooling2D().apply(z) as SymbolicTensor;
  })],
  ['SeparableConv2D, Conv2DTranspose, SpatialDropout2D, GlobalMaxPooling2D', [7, 7, 3], () => new Sequential([
    new L.SeparableConv2D({ filters: 5, kernelSize: 3, activation: 'relu' }), new L.Conv2DTranspose({ filters: 3, kernelSize: 3, strides: 2 }),
    new L.SpatialDropout2D({ rate: 0.5 }), new L.GlobalMaxPooling2D()])],
  ['Conv1D, Cropping1D', [10, 3], () => new Sequential([new L.Conv1D({ filters: 4, kernelSize: 3 }), new L.Cropping1D({ cropping: 1 })])],
  ['ZeroPadding2D, Cropping2D, UpSampling2D (nearest, bilinear), Reshape, Softmax', [5, 5, 2], () => new Sequential([
    new L.Conv2D({ filters: 3, kernelSize: 3 }), new L.ZeroPadding2D({ padding: 2 }), new L.Cropping2D({ cropping: 1 }),
    new L.UpSampling2D({ size: 2 }), new L.UpSampling2D({ size: 2, interpolation: 'bilinear' }),
    new L.Reshape({ targetShape: [100, 12] }), new L.Softmax()])],
  ['Dense, Activation, Dropout, standalone BatchNormalization, LayerScale', [6], () => new Sequential([
    new L.Dense({ units: 6 }), new L.Activation({ activation: 'tanh' }), new L.Dropout({ rate: 0.5 }),
    new L.BatchNormalization(), new L.LayerScale({ initValues: 0.5, projectionDim: 6 }), new L.Dense({ units: 3, activation: 'sigmoid' })])],
  ['Rescaling, Normalization', [4, 4, 2], () => new Sequential([
    new L.Rescaling({ scale: 1 / 255, offset: -0.5 }), new L.Normalization({ mean: 0.1, variance: 2 }), new L.Conv2D({ filters: 2, kernelSize: 1 })])],
  ['merging layers and CustomScaleLayer', [4, 4, 3], () => functional([4, 4, 3], (x) => {
    const a = new L.Conv2D({ filters: 3, kernelSize: 1 }).apply(x) as SymbolicTensor;
    const b = new L.Conv2D({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x) as SymbolicTensor;
    const merged = [new L.Add(), new L.Subtract(), new L.Multiply(), new L.Average(), new L.Maximum(), new L.Minimum(),
      new CustomScaleLayer({ scale: 0.2 })].map((l) => l.apply([a, b]) as SymbolicTensor);
    return new L.Concatenate().apply(merged) as SymbolicTensor;
  })],
];

describe('inference plans: a replay equals the pass it stands for', () => {
  afterEach(() => { delete process.env.CONVKIT_PLAN; });

  for (const [what, inShape, build] of CASES) {
    it(what, () => {
      checkReplay(build(), inShape, what);
    });
  }

  it('the cases cover every layer class a plan may contain', () => {
    const seen = new Set<unknown>();
    const visit = (l: Layer): void => { seen.add(l.constructor); l.subLayers().forEach(visit); };
    for (const [, , build] of CASES) visit(build());
    seen.add(L.InputLayer);
    const missing = plainLayerClasses().filter((c) => !seen.has(c)).map((c) => (c as { name: string }).name);
    assert.deepEqual(missing, []);
  });

  it('a model nested in a Sequential (a pretrained base) and a two-output model', () => {
    const base = CASES[1][2]();
    checkReplay(new Sequential([base, new L.Dense({ units: 3 })]), [9, 9, 4], 'nested');
    const x = Input({ shape: [5] });
    const h = new L.Dense({ units: 4, activation: 'relu' }).apply(x) as SymbolicTensor;
    const two = new Model({ inputs: x, outputs: [new L.Dense({ units: 2 }).apply(h) as SymbolicTensor, new L.Dense({ units: 3, activation: 'softmax' }).apply(h) as SymbolicTensor] });
    const xs = [1, 2, 3, 4, 5].map((s) => randomTensor([3, 5], s));
    const got = xs.map((v) => two.predict<Tensor[]>(v));
    const want = withoutPlans(() => xs.map((v) => two.predict<Tensor[]>(v)));
    if (recording) assert.ok(planSteps(two, [3, 5]) !== null);
    got.forEach((g, i) => { assertClose(g[0], want[i][0], `output 0, input ${i}`); assertClose(g[1], want[i][1], `output 1, input ${i}`); });
  });

  it('predict in batches: one plan per batch shape, results joined as without plans', () => {
    const m = CASES[0][2]();
    const x = randomTensor([5, 8, 8, 3], 9);
    for (let i = 0; i < 4; i++) {
      const got = m.predict(x, { batchSize: 2 });
      assertClose(got, withoutPlans(() => m.predict(x, { batchSize: 2 })), `pass ${i}`);
    }
    if (recording) {
      assert.ok(planSteps(m, [2, 8, 8, 3]) !== null);
      assert.ok(planSteps(m, [1, 8, 8, 3]) !== null);
    }
  });
});

describe('inference plans are retired or refused when a replay could differ', () => {
  afterEach(() => { delete process.env.CONVKIT_PLAN; });

  it('weights changed by fit() or assign() retire the plan', async () => {
    const m = CASES[0][2]();
    const x = randomTensor([2, 8, 8, 3], 1);
    for (let i = 0; i < 4; i++) m.predict(x);
    const before = m.predict(x);
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await m.fit(randomTensor([4, 8, 8, 3], 2), new Tensor(Int32Array.from([0, 1, 2, 3]), [4]), { epochs: 1, batchSize: 4, verbose: 0 });
    const afterFit = m.predict(x);
    assert.ok(differs(afterFit, before), 'training changed the prediction');
    assertClose(afterFit, withoutPlans(() => m.predict(x)), 'after fit');
    for (let i = 0; i < 4; i++) m.predict(x);
    const dense = m.layers[m.layers.length - 1] as L.Dense;
    dense.kernel.assign(new Float32Array(dense.kernel.size).fill(0.01));
    assertClose(m.predict(x), withoutPlans(() => m.predict(x)), 'after assign');
  });

  it('Sequential add() and pop() retire the plan', () => {
    const m = new Sequential([new L.Dense({ units: 4, inputShape: [3] }), new L.Dense({ units: 2 })]);
    const x = randomTensor([1, 3], 1);
    for (let i = 0; i < 4; i++) m.predict(x);
    m.pop();
    assert.deepEqual(m.predict(x).shape, [1, 4]);
    for (let i = 0; i < 4; i++) m.predict(x);
    m.add(new L.Dense({ units: 6 }));
    const y = m.predict(x);
    assert.deepEqual(y.shape, [1, 6]);
    assertClose(y, withoutPlans(() => m.predict(x)), 'after add');
  });

  it('a layer computing in JavaScript, or a user activation function, keeps the model off plans', () => {
    class Doubled extends Layer {
      override call(x: Tensor): Tensor {
        return new Tensor(Float32Array.from(x.values, (v) => 2 * v), x.shape);
      }
    }
    const withJs = new Sequential([new L.Dense({ units: 3, inputShape: [4] }), new Doubled({}), new L.Dense({ units: 2 })]);
    const withFn = new Sequential([new L.Dense({ units: 3, inputShape: [4], activation: (t: Tensor) => ops.mul(t, 3) })]);
    for (const m of [withJs, withFn]) {
      for (let s = 0; s < 5; s++) {
        const x = randomTensor([2, 4], s);
        assertClose(m.predict(x), withoutPlans(() => m.predict(x)), `input ${s}`);
      }
      assert.equal(planSteps(m, [2, 4]), null);
    }
  });

  it('a pass writing more than MAX_PLAN_BYTES of storage is left to the executor (no plan holds it)', () => {
    // 540×540×32 activations in two buffers (the third layer reuses the first's storage): 75 MB.
    const m = new Sequential([new L.Conv2D({ filters: 32, kernelSize: 3, padding: 'same' }), new L.Conv2D({ filters: 32, kernelSize: 1 }),
      new L.Conv2D({ filters: 32, kernelSize: 1 }), new L.GlobalAveragePooling2D()]);
    assert.ok(2 * 540 * 540 * 32 * 4 > MAX_PLAN_BYTES);
    const x = randomTensor([1, 540, 540, 3], 1);
    for (let i = 0; i < 4; i++) m.predict(x);
    assert.equal(planSteps(m, [1, 540, 540, 3]), null);
    assertClose(m.predict(x), withoutPlans(() => m.predict(x)), 'large pass');
  });

  it('a non-finite input is still refused with the predict() error', () => {
    const m = CASES[0][2]();
    const x = randomTensor([2, 8, 8, 3], 1);
    for (let i = 0; i < 4; i++) m.predict(x);
    const bad = x.values.slice();
    bad[17] = NaN;
    assert.throws(() => m.predict(new Tensor(bad, x.shape)), /predict\(\): x/);
  });

  it('storage a plan writes is never handed to anyone else: two models and other work interleaved', () => {
    // Activations of 2·16·16·4 floats: large enough for the recycling pool (small arrays skip it).
    const build = () => new Sequential([new L.Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      new L.Conv2D({ filters: 4, kernelSize: 3, padding: 'same' }), new L.ReLU(), new L.Conv2D({ filters: 4, kernelSize: 1 })]);
    const a = build();
    const b = build();
    const xa = randomTensor([2, 16, 16, 3], 1);
    const xb = randomTensor([2, 16, 16, 3], 2);
    const wantA = withoutPlans(() => a.predict(xa)).values.slice();
    const wantB = withoutPlans(() => b.predict(xb)).values.slice();
    const kept: [Tensor, Float32Array][] = [];
    for (let i = 0; i < 6; i++) {
      const ya = a.predict(xa);
      // Work of the same sizes through the recycling pool between the replays; its results are kept.
      const side = ops.conv2d(xb, randomTensor([3, 3, 3, 4], i), { padding: 'same' });
      kept.push([side, (side.values as Float32Array).slice()]);
      const yb = b.predict(xb);
      assert.deepEqual(ya.values, wantA, `model a, pass ${i}`);
      assert.deepEqual(yb.values, wantB, `model b, pass ${i}`);
    }
    if (recording) assert.ok(planSteps(a, [2, 16, 16, 3]) !== null && planSteps(b, [2, 16, 16, 3]) !== null);
    kept.forEach(([t, v], i) => assert.deepEqual(t.values, v, `work done between replays, pass ${i}`));
  });
});
