/**
 * Storage recycling at inference (src/tensor/recycle.ts, used by the functional and Sequential
 * executors): an intermediate's storage is reused once its last reader ran, but never when the
 * caller still holds it (model inputs and outputs), when a live value shares it, or when a user's
 * layer could have kept a reference. Recycling must not change any prediction. Inference plans
 * (which replay later passes without the executor, test/models/inference_plan.test.ts) are off here.
 */
import { describe, it, afterEach, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import * as ops from '../../src/ops/index.js';
import { Layer, type LayerArgs } from '../../src/layers/layer.js';
import type { SymShape } from '../../src/layers/symbolic.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { Input } from '../../src/layers/input.js';
import { getBackend } from '../../src/backend/registry.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { setRandomSeed } from '../../src/tensor/random.js';
import { randomNormal } from '../../src/ops/creation.js';
import { adoptStorage, clearStoragePool, pooledStorageBytes, recycleStorage, takeStorage } from '../../src/tensor/recycle.js';

const native = getBackend().name === 'native';

/** A user layer that keeps a reference to every tensor it reads (as a debugging hook might). */
class Keep extends Layer {
  static override className = 'Keep';
  kept: { tensor: Tensor; copy: Float32Array }[] = [];
  constructor(args: LayerArgs = {}) { super(args); }
  override computeOutputShape(s: SymShape): SymShape { return s; }
  call(x: Tensor): Tensor {
    this.kept.push({ tensor: x, copy: Float32Array.from(x.values) });
    return ops.relu(x);
  }
}

function functionalModel(keep?: Keep): Model {
  setRandomSeed(5);
  const input = Input({ shape: [12, 12, 3] });
  let y = L.conv2d({ filters: 16, kernelSize: 1, useBias: false }).apply(input) as never;
  y = L.batchNormalization({}).apply(y) as never;
  y = L.reLU({ maxValue: 6 }).apply(y) as never;
  const skip = y;
  y = L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }).apply(y) as never;
  y = L.batchNormalization({}).apply(y) as never;
  if (keep) y = keep.apply(y) as never;
  y = L.conv2d({ filters: 16, kernelSize: 1, useBias: false }).apply(y) as never;
  y = L.batchNormalization({}).apply(y) as never;
  y = L.add().apply([y, skip]) as never;
  y = L.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(y) as never;
  y = L.globalAveragePooling2d({}).apply(y) as never;
  const out = L.dense({ units: 10, activation: 'softmax' }).apply(y) as never;
  return new Model({ inputs: input, outputs: out });
}

/** Features of 8 channels at 6×6 (≥ 1024 values for a batch of 8, so kernels allocate them from the pool). */
function sequentialModel(): Sequential {
  setRandomSeed(6);
  return new Sequential([
    L.dropout({ rate: 0.3, inputShape: [10, 10, 3] }),
    L.conv2d({ filters: 8, kernelSize: 3, useBias: false }),
    L.batchNormalization({}),
    L.reLU({}),
    L.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
  ]);
}

function predictWithoutRecycling(m: Model, x: Tensor): Tensor {
  // Recycling, like fusion, is part of the inference path that CONVKIT_FUSION=0 switches off.
  process.env.CONVKIT_FUSION = '0';
  try {
    return m.predict(x);
  } finally {
    delete process.env.CONVKIT_FUSION;
  }
}

function assertClose(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape);
  for (let i = 0; i < a.size; i++) {
    assert.ok(Math.abs(a.values[i] - b.values[i]) <= 1e-5 * (1 + Math.abs(b.values[i])), `${what}: element ${i}: ${a.values[i]} vs ${b.values[i]}`);
  }
}

describe('storage pool', () => {
  afterEach(() => clearStoragePool());

  it('hands back adopted storage of the same length, most recent first, and ignores anything else', () => {
    assert.equal(takeStorage(1000), null);
    const a = adoptStorage(new Float32Array(1000));
    const b = adoptStorage(new Float32Array(1000));
    assert.equal(recycleStorage(new Tensor(a, [1000])), true);
    assert.equal(recycleStorage(new Tensor(b, [10, 100])), true);
    assert.equal(recycleStorage(new Tensor(b, [1000])), false, 'a buffer already pooled is not pooled twice');
    assert.equal(pooledStorageBytes(), 8000);
    assert.equal(recycleStorage(new Tensor(new Float32Array(1000), [1000])), false, 'user data is never pooled');
    assert.equal(takeStorage(999), null);
    assert.equal(takeStorage(1000), b);
    assert.equal(takeStorage(1000), a);
    assert.equal(takeStorage(1000), null);
    assert.equal(pooledStorageBytes(), 0);
  });
});

