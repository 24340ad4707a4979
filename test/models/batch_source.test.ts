/**
 * fit / evaluate / predict on a BatchSource (Keras's PyDataset): the same batches as in-memory
 * arrays give the same weights, losses and predictions; bad sources fail clearly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { Batch, BatchSource } from '../../src/data/batch_source.js';
import { Conv2D } from '../../src/layers/convolutional.js';
import { Dense } from '../../src/layers/core.js';
import { Flatten } from '../../src/layers/reshaping.js';
import { Sequential } from '../../src/models/sequential.js';
import { randomUniform, tensor } from '../../src/ops/creation.js';
import * as ops from '../../src/ops/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';

function model(): Sequential {
  const m = new Sequential({ layers: [new Conv2D({ filters: 3, kernelSize: 3, inputShape: [6, 6, 1], activation: 'relu', kernelInitializer: 'ones' as never }), new Flatten(), new Dense({ units: 4, activation: 'softmax', kernelInitializer: 'ones' as never })] });
  m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

const X = randomUniform([10, 6, 6, 1], -1, 1, { seed: 11 });
const Y = tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);

/** Batches of 4 in order (the last one 2), as fit(x, y, {shuffle: false, batchSize: 4}) takes them. */
function source(asyncBatches: boolean, ends: { count: number } = { count: 0 }): BatchSource {
  const slice = (t: Tensor, s: number, m: number) => ops.slice(t, [s, ...t.shape.slice(1).map(() => 0)], [m, ...t.shape.slice(1)]);
  return {
    length: 3,
    batch(i: number) {
      const m = Math.min(4, 10 - i * 4);
      const b: Batch = [slice(X, i * 4, m), slice(Y, i * 4, m)];
      return asyncBatches ? new Promise<Batch>((r) => setImmediate(() => r(b))) : b;
    },
    onEpochEnd() {
      ends.count++;
    },
  };
}

describe('training from a BatchSource', () => {
  for (const asyncBatches of [false, true]) {
    it(`${asyncBatches ? 'async' : 'sync'} batches train exactly like the same arrays, and onEpochEnd runs every epoch`, async () => {
      const a = model();
      const b = model();
      const ends = { count: 0 };
      const ha = await a.fit(X, Y, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0, validationData: [X, Y] });
      const hb = await b.fit(source(asyncBatches, ends), { epochs: 3, verbose: 0, validationData: source(asyncBatches) });
      assert.equal(ends.count, 3);
      assert.deepEqual(hb.history.loss, ha.history.loss);
      assert.deepEqual(hb.history.val_loss, ha.history.val_loss);
      a.weights.forEach((w, i) => assert.deepEqual(Array.from(b.weights[i]!.values), Array.from(w.values)));
      assert.deepEqual(await b.evaluate(source(asyncBatches)), a.evaluate(X, Y, { batchSize: 4 }));
      assert.deepEqual(Array.from((await b.predict(source(asyncBatches))).values), Array.from(a.predict(X).values));
    });
  }

  it('bad sources and arguments fail with what was wrong', async () => {
    const m = model();
    await assert.rejects(m.fit(source(false), Y as never), /do not pass y/);
    await assert.rejects(m.fit(source(false), { validationSplit: 0.2 }), /validationSplit needs in-memory arrays/);
    await assert.rejects(m.fit({ length: 0, batch: () => [X, Y] as Batch }), /0 batches per epoch/);
    await assert.rejects(m.fit({ length: 1, batch: () => [X, tensor([1, 2])] as Batch }, { verbose: 0 }), ShapeError);
    await assert.rejects(m.fit({ length: 1, batch: () => [X] as unknown as Batch }, { verbose: 0 }), (e: Error) => e instanceof ValueError && /batch 0 of the source is not an \[x, y\] pair/.test(e.message));
    const bad = Float32Array.from(X.values);
    bad[40] = NaN;
    await assert.rejects(m.fit({ length: 1, batch: () => [new Tensor(bad, [...X.shape]), Y] as Batch }, { verbose: 0 }), /NaN at sample 1/);
    await assert.rejects(m.fit({ length: 1, batch: () => [X, tensor([0, 1, 2, 3, 9, 1, 2, 3, 0, 1])] as Batch }, { verbose: 0 }), /9/);
  });
});
