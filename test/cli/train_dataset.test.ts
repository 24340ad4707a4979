/**
 * `convkit train --dataset`: model/dataset shape checks (before any download), the MNIST offline fallback,
 * a named dataset that cannot be reached, and a class-per-folder directory. No network: the mirror points
 * at a closed local port.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const bin = join(root, 'bin', 'convkit.js');
const home = mkdtempSync(join(tmpdir(), 'convkit-home-'));
let closedMirror = '';

function convkit(...args: string[]) {
  const env = { ...process.env, CONVKIT_HOME: home, CONVKIT_DATASETS_MIRROR: closedMirror };
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedMirror = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  await new Promise<void>((r) => s.close(() => r()));
});

describe('convkit train --dataset', () => {
  it('refuses a model that does not take the dataset\'s images, before downloading anything', () => {
    const r = convkit('train', '--dataset', 'cifar10', '--model', 'lenet5', '--quiet');
    assert.equal(r.code, 1);
    assert.match(r.err, /convkit: error: Model lenet5 expects 28x28x1 inputs, but training data is --dataset cifar10 \(32x32x3\)\. Pick one of: seed-cifar, cifar-bn/);
    const f = convkit('train', '--dataset', 'fashion-mnist', '--model', 'cifar-bn', '--quiet');
    assert.equal(f.code, 1);
    assert.match(f.err, /Model cifar-bn expects 32x32x3 inputs, but training data is --dataset fashion-mnist \(28x28x1\)/);
  });

  it('mnist falls back to the embedded digits when the download is unreachable, with a notice', () => {
    const out = mkdtempSync(join(tmpdir(), 'convkit-ds-'));
    const r = convkit('train', '--dataset', 'mnist', '--epochs', '1', '--batch-size', '64', '--out', out, '--quiet');
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /using the embedded MNIST subset instead: 8,000 training \/ 2,000 test digits/);
    assert.match(r.out, /Training on 8000 MNIST digits/);
    assert.match(r.out, /on 2000 test digits/);
    const h = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    assert.deepEqual([h.options.dataset, h.options.model], ['mnist', 'lenet5']);
  });

  it('fashion-mnist fails with the URL and the cache path when the download is unreachable', () => {
    const r = convkit('train', '--dataset', 'fashion-mnist', '--quiet');
    assert.equal(r.code, 1);
    assert.match(r.err, /convkit: error: Cannot download http:\/\/127\.0\.0\.1:\d+\/tensorflow\/tf-keras-datasets\/train-labels-idx1-ubyte\.gz/);
    assert.ok(r.err.includes(join(home, 'datasets', 'fashion-mnist', 'train-labels-idx1-ubyte.gz')));
  });

  it('trains on a directory of class folders, resized to the model input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-dir-'));
    for (const [k, cls] of ['dark', 'light'].entries()) {
      mkdirSync(join(dir, cls));
      for (let i = 0; i < 6; i++) {
        const v = k === 0 ? 20 + i : 230 - i;
        await sharp(Buffer.alloc(12 * 10 * 3, v), { raw: { width: 12, height: 10, channels: 3 } }).png().toFile(join(dir, cls, `${i}.png`));
      }
    }
    const out = mkdtempSync(join(tmpdir(), 'convkit-ds-'));
    const r = convkit('train', '--dataset', dir, '--epochs', '1', '--batch-size', '4', '--validation-split', '0.25', '--out', out, '--quiet');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Model: "sequential/);
    assert.match(r.out, /Training on 9 images from /);
    assert.match(r.out, /on 3 validation images/);
    assert.ok(existsSync(join(out, 'model.convkit')));
    const bad = convkit('train', '--dataset', join(dir, 'missing'), '--quiet');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /not a directory \(expected mnist, fashion-mnist, cifar10 or a directory of class folders\)/);
  });
});
