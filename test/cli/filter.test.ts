import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

import { loadImg } from '../../src/data/image.js';

const root = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const bin = join(root, 'bin', 'convkit.js');
const dir = mkdtempSync(join(tmpdir(), 'convkit-filter-'));
const W = 12;
const H = 8;

function convkit(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function rows(path: string): Promise<number[][]> {
  const img = await loadImg(path, { colorMode: 'grayscale' });
  return Array.from({ length: img.height }, (_, y) => [...img.data.subarray(y * img.width, (y + 1) * img.width)]);
}

describe('convkit filter', () => {
  before(async () => {
    // A vertical edge: dark (20) in columns 0–5, bright (220) in columns 6–11; RGB, read as grayscale.
    const px = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) px.fill(x < 6 ? 20 : 220, (y * W + x) * 3, (y * W + x) * 3 + 3);
    await sharp(px, { raw: { width: W, height: H, channels: 3 } }).png().toFile(join(dir, 'edge.png'));
  });

  it('sobel-x turns a vertical edge into a bright column where the edge is', async () => {
    const r = convkit('filter', 'edge.png', '--kernel', 'sobel-x', '--mode', 'nearest', '--out', 'sx.png');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Wrote sx\.png \(12×8\): sobel-x 3×3 convolved \(mode nearest\), response -800\.\.0/);
    const expected = [0, 0, 0, 0, 0, 255, 255, 0, 0, 0, 0, 0];
    for (const row of await rows(join(dir, 'sx.png'))) assert.deepEqual(row, expected);
  });

  it('seed 000\'s convolve2d with valid padding, and correlation, give the same magnitude', async () => {
    const r = convkit('filter', 'edge.png', '--kernel', 'sobel-x', '--padding', 'valid', '--correlate', '--out', 'valid.png');
    assert.equal(r.code, 0, r.err);
    const out = await rows(join(dir, 'valid.png'));
    assert.equal(out.length, H - 2);
    for (const row of out) assert.deepEqual(row, [0, 0, 0, 0, 255, 255, 0, 0, 0, 0]);
    // sobel-y sees no horizontal edge inside the image
    const y = convkit('filter', 'edge.png', '--kernel', 'sobel-y', '--padding', 'valid', '--out', 'sy.png');
    assert.equal(y.code, 0, y.err);
    for (const row of await rows(join(dir, 'sy.png'))) assert.ok(row.every((v) => v === 0));
  });

  it('takes a kernel from a JSON file and writes JPEG and WebP', async () => {
    writeFileSync(join(dir, 'k.json'), '[[1, -1]]');
    const r = convkit('filter', 'edge.png', '--kernel', 'k.json', '--padding', 'valid', '--stride', '2', '--out', 'k.jpg');
    assert.equal(r.code, 0, r.err);
    const img = await loadImg(join(dir, 'k.jpg'), { colorMode: 'grayscale' });
    assert.deepEqual([img.height, img.width], [4, 6]);
    assert.equal(convkit('filter', 'edge.png', '--kernel', 'gaussian', '--size', '3', '--out', 'g.webp').code, 0);
    assert.ok(existsSync(join(dir, 'g.webp')));
  });

  it('a bad kernel file or option exits 1 with a one-line error', () => {
    const cases: [string, string, RegExp][] = [
      ['ragged.json', '[[1, 2], [3]]', /row 1 has 1 values, row 0 has 2/],
      ['nan.json', '[[1, "x"]]', /the value at \[0\]\[1\] is "x", not a finite number/],
      ['empty.json', '[]', /non-empty array of rows/],
      ['flat.json', '[1, 2, 3]', /row 0 is not a non-empty array/],
      ['broken.json', '[[1, 2', /is not valid JSON/],
    ];
    for (const [name, text, msg] of cases) {
      writeFileSync(join(dir, name), text);
      const r = convkit('filter', 'edge.png', '--kernel', name, '--out', 'x.png');
      assert.equal(r.code, 1, `${name}: ${r.err}`);
      assert.match(r.err, /^convkit: error: Kernel file .* must hold a 2-D array|^convkit: error: Kernel file .* is not valid JSON/);
      assert.match(r.err, msg);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
    const missing = convkit('filter', 'edge.png', '--kernel', 'missing.json', '--out', 'x.png');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /Cannot read kernel file missing\.json: no such file/);
    const unknown = convkit('filter', 'edge.png', '--kernel', 'prewitt', '--out', 'x.png');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /Unknown kernel "prewitt": use one of sobel-x, sobel-y, edge/);
    assert.equal(convkit('filter', 'edge.png', '--kernel', 'edge', '--mode', 'sideways', '--out', 'x.png').code, 2);
    const help = convkit('filter', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /Usage: convkit filter .*<image>[\s\S]*--kernel/);
    assert.ok(!existsSync(join(dir, 'x.png')));
  });
});
