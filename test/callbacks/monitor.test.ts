/**
 * Keras 3's MonitorCallback rules (keras/src/callbacks/monitor_callback.py and its test): which way
 * 'auto' watches a value, decided from the loss and the compiled metrics' directions, and
 * min_delta in the improvement test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MonitorCallback, resolveDirection } from '../../src/callbacks/monitor.js';
import { MeanMetricWrapper } from '../../src/metrics/index.js';
import * as ops from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { ValueError } from '../../src/errors.js';
import { EarlyStopping } from '../../src/callbacks/early_stopping.js';
import { tinyData, tinyModel } from './tiny_model.js';

const absDiff = (t: Tensor, p: Tensor) => ops.mean(ops.abs(ops.sub(t, p)), -1);
class Up extends MeanMetricWrapper { readonly direction = 'up' as const; }
class Down extends MeanMetricWrapper { readonly direction = 'down' as const; }

class Probe extends MonitorCallback {
  improves(v: number, ref: number | null): boolean { return this.isImprovement(v, ref); }
}

describe('MonitorCallback rules', () => {
  it("'auto' follows the loss and the compiled metrics' directions (Keras's test cases)", () => {
    const model = tinyModel({ metrics: ['acc', 'accuracy', new Up('f1_score', absDiff), new Down('hinge', absDiff), new MeanMetricWrapper('plain', absDiff)] });
    const cases: [('auto' | 'min' | 'max'), string, 'min' | 'max'][] = [
      ['max', 'val_mse', 'max'], ['min', 'val_loss', 'min'], ['auto', 'loss', 'min'], ['auto', 'val_loss', 'min'],
      ['auto', 'acc', 'max'], ['auto', 'val_accuracy', 'max'], ['auto', 'hinge', 'min'], ['auto', 'f1_score', 'max'],
    ];
    for (const [mode, monitor, want] of cases) assert.equal(resolveDirection('T', monitor, mode, model), want, `${mode} ${monitor}`);
    for (const monitor of ['unknown', 'val_plain', 'val_mse']) {
      assert.throws(() => resolveDirection('EarlyStopping', monitor, 'auto', model),
        (e: Error) => e instanceof ValueError && e.message.startsWith(`EarlyStopping: cannot tell whether monitor "${monitor}"`) && /Pass mode: 'min'/.test(e.message));
    }
  });

  it('min_delta: the value must beat the reference by more than min_delta; anything beats none', () => {
    const p = new Probe('T', 'x', 'max', null, 0.5);
    assert.equal(p.improves(0.75, 0), true);
    assert.equal(p.improves(0.5, null), true);
    assert.equal(p.improves(0.5, 0), false);
    assert.equal(p.improves(0.2, 0.5), false);
    const q = new Probe('T', 'x', 'min', null, -0.5);
    assert.equal(q.minDelta, 0.5, 'the sign of min_delta is ignored');
    assert.equal(q.improves(0.4, 1), true);
    assert.equal(q.improves(0.6, 1), false);
  });

  it("EarlyStopping uses the same rule: 'auto' maximises val_accuracy, rejects an unknown name at train begin", async () => {
    const es = new EarlyStopping({ monitor: 'val_accuracy', patience: 0 });
    const model = tinyModel();
    es.setModel(model);
    es.onTrainBegin();
    assert.equal(es.mode, 'max');
    for (const [epoch, v] of [0.5, 0.6, 0.7].entries()) es.onEpochEnd(epoch, { val_accuracy: v });
    assert.equal(model.stopTraining, false, 'a rising accuracy is an improvement every epoch');
    es.onEpochEnd(3, { val_accuracy: 0.65 });
    assert.equal(model.stopTraining, true);
    const bad = new EarlyStopping({ monitor: 'val_auc' });
    bad.setModel(model);
    assert.throws(() => bad.onTrainBegin(), /EarlyStopping: cannot tell whether monitor "val_auc"/);
    const [x, y] = tinyData(8, 6);
    const h = await tinyModel().fit(x, y, { epochs: 20, verbose: 0, callbacks: [new EarlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e9 })] });
    assert.equal(h.epoch.length, 3, 'no epoch improves the loss by 1e9: stop after patience + 1 epochs');
  });
});
