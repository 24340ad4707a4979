/**
 * BackupAndRestore: an interrupted fit() resumed from its backup (once or several times, mid-epoch
 * or at an epoch boundary, from an interruption or from a periodic save as after a kill) ends with
 * exactly the weights, optimizer state and history of an uninterrupted run with the same seeds.
 * The model has dropout (random masks), batch normalization (moving statistics) and shuffled data,
 * so every piece of state the backup carries is exercised.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Adam } from '../../src/optimizers/adam.js';
import { Random, setRandomSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { BackupAndRestore, backupPath, readBackupMetadata } from '../../src/callbacks/backup_and_restore.js';
import { Callback } from '../../src/callbacks/callback.js';
import type { History } from '../../src/callbacks/history.js';

const N = 52; // 7 batches of 8 (the last one short)
const EPOCHS = 3;

function data(): [Tensor, Tensor] {
  const r = new Random(5);
  const x = new Float32Array(N * 6 * 6);
  for (let i = 0; i < x.length; i++) x[i] = r.normal();
  const y = new Float32Array(N);
  for (let i = 0; i < N; i++) y[i] = r.int(3);
  return [new Tensor(x, [N, 6, 6, 1]), new Tensor(y, [N])];
}

function build(): Sequential {
  setRandomSeed(11);
  const m = new Sequential([
    L.conv2d({ filters: 3, kernelSize: 3, inputShape: [6, 6, 1] }),
    L.batchNormalization({}),
    L.reLU(),
    L.flatten(),
    L.dropout({ rate: 0.3 }),
    L.dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

/** Calls model.interrupt() after the given global batch number (0-based, counted over epochs). */
class InterruptAt extends Callback {
  private seen = 0;
  constructor(private readonly at: number) { super(); }
  override onBatchEnd(): void {
    if (this.seen++ === this.at) this.model!.interrupt();
  }
}

const fitArgs = { epochs: EPOCHS, batchSize: 8, seed: 3, verbose: 0 as const };

async function reference(): Promise<{ weights: Float32Array[]; history: History; iterations: number }> {
  const [x, y] = data();
  const m = build();
  const history = await m.fit(x, y, fitArgs);
  return { weights: m.weights.map((v) => Float32Array.from(v.values)), history, iterations: m.compiled!.optimizer.iterations };
}

function assertSameRun(m: Sequential, history: History, ref: Awaited<ReturnType<typeof reference>>): void {
  m.weights.forEach((v, i) => assert.deepEqual(Float32Array.from(v.values), ref.weights[i], `weight ${v.name} differs from the uninterrupted run`));
  assert.equal(m.compiled!.optimizer.iterations, ref.iterations);
  assert.deepEqual(history.epoch, ref.history.epoch);
  assert.deepEqual(history.history, ref.history.history);
}

