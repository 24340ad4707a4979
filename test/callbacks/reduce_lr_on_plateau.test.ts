/**
 * ReduceLROnPlateau against Keras 3 (keras/src/callbacks/reduce_lr_on_plateau.py on
 * MonitorCallback). The expected sequences were worked out by running Keras's on_epoch_end
 * algorithm step by step (in CPython, with the rate held in float32 as Keras's variable holds it)
 * on the scripted val_loss values below.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReduceLROnPlateau } from '../../src/callbacks/reduce_lr_on_plateau.js';
import { CSVLogger } from '../../src/callbacks/csv_logger.js';
import { LambdaCallback } from '../../src/callbacks/lambda_callback.js';
import type { Logs } from '../../src/callbacks/callback.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { ExponentialDecay } from '../../src/optimizers/schedules.js';
import { ValueError } from '../../src/errors.js';
import type { Model } from '../../src/models/model.js';
import { tempDir, tinyData, tinyModel } from './tiny_model.js';

interface Trace { logged: number[]; lr: number[]; wait: number[]; cooldown: number[] }

function drive(cb: ReduceLROnPlateau, model: Model, epochLogs: Logs[]): Trace {
  cb.setModel(model);
  cb.onTrainBegin();
  const t: Trace = { logged: [], lr: [], wait: [], cooldown: [] };
  for (const [epoch, logs] of epochLogs.entries()) {
    const l = { ...logs };
    cb.onEpochEnd(epoch, l);
    t.logged.push(l.learning_rate!);
    t.lr.push(model.compiled!.optimizer.learningRate as number);
    t.wait.push(cb.wait);
    t.cooldown.push(cb.cooldownCounter);
  }
  return t;
}

const sgd = (lr: number) => tinyModel({ optimizer: new SGD({ learningRate: lr }) });

describe('ReduceLROnPlateau', () => {
  it('reduces after patience, honours cooldown (its last epoch counts) and stops at minLr, as Keras', () => {
    const valLoss = [1.0, 1.0, 1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95];
    const lines: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
    let t: Trace;
    try {
      t = drive(new ReduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02, verbose: 1 }), sgd(0.1), valLoss.map((v) => ({ loss: 1, val_loss: v })));
    } finally {
      console.log = orig;
    }
    assert.deepEqual(t.logged, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02], 'learning_rate in each epoch\'s logs');
    assert.deepEqual(t.lr, [0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02]);
    // Keras's counters after each epoch; at epoch 10 the rate already equals min_lr (in float32), so
    // wait keeps growing instead of a no-op "reduction" restarting the cooldown.
    assert.deepEqual(t.wait, [0, 1, 0, 0, 1, 0, 1, 0, 1, 2, 3]);
    assert.deepEqual(t.cooldown, [0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0]);
    assert.deepEqual(lines, [
      '\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.05.',
      '\nEpoch 6: ReduceLROnPlateau reducing learning rate to 0.025.',
      '\nEpoch 8: ReduceLROnPlateau reducing learning rate to 0.02.',
    ]);
  });

  it("mode 'auto' maximises val_accuracy; a change below minDelta is no improvement", () => {
    const cb = new ReduceLROnPlateau({ monitor: 'val_accuracy', factor: 0.1, patience: 1, cooldown: 2 });
    const t = drive(cb, sgd(0.1), [0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.60005, 0.7, 0.7, 0.7].map((v) => ({ val_accuracy: v })));
    const reducedAt = t.lr.flatMap((lr, i) => (i > 0 ? lr < t.lr[i - 1]! : lr < 0.1) ? [i + 1] : []);
    assert.deepEqual(reducedAt, [3, 5, 7, 9], '1-based epochs with a reduction');
    assert.deepEqual(t.cooldown, [0, 0, 2, 1, 2, 1, 2, 1, 2, 1]);
    assert.equal(cb.best, 0.7);
  });

  it('in a real fit the rate drops every epoch after the first, and CSVLogger records learning_rate', async () => {
    const path = join(tempDir(), 'lr.csv');
    const model = sgd(0.1);
    const [x, y] = tinyData(8, 9);
    // No epoch improves "loss" by 10, and patience 0 reduces at the first non-improvement.
    const rlr = new ReduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 0, min_delta: 10 });
    await model.fit(x, y, { epochs: 4, batchSize: 4, verbose: 0, callbacks: [rlr, new CSVLogger(path)] });
    assert.equal(model.compiled!.optimizer.learningRate, 0.0125);
    const rows = readFileSync(path, 'utf8').trim().split('\r\n').map((l) => l.split(','));
    const col = rows[0]!.indexOf('learning_rate');
    assert.ok(col > 0, `header ${rows[0]}`);
    assert.deepEqual(rows.slice(1).map((r) => r[col]), ['0.1', '0.1', '0.05', '0.025']);
  });

  it('warns once with the available keys when the monitor is missing, and leaves the rate alone', () => {
    const warnings: string[] = [];
    const orig = console.warn;
    console.warn = (...a: unknown[]) => { warnings.push(a.join(' ')); };
    let t: Trace;
    try {
      t = drive(new ReduceLROnPlateau({ patience: 0 }), sgd(0.1), [{ loss: 1 }, { loss: 2 }, { loss: 3 }]);
    } finally {
      console.warn = orig;
    }
    assert.deepEqual(t.lr, [0.1, 0.1, 0.1]);
    assert.deepEqual(warnings, ['Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: loss,learning_rate.']);
  });

  it('rejects factor >= 1 (as Keras), bad options, schedules and unknown directions', async () => {
    assert.throws(() => new ReduceLROnPlateau({ factor: 1 }), (e: Error) => e instanceof ValueError && /does not support a factor >= 1\.0\. Received factor=1/.test(e.message));
    assert.throws(() => new ReduceLROnPlateau({ factor: -0.5 }), /factor must be in \[0, 1\)/);
    assert.throws(() => new ReduceLROnPlateau({ patience: -1 }), /patience/);
    assert.throws(() => new ReduceLROnPlateau({ min_lr: 0.1, minLr: 0.2 }), /two spellings of the same option/);
    assert.throws(() => new ReduceLROnPlateau({ epsilon: 1e-3 } as never), /unrecognized option "epsilon"/);
    const scheduled = tinyModel({ optimizer: new SGD({ learningRate: new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }) }) });
    const [x, y] = tinyData(4, 1);
    let batches = 0;
    await assert.rejects(
      scheduled.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new ReduceLROnPlateau(), new LambdaCallback({ onBatchEnd: () => { batches++; } })] }),
      (e: Error) => e instanceof ValueError && /learning rate is a LearningRateSchedule, so ReduceLROnPlateau cannot set it/.test(e.message),
    );
    assert.equal(batches, 0, 'the error comes at train begin');
    assert.throws(() => drive(new ReduceLROnPlateau({ monitor: 'val_mae' }), sgd(0.1), [{ val_mae: 1 }]), /cannot tell whether monitor "val_mae" should be minimized or maximized/);
  });
});
