import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Figure, type Raster, figureExtension } from '../../src/viz/figure.js';
import { encodePNG } from '../../src/viz/png.js';
import { ValueError } from '../../src/errors.js';

async function decode(png: Uint8Array): Promise<{ width: number; height: number; at: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    at: (x, y) => Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)),
  };
}

/** A 3×2 raster with distinct colours: pixel (x, y) = [10 + x, 20 + y, 30 + x + y, 255]. */
function sample(): Raster {
  const data = new Uint8ClampedArray(3 * 2 * 4);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) data.set([10 + x, 20 + y, 30 + x + y, 255], (y * 3 + x) * 4);
  return { width: 3, height: 2, data };
}

describe('encodePNG', () => {
  it('round-trips exact RGBA pixels through a decoder', async () => {
    const r = sample();
    const img = await decode(encodePNG(r));
    assert.equal(img.width, 3);
    assert.equal(img.height, 2);
    assert.deepEqual(img.at(2, 1), [12, 21, 33, 255]);
    assert.deepEqual(img.at(0, 0), [10, 20, 30, 255]);
  });
});

describe('Figure', () => {
  it('writes a PNG of its size with each raster pixel an exact scale × scale block', async () => {
    const fig = new Figure(40, 30, { background: '#ffffff' }).image(sample(), 5, 7, 4);
    const img = await decode(await fig.toPNG());
    assert.equal(img.width, 40);
    assert.equal(img.height, 30);
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 3; x++) {
        for (const [dx, dy] of [[0, 0], [3, 0], [0, 3], [3, 3], [1, 2]]) {
          assert.deepEqual(img.at(5 + 4 * x + dx, 7 + 4 * y + dy), [10 + x, 20 + y, 30 + x + y, 255], `pixel ${x},${y} +${dx},${dy}`);
        }
      }
    }
    assert.deepEqual(img.at(4, 7), [255, 255, 255, 255]);
    assert.deepEqual(img.at(5 + 12, 7), [255, 255, 255, 255]);
    assert.deepEqual(img.at(5, 7 + 8), [255, 255, 255, 255]);
  });

  it('paints in call order: a shape over a raster hides it, a later raster covers the shape', async () => {
    const fig = new Figure(30, 20)
      .image(sample(), 0, 0, 4)
      .rect(0, 0, 4, 4, { fill: '#ff0000' })
      .rect(20, 0, 10, 10, { fill: '#0000ff' })
      .image(sample(), 24, 0, 2);
    const img = await decode(await fig.toPNG());
    assert.deepEqual(img.at(1, 1), [255, 0, 0, 255]);
    assert.deepEqual(img.at(5, 1), [11, 20, 31, 255]); // raster pixel (1, 0) untouched
    assert.deepEqual(img.at(21, 5), [0, 0, 255, 255]); // the blue rect
    assert.deepEqual(img.at(24, 0), [10, 20, 30, 255]); // the second raster over the blue rect
  });

  it('frames a block without touching its pixels', async () => {
    const fig = new Figure(20, 20).image(sample(), 4, 4, 2).frame(4, 4, 6, 4, '#000000');
    const img = await decode(await fig.toPNG());
    assert.deepEqual(img.at(4, 4), [10, 20, 30, 255]);
    assert.deepEqual(img.at(9, 7), [12, 21, 33, 255]);
    assert.deepEqual(img.at(3, 5), [0, 0, 0, 255]); // the frame's left column
    assert.deepEqual(img.at(10, 5), [0, 0, 0, 255]); // right column
    assert.deepEqual(img.at(6, 8), [0, 0, 0, 255]); // bottom row
  });

  it('draws text as dark strokes inside its box and nothing outside it', async () => {
    const fig = new Figure(120, 40).text('Hello 42', 10, 30, { size: 20 });
    const img = await decode(await fig.toPNG());
    let dark = 0;
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 120; x++) {
        const v = img.at(x, y)[0];
        if (v < 128) {
          dark++;
          assert.ok(y >= 8 && y <= 32 && x >= 8, `ink outside the text box at ${x},${y}`);
        }
      }
    }
    assert.ok(dark > 50, `text should leave ink, got ${dark} dark pixels`);
  });

  it('writes a standalone SVG with embedded rasters and the text kept as a label', async () => {
    const fig = new Figure(50, 40).image(sample(), 2, 3, 4).text('a<b & c', 5, 35, { size: 10 }).line([[0, 0], [40, 30]], { stroke: '#ff0000', arrow: true, dash: [3, 2] });
    const svg = fig.toSVG();
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="50" height="40"/);
    assert.match(svg, /<image x="2" y="3" width="12" height="8" [^>]*image-rendering:pixelated[^>]*href="data:image\/png;base64,/);
    assert.match(svg, /aria-label="a&lt;b &amp; c"/);
    assert.match(svg, /stroke-dasharray="3 2"/);
    const meta = await sharp(Buffer.from(svg)).metadata();
    assert.equal(meta.width, 50);
    assert.equal(meta.height, 40);
    // The embedded PNG holds the raster's exact pixels.
    const b64 = /base64,([^"]+)"/.exec(svg)![1];
    assert.deepEqual((await decode(Buffer.from(b64, 'base64'))).at(1, 1), [11, 21, 32, 255]);
  });

  it('saves by extension, atomically, and refuses other extensions and missing directories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-fig-'));
    const fig = new Figure(8, 6).rect(0, 0, 2, 2, { fill: '#00ff00' });
    await fig.save(join(dir, 'a.png'));
    await fig.save(join(dir, 'a.SVG'));
    assert.equal((await decode(readFileSync(join(dir, 'a.png')))).width, 8);
    assert.match(readFileSync(join(dir, 'a.SVG'), 'utf8'), /<svg/);
    await assert.rejects(fig.save(join(dir, 'a.jpg')), (e: Error) => e instanceof ValueError && /\.jpg.*supported: \.png, \.svg/.test(e.message));
    await assert.rejects(fig.save(join(dir, 'noext')), /no extension/);
    await assert.rejects(fig.save(join(dir, 'missing', 'a.png')), /does not exist/);
    assert.equal(existsSync(join(dir, 'missing')), false);
    assert.equal(figureExtension('x.Png'), '.png');
  });

  it('rejects bad sizes, positions and colours', () => {
    assert.throws(() => new Figure(0, 10), ValueError);
    assert.throws(() => new Figure(10, 10, { background: 'chartreuse-ish' }), /background/);
    const fig = new Figure(10, 10);
    assert.throws(() => fig.image(sample(), 0.5, 0), /integers/);
    assert.throws(() => fig.image(sample(), 0, 0, 1.5), /scale/);
    assert.throws(() => fig.image({ width: 2, height: 2, data: new Uint8ClampedArray(3) }, 0, 0), /Raster/);
    assert.throws(() => fig.rect(0, 0, 1, 1, { fill: '"/><script>' }), /colour/);
    assert.throws(() => fig.line([[0, 0]]), /at least 2 points/);
  });

  it('keeps a transparent background transparent', async () => {
    const img = await decode(await new Figure(4, 4, { background: 'none' }).image(sample(), 0, 0).toPNG());
    assert.deepEqual(img.at(3, 3), [0, 0, 0, 0]);
    assert.deepEqual(img.at(0, 0), [10, 20, 30, 255]);
  });
});