describe('storage recycling in predict()', () => {
  before(() => { process.env.CONVKIT_PLAN = '0'; });
  after(() => { delete process.env.CONVKIT_PLAN; });
  afterEach(() => { delete process.env.CONVKIT_FUSION; clearStoragePool(); });

  it('functional model: repeated predictions equal the unrecycled ones, and the pool is reused', () => {
    const m = functionalModel();
    const x = randomNormal([2, 12, 12, 3], 0, 1, { seed: 1 });
    const reference = predictWithoutRecycling(m, x);
    const first = m.predict(x);
    const pooled = pooledStorageBytes();
    if (native) assert.ok(pooled > 0, 'intermediates went back to the pool');
    const second = m.predict(x);
    assertClose(first, reference, 'first predict');
    assertClose(second, reference, 'second predict');
    // A third pass with other data must not disturb the outputs already handed out.
    const firstCopy = Float32Array.from(first.values);
    m.predict(randomNormal([2, 12, 12, 3], 0, 1, { seed: 2 }));
    assert.deepEqual(Float32Array.from(first.values), firstCopy);
    if (native) assert.equal(pooledStorageBytes(), pooled, 'the steady state reuses the same buffers');
  });

  it('the caller\'s input (the output of an earlier predict) is never reused, even when a layer passes it through', () => {
    const features = sequentialModel();
    const x = randomNormal([8, 10, 10, 3], 0, 1, { seed: 3 });
    const reference = predictWithoutRecycling(features, x);
    const f = features.predict(x);
    assertClose(f, reference, 'features');
    assert.ok(f.size >= 1024);
    const fCopy = Float32Array.from(f.values);
    // Dropout returns its input at inference and Flatten shares its storage: without the input
    // pinned, the executors would count the caller's tensor as a dead intermediate.
    const seqHead = new Sequential([L.dropout({ rate: 0.5, inputShape: [6, 6, 8] }), L.flatten({}), L.dense({ units: 3 })]);
    const input = Input({ shape: [6, 6, 8] });
    const passed = L.flatten({}).apply(L.dropout({ rate: 0.5 }).apply(input) as never) as never;
    const graphHead = new Model({ inputs: input, outputs: L.dense({ units: 3 }).apply(passed) as never });
    for (const head of [seqHead, graphHead]) {
      const out1 = head.predict(f);
      for (let i = 0; i < 3; i++) features.predict(randomNormal([8, 10, 10, 3], 0, 1, { seed: 10 + i }));
      assert.deepEqual(Float32Array.from(f.values), fCopy, 'an output handed to the caller is never overwritten');
      assertClose(head.predict(f), out1, 'head on the same input');
    }
  });

  it('a user layer that keeps the tensors it reads sees them unchanged after later predictions', () => {
    const keep = new Keep({ name: 'keep' });
    const m = functionalModel(keep);
    const x = randomNormal([2, 12, 12, 3], 0, 1, { seed: 4 });
    const reference = predictWithoutRecycling(m, x);
    keep.kept = [];
    assertClose(m.predict(x), reference, 'predict');
    for (let i = 0; i < 4; i++) m.predict(randomNormal([2, 12, 12, 3], 0, 1, { seed: 20 + i }));
    assert.equal(keep.kept.length, 5);
    for (const { tensor, copy } of keep.kept) assert.deepEqual(Float32Array.from(tensor.values), copy);
  });

  it('training calls never recycle: the tape still holds the activations', () => {
    const m = functionalModel();
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    clearStoragePool();
    const x = randomNormal([4, 12, 12, 3], 0, 1, { seed: 5 });
    m.trainOnBatch(x, new Tensor(new Float32Array([1, 2, 3, 4]), [4]));
    assert.equal(pooledStorageBytes(), 0);
  });
});
