/**
 * `convkit train --logdir`: a finished run directory the dashboard can read (digit class names, the
 * validation split's samples in snapshots and the confusion matrix), an 'interrupted' status
 * after Ctrl-C, and 'failed' with the reason when training throws.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConvkit, spawnConvkit } from '../helpers/cli.js';
import { decodeFloat32LE, readConfusion, readFilters, readModelInfo, readRun, readScalars, readSnapshots } from '../../src/dashboard/logdir_format.js';

describe('convkit train --logdir', () => {
  it('writes a finished run: scalars per step, snapshots of a validation digit, filters, digit confusion matrix', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'convkit-logdir-cli-'));
    const dir = join(tmp, 'runs', 'a');
    const r = runConvkit(['train', '--epochs', '1', '--max-samples', '300', '--logdir', dir, '--out', join(tmp, 'out'), '--quiet']);
    assert.equal(r.status, 0, r.stderr);
    const run = (await readRun(dir))!;
    assert.equal(run.status, 'finished');
    assert.equal(run.name, 'a');
    assert.equal(run.model.name, 'lenet5');
    assert.deepEqual(run.model.inputShape, [28, 28, 1]);
    assert.equal(run.options.maxSamples, 300);
    // 300 samples, 10% held out: 270 training samples in batches of 32.
    assert.equal(run.stepsPerEpoch, 9);
    const { records } = await readScalars(dir);
    assert.deepEqual(records.map((x) => x.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
    assert.deepEqual(Object.keys(records[9].logs).sort(), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);

    const snaps = (await readSnapshots(dir)).records;
    assert.deepEqual(snaps.map((s) => s.epoch), [-1, 0]);
    assert.deepEqual(snaps[0].sample.shape, [28, 28, 1]);
    assert.ok(Number.isInteger(snaps[0].sample.label) && snaps[0].sample.label! >= 0 && snaps[0].sample.label! <= 9);
    assert.deepEqual(snaps[0].layers.map((l) => l.className), ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D']);

    const filters = (await readFilters(dir)).records;
    assert.deepEqual(filters.map((f) => f.shape), [[5, 5, 1, 6], [5, 5, 1, 6]]);
    assert.equal(decodeFloat32LE(filters[1].data).length, 150);

    const confusion = (await readConfusion(dir))!;
    assert.deepEqual(confusion.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.equal(confusion.matrix.flat().reduce((a, b) => a + b, 0), 30);
    assert.equal((await readModelInfo(dir))!.summary.totalParams, 107786);
  });

  it("marks the run 'interrupted' when Ctrl-C stops training", async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'convkit-logdir-cli-'));
    const dir = join(tmp, 'runs', 'b');
    const child = spawnConvkit(['train', '--epochs', '500', '--max-samples', '300', '--logdir', dir, '--out', join(tmp, 'out'), '--quiet']);
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    // Wait until training is under way (batch records appear), then press Ctrl-C once.
    let ended = false;
    void exited.then(() => (ended = true));
    for (;;) {
      if ((await readScalars(dir)).records.length > 0) break;
      assert.ok(!ended, `train exited before its first batch: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    const run = (await readRun(dir))!;
    assert.equal(run.status, 'interrupted');
    assert.ok(run.completedEpochs < 500);
  });

  it("marks the run 'failed' with the error when training throws (an undecodable image mid-run)", async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'convkit-logdir-cli-'));
    const images = join(tmp, 'images');
    for (const c of ['cat', 'dog']) {
      mkdirSync(join(images, c), { recursive: true });
      for (let i = 0; i < 6; i++) {
        await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 40 * i, g: 90, b: 30 } } }).png().toFile(join(images, c, `${i}.png`));
      }
    }
    writeFileSync(join(images, 'dog', 'broken.png'), 'not an image');
    const dir = join(tmp, 'runs', 'c');
    const r = runConvkit(['train', '--dataset', images, '--epochs', '2', '--batch-size', '2', '--validation-split', '0.3', '--logdir', dir, '--out', join(tmp, 'out'), '--quiet']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Cannot decode .*broken\.png/);
    const run = (await readRun(dir))!;
    assert.equal(run.status, 'failed');
    assert.match(run.error!, /Cannot decode .*broken\.png/);
  });
});
