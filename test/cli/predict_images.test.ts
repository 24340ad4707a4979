/**
 * `convkit predict MODEL IMAGE…`: images are loaded at the model's input size and colour mode,
 * preprocessed as the model's name says (or as --preprocess says), and a 1,000-class model's top
 * classes are printed as seed 003 prints decode_predictions.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { saveImg } from '../../src/data/image.js';

const bin = fileURLToPath(new URL('../../../bin/convkit.js', import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('convkit predict on image files', () => {
  it('names ImageNet classes for a 1,000-class model, as decode_predictions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-pred-'));
    const inp = Input({ shape: [8, 8, 3] });
    const dense = L.dense({ units: 1000, activation: 'softmax', kernelInitializer: 'zeros', name: 'predictions' });
    const m = new Model({ inputs: inp, outputs: dense.apply(L.flatten().apply(inp)), name: 'vgg16' });
    // The bias alone decides: beagle (162) first, tench (0) second, toilet tissue (999) third.
    const bias = new Float32Array(1000);
    bias[162] = 5; bias[0] = 3; bias[999] = 2;
    dense.weights[1].assign(bias);
    await m.save(join(dir, 'm.keras'));
    await saveImg(join(dir, 'dog.png'), new Tensor(new Float32Array(16 * 16 * 3).fill(128), [16, 16, 3]), { scale: false });
    const r = run(['predict', join(dir, 'm.keras'), join(dir, 'dog.png'), '--top', '3']);
    assert.equal(r.status, 0, r.stderr);
    const z = Math.exp(5) + Math.exp(3) + Math.exp(2) + 997;
    const m1 = /dog\.png: \[\('n02088364', 'beagle', ([\d.e-]+)\), \('n01440764', 'tench', ([\d.e-]+)\), \('n15075141', 'toilet_tissue', ([\d.e-]+)\)\]/.exec(r.stdout);
    assert.ok(m1, r.stdout);
    [5, 3, 2].forEach((b, i) => assert.ok(Math.abs(Number(m1[i + 1]) - Math.exp(b) / z) < 1e-6, `probability ${i}`));
  });

  it('loads grayscale at the input size and scales pixels for other models; --json; bad input is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-pred-'));
    const inp = Input({ shape: [4, 4, 1] });
    const dense = L.dense({ units: 3, activation: 'softmax', kernelInitializer: 'zeros' });
    const m = new Model({ inputs: inp, outputs: dense.apply(L.flatten().apply(inp)), name: 'digits' });
    // Logit 0 is the mean pixel (after /255), the others 0.
    const k = new Float32Array(16 * 3);
    for (let i = 0; i < 16; i++) k[i * 3] = 1 / 16;
    dense.weights[0].assign(k);
    await m.save(join(dir, 'm.convkit'));
    // A 9×9 white image: resized to 4×4 it stays white, so the mean pixel is 1 after scaling.
    await saveImg(join(dir, 'white.png'), new Tensor(new Float32Array(9 * 9 * 3).fill(255), [9, 9, 3]), { scale: false });
    const r = run(['predict', join(dir, 'm.convkit'), join(dir, 'white.png'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const [res] = JSON.parse(r.stdout) as { top: { class: number; probability: number }[] }[];
    assert.equal(res.top[0].class, 0);
    assert.ok(Math.abs(res.top[0].probability - Math.E / (Math.E + 2)) < 1e-6, String(res.top[0].probability));
    const raw = run(['predict', join(dir, 'm.convkit'), join(dir, 'white.png'), '--json', '--preprocess', 'none']);
    const [rawRes] = JSON.parse(raw.stdout) as { top: { probability: number }[] }[];
    assert.ok(rawRes.top[0].probability > 0.999, 'without scaling the mean pixel is 255');
    const missing = run(['predict', join(dir, 'm.convkit'), join(dir, 'nope.png')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.png/);
    const neither = run(['predict', join(dir, 'm.convkit')]);
    assert.equal(neither.status, 1);
    assert.match(neither.stderr, /give image files to classify, or --index/);
  });
});
