import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const bin = join(root, 'bin', 'convkit.js');
const home = mkdtempSync(join(tmpdir(), 'convkit-home-'));

function convkit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CONVKIT_HOME: home }, timeout: 600_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the convkit command', () => {
  const out = mkdtempSync(join(tmpdir(), 'convkit-cli-'));
  let trained: ReturnType<typeof convkit>;

  before(() => {
    // A short run: the full default (6 epochs, ≥ 97%) is measured in the README.
    trained = convkit('train', '--epochs', '1', '--batch-size', '64', '--seed', '7', '--out', out, '--quiet');
  });

  it('train prints the summary and the test accuracy and writes the model and history.json', () => {
    assert.equal(trained.code, 0, trained.err);
    assert.match(trained.out, /Model: "lenet5"/);
    assert.match(trained.out, /Total params: 107,786/);
    const m = /test accuracy: (\d\.\d+)/.exec(trained.out);
    assert.ok(m && Number(m[1]) > 0.85, `one epoch should already exceed 85%: ${trained.out}`);
    assert.ok(existsSync(join(out, 'model.convkit')));
    const h = JSON.parse(readFileSync(join(out, 'history.json'), 'utf8'));
    assert.equal(h.history.loss.length, 1);
    assert.ok(h.history.val_accuracy[0] > 0.8);
  });

  it('evaluate --json reproduces the accuracy train reported', () => {
    const r = convkit('evaluate', join(out, 'model.convkit'), '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const m = /test accuracy: (\d\.\d+)/.exec(trained.out);
    assert.equal(j.accuracy.toFixed(4), m?.[1]);
    assert.equal(j.samples, 2000);
  });

  it('convert writes the trained model as .keras, .h5 and a TensorFlow.js directory that evaluate to the same accuracy', () => {
    const base = JSON.parse(convkit('evaluate', join(out, 'model.convkit'), '--json').out);
    for (const [target, extra] of [[join(out, 'm.keras'), []], [join(out, 'm.h5'), []], [join(out, 'web'), ['--format', 'tfjs']]] as const) {
      const r = convkit('convert', join(out, 'model.convkit'), target, ...extra);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Wrote .*107,786 parameters/);
      const e = JSON.parse(convkit('evaluate', target, '--json').out);
      assert.equal(e.accuracy, base.accuracy, target);
    }
    assert.ok(existsSync(join(out, 'web', 'model.json')));
    const bad = convkit('convert', join(out, 'model.convkit'), join(out, 'm.bin'));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /cannot tell the format from the file name/);
  });

  it('predict --index shows top classes with probabilities', () => {
    const r = convkit('predict', join(out, 'model.convkit'), '--index', '0', '--index', '5,6', '--top', '2', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { index: number; label: number; top: { class: number; probability: number }[] }[];
    assert.deepEqual(j.map((x) => x.index), [0, 5, 6]);
    for (const x of j) {
      assert.equal(x.top.length, 2);
      assert.ok(x.top[0].probability >= x.top[1].probability);
    }
    const text = convkit('predict', join(out, 'model.convkit'), '--index', '3');
    assert.match(text.out, /digit #3: label \d, predicted \d/);
  });

  it('summary --json gives Keras figures for a built-in architecture and a saved model', () => {
    const r = convkit('summary', 'seed-cifar', '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.totalParams, 122570);
    assert.deepEqual(j.layers.map((l: { params: number }) => l.params), [896, 0, 18496, 0, 36928, 0, 65600, 650]);
    assert.deepEqual(j.layers[0], { name: 'conv2d', className: 'Conv2D', outputShape: [null, 30, 30, 32], params: 896 });
    const saved = JSON.parse(convkit('summary', join(out, 'model.convkit'), '--json').out);
    assert.equal(saved.totalParams, 107786);
    assert.match(convkit('summary', 'fashion-bn').out, /Non-trainable params: 1,728/);
  });

  it('failures exit non-zero with a one-line reason', () => {
    const missing = convkit('evaluate', join(out, 'nope.convkit'));
    assert.equal(missing.code, 1);
    assert.match(missing.err, /^convkit: error: Model file not found: .*nope\.convkit\n$/);
    const badIndex = convkit('predict', join(out, 'model.convkit'), '--index', '5000');
    assert.equal(badIndex.code, 1);
    assert.match(badIndex.err, /out of range: the embedded test set has digits 0\.\.1999/);
    const badArch = convkit('summary', 'resnet9000');
    assert.equal(badArch.code, 1);
    assert.match(badArch.err, /resnet9000 is neither a model file nor a known architecture \(lenet5, seed-cifar/);
    const usage = convkit('train', '--epochs', 'many');
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--epochs must be an integer/);
  });

  it('every command has --help', () => {
    for (const c of ['train', 'evaluate', 'predict', 'summary', 'info']) {
      const r = convkit(c, '--help');
      assert.equal(r.code, 0, c);
      assert.match(r.out, /Usage: convkit/);
    }
  });
});
