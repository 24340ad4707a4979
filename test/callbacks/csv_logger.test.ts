/**
 * CSVLogger against Keras 3 (keras/src/callbacks/csv_logger.py). The expected file contents were
 * produced by running Keras's CSVLogger logic (csv.DictWriter, excel dialect) in CPython on the
 * same logs; the test itself runs no Python.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CSVLogger } from '../../src/callbacks/csv_logger.js';
import type { Logs } from '../../src/callbacks/callback.js';
import { ValueError } from '../../src/errors.js';
import { tempDir, tinyData, tinyModel } from './tiny_model.js';

async function drive(cb: CSVLogger, epochLogs: Logs[]): Promise<void> {
  await cb.onTrainBegin();
  for (const [epoch, logs] of epochLogs.entries()) cb.onEpochEnd(epoch, logs);
  cb.onTrainEnd();
}

describe('CSVLogger', () => {
  it('writes the header of sorted keys, adds the val_ columns as NA, Python float text, CRLF', async () => {
    const path = join(tempDir(), 'log.csv');
    await drive(new CSVLogger(path), [{ loss: 0.5, accuracy: 1 }, { loss: 0.25, accuracy: 1e-5 }]);
    assert.equal(readFileSync(path, 'utf8'), 'epoch,accuracy,loss,val_accuracy,val_loss\r\n0,1.0,0.5,NA,NA\r\n1,1e-05,0.25,NA,NA\r\n');
  });

  it('quotes fields as Python csv does, keeps the first epoch\'s columns, custom separator', async () => {
    const path = join(tempDir(), 'log.csv');
    await drive(new CSVLogger(path, { separator: ';' }), [{ val_loss: 0.5, loss: 0.75, 'b;c': NaN }, { loss: 0.125 }]);
    assert.equal(readFileSync(path, 'utf8'), 'epoch;"b;c";loss;val_loss\r\n0;nan;0.75;0.5\r\n1;NA;0.125;NA\r\n');
    const path2 = join(tempDir(), 'log.csv');
    await drive(new CSVLogger(path2), [{ loss: 0.5, lr: 0.1, 'x"y': 2 }]);
    assert.equal(readFileSync(path2, 'utf8'), 'epoch,loss,lr,"x""y",val_loss,val_lr,"val_x""y"\r\n0,0.5,0.1,2.0,NA,NA,NA\r\n');
  });

  it('append continues an existing file without a second header; an empty file gets one; default overwrites', async () => {
    const dir = tempDir();
    const path = join(dir, 'log.csv');
    writeFileSync(path, 'epoch,loss,val_loss\r\n0,0.9,1.0\r\n');
    await drive(new CSVLogger(path, { append: true }), [{ loss: 0.5, val_loss: 0.6 }]);
    assert.equal(readFileSync(path, 'utf8'), 'epoch,loss,val_loss\r\n0,0.9,1.0\r\n0,0.5,0.6\r\n');
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await drive(new CSVLogger(empty, { append: true }), [{ loss: 0.5, val_loss: 0.6 }]);
    assert.equal(readFileSync(empty, 'utf8'), 'epoch,loss,val_loss\r\n0,0.5,0.6\r\n');
    await drive(new CSVLogger(path), [{ loss: 0.5, val_loss: 0.6 }]);
    assert.equal(readFileSync(path, 'utf8'), 'epoch,loss,val_loss\r\n0,0.5,0.6\r\n');
  });

  it('each row is in the file as soon as its epoch ends', async () => {
    const path = join(tempDir(), 'log.csv');
    const cb = new CSVLogger(path);
    await cb.onTrainBegin();
    cb.onEpochEnd(0, { loss: 2, val_loss: 3 });
    assert.equal(readFileSync(path, 'utf8'), 'epoch,loss,val_loss\r\n0,2.0,3.0\r\n');
    cb.onEpochEnd(1, { loss: 1, val_loss: 2 });
    assert.equal(readFileSync(path, 'utf8').split('\r\n').length, 4);
    cb.onTrainEnd();
  });

  it('in a real fit the rows hold exactly the values History records', async () => {
    const path = join(tempDir(), 'fit.csv');
    const model = tinyModel();
    const [x, y] = tinyData(16, 7);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 4, validationSplit: 0.25, verbose: 0, seed: 1, callbacks: [new CSVLogger(path)] });
    const lines = readFileSync(path, 'utf8').split('\r\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines[0], 'epoch,accuracy,loss,val_accuracy,val_loss');
    assert.equal(lines.length, 4);
    for (let e = 0; e < 3; e++) {
      const [epoch, acc, loss, vacc, vloss] = lines[e + 1]!.split(',').map(Number);
      assert.equal(epoch, e);
      // Python's float repr round-trips, so the text gives back the exact logged number.
      assert.deepEqual([acc, loss, vacc, vloss], [h.accuracy![e], h.loss![e], h.val_accuracy![e], h.val_loss![e]]);
    }
  });

  it('rejects a bad separator and names the path it cannot open', async () => {
    assert.throws(() => new CSVLogger('x.csv', { separator: ', ' }), (e: Error) => e instanceof ValueError && /single character/.test(e.message));
    assert.throws(() => new CSVLogger('x.csv', { sep: ';' } as never), /unrecognized option "sep"/);
    const path = join(tempDir(), 'missing', 'log.csv');
    await assert.rejects(new CSVLogger(path).onTrainBegin(), (e: Error) => e instanceof ValueError && e.message.includes(JSON.stringify(path)) && e.message.includes(`directory ${dirname(path)} does not exist`));
  });
});
