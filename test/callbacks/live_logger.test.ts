/**
 * LiveLogger writes a run directory that the logdir reader reads back: scalars equal to what the
 * progress bar and History see, readable while the epoch is still running; snapshots and filters
 * equal to the model's values; a confusion matrix over the validation data; resumed and restarted
 * runs without duplicated steps; and training itself unchanged by the logging.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Random, setRandomSeed } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Callback, type Logs } from '../../src/callbacks/callback.js';
import { BackupAndRestore } from '../../src/callbacks/backup_and_restore.js';
import * as callbacks from '../../src/callbacks/index.js';
import { LiveLogger } from '../../src/callbacks/live_logger.js';
import { ValueError } from '../../src/errors.js';
import { loadModel } from '../../src/io/model_io.js';
import {
  type ScalarRecord, decodeFloat32LE, decodeUint8, readConfusion, readFilters, readModelInfo, readRun, readScalars, readSnapshots,
} from '../../src/dashboard/logdir_format.js';

const N = 40; // 5 batches of 8
const STEPS = 5;

function tempRun(): string {
  return join(mkdtempSync(join(tmpdir(), 'convkit-live-')), 'runs', 'r1');
}

function data(n: number, seed: number): [Tensor, Tensor] {
  const r = new Random(seed);
  const x = new Float32Array(n * 6 * 6);
  for (let i = 0; i < x.length; i++) x[i] = r.uniform();
  return [new Tensor(x, [n, 6, 6, 1]), new Tensor(Float32Array.from({ length: n }, (_, i) => i % 3), [n])];
}

function build(): Sequential {
  setRandomSeed(21);
  const m = new Sequential([
    L.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
    L.maxPooling2d({ poolSize: 2 }),
    L.flatten(),
    L.dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

/** Copies of the logs every onBatchEnd receives (what the progress bar shows). */
class BatchLogs extends Callback {
  readonly seen: { epoch: number; batch: number; logs: Logs }[] = [];
  override onBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen.push({ epoch: this.model!.activeFit!.epoch, batch, logs: { ...logs } });
  }
}

const batches = (records: ScalarRecord[]) => records.filter((r) => r.kind === 'batch');
const epochs = (records: ScalarRecord[]) => records.filter((r) => r.kind === 'epoch');

