import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { tensor } from '../../src/ops/creation.js';
import * as ops from '../../src/ops/index.js';

describe("seeds' small cases", () => {
  it("seed 004: MaxPool2D 2x2 stride 1 on [[4,3],[2,1]]: valid -> [[4]], same -> 2x2", () => {
    const image = tensor([[[[4], [3]], [[2], [1]]]]);
    const valid = L.maxPool2d({ poolSize: [2, 2], strides: 1, padding: 'valid' }).apply(image);
    assert.deepEqual(valid.toArray(), [[[[4]]]]);
    const same = L.maxPool2d({ poolSize: [2, 2], strides: 1, padding: 'same' }).apply(image);
    assert.deepEqual([...same.shape], [1, 2, 2, 1]);
    assert.deepEqual(same.toArray(), [[[[4], [3]], [[2], [1]]]]);
  });

  it('seed 003: conv same 32 filters on (1, 427, 640, 3) -> (1, 427, 640, 32); MaxPooling2D(2) -> (1, 213, 320, 32); GAP -> (1, 32)', () => {
    const conv = L.conv2d({ filters: 32, kernelSize: 3, padding: 'same' });
    assert.deepEqual(conv.computeOutputShape([1, 427, 640, 3]), [1, 427, 640, 32]);
    assert.deepEqual(L.maxPooling2d({ poolSize: 2 }).computeOutputShape([1, 427, 640, 32]), [1, 213, 320, 32]);
    assert.deepEqual(L.globalAveragePooling2d().computeOutputShape([1, 427, 640, 32]), [1, 32]);
  });

  it('seed 001: 7x7 with 3x3 stride 1 -> 5x5; stride 3 does not fit and valid floors to 2x2 like Keras', () => {
    assert.deepEqual(L.conv2d({ filters: 1, kernelSize: 3 }).computeOutputShape([null, 7, 7, 1]), [null, 5, 5, 1]);
    assert.deepEqual(L.conv2d({ filters: 1, kernelSize: 3, strides: 3 }).computeOutputShape([null, 7, 7, 1]), [null, 2, 2, 1]);
  });

  it('global average pooling averages each channel', () => {
    const x = ops.reshape(ops.range(0, 8), [1, 2, 2, 2]);
    assert.deepEqual(L.globalAveragePooling2d().apply(x).toArray(), [[3, 4]]);
  });
});
