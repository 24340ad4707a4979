/**
 * ModelCheckpoint against Keras 3's behaviour (keras/src/callbacks/model_checkpoint.py and
 * monitor_callback.py): which files exist after a scripted sequence of logs, batch counting across
 * epochs, file-name rules, and that every file holds the weights of the epoch/batch it is named after.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { ModelCheckpoint } from '../../src/callbacks/model_checkpoint.js';
import { LambdaCallback } from '../../src/callbacks/lambda_callback.js';
import type { Logs } from '../../src/callbacks/callback.js';
import { loadModel, loadWeights } from '../../src/io/model_io.js';
import { ValueError } from '../../src/errors.js';
import * as ops from '../../src/ops/index.js';
import type { Model } from '../../src/models/model.js';
import { tempDir, tinyData, tinyModel, weightValues } from './tiny_model.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Gives the model distinct weights for each epoch, so a file shows which epoch it saved. */
function setEpochWeights(model: Model, epoch: number): number[][] {
  model.setWeights(model.getWeights().map((w) => ops.mul(ops.onesLike(w), epoch + 1)));
  return weightValues(model);
}

/** Drives the hooks as fit() does, with scripted epoch-end logs. */
async function drive(cb: ModelCheckpoint, model: Model, epochLogs: Logs[]): Promise<number[][][]> {
  cb.setModel(model);
  cb.setParams({ epochs: epochLogs.length, steps: 1, verbose: 0 });
  await cb.onTrainBegin();
  const weights: number[][][] = [];
  for (const [epoch, logs] of epochLogs.entries()) {
    cb.onEpochBegin(epoch);
    weights.push(setEpochWeights(model, epoch));
    await cb.onEpochEnd(epoch, { ...logs });
  }
  return weights;
}

function captureLog<T>(fn: () => Promise<T>): Promise<{ out: string[]; result: T }> {
  const out: string[] = [];
  const orig = console.log;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  return fn().then((result) => ({ out, result })).finally(() => { console.log = orig; });
}

