/** LambdaCallback: camelCase and Keras snake_case hook names, called by fit() in Keras's order. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LambdaCallback } from '../../src/callbacks/lambda_callback.js';
import { ValueError } from '../../src/errors.js';
import { tinyData, tinyModel } from './tiny_model.js';

describe('LambdaCallback', () => {
  it('calls every given hook with fit()\'s arguments; snake_case names work too', async () => {
    const events: string[] = [];
    const cb = new LambdaCallback({
      onTrainBegin: () => { events.push('train_begin'); },
      on_epoch_begin: (e) => { events.push(`epoch_begin ${e}`); },
      on_train_batch_begin: (b) => { events.push(`batch_begin ${b}`); },
      onBatchEnd: (b, logs) => { events.push(`batch_end ${b} ${typeof logs.loss}`); },
      on_epoch_end: async (e, logs) => { await Promise.resolve(); events.push(`epoch_end ${e} ${Object.keys(logs).join('|')}`); },
      on_train_end: () => { events.push('train_end'); },
    });
    const [x, y] = tinyData(4, 1);
    await tinyModel().fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: [cb] });
    assert.deepEqual(events, [
      'train_begin',
      'epoch_begin 0', 'batch_begin 0', 'batch_end 0 number', 'batch_begin 1', 'batch_end 1 number', 'epoch_end 0 loss|accuracy',
      'epoch_begin 1', 'batch_begin 0', 'batch_end 0 number', 'batch_begin 1', 'batch_end 1 number', 'epoch_end 1 loss|accuracy',
      'train_end',
    ]);
  });

  it('hooks not given stay no-ops; unknown names, non-functions and double spellings are errors', () => {
    const cb = new LambdaCallback({ onEpochEnd: undefined, on_train_end: null as never });
    assert.ok(!Object.hasOwn(cb, 'onEpochEnd') && !Object.hasOwn(cb, 'onTrainEnd'), 'the inherited no-ops remain');
    assert.throws(() => new LambdaCallback({ on_epoch_ends: () => {} } as never),
      (e: Error) => e instanceof ValueError && /unknown hook "on_epoch_ends"/.test(e.message) && /on_epoch_end/.test(e.message));
    assert.throws(() => new LambdaCallback({ onEpochEnd: 3 } as never), /onEpochEnd must be a function, got number/);
    assert.throws(() => new LambdaCallback({ onBatchEnd: () => {}, on_train_batch_end: () => {} }), /onBatchEnd and on_train_batch_end both set the onBatchEnd hook/);
  });
});
