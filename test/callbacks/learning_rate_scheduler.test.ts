/**
 * LearningRateScheduler against Keras 3 (keras/src/callbacks/learning_rate_scheduler.py): the
 * rate is set from schedule(epoch, lr) at each epoch begin, logged as learning_rate at epoch end,
 * and the optimizer's next steps really use it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LearningRateScheduler } from '../../src/callbacks/learning_rate_scheduler.js';
import { LambdaCallback } from '../../src/callbacks/lambda_callback.js';
import { SGD } from '../../src/optimizers/sgd.js';
import { ExponentialDecay } from '../../src/optimizers/schedules.js';
import { ValueError } from '../../src/errors.js';
import { tinyData, tinyModel, weightValues } from './tiny_model.js';

describe('LearningRateScheduler', () => {
  it('the rate set at epoch begin is the one the next steps use', async () => {
    const model = tinyModel({ optimizer: new SGD({ learningRate: 0.01 }) });
    const [x, y] = tinyData(8, 3);
    const calls: [number, number][] = [];
    // Epoch 2 trains with rate 0: its steps must leave every weight exactly as epoch 1 left it.
    const sched = new LearningRateScheduler((epoch, lr) => { calls.push([epoch, lr]); return epoch === 1 ? 0 : 0.1; });
    const snapshots: number[][][] = [];
    const logged: number[] = [];
    const record = new LambdaCallback({
      onTrainBegin: () => { snapshots.push(weightValues(model)); },
      onEpochEnd: (_e, logs) => { snapshots.push(weightValues(model)); logged.push(logs.learning_rate!); },
    });
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, seed: 2, callbacks: [sched, record] });
    assert.deepEqual(calls, [[0, 0.01], [1, 0.1], [2, 0]], 'schedule(epoch, current rate)');
    assert.deepEqual(logged, [0.1, 0, 0.1]);
    assert.notDeepEqual(snapshots[1], snapshots[0], 'epoch 1 (rate 0.1) moved the weights');
    assert.deepEqual(snapshots[2], snapshots[1], 'epoch 2 (rate 0) did not');
    assert.notDeepEqual(snapshots[3], snapshots[2], 'epoch 3 (rate 0.1) moved them again');
    assert.equal(model.compiled!.optimizer.learningRate, 0.1);
  });

  it('a one-argument schedule works, and verbose prints Keras\'s line', async () => {
    const model = tinyModel({ optimizer: new SGD({ learningRate: 0.5 }) });
    const [x, y] = tinyData(4, 4);
    const lines: string[] = [];
    const orig = console.log;
    console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
    try {
      await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new LearningRateScheduler((epoch) => 0.1 / (epoch + 1), { verbose: 1 })] });
    } finally {
      console.log = orig;
    }
    assert.deepEqual(lines, ['\nEpoch 1: LearningRateScheduler setting learning rate to 0.1.', '\nEpoch 2: LearningRateScheduler setting learning rate to 0.05.']);
  });

  it('a non-number or non-finite result, a schedule-driven optimizer and a non-function are clear errors', async () => {
    const [x, y] = tinyData(4, 5);
    for (const [bad, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], ['0.1', '"0.1"'], [undefined, 'undefined'], [-1, '-1']] as const) {
      const model = tinyModel();
      await assert.rejects(
        model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new LearningRateScheduler(() => bad as unknown as number)] }),
        (e: Error) => e instanceof ValueError && e.message.includes(`the schedule returned ${shown} for epoch 0; expected a finite number >= 0`),
      );
      assert.equal(model.compiled!.optimizer.learningRate, 0.01, 'the rate is left as it was');
    }
    const scheduled = tinyModel({ optimizer: new SGD({ learningRate: new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }) }) });
    await assert.rejects(scheduled.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new LearningRateScheduler(() => 0.1)] }),
      /SGD optimizer's learning rate is a LearningRateSchedule, so LearningRateScheduler cannot set it/);
    assert.throws(() => new LearningRateScheduler(0.1 as never), /schedule must be a function/);
  });
});