describe('LiveLogger', () => {
  it('writes every file of the run directory; scalars match the progress means and History', async () => {
    const dir = tempRun();
    const model = build();
    const [x, y] = data(N, 1);
    const val = data(12, 2);
    const probe = new BatchLogs();
    const logger = new callbacks.LiveLogger({ logdir: dir, validationData: val, classNames: ['a', 'b', 'c'] });
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, seed: 4, validationData: val, callbacks: [logger, probe] });

    for (const f of ['run.json', 'scalars.jsonl', 'model.json', 'model.convkit', 'snapshots.jsonl', 'filters.jsonl', 'confusion.json']) {
      assert.ok(existsSync(join(dir, f)), `${f} missing`);
    }
    const run = (await readRun(dir))!;
    assert.equal(run.status, 'finished');
    assert.equal(run.name, 'r1');
    assert.equal(run.epochs, 2);
    assert.equal(run.stepsPerEpoch, STEPS);
    assert.equal(run.completedEpochs, 2);
    assert.equal(run.pid, process.pid);
    assert.deepEqual(run.model.inputShape, [6, 6, 1]);
    assert.equal(run.model.className, 'Sequential');

    const warnings: string[] = [];
    const { records } = await readScalars(dir, 0, (m) => warnings.push(m));
    assert.deepEqual(warnings, []);
    const bs = batches(records);
    assert.deepEqual(bs.map((r) => r.step), Array.from({ length: 2 * STEPS }, (_, i) => i + 1));
    assert.deepEqual(bs.map((r) => [r.kind === 'batch' && r.batch, r.epoch, r.logs]), probe.seen.map((s) => [s.batch, s.epoch, s.logs]));
    const es = epochs(records);
    assert.deepEqual(es.map((r) => [r.epoch, r.step]), [[0, STEPS], [1, 2 * STEPS]]);
    for (const r of es) {
      for (const [k, series] of Object.entries(history.history)) assert.equal(r.logs[k], series[r.epoch], `${k} of epoch ${r.epoch}`);
      assert.deepEqual(Object.keys(r.logs).sort(), Object.keys(history.history).sort());
    }

    const info = (await readModelInfo(dir))!;
    assert.equal(info.summary.totalParams, model.countParams());
    assert.deepEqual(info.graph!.nodes.map((n) => n.className).filter((c) => c !== 'InputLayer'), ['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);

    const saved = await loadModel(join(dir, 'model.convkit'));
    assert.deepEqual(saved.getWeights().map((t) => Array.from(t.values)), model.getWeights().map((t) => Array.from(t.values)));

    const snaps = (await readSnapshots(dir)).records;
    assert.deepEqual(snaps.map((s) => [s.epoch, s.step]), [[-1, 0], [0, STEPS], [1, 2 * STEPS]]);
    const s0 = snaps[0];
    assert.deepEqual(s0.sample.shape, [6, 6, 1]);
    assert.equal(s0.sample.label, val[1].values[0]);
    assert.deepEqual(Array.from(decodeUint8(s0.sample.data)), Array.from(val[0].values.subarray(0, 36), (v) => Math.round(v * 255)));
    assert.deepEqual(s0.layers.map((l) => [l.className, l.shape]), [['Conv2D', [4, 4, 4]], ['MaxPooling2D', [2, 2, 4]]]);
    for (const l of s0.layers) assert.equal(decodeUint8(l.data).length, l.shape[0] * l.shape[1] * l.shape[2]);

    const filters = (await readFilters(dir)).records;
    assert.deepEqual(filters.map((f) => [f.epoch, f.layer, f.shape]), [[-1, model.layers[0].name, [3, 3, 1, 4]], [0, model.layers[0].name, [3, 3, 1, 4]], [1, model.layers[0].name, [3, 3, 1, 4]]]);
    const kernel = (model.layers[0] as unknown as { kernel: Tensor }).kernel;
    assert.deepEqual(Array.from(decodeFloat32LE(filters[2].data)), Array.from(kernel.values));
    assert.notDeepEqual(Array.from(decodeFloat32LE(filters[0].data)), Array.from(kernel.values), 'training changed the kernel');

    const confusion = (await readConfusion(dir))!;
    assert.equal(confusion.epoch, 1);
    assert.deepEqual(confusion.labels, ['a', 'b', 'c']);
    assert.equal(confusion.matrix.flat().reduce((a, b) => a + b, 0), 12);
    assert.deepEqual(confusion.matrix.map((row) => row.reduce((a, b) => a + b, 0)), [4, 4, 4]);
  });

  it('a reader sees batch records while the epoch is still running', async () => {
    const dir = tempRun();
    const [x, y] = data(N, 1);
    let offset = 0;
    let batchRecords = 0;
    const atBatchEnd: { epoch: number; batch: number; batchRecords: number; epochRecords: number }[] = [];
    let epochRecords = 0;
    const reader = new (class extends Callback {
      override async onBatchEnd(batch: number): Promise<void> {
        const chunk = await readScalars(dir, offset);
        offset = chunk.nextByte;
        batchRecords += batches(chunk.records).length;
        epochRecords += epochs(chunk.records).length;
        atBatchEnd.push({ epoch: this.model!.activeFit!.epoch, batch, batchRecords, epochRecords });
      }
    })();
    await build().fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [new LiveLogger({ logdir: dir }), reader] });
    assert.equal(atBatchEnd.length, 2 * STEPS);
    for (const [i, s] of atBatchEnd.entries()) {
      assert.equal(s.batchRecords, i + 1, `after global batch ${i}`);
      assert.equal(s.epochRecords, s.epoch, 'an epoch record appears only once its epoch has ended');
    }
  });

  it('snapshots a known layer exactly: a conv of fixed weights on a constant input; filters equal the kernel', async () => {
    const dir = tempRun();
    setRandomSeed(3);
    const model = new Sequential([
      L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', inputShape: [5, 5, 1] }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 2, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    // Channel 0 sums the 3×3 neighbourhood, channel 1 doubles it: on ones, 4 at corners, 6 on edges, 9 inside.
    const kernelValues = Float32Array.from({ length: 18 }, (_, i) => (i % 2 === 0 ? 1 : 2));
    const conv = model.layers[0];
    conv.setWeights([new Tensor(kernelValues, [3, 3, 1, 2]), new Tensor(new Float32Array(2), [2])]);
    const ones = new Tensor(new Float32Array(25).fill(1), [1, 5, 5, 1]);
    const [x, y] = [new Tensor(new Float32Array(4 * 25).fill(0.5), [4, 5, 5, 1]), new Tensor(new Float32Array([0, 1, 0, 1]), [4])];
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, callbacks: [new LiveLogger({ logdir: dir, snapshotSample: ones, snapshotMaxChannels: 16 })] });

    const first = (await readSnapshots(dir)).records[0];
    assert.equal(first.epoch, -1);
    assert.equal(first.sample.label, undefined);
    assert.deepEqual(Array.from(decodeUint8(first.sample.data)), new Array(25).fill(255));
    const convMap = first.layers[0];
    assert.equal(convMap.name, conv.name);
    assert.deepEqual(convMap.shape, [5, 5, 2]);
    assert.equal(convMap.min, 4);
    assert.equal(convMap.max, 18);
    const neighbours = (r: number, c: number) => (r === 0 || r === 4 ? 2 : 3) * (c === 0 || c === 4 ? 2 : 3);
    const expected: number[] = [];
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) for (const k of [1, 2]) expected.push(Math.round(((k * neighbours(r, c)) - 4) / 14 * 255));
    assert.deepEqual(Array.from(decodeUint8(convMap.data)), expected);
    const pool = first.layers[1];
    assert.deepEqual([pool.shape, pool.min, pool.max], [[2, 2, 2], 9, 18]);

    const filters = (await readFilters(dir)).records;
    assert.deepEqual(Array.from(decodeFloat32LE(filters[0].data)), Array.from(kernelValues));
    assert.deepEqual(Array.from(decodeFloat32LE(filters[1].data)), Array.from((conv as unknown as { kernel: Tensor }).kernel.values));
  });

  it('does not change training: same history and weights with and without the logger', async () => {
    const [x, y] = data(N, 1);
    const val = data(12, 2);
    const args = { epochs: 2, batchSize: 8, verbose: 0 as const, seed: 9, validationData: val };
    const plain = build();
    const h1 = await plain.fit(x, y, args);
    const logged = build();
    const h2 = await logged.fit(x, y, { ...args, callbacks: [new LiveLogger({ logdir: tempRun(), validationData: val })] });
    assert.deepEqual(h2.history, h1.history);
    assert.deepEqual(logged.getWeights().map((t) => Array.from(t.values)), plain.getWeights().map((t) => Array.from(t.values)));
  });

  it('a run resumed by BackupAndRestore appends: every step once, status back to running then finished', async () => {
    const dir = tempRun();
    const backupDir = join(dir, '..', 'backup');
    const [x, y] = data(N, 1);
    const stopAfter = 7; // the 8th batch overall: epoch 1, batch 2
    let seen = 0;
    const stopper = new (class extends Callback {
      override onBatchEnd(): void {
        if (seen++ === stopAfter) this.model!.interrupt();
      }
    })();
    const model = build();
    const args = { epochs: 2, batchSize: 8, verbose: 0 as const, seed: 4 };
    const h1 = await model.fit(x, y, { ...args, callbacks: [new LiveLogger({ logdir: dir, snapshotSample: 0, validationData: data(6, 3) }), new BackupAndRestore({ backupDir }), stopper] });
    assert.equal(h1.interrupted, true);
    const stopped = (await readRun(dir))!;
    assert.equal(stopped.status, 'interrupted');
    assert.equal(stopped.completedEpochs, 1);

    const resumedModel = build();
    let statusDuring = '';
    const look = new (class extends Callback {
      override async onBatchEnd(): Promise<void> {
        statusDuring ||= (await readRun(dir))!.status;
      }
    })();
    await resumedModel.fit(x, y, { ...args, callbacks: [new LiveLogger({ logdir: dir, validationData: data(6, 3) }), new BackupAndRestore({ backupDir }), look] });
    assert.equal(statusDuring, 'running');
    const run = (await readRun(dir))!;
    assert.equal(run.status, 'finished');
    assert.equal(run.startedAt, stopped.startedAt);
    const { records } = await readScalars(dir);
    assert.deepEqual(batches(records).map((r) => r.step), Array.from({ length: 2 * STEPS }, (_, i) => i + 1));
    assert.deepEqual(epochs(records).map((r) => r.epoch), [0, 1]);
    assert.deepEqual((await readSnapshots(dir)).records.map((s) => s.epoch), [-1, 0, 1]);
    assert.deepEqual((await readFilters(dir)).records.map((s) => s.epoch), [-1, 0, 1]);
  });

  it('a fit from initialEpoch drops the later records it redoes; a fit from step 0 starts the files afresh', async () => {
    const dir = tempRun();
    const [x, y] = data(N, 1);
    const model = build();
    const sample = new Tensor(x.values.slice(0, 36), [1, 6, 6, 1]);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [new LiveLogger({ logdir: dir, snapshotSample: sample })] });
    // Redo epoch 1 as a run restarted from a per-epoch backup would (after a kill late in epoch 1).
    await model.fit(x, y, { epochs: 2, initialEpoch: 1, batchSize: 8, verbose: 0, callbacks: [new LiveLogger({ logdir: dir, snapshotSample: sample })] });
    let { records } = await readScalars(dir);
    assert.deepEqual(batches(records).map((r) => r.step), Array.from({ length: 2 * STEPS }, (_, i) => i + 1));
    assert.deepEqual(epochs(records).map((r) => r.epoch), [0, 1]);
    assert.deepEqual((await readSnapshots(dir)).records.map((s) => s.epoch), [-1, 0, 1]);

    await build().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [new LiveLogger({ logdir: dir, updateFreq: 2 })] });
    ({ records } = await readScalars(dir));
    assert.deepEqual(batches(records).map((r) => r.step), [2, 4]);
    assert.deepEqual(epochs(records).map((r) => r.step), [STEPS]);
    assert.deepEqual((await readSnapshots(dir)).records, [], 'no sample: no snapshots, and the old ones are gone');
    assert.equal((await readRun(dir))!.epochs, 1);
  });

  it("updateFreq 'epoch' writes epoch records only", async () => {
    const dir = tempRun();
    const [x, y] = data(N, 1);
    await build().fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [new LiveLogger({ logdir: dir, updateFreq: 'epoch' })] });
    const { records } = await readScalars(dir);
    assert.deepEqual(records.map((r) => [r.kind, r.epoch]), [['epoch', 0], ['epoch', 1]]);
  });

  it('close("failed") records a fit that threw; bad options are ValueErrors', async () => {
    const dir = tempRun();
    const [x, y] = data(N, 1);
    const logger = new LiveLogger({ logdir: dir });
    const boom = new (class extends Callback {
      override onBatchEnd(batch: number): void {
        if (batch === 2) throw new Error('disk on fire');
      }
    })();
    await assert.rejects(build().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [logger, boom] }), /disk on fire/);
    assert.equal((await readRun(dir))!.status, 'running');
    await logger.close('failed', new Error('disk on fire'));
    const run = (await readRun(dir))!;
    assert.equal(run.status, 'failed');
    assert.equal(run.error, 'disk on fire');
    assert.equal(batches((await readScalars(dir)).records).length, 3);

    assert.throws(() => new LiveLogger({ logdir: '' }), ValueError);
    assert.throws(() => new LiveLogger({ logdir: dir, updateFreq: 0 }), ValueError);
    assert.throws(() => new LiveLogger({ logdir: dir, snapshotFreq: -1 }), ValueError);
    assert.throws(() => new LiveLogger({ logdir: dir, snapshotSample: new Tensor(new Float32Array(8), [2, 2, 2, 1]) }), /one image/);
    const outOfRange = new LiveLogger({ logdir: tempRun(), snapshotSample: 99, validationData: data(6, 3) });
    await assert.rejects(build().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [outOfRange] }), /snapshotSample 99 is out of range/);
  });
});
