/**
 * The log directory reader: tolerant of missing files, malformed and half-written lines (a writer
 * may be mid-line), incremental by byte offset, and strict about run names (no path traversal).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ValueError } from '../../src/errors.js';
import {
  decodeFloat32LE, decodeUint8, encodeFloat32LE, encodeUint8, listRuns, readConfusion, readFilters, readModelInfo, readRun, readScalars,
  readSnapshots, resolveRunDir,
} from '../../src/dashboard/logdir_format.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'convkit-logdir-'));
}

const batchLine = (step: number, loss: number) => JSON.stringify({ kind: 'batch', step, epoch: 0, batch: step - 1, time: 1000 + step, logs: { loss, accuracy: 0.5 } }) + '\n';

describe('logdir reader', () => {
  it('resolveRunDir accepts one directory name and refuses traversal with ValueError', () => {
    const logdir = tempDir();
    assert.equal(resolveRunDir(logdir, 'lenet-1'), join(resolve(logdir), 'lenet-1'));
    assert.equal(resolveRunDir(logdir, 'a..b'), join(resolve(logdir), 'a..b'));
    for (const bad of ['..', '.', '', 'a/b', 'a\\b', '/etc', '/tmp/x', '../x', 'a\0b']) {
      assert.throws(() => resolveRunDir(logdir, bad), ValueError, `accepted ${JSON.stringify(bad)}`);
    }
  });

  it('missing files give empty results, not errors', async () => {
    const dir = join(tempDir(), 'nothing-here');
    assert.deepEqual(await listRuns(dir), []);
    assert.equal(await readRun(dir), null);
    assert.deepEqual(await readScalars(dir), { records: [], nextByte: 0, reset: false });
    assert.deepEqual((await readSnapshots(dir)).records, []);
    assert.deepEqual((await readFilters(dir)).records, []);
    assert.equal(await readConfusion(dir), null);
    assert.equal(await readModelInfo(dir), null);
  });

  it('reads complete lines from a byte offset, skips malformed ones with one warning, leaves a half-written last line', async () => {
    const dir = tempDir();
    const path = join(dir, 'scalars.jsonl');
    const good1 = batchLine(1, 2.5);
    const good2 = batchLine(2, 2.25);
    const half = batchLine(3, 2).slice(0, 30);
    writeFileSync(path, good1 + 'not json\n' + '{"kind":"batch","step":"x"}\n' + good2 + half);
    const warnings: string[] = [];
    const first = await readScalars(dir, 0, (m) => warnings.push(m));
    assert.deepEqual(first.records.map((r) => [r.kind, r.step, r.logs.loss]), [['batch', 1, 2.5], ['batch', 2, 2.25]]);
    assert.equal(first.nextByte, Buffer.byteLength(good1 + 'not json\n' + '{"kind":"batch","step":"x"}\n' + good2));
    assert.equal(first.reset, false);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /skipped 2 malformed lines/);

    // The writer finishes the line and adds another: the next read returns exactly those two.
    appendFileSync(path, batchLine(3, 2).slice(30) + batchLine(4, 1.75));
    const second = await readScalars(dir, first.nextByte, (m) => warnings.push(m));
    assert.deepEqual(second.records.map((r) => r.step), [3, 4]);
    assert.equal(warnings.length, 1, 'no new warning: the malformed lines were behind the offset');
    const third = await readScalars(dir, second.nextByte);
    assert.deepEqual(third.records, []);
    assert.equal(third.nextByte, second.nextByte);
  });

  it('returns null log values (non-finite when written) as NaN, keeps epoch records, and rereads a file that shrank', async () => {
    const dir = tempDir();
    const path = join(dir, 'scalars.jsonl');
    const epochLine = JSON.stringify({ kind: 'epoch', step: 4, epoch: 0, time: 5, logs: { loss: null, val_loss: 1.5 } }) + '\n';
    writeFileSync(path, batchLine(1, 3) + epochLine);
    const all = await readScalars(dir);
    assert.equal(all.records.length, 2);
    const epoch = all.records[1];
    assert.equal(epoch.kind, 'epoch');
    assert.ok(Number.isNaN(epoch.logs.loss));
    assert.equal(epoch.logs.val_loss, 1.5);
    writeFileSync(path, batchLine(1, 9));
    const again = await readScalars(dir, all.nextByte);
    assert.equal(again.reset, true);
    assert.deepEqual(again.records.map((r) => r.logs.loss), [9]);
  });

  it('lists runs by name, tolerating a broken run.json and filling missing fields', async () => {
    const logdir = tempDir();
    mkdirSync(join(logdir, 'b-run'));
    writeFileSync(join(logdir, 'b-run', 'run.json'), JSON.stringify({ version: 1, name: 'b-run', status: 'finished', epochs: 3 }));
    mkdirSync(join(logdir, 'a-run'));
    writeFileSync(join(logdir, 'a-run', 'run.json'), '{"version":1,');
    writeFileSync(join(logdir, 'a-run', 'scalars.jsonl'), batchLine(1, 1));
    mkdirSync(join(logdir, 'not-a-run'));
    writeFileSync(join(logdir, 'stray.txt'), 'x');
    const warnings: string[] = [];
    const warn = (m: string) => void warnings.push(m);
    const runs = await listRuns(logdir, warn);
    assert.deepEqual(runs.map((r) => r.name), ['a-run', 'b-run']);
    assert.equal(runs[0].info, null);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /a-run.*run\.json: not valid JSON/);
    await listRuns(logdir, warn);
    assert.equal(warnings.length, 1, 'a server polling the same broken run.json is told once');
    const b = runs[1].info!;
    assert.equal(b.status, 'finished');
    assert.equal(b.epochs, 3);
    assert.equal(b.stepsPerEpoch, 0);
    assert.deepEqual(b.model, { name: '', className: '', inputShape: [] });
    writeFileSync(join(logdir, 'b-run', 'run.json'), JSON.stringify({ status: 'exploded' }));
    assert.equal((await readRun(join(logdir, 'b-run')))!.status, 'running');
  });

  it('reads snapshots, filters, confusion and model info, rejecting malformed ones', async () => {
    const dir = tempDir();
    const kernel = [0.5, -1.25, 3, 1e-3];
    writeFileSync(join(dir, 'filters.jsonl'),
      JSON.stringify({ epoch: -1, step: 0, layer: 'conv', shape: [1, 1, 1, 4], data: encodeFloat32LE(kernel) }) + '\n'
      + JSON.stringify({ epoch: 0, step: 5, layer: 'conv', shape: [1, 1, 4], data: '' }) + '\n');
    const filters = await readFilters(dir);
    assert.equal(filters.records.length, 1);
    assert.deepEqual(Array.from(decodeFloat32LE(filters.records[0].data)), Array.from(new Float32Array(kernel)));

    const pixels = new Uint8Array([0, 128, 255, 7]);
    const snap = { epoch: -1, step: 0, sample: { shape: [2, 2, 1], label: 3, data: encodeUint8(pixels) }, layers: [{ name: 'conv', className: 'Conv2D', shape: [2, 2, 1], min: -1, max: 2, data: encodeUint8(pixels) }] };
    writeFileSync(join(dir, 'snapshots.jsonl'), JSON.stringify(snap) + '\n' + JSON.stringify({ ...snap, layers: [{ name: 'x' }] }) + '\n');
    const warnings: string[] = [];
    const snaps = await readSnapshots(dir, 0, (m) => warnings.push(m));
    assert.equal(snaps.records.length, 1);
    assert.equal(warnings.length, 1);
    assert.equal(snaps.records[0].sample.label, 3);
    assert.deepEqual(Array.from(decodeUint8(snaps.records[0].layers[0].data)), [0, 128, 255, 7]);

    writeFileSync(join(dir, 'confusion.json'), JSON.stringify({ epoch: 2, labels: [0, 1], matrix: [[3, 1], [0, 4]] }));
    assert.deepEqual(await readConfusion(dir), { epoch: 2, labels: ['0', '1'], matrix: [[3, 1], [0, 4]] });
    writeFileSync(join(dir, 'confusion.json'), JSON.stringify({ epoch: 2, labels: [0, 1], matrix: [[3, 1]] }));
    assert.equal(await readConfusion(dir), null);

    writeFileSync(join(dir, 'model.json'), JSON.stringify({
      summary: { totalParams: 10, trainableParams: 10, nonTrainableParams: 0, layers: [{ name: 'd', className: 'Dense', outputShape: [null, 2], params: 10 }] },
      graph: { name: 'm', className: 'Sequential', nodes: [{ id: 'd', name: 'd', className: 'Dense', outputShape: [null, 2], params: 10 }], edges: [['in', 'd'], ['bad']], inputs: ['in'], outputs: ['d'] },
    }));
    const info = (await readModelInfo(dir))!;
    assert.equal(info.summary.totalParams, 10);
    assert.deepEqual(info.graph!.edges, [['in', 'd']]);
    assert.equal(info.graph!.className, 'Sequential');
  });
});
