import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { Input } from '../../src/layers/input.js';
import * as ops from '../../src/ops/index.js';
import { tensor } from '../../src/ops/creation.js';
import { lenet5 } from '../../src/applications/seed_models.js';
import { ShapeError, ValueError } from '../../src/errors.js';

describe('bad input gets a clear error', () => {
  it('an input of the wrong shape names the layer, the expected and the actual shape', () => {
    const model = lenet5();
    assert.throws(() => model.predict(ops.zeros([2, 32, 32, 3])), (e: Error) => {
      assert.match(e.message, /conv2d/);
      assert.match(e.message, /expected shape=\(None, 28, 28, 1\)/);
      assert.match(e.message, /found shape=\(2, 32, 32, 3\)/);
      return true;
    });
    const dense = L.dense({ units: 3 });
    dense.apply(ops.zeros([1, 4]));
    assert.throws(() => dense.apply(ops.zeros([1, 5])), /Input 0 of layer "dense.*expected axis -1 of input shape to have value 4, but received input with shape \(1, 5\)/);
    const input = Input({ shape: [28, 28, 1] });
    const functional = new Model({ inputs: input, outputs: L.flatten().apply(input) });
    assert.throws(() => functional.predict(ops.zeros([1, 28, 28, 3])), /expected shape=\(None, 28, 28, 1\), found shape=\(1, 28, 28, 3\)/);
  });

  it('a Conv2D whose output would be empty shows the output-size arithmetic', () => {
    assert.throws(() => new Sequential([L.conv2d({ filters: 4, kernelSize: 5, inputShape: [3, 3, 1] })]), (e: Error) => {
      assert.ok(e instanceof ShapeError);
      assert.match(e.message, /conv2d/);
      assert.match(e.message, /output would be empty/);
      assert.match(e.message, /floor\(\(3 - 5\) \/ 1\) \+ 1/);
      return true;
    });
    assert.throws(() => new Sequential([L.maxPooling2d({ poolSize: 4, inputShape: [2, 9, 1] })]), /height 'valid': floor\(\(2 - 4\) \/ 4\) \+ 1/);
  });

  it('unknown activation, loss, optimizer and metric names list the valid ones', () => {
    assert.throws(() => L.dense({ units: 2, activation: 'rleu' }), /Unknown activation "rleu"\. Valid activations: linear, relu, relu6, sigmoid/);
    const m = lenet5();
    assert.throws(() => m.compile({ optimizer: 'adma', loss: 'mse' }), /Unknown optimizer "adma".*adam/i);
    assert.throws(() => m.compile({ optimizer: 'adam', loss: 'sparse_crossentropy' }), /Unknown loss "sparse_crossentropy"\. Valid losses: sparse_categorical_crossentropy/);
    assert.throws(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] }), /Unknown metric "acuracy"/);
    assert.throws(() => L.conv2d({ filters: 2, kernelSize: 3, padding: 'full' as never }), /Unknown padding.*valid, same/);
  });

  it('labels out of range', async () => {
    const m = lenet5();
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = ops.zeros([4, 28, 28, 1]);
    await assert.rejects(m.fit(x, tensor([0, 1, 10, 2]), { epochs: 1, verbose: 0 }), (e: Error) => {
      assert.ok(e instanceof ValueError);
      assert.match(e.message, /label 10 at index 2 is out of range: expected integer class indices in \[0, 10\)/);
      return true;
    });
    await assert.rejects(m.fit(x, tensor([0, 1, -1, 2]), { epochs: 1, verbose: 0 }), /label -1/);
    await assert.rejects(m.fit(x, tensor([0, 1, 1.5, 2]), { epochs: 1, verbose: 0 }), /label 1.5/);
  });

  it('NaN in inputs', async () => {
    const m = lenet5();
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = ops.zeros([4, 28, 28, 1]);
    x.values[2 * 784 + 5] = NaN;
    await assert.rejects(m.fit(x, tensor([0, 1, 2, 3]), { epochs: 1, verbose: 0 }), /x contains NaN at sample 2/);
    assert.throws(() => m.predict(x), /contains NaN at sample 2/);
    assert.throws(() => m.evaluate(x, tensor([0, 1, 2, 3])), /contains NaN at sample 2/);
  });

  it('infinities anywhere in the inputs, including the last value', () => {
    const m = new Sequential([L.dense({ units: 2, inputShape: [3] })]);
    for (const [pos, val] of [[14, -Infinity], [4, Infinity], [0, Infinity]] as const) {
      const x = ops.zeros([5, 3]);
      x.values[pos] = val;
      assert.throws(() => m.predict(x), new RegExp(`contains an infinite value at sample ${Math.floor(pos / 3)} \\(flat index ${pos}\\)`));
    }
    assert.equal(m.predict(ops.zeros([5, 3])).shape[0], 5);
  });

  it('mismatched sample counts and missing compile', async () => {
    const m = lenet5();
    assert.throws(() => m.evaluate(ops.zeros([2, 28, 28, 1]), tensor([0, 1])), /must call compile\(\)/);
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await assert.rejects(m.fit(ops.zeros([3, 28, 28, 1]), tensor([0, 1]), { verbose: 0 }), /same number of samples: x has 3.*y has 2/);
  });
});