describe('BackupAndRestore', () => {
  it('resumes interruptions mid-epoch and at epoch ends to the uninterrupted result, bit for bit', async () => {
    const ref = await reference();
    const [x, y] = data();
    const dir = mkdtempSync(join(tmpdir(), 'ck-backup-'));
    // 7 batches per epoch, 21 in all. Each run is interrupted after its (at+1)-th batch: run 1
    // after epoch 0's batch 2; run 2 after epoch 0's last batch (before the epoch ends); run 3
    // mid-epoch 1; run 4 across the epoch 1/2 boundary, after epoch 2's batch 1; run 5 completes.
    let history: History | null = null;
    let runs = 0;
    for (const at of [2, 3, 5, 2, -1]) {
      const m = build();
      const backup = new BackupAndRestore({ backupDir: dir, saveFreq: false, metadata: { run: runs } });
      const cbs = at >= 0 ? [backup, new InterruptAt(at)] : [backup];
      history = await m.fit(x, y, { ...fitArgs, callbacks: cbs });
      runs++;
      if (at >= 0) {
        assert.equal(history.interrupted, true);
        assert.ok(existsSync(backupPath(dir)), 'an interrupted fit leaves a backup');
        assert.deepEqual(await readBackupMetadata(dir), { run: runs - 1 });
      } else {
        assert.equal(history.interrupted, false);
        assert.deepEqual(backup.resumedFrom, { epoch: 2, batch: 2 });
        assertSameRun(m, history, ref);
      }
    }
    assert.equal(existsSync(backupPath(dir)), false, 'a completed fit removes its backup');
    assert.equal(existsSync(dir), false, 'and the emptied backup directory');
  });

  for (const [saveFreq, expected] of [[5, { epoch: 1, batch: 3 }], ['epoch', { epoch: 1, batch: 0 }]] as const) {
    it(`resumes from a periodic save (saveFreq ${saveFreq}), as after a kill, with the same result`, async () => {
      const ref = await reference();
      const [x, y] = data();
      const dir = mkdtempSync(join(tmpdir(), 'ck-backup-'));
      const saved = join(mkdtempSync(join(tmpdir(), 'ck-copy-')), 'kept.convkit');
      // Keep a copy of the backup as it was after global batch 10: with saveFreq 5 the save after
      // global batch 9 (epoch 1, batch 3 done); with 'epoch' the save at the end of epoch 0.
      class CopyAt extends Callback {
        private n = 0;
        override onBatchEnd(): void {
          if (this.n++ === 10) copyFileSync(backupPath(dir), saved);
        }
      }
      const first = build();
      await first.fit(x, y, { ...fitArgs, callbacks: [new BackupAndRestore({ backupDir: dir, saveFreq }), new CopyAt()] });
      assert.equal(existsSync(backupPath(dir)), false);
      // "Kill": the process died after batch 10, so the backup on disk is the copy; leave a stale temp too.
      mkdirSync(dir);
      copyFileSync(saved, backupPath(dir));
      writeFileSync(join(dir, '.backup.convkit.tmp-999999999-abcdef'), 'half-written');
      const m = build();
      const backup = new BackupAndRestore({ backupDir: dir, saveFreq });
      const history = await m.fit(x, y, { ...fitArgs, callbacks: [backup] });
      assert.deepEqual(backup.resumedFrom, expected);
      assertSameRun(m, history, ref);
      assert.equal(existsSync(dir), false, 'stale temp files of dead processes are cleaned up');
    });
  }

  it('saves at every epoch end by default and refuses a backup of another model', async () => {
    const [x, y] = data();
    const dir = mkdtempSync(join(tmpdir(), 'ck-backup-'));
    const m = build();
    await m.fit(x, y, { ...fitArgs, epochs: 1, callbacks: [new BackupAndRestore({ backupDir: dir, deleteCheckpoint: false })] });
    assert.deepEqual(readdirSync(dir), ['backup.convkit']);
    setRandomSeed(1);
    const other = new Sequential([L.flatten({ inputShape: [6, 6, 1] }), L.dense({ units: 3, activation: 'softmax' })]);
    other.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await assert.rejects(
      other.fit(x, y, { ...fitArgs, callbacks: [new BackupAndRestore({ backupDir: dir })] }),
      /backup holds \d+ model weights, which does not fit model .*delete .*backup\.convkit to start over/,
    );
    await assert.rejects(
      build().fit(x, y, { ...fitArgs, batchSize: 16, callbacks: [new BackupAndRestore({ backupDir: dir })] }),
      /made with 7 batches per epoch but this fit\(\) has 4/,
    );
  });

  it('fails before training when the backup directory cannot be written', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ck-backup-')), 'a-file');
    writeFileSync(file, 'x');
    const [x, y] = data();
    const m = build();
    const before = m.weights.map((v) => Float32Array.from(v.values));
    await assert.rejects(
      m.fit(x, y, { ...fitArgs, callbacks: [new BackupAndRestore({ backupDir: join(file, 'sub') })] }),
      /BackupAndRestore: cannot create the directory ".*a-file\/sub": .*a-file is a file, not a directory/,
    );
    m.weights.forEach((v, i) => assert.deepEqual(Float32Array.from(v.values), before[i], 'no training happened'));
    assert.throws(() => new BackupAndRestore({ backupDir: '' }), /backupDir must be a non-empty/);
    assert.throws(() => new BackupAndRestore({ backupDir: 'x', saveFreq: 0 }), /saveFreq must be 'epoch', a positive number/);
  });
});
