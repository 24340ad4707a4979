import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runConvkit } from '../helpers/cli.js';
import { loadModel } from '../../src/io/model_io.js';
import { loadMnistForTraining } from '../../src/cli/data.js';
import { modelGraph } from '../../src/viz/model_graph.js';
import { graphLayout } from '../../src/viz/graph.js';
import { confusionLayout } from '../../src/viz/confusion.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-plots-'));
const run = join(dir, 'run');

function convkit(...args: string[]) {
  const r = runConvkit(args, { cwd: dir });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function sizeOf(path: string): Promise<[number, number]> {
  const meta = await sharp(path).metadata();
  return [meta.width as number, meta.height as number];
}

describe('convkit visualize curves|graph|confusion on a trained LeNet-5', () => {
  before(() => {
    const r = convkit('train', '--epochs', '1', '--max-samples', '300', '--out', run, '--quiet');
    assert.equal(r.code, 0, r.err);
  });

  it('curves: draws history.json as two 600x400 panels', async () => {
    const r = convkit('visualize', 'curves', join(run, 'history.json'), '--out', 'curves.png');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote curves\.png \(1200x400 px\): 1 epoch\(s\) of loss vs val_loss; accuracy vs val_accuracy/);
    assert.deepEqual(await sizeOf(join(dir, 'curves.png')), [1200, 400]);
  });

  it('curves: a malformed or missing history file fails with exit 1 and names it', () => {
    writeFileSync(join(dir, 'bad.json'), '{"epoch": [0], "history": {"loss": [1, ');
    let r = convkit('visualize', 'curves', 'bad.json', '--out', 'bad.png');
    assert.equal(r.code, 1);
    assert.match(r.err, /convkit: error: bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'wrong.json'), '{"epoch": [0], "history": {"loss": "low"}}');
    r = convkit('visualize', 'curves', 'wrong.json', '--out', 'bad.png');
    assert.equal(r.code, 1);
    assert.match(r.err, /wrong\.json: history "loss" must be a list of numbers/);
    r = convkit('visualize', 'curves', 'nothing.json', '--out', 'bad.png');
    assert.equal(r.code, 1);
    assert.match(r.err, /History file not found: nothing\.json/);
    r = convkit('visualize', 'curves', join(run, 'history.json'), '--out', 'curves.jpg');
    assert.equal(r.code, 1);
    assert.match(r.err, /unsupported extension/);
  });

  it('graph: writes an SVG naming every layer and a PNG of the layout size', async () => {
    let r = convkit('visualize', 'graph', join(run, 'model.convkit'), '--out', 'model.svg');
    assert.equal(r.code, 0, r.err);
    const svg = readFileSync(join(dir, 'model.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    const model = await loadModel(join(run, 'model.convkit'));
    for (const l of model.layers) assert.ok(svg.includes(`aria-label="${l.name}: ${l.className}"`), `${l.name} missing from the SVG`);
    // sharp parses it: the SVG is well formed.
    const layout = graphLayout(modelGraph(model));
    assert.deepEqual(await sizeOf(join(dir, 'model.svg')), [layout.width, layout.height]);

    r = convkit('visualize', 'graph', join(run, 'model.convkit'), '--out', 'model.png');
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await sizeOf(join(dir, 'model.png')), [layout.width, layout.height]);

    r = convkit('visualize', 'graph', join(run, 'model.convkit'), '--out', 'bare.svg', '--no-shapes');
    assert.equal(r.code, 0, r.err);
    assert.ok(!readFileSync(join(dir, 'bare.svg'), 'utf8').includes('output: ('));
  });

  it('graph: takes built-in architecture names as `convkit summary` does', () => {
    let r = convkit('visualize', 'graph', 'fashion-model2', '--out', 'fm2.svg');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wrote fm2\.svg .*Functional/);
    r = convkit('visualize', 'graph', 'no-such-net', '--out', 'x.svg');
    assert.equal(r.code, 1);
    assert.match(r.err, /neither a model file nor a known architecture/);
  });

  it('confusion: prints per-class accuracy for the 10 digits over every held-out digit, and draws the matrix', async () => {
    const testCount = loadMnistForTraining().xTest.shape[0];
    let r = convkit('visualize', 'confusion', join(run, 'model.convkit'), '--out', 'confusion.png');
    assert.equal(r.code, 0, r.err);
    const rows = r.out.split('\n').filter((l) => /^\d\s+(\d+\s+){10}\|\s+\d+\s+[\d.]+%$/.test(l));
    assert.equal(rows.length, 10, r.out);
    const counts = rows.map((l) => l.split('|')[0].trim().split(/\s+/).slice(1).map(Number));
    assert.equal(counts.flat().reduce((a, b) => a + b, 0), testCount);
    assert.match(r.out, new RegExp(`overall accuracy: [\\d.]+% \\(\\d+ / ${testCount}\\)`));

    r = convkit('visualize', 'confusion', join(run, 'model.convkit'), '--out', 'confusion2.png', '--json');
    assert.equal(r.code, 0, r.err);
    const info = JSON.parse(r.out) as { samples: number; matrix: number[][]; classNames: string[]; accuracy: number };
    assert.equal(info.samples, testCount);
    assert.deepEqual(info.matrix, counts);
    const layout = confusionLayout(info.matrix, info.classNames);
    assert.deepEqual(await sizeOf(join(dir, 'confusion.png')), [layout.width, layout.height]);
  });
});