describe('ModelCheckpoint', () => {
  it("saveBestOnly with mode 'auto' minimises val_loss: files of the improving epochs only", async () => {
    const dir = tempDir();
    const model = tinyModel();
    const cb = new ModelCheckpoint(join(dir, 'l-{epoch}.keras'), { saveBestOnly: true, verbose: 1 });
    const { out, result: weights } = await captureLog(() => drive(cb, model, [0.9, 0.8, 0.85, 0.7, 0.7].map((v) => ({ loss: 1, val_loss: v }))));
    assert.deepEqual(readdirSync(dir).sort(), ['l-1.keras', 'l-2.keras', 'l-4.keras']);
    assert.equal(cb.best, 0.7);
    // Keras 3 prints these lines (best starts as None, values with 5 decimals).
    assert.equal(out[0], `\nEpoch 1: val_loss improved from None to 0.90000, saving model to ${join(dir, 'l-1.keras')}`);
    assert.equal(out[4], '\nEpoch 3: val_loss did not improve from 0.80000');
    const loaded = await loadModel(join(dir, 'l-4.keras'));
    assert.deepEqual(weightValues(loaded), weights[3], 'l-4.keras holds the weights of epoch 4');
  });

  it("saveBestOnly with mode 'auto' maximises val_accuracy (a compiled accuracy metric)", async () => {
    const dir = tempDir();
    const model = tinyModel();
    const cb = new ModelCheckpoint(join(dir, 'a-{epoch}-{val_accuracy:.2f}.keras'), { monitor: 'val_accuracy', save_best_only: true });
    await drive(cb, model, [0.5, 0.4, 0.6, 0.6, 0.9].map((v) => ({ loss: 1, val_accuracy: v })));
    assert.deepEqual(readdirSync(dir).sort(), ['a-1-0.50.keras', 'a-3-0.60.keras', 'a-5-0.90.keras']);
  });

  it("mode 'min'/'max' override the name, initialValueThreshold sets the first best", async () => {
    const dir = tempDir();
    const model = tinyModel();
    const cb = new ModelCheckpoint(join(dir, 't-{epoch}.keras'), { saveBestOnly: true, mode: 'max', initialValueThreshold: 0.85 });
    await drive(cb, model, [0.9, 0.8, 0.85, 0.95].map((v) => ({ val_loss: v })));
    assert.deepEqual(readdirSync(dir).sort(), ['t-1.keras', 't-4.keras']);
    const cb2 = new ModelCheckpoint(join(dir, 'u-{epoch}.keras'), { saveBestOnly: true, initial_value_threshold: 0.75 });
    await drive(cb2, tinyModel(), [0.9, 0.8, 0.7].map((v) => ({ val_loss: v })));
    assert.ok(existsSync(join(dir, 'u-3.keras')) && !existsSync(join(dir, 'u-1.keras')) && !existsSync(join(dir, 'u-2.keras')));
  });

  it("mode 'auto' on a name that is neither the loss nor a compiled metric is an error asking for a mode", async () => {
    const cb = new ModelCheckpoint(join(tempDir(), 'm.keras'), { monitor: 'val_auc', saveBestOnly: true });
    await assert.rejects(drive(cb, tinyModel(), [{ val_auc: 0.5 }]),
      (e: Error) => e instanceof ValueError && /val_auc/.test(e.message) && /mode: 'min'/.test(e.message) && /compiled metrics: accuracy/.test(e.message));
  });

  it('without saveBestOnly every epoch is saved; a fixed name is overwritten', async () => {
    const dir = tempDir();
    const cb = new ModelCheckpoint(join(dir, 'last.keras'));
    const weights = await drive(cb, tinyModel(), [{ loss: 1 }, { loss: 2 }, { loss: 3 }]);
    assert.deepEqual(readdirSync(dir), ['last.keras']);
    assert.deepEqual(weightValues(await loadModel(join(dir, 'last.keras'))), weights[2]);
  });

  it('in a real fit, weights files are named from the logs and hold the weights of their epoch', async () => {
    const dir = tempDir();
    const model = tinyModel();
    const [x, y] = tinyData(12, 1);
    const seen: { loss: number; weights: number[][] }[] = [];
    const record = new LambdaCallback({ onEpochEnd: (_e, logs) => { seen.push({ loss: logs.loss!, weights: weightValues(model) }); } });
    const ckpt = new ModelCheckpoint(join(dir, 'w-{epoch:02d}-{loss:.3f}.weights.h5'), { saveWeightsOnly: true, monitor: 'loss' });
    await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, seed: 3, callbacks: [record, ckpt] });
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 3);
    for (const [i, f] of files.entries()) {
      const m = /^w-(\d\d)-(\d+\.\d{3})\.weights\.h5$/.exec(f);
      assert.ok(m, f);
      assert.equal(Number(m[1]), i + 1);
      assert.ok(Math.abs(Number(m[2]) - seen[i]!.loss) <= 0.0005 + 1e-12, `${f} vs loss ${seen[i]!.loss}`);
      const fresh = tinyModel();
      await loadWeights(fresh, join(dir, f));
      assert.deepEqual(weightValues(fresh), seen[i]!.weights, `${f} holds epoch ${i + 1}'s weights`);
    }
    assert.notDeepEqual(seen[0]!.weights, seen[2]!.weights, 'training changed the weights between epochs');
  });

  it('saveFreq N counts batches across epochs as Keras does', async () => {
    const dir = tempDir();
    const model = tinyModel();
    const [x, y] = tinyData(10, 2);
    const atBatch = new Map<string, number[][]>();
    let epoch = 0;
    const record = new LambdaCallback({
      onEpochBegin: (e) => { epoch = e; },
      onBatchEnd: (b) => { atBatch.set(`${epoch + 1}-${b + 1}`, weightValues(model)); },
    });
    // 5 batches per epoch, a save every 3: after global batches 3, 6 and 9.
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, seed: 4, callbacks: [record, new ModelCheckpoint(join(dir, 'b-{epoch}-{batch}.keras'), { saveFreq: 3 })] });
    assert.deepEqual(readdirSync(dir).sort(), ['b-1-3.keras', 'b-2-1.keras', 'b-2-4.keras']);
    assert.deepEqual(weightValues(await loadModel(join(dir, 'b-2-1.keras'))), atBatch.get('2-1'));
  });

  it('accepts the extensions model.save / saveWeights write, rejects others and bad options', () => {
    for (const p of ['m.keras', 'm.h5', 'm.convkit', 'm.weights.h5']) assert.doesNotThrow(() => new ModelCheckpoint(p));
    for (const p of ['m.weights.h5', 'm.h5']) assert.doesNotThrow(() => new ModelCheckpoint(p, { saveWeightsOnly: true }));
    assert.throws(() => new ModelCheckpoint('m.keras', { saveWeightsOnly: true }), (e: Error) => e instanceof ValueError && /must end in \.weights\.h5/.test(e.message) && /m\.keras/.test(e.message));
    assert.throws(() => new ModelCheckpoint('ckpt-{epoch}'), /must end in \.keras/);
    assert.throws(() => new ModelCheckpoint('m.keras', { saveFreq: 0 }), /saveFreq.*'epoch' or a positive integer/);
    assert.throws(() => new ModelCheckpoint('m.keras', { saveFreq: 'batch' as never }), /unrecognized saveFreq/);
    assert.throws(() => new ModelCheckpoint('m.keras', { mode: 'best' as never }), /mode must be 'auto', 'min' or 'max'/);
    assert.throws(() => new ModelCheckpoint('m.keras', { saveBestOnlyy: true } as never), /unrecognized option "saveBestOnlyy"/);
    assert.throws(() => new ModelCheckpoint('m-{epoch.keras'), /never closed/);
    assert.equal(new ModelCheckpoint('m.keras', { save_best_only: true, save_freq: 5 }).saveFreq, 5);
  });

  it('creates missing directories, also ones named by a field', async () => {
    const dir = tempDir();
    const cb = new ModelCheckpoint(join(dir, 'a', 'b', 'e{epoch}', 'm.keras'));
    cb.setModel(tinyModel());
    await cb.onTrainBegin();
    assert.ok(statSync(join(dir, 'a', 'b')).isDirectory(), 'the fixed part exists after onTrainBegin');
    assert.deepEqual(readdirSync(join(dir, 'a', 'b')), [], 'the probe file is removed');
    await cb.onEpochEnd(0, { loss: 1 });
    assert.ok(existsSync(join(dir, 'a', 'b', 'e1', 'm.keras')));
  });

  it('fails at train begin, before any batch, when a path component is a file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'x');
    const model = tinyModel();
    const [x, y] = tinyData(6, 5);
    let batches = 0;
    const count = new LambdaCallback({ onBatchEnd: () => { batches++; } });
    await assert.rejects(
      model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new ModelCheckpoint(join(dir, 'blocker', 'sub', 'm.keras')), count] }),
      (e: Error) => e instanceof ValueError && e.message.includes(join(dir, 'blocker', 'sub')) && e.message.includes(`${join(dir, 'blocker')} is a file, not a directory`),
    );
    assert.equal(batches, 0);
  });

  it('fails at train begin when the directory is not writable', { skip: isRoot ? 'root ignores directory permissions' : false }, async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'ro'));
    chmodSync(join(dir, 'ro'), 0o500);
    try {
      const cb = new ModelCheckpoint(join(dir, 'ro', 'm.keras'));
      cb.setModel(tinyModel());
      await assert.rejects(cb.onTrainBegin(), (e: Error) => /permission denied \(EACCES\)/.test(e.message) && e.message.includes(join(dir, 'ro')));
    } finally {
      chmodSync(join(dir, 'ro'), 0o700);
    }
  });

  it('a failing save raises an error naming the file and leaves the earlier checkpoint loadable', async () => {
    const dir = tempDir();
    const path = join(dir, 'best.keras');
    const model = tinyModel();
    const cb = new ModelCheckpoint(path);
    cb.setModel(model);
    await cb.onTrainBegin();
    const epoch1 = setEpochWeights(model, 0);
    await cb.onEpochEnd(0, { loss: 1 });
    setEpochWeights(model, 1);
    // The disk fails at the last step of the atomic replace (what a crash mid-save looks like).
    const rename = fs.promises.rename;
    fs.promises.rename = async () => { throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO' }); };
    syncBuiltinESMExports();
    try {
      await assert.rejects(cb.onEpochEnd(1, { loss: 0.5 }), (e: Error & { code?: string }) =>
        e.message.includes(`saving the model to ${JSON.stringify(path)} at epoch 2 failed`) && /EIO/.test(e.message) && /unchanged/.test(e.message) && e.code === 'EIO');
    } finally {
      fs.promises.rename = rename;
      syncBuiltinESMExports();
    }
    assert.deepEqual(readdirSync(dir), ['best.keras'], 'no temporary file is left behind');
    assert.deepEqual(weightValues(await loadModel(path)), epoch1, 'the epoch-1 checkpoint is intact');
  });

  it('an existing directory at the file path and an unknown template key are clear errors', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm-1.keras'));
    const cb = new ModelCheckpoint(join(dir, 'm-{epoch}.keras'));
    cb.setModel(tinyModel());
    await assert.rejects(cb.onEpochEnd(0, { loss: 1 }), /is an existing directory; expected a file path/);
    const cb2 = new ModelCheckpoint(join(dir, 'm-{val_acc:.2f}.keras'));
    cb2.setModel(tinyModel());
    await assert.rejects(cb2.onEpochEnd(0, { loss: 1, accuracy: 0.5 }), /no value named "val_acc"; available keys: epoch, loss, accuracy/);
  });
});
