import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

import { run } from '../../src/cli/main.js';
import { openModel } from '../../src/cli/commands.js';
import { loadModelInput } from '../../src/cli/model_input.js';
import { gradCam } from '../../src/viz/saliency.js';
import { SALIENCY_CAPTION } from '../../src/viz/saliency_figure.js';
import { erfLayout } from '../../src/viz/erf_figure.js';
import { colormap } from '../../src/viz/colormap.js';
import { runConvkit } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-analysis-'));
const modelPath = join(dir, 'model', 'model.convkit');

async function convkit(...args: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await run(['node', 'convkit', ...args], (s) => lines.push(...s.split('\n')));
  return { code, lines };
}

async function pixels(path: string): Promise<{ width: number; height: number; at: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x, y) => Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)) };
}

describe('convkit visualize receptive-field / erf / saliency', () => {
  before(async () => {
    const r = await convkit('train', '--epochs', '1', '--max-samples', '300', '--out', join(dir, 'model'), '--quiet');
    assert.equal(r.code, 0, r.lines.join('\n'));
  });

  it('receptive-field prints one row per layer of the trained LeNet-5, and --json the rows', async () => {
    const r = await convkit('visualize', 'receptive-field', modelPath);
    assert.equal(r.code, 0);
    const rows = r.lines.filter((l) => /^\w+ \((Conv2D|MaxPooling2D|Flatten|Dense)\)/.test(l));
    assert.equal(rows.length, 8);
    assert.match(rows[0], /^conv2d \(Conv2D\)\s+\(None, 28, 28, 6\)\s+5x5\s+1x1\s+\(0, 0\)$/);
    assert.match(rows[7], /global \(28x28\)/);
    const j = await convkit('visualize', 'receptive-field', modelPath, '--json');
    const parsed = JSON.parse(j.lines.join('\n')) as { name: string; size: number[]; jump: number[] }[];
    assert.deepEqual(parsed.slice(0, 4).map((p) => [p.size[0], p.jump[0]]), [[5, 1], [6, 2], [14, 2], [16, 4]]);
  });

  it('receptive-field takes built-in architecture names', async () => {
    const r = await convkit('visualize', 'receptive-field', 'seed-cifar');
    assert.equal(r.code, 0);
    assert.ok(r.lines.some((l) => /\(Conv2D\)\s+\(None, 30, 30, 32\)\s+3x3/.test(l)), r.lines.join('\n'));
  });

  it('erf writes the documented size; pixels outside the theoretical field are exactly inferno(0)', async () => {
    const out = join(dir, 'erf.png');
    const r = await convkit('visualize', 'erf', modelPath, '--layer', 'conv2d_1', '--out', out, '--samples', '8');
    assert.equal(r.code, 0);
    assert.match(r.lines[0], /^wrote .*erf\.png \(316x320 px\): effective receptive field of unit \(6, 6\) of layer "conv2d_1" \(output 14x14x16\), mean \|gradient\| over 8 embedded test digits; theoretical field 14x14$/);
    const lay = erfLayout(28, 28, 8);
    const png = await pixels(out);
    assert.deepEqual([png.width, png.height], [lay.width, lay.height]);
    // The theoretical field of unit (6, 6) covers input rows/columns 6..19: pixel (2, 2) is outside it.
    assert.deepEqual(png.at(lay.heat.x + 2 * 8 + 4, lay.heat.y + 2 * 8 + 4), colormap('inferno')(0));
    let lit = 0;
    for (let r0 = 6; r0 <= 19; r0++) for (let c0 = 6; c0 <= 19; c0++) {
      if (png.at(lay.heat.x + c0 * 8 + 4, lay.heat.y + r0 * 8 + 4).join() !== colormap('inferno')(0).join()) lit++;
    }
    assert.ok(lit > 50, `only ${lit} pixels of the field are lit`);
  });

  it('saliency writes 28x28 x 8 (+ caption band) with each pixel the 0.4 jet blend of the Grad-CAM map', async () => {
    const out = join(dir, 'heat.png');
    const r = await convkit('visualize', 'saliency', modelPath, '--index', '0', '--out', out);
    assert.equal(r.code, 0);
    assert.match(r.lines[0], /^wrote .*heat\.png \(224x248 px\): Grad-CAM of class \d \(p=[\d.]+\) at layer "conv2d_1" \(14x14, score pre-activation\) for embedded test digit #0/);
    const png = await pixels(out);
    assert.deepEqual([png.width, png.height], [28 * 8, 28 * 8 + SALIENCY_CAPTION]);
    const model = await openModel(modelPath);
    const input = await loadModelInput(model, { index: 0 });
    const cam = gradCam(model, input.x);
    for (const [y, x] of [[5, 5], [14, 14], [10, 20], [27, 0]]) {
      const i = y * 28 + x;
      const expected = colormap('jet')(cam.cam[i]).map((v, c) => Math.round(0.6 * input.display.data[4 * i + c] + 0.4 * v));
      assert.deepEqual(png.at(x * 8 + 4, SALIENCY_CAPTION + y * 8 + 4), expected, `pixel ${y}, ${x}`);
    }
  });

  it('saliency --class and --layer choose what is explained; SVG output works', async () => {
    const out = join(dir, 'heat.svg');
    const r = await convkit('visualize', 'saliency', modelPath, '--index', '1', '--class', '3', '--layer', 'conv2d', '--out', out);
    assert.equal(r.code, 0);
    assert.match(r.lines[0], /Grad-CAM of class 3 .* at layer "conv2d" \(28x28/);
  });

  it('errors exit 1 with one clear line', () => {
    const cases: [string[], RegExp][] = [
      [['visualize', 'erf', modelPath, '--layer', 'flatten', '--out', join(dir, 'e.png')], /layer "flatten" outputs \(None, 784\): the effective receptive field needs a layer with a 4-D/],
      [['visualize', 'erf', modelPath, '--layer', 'nope', '--out', join(dir, 'e.png')], /No such layer: "nope"\. Layers of "lenet5": conv2d, /],
      [['visualize', 'saliency', modelPath, '--index', '0', '--layer', 'nope', '--out', join(dir, 's.png')], /No such layer: "nope"/],
      [['visualize', 'saliency', modelPath, '--index', '0', '--class', '12', '--out', join(dir, 's.png')], /class 12 is out of range/],
      [['visualize', 'saliency', modelPath, '--out', join(dir, 's.png')], /No input given: pass --image FILE/],
      [['visualize', 'erf', modelPath, '--layer', 'conv2d', '--out', join(dir, 'e.txt')], /unsupported extension "\.txt"/],
      [['visualize', 'receptive-field', 'no-such-model'], /no-such-model is neither a model file nor a known architecture/],
    ];
    for (const [args, message] of cases) {
      const r = runConvkit(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^convkit: error: /);
      assert.match(r.stderr, message);
    }
  });
});
