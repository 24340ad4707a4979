/**
 * Seed 000's transfer-learning model, as written there: a Sequential whose first layer is
 * ResNet50(include_top=False, pooling='avg') and then Dense(2, softmax), with the base frozen.
 * Keras prints 23,591,810 parameters, 4,098 trainable and 23,587,712 non-trainable.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { resNet50 } from '../../src/applications/index.js';

describe("seed 000's ResNet50 transfer model", () => {
  it('builds inside a Sequential with Keras\'s totals, and freezing the base leaves only the head trainable', () => {
    const model = new Sequential();
    model.add(resNet50({ includeTop: false, pooling: 'avg' }));
    model.add(L.dense({ units: 2, activation: 'softmax' }));
    model.layers[0].trainable = false;
    const info = model.summary({ printFn: null });
    assert.equal(info.totalParams, 23_591_810);
    assert.equal(info.trainableParams, 4_098);
    assert.equal(info.nonTrainableParams, 23_587_712);
    assert.deepEqual(model.outputs[0]?.shape ?? model.computeOutputShape([null, 224, 224, 3]), [null, 2]);
    assert.equal(model.trainableWeights.length, 2, 'only the Dense kernel and bias train');
  });
});
