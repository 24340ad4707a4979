import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FloatArray } from '../../../src/backend/backend.js';
import { jsBackend as B } from '../../../src/backend/js/index.js';
import { conv2dInfo, pool2dInfo } from '../../../src/shape/conv.js';
import { randArray, rng } from './helpers.js';

/** Every float kernel, called once per element type: the output must have the input's type. */
test('every kernel returns the element type of its float input', () => {
  const ci = conv2dInfo({ inShape: [1, 4, 4, 2], filterSize: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same', name: 't' }, 3);
  const di = conv2dInfo({ inShape: [1, 4, 4, 2], filterSize: [3, 3], strides: [1, 1], dilations: [1, 1], padding: 'same', name: 't' }, 4, 2);
  const pi = pool2dInfo({ inShape: [1, 4, 4, 2], filterSize: [2, 2], strides: [2, 2], padding: 'valid', name: 't' });
  for (const type of ['float32', 'float64'] as const) {
    const Ctor = type === 'float32' ? Float32Array : Float64Array;
    const r = rng(4);
    const v = (n: number): FloatArray => randArray(n, r, type);
    const x = v(32), x6 = v(6), relu = { negativeSlope: 0.1, threshold: 0 };
    const outputs: [string, unknown][] = [
      ['unary', B.unary('gelu', x6)],
      ['unaryGrad', B.unaryGrad('gelu', x6, x6, x6)],
      ['relu', B.relu(x6, relu)],
      ['reluGrad', B.reluGrad(x6, x6, relu)],
      ['binary', B.binary('add', x6, [2, 3], v(3), [3], [2, 3])],
      ['clip', B.clip(x6, 0, 1)],
      ['where', B.where(x6, x6, x6)],
      ['reduce', B.reduce('mean', x6, [2, 3], [1])],
      ['matmul', B.matmul(x6, x6, 1, 2, 3, 2, false, true, 1)],
      ['transpose', B.transpose(x6, [2, 3], [1, 0])],
      ['slice', B.slice(x6, [2, 3], [0, 0], [1, 3])],
      ['concat', B.concat([x6, x6], [[6], [6]], 0)],
      ['pad', B.pad(x6, [6], [[1, 1]], 0)],
      ['gather', B.gather(x6, [6], Int32Array.from([0]), 0)],
      ['gatherGrad', B.gatherGrad(x6, [6], Int32Array.from([0, 1, 2, 3, 4, 5]), 0)],
      ['broadcastTo', B.broadcastTo(x6, [6], [2, 6])],
      ['conv2d', B.conv2d(x, v(54), ci)],
      ['conv2dBackpropInput', B.conv2dBackpropInput(v(48), v(54), ci)],
      ['conv2dBackpropFilter', B.conv2dBackpropFilter(x, v(48), ci)],
      ['depthwiseConv2d', B.depthwiseConv2d(x, v(36), di)],
      ['depthwiseConv2dBackpropInput', B.depthwiseConv2dBackpropInput(v(64), v(36), di)],
      ['depthwiseConv2dBackpropFilter', B.depthwiseConv2dBackpropFilter(x, v(64), di)],
      ['maxPool', B.maxPool(x, pi)],
      ['maxPoolBackprop', B.maxPoolBackprop(v(8), x, pi)],
      ['avgPool', B.avgPool(x, pi)],
      ['avgPoolBackprop', B.avgPoolBackprop(v(8), pi)],
      ['softmax', B.softmax(x6, 2, 3)],
      ['logSoftmax', B.logSoftmax(x6, 2, 3)],
      ['batchNormInference', B.batchNormInference(x6, v(3), v(3).map(Math.abs), v(3), v(3), 3, 1e-3)],
    ];
    for (const [name, out] of outputs) assert.ok(out instanceof Ctor, `${name} (${type}) returned ${(out as object).constructor.name}`);
  }
});
