/**
 * Non-finite training steps: fit() never applies a batch whose loss or gradients are NaN or
 * infinite, TerminateOnNaN stops there naming the epoch, batch and layer where the bad values
 * began, and the model keeps the weights (and batch-norm statistics) of the last good batch.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import * as ops from '../../src/ops/index.js';
import { Layer, type LayerArgs } from '../../src/layers/layer.js';
import type { SymShape } from '../../src/layers/symbolic.js';
import { Sequential } from '../../src/models/sequential.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { setRandomSeed } from '../../src/tensor/random.js';
import { Callback } from '../../src/callbacks/callback.js';
import { TerminateOnNaN } from '../../src/callbacks/early_stopping.js';

/** sqrt: NaN for negative inputs (a forward fault), an infinite gradient at 0 (a backward fault). */
class Sqrt extends Layer {
  static override className = 'Sqrt';
  constructor(args: LayerArgs = {}) { super(args); }
  override computeOutputShape(s: SymShape): SymShape { return s; }
  call(x: Tensor): Tensor { return ops.sqrt(x); }
}

function model(): Sequential {
  setRandomSeed(2);
  const m = new Sequential([
    L.dense({ units: 2, inputShape: [2], name: 'first', kernelInitializer: 'ones', biasInitializer: 'zeros' }),
    new Sqrt({ name: 'root' }),
    L.batchNormalization({ name: 'bn' }),
    L.dense({ units: 1, name: 'last' }),
  ]);
  m.compile({ optimizer: new SGD({ learningRate: 0.01 }), loss: 'mse' });
  return m;
}

/** Batches of 4 (no shuffling): every sample positive, except in batch `bad`, which is `value`. */
function data(bad: number, value: number): [Tensor, Tensor] {
  const n = 16;
  const x = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const inBad = Math.floor(i / 4) === bad;
    x[2 * i] = inBad ? value : 1 + i;
    x[2 * i + 1] = inBad ? value : 2 + (i % 3);
  }
  return [new Tensor(x, [n, 2]), new Tensor(Float32Array.from({ length: n }, (_, i) => i % 2), [n, 1])];
}

/** Copies of every weight (moving statistics included) at the end of each batch. */
class Recorder extends Callback {
  readonly after: Float32Array[][] = [];
  override onBatchEnd(): void {
    this.after.push(this.model!.weights.map((v) => Float32Array.from(v.values)));
  }
}

const quiet = async <T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> => {
  const lines: string[] = [];
  const [log, warn] = [console.log, console.warn];
  console.log = (s: string) => lines.push(String(s));
  console.warn = (s: string) => lines.push(String(s));
  try {
    return { value: await fn(), lines };
  } finally {
    console.log = log;
    console.warn = warn;
  }
};

describe('non-finite steps', () => {
  it('TerminateOnNaN stops at the batch whose forward pass went non-finite, names the layer, keeps the last good weights', async () => {
    // Sample 9 (in batch 2) is negative: sqrt gives NaN, which the batch norm after it spreads
    // into its moving statistics during the forward pass; those must be restored too.
    const [x, y] = data(2, -3);
    const m = model();
    const rec = new Recorder();
    const stop = new TerminateOnNaN();
    const { value: history, lines } = await quiet(() => m.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, callbacks: [rec, stop] }));
    assert.ok(stop.fault, 'TerminateOnNaN records the fault');
    assert.equal(stop.fault.epoch, 0);
    assert.equal(stop.fault.batch, 2);
    assert.equal(stop.fault.kind, 'loss');
    assert.equal(stop.fault.layer, 'root');
    assert.equal(stop.fault.layerClass, 'Sqrt');
    assert.ok(lines.some((l) => /Batch 2: Invalid loss, terminating training\. Epoch 1, batch 3: the loss is NaN; the first non-finite values appear in the output of layer "root" \(Sqrt\)/.test(l)), lines.join('\n'));
    assert.equal(rec.after.length, 3, 'training stopped after the faulty batch');
    m.weights.forEach((v, i) => {
      assert.deepEqual(Float32Array.from(v.values), rec.after[1][i], `${v.name}: the weights after batch 1 are kept`);
      assert.ok(v.values.every(Number.isFinite));
    });
    assert.equal(history.epoch.length, 1, 'Keras runs the epoch end after a batch stop');
  });

  it('names the layer whose weights got non-finite gradients when the loss stays finite', async () => {
    const [x, y] = data(-1, 0);
    const m = new Sequential([
      L.dense({ units: 2, inputShape: [2], name: 'first', kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      new Sqrt({ name: 'root' }),
      L.dense({ units: 1, name: 'last' }),
    ]);
    m.compile({ optimizer: new SGD({ learningRate: 0.01 }), loss: 'mse' });
    // The first layer's kernel is ones and bias zeros: a zero sample reaches sqrt at exactly 0,
    // whose derivative is infinite, so 'first' gets non-finite gradients while the loss is finite.
    (x.values as Float32Array).fill(0, 0, 2); // sample 0, in batch 0 (before any update moves the bias)
    const initial = m.weights.map((v) => Float32Array.from(v.values));
    const rec = new Recorder();
    const stop = new TerminateOnNaN();
    await quiet(() => m.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0, callbacks: [rec, stop] }));
    assert.ok(stop.fault);
    assert.equal(stop.fault.kind, 'gradient');
    assert.equal(stop.fault.batch, 0);
    assert.equal(stop.fault.layer, 'first');
    assert.ok(Number.isFinite(stop.fault.loss));
    assert.equal(rec.after.length, 1);
    m.weights.forEach((v, i) => assert.deepEqual(Float32Array.from(v.values), initial[i], 'the initial weights are kept'));
  });

  it('without TerminateOnNaN, skips the bad batch, warns once, and trains on', async () => {
    const [x, y] = data(-1, 0);
    (x.values as Float32Array).fill(0, 0, 2);
    const m = new Sequential([
      L.dense({ units: 2, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'zeros' }),
      new Sqrt({ name: 'root' }),
      L.dense({ units: 1 }),
    ]);
    m.compile({ optimizer: new SGD({ learningRate: 0.01 }), loss: 'mse' });
    const initial = m.weights.map((v) => Float32Array.from(v.values));
    const rec = new Recorder();
    const { lines } = await quiet(() => m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0, callbacks: [rec] }));
    assert.equal(rec.after.length, 8, 'both epochs ran');
    assert.equal(lines.filter((l) => /the gradients are not/.test(l)).length, 1, lines.join('\n'));
    assert.ok(lines[0].includes('Add callbacks.terminateOnNaN()'));
    rec.after[0].forEach((w, i) => assert.deepEqual(w, initial[i], 'batch 0 (the bad one) changed nothing'));
    assert.notDeepEqual(rec.after[1][0], rec.after[0][0], 'batch 1 trained');
    assert.ok(m.weights.every((v) => v.values.every(Number.isFinite)));
  });
});
