import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runConvkit } from '../helpers/cli.js';
import { openModel } from '../../src/cli/commands.js';
import { loadModelInput } from '../../src/cli/model_input.js';
import { featureMapsPicture, filtersPicture, sampleData, samplesPicture } from '../../src/cli/visualize_maps.js';
import { layerActivations } from '../../src/viz/feature_maps.js';
import { toRaster } from '../../src/viz/colormap.js';
import { embeddedMnistSplits } from '../../src/data/datasets/mnist.js';
import type { GridLayout } from '../../src/viz/grid.js';

const home = mkdtempSync(join(tmpdir(), 'convkit-viz-home-'));
const dir = mkdtempSync(join(tmpdir(), 'convkit-viz-'));
const modelPath = join(dir, 'model.convkit');

function convkit(...args: string[]) {
  const r = runConvkit(args, { env: { ...process.env, CONVKIT_HOME: home } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function pixels(path: string) {
  const { data, info } = await sharp(readFileSync(path)).raw().toBuffer({ resolveWithObject: true });
  return { info, at: (x: number, y: number) => Array.from(data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)) };
}

/** The centre pixel of source pixel (sx, sy) of tile k. */
function blockCentre(layout: GridLayout, k: number, sx: number, sy: number): [number, number] {
  const r = layout.tiles[k];
  return [r.x + sx * layout.scale + (layout.scale >> 1), r.y + sy * layout.scale + (layout.scale >> 1)];
}

describe('convkit visualize feature-maps / filters / samples', () => {
  before(() => {
    const r = convkit('train', '--epochs', '1', '--max-samples', '300', '--out', dir, '--quiet');
    assert.equal(r.code, 0, r.err);
  });

  it('feature-maps --index 0 writes the layer\'s channels at the layout\'s size, tiles min..max gray', async () => {
    const out = join(dir, 'maps.png');
    const r = convkit('visualize', 'feature-maps', modelPath, '--layer', 'conv2d', '--index', '0', '--out', out);
    assert.equal(r.code, 0, r.err);
    const model = await openModel(modelPath);
    const input = await loadModelInput(model, { index: 0 });
    const pic = featureMapsPicture(model, input, { layer: 'conv2d' });
    assert.equal(pic.layout.tiles.length, 6);
    assert.match(r.out, new RegExp(`wrote .*maps\\.png \\(${pic.layout.width}x${pic.layout.height} px\\): feature maps of layer "conv2d" \\(6 channel`));
    const img = await pixels(out);
    assert.deepEqual([img.info.width, img.info.height], [pic.layout.width, pic.layout.height]);
    // Tile 2 = channel 2 of conv2d's output, scaled by its own min..max.
    const act = layerActivations(model, input.x, ['conv2d'])[0].output;
    const channel = Array.from({ length: 28 * 28 }, (_, p) => act.values[p * 6 + 2]);
    const want = toRaster(channel, 28, 28);
    for (const [sx, sy] of [[0, 0], [14, 14], [10, 20], [27, 27], [5, 17]]) {
      const g = want.data[(sy * 28 + sx) * 4];
      assert.deepEqual(img.at(...blockCentre(pic.layout, 2, sx, sy)), [g, g, g], `channel 2 pixel ${sx},${sy}`);
    }
  });

  it('feature-maps --image reads a PNG in the model\'s colour mode and size (and writes SVG too)', async () => {
    // A 40×30 RGB picture: resized to 28×28 and converted to gray for LeNet-5.
    const raw = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < 40 * 30; i++) raw.set(i % 40 > 20 ? [250, 250, 250] : [10, 40, 10], 3 * i);
    const png = join(dir, 'input.png');
    await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } }).png().toFile(png);
    const out = join(dir, 'maps_image.png');
    const r = convkit('visualize', 'feature-maps', modelPath, '--image', png, '--layer', 'max_pooling2d', '--out', out, '--cols', '6');
    assert.equal(r.code, 0, r.err);
    const model = await openModel(modelPath);
    const input = await loadModelInput(model, { image: png });
    assert.deepEqual(input.x.shape, [1, 28, 28, 1]);
    const pic = featureMapsPicture(model, input, { layer: 'max_pooling2d', cols: 6 });
    assert.equal(pic.layout.rows, 1);
    const img = await pixels(out);
    assert.deepEqual([img.info.width, img.info.height], [pic.layout.width, pic.layout.height]);
    const svgOut = join(dir, 'maps.svg');
    const s = convkit('visualize', 'feature-maps', modelPath, '--image', png, '--out', svgOut);
    assert.equal(s.code, 0, s.err);
    const svg = readFileSync(svgOut, 'utf8');
    assert.match(svg, /^<svg [^>]*width="\d+" height="\d+"/);
    assert.equal((svg.match(/<image /g) ?? []).length, 6, 'the first conv layer\'s 6 channels by default');
  });

  it('filters writes the conv kernels at the layout\'s size', async () => {
    const out = join(dir, 'filters.png');
    const r = convkit('visualize', 'filters', modelPath, '--layer', 'conv2d_1', '--out', out);
    assert.equal(r.code, 0, r.err);
    const model = await openModel(modelPath);
    const pic = filtersPicture(model, { layer: 'conv2d_1' });
    assert.equal(pic.layout.tiles.length, 6 * 16);
    const img = await pixels(out);
    assert.deepEqual([img.info.width, img.info.height], [pic.layout.width, pic.layout.height]);
    assert.match(r.out, /96 5x5 kernel tile\(s\) of layer "conv2d_1" \(grid/);
  });

  it('samples writes rows × cols embedded digits; a tile equals its digit', async () => {
    const out = join(dir, 'samples.png');
    const r = convkit('visualize', 'samples', '--rows', '3', '--cols', '4', '--out', out);
    assert.equal(r.code, 0, r.err);
    const args = { rows: 3, cols: 4, imageSize: 64, seed: 0 };
    const pic = samplesPicture(await sampleData(args), args);
    assert.equal(pic.layout.tiles.length, 12);
    const img = await pixels(out);
    assert.deepEqual([img.info.width, img.info.height], [pic.layout.width, pic.layout.height]);
    const [, [x]] = embeddedMnistSplits();
    for (const [sx, sy] of [[0, 0], [14, 14], [9, 12], [20, 7]]) {
      const v = x.values[7 * 784 + sy * 28 + sx];
      assert.deepEqual(img.at(...blockCentre(pic.layout, 7, sx, sy)), [v, v, v], `digit 7 pixel ${sx},${sy}`);
    }
  });

  it('samples --dataset DIR draws a class-folder directory with its folder names', async () => {
    const data = join(dir, 'shapes');
    for (const [cls, rgb] of [['cats', [200, 30, 30]], ['dogs', [30, 30, 200]]] as const) {
      mkdirSync(join(data, cls), { recursive: true });
      for (let i = 0; i < 2; i++) {
        await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(join(data, cls, `${i}.png`));
      }
    }
    const out = join(dir, 'dir_samples.png');
    const r = convkit('visualize', 'samples', '--dataset', data, '--rows', '2', '--cols', '2', '--image-size', '16', '--out', out);
    assert.equal(r.code, 0, r.err);
    const args = { dataset: data, rows: 2, cols: 2, imageSize: 16, seed: 0 };
    const sd = await sampleData(args);
    assert.deepEqual(sd.names, ['cats', 'dogs']);
    const pic = samplesPicture(sd, args);
    const img = await pixels(out);
    assert.deepEqual([img.info.width, img.info.height], [pic.layout.width, pic.layout.height]);
    const k0 = img.at(...blockCentre(pic.layout, 0, 8, 8));
    const cls0 = sd.y[0];
    assert.deepEqual(k0, cls0 === 0 ? [200, 30, 30] : [30, 30, 200]);
  });

  it('fails with exit code 1 and a clear message on bad input', () => {
    const badLayer = convkit('visualize', 'feature-maps', modelPath, '--layer', 'conv9', '--index', '0', '--out', join(dir, 'x.png'));
    assert.equal(badLayer.code, 1);
    assert.match(badLayer.err, /convkit: error: No layer named "conv9".*Layers: conv2d, max_pooling2d, conv2d_1/);
    const badExt = convkit('visualize', 'feature-maps', modelPath, '--index', '0', '--out', join(dir, 'maps'));
    assert.equal(badExt.code, 1);
    assert.match(badExt.err, /no extension; supported: \.png, \.svg/);
    const jpg = convkit('visualize', 'samples', '--out', join(dir, 'x.jpg'));
    assert.equal(jpg.code, 1);
    assert.match(jpg.err, /unsupported extension "\.jpg"/);
    const both = convkit('visualize', 'feature-maps', modelPath, '--index', '0', '--image', join(dir, 'input.png'), '--out', join(dir, 'x.png'));
    assert.equal(both.code, 1);
    assert.match(both.err, /either --image FILE or --index N, not both/);
    const neither = convkit('visualize', 'feature-maps', modelPath, '--out', join(dir, 'x.png'));
    assert.equal(neither.code, 1);
    const range = convkit('visualize', 'feature-maps', modelPath, '--index', '99999', '--out', join(dir, 'x.png'));
    assert.equal(range.code, 1);
    assert.match(range.err, /--index 99999 is out of range: the embedded test set has digits 0\.\.1999/);
    const pool = convkit('visualize', 'filters', modelPath, '--layer', 'max_pooling2d', '--out', join(dir, 'x.png'));
    assert.equal(pool.code, 1);
    assert.match(pool.err, /"max_pooling2d" \(MaxPooling2D\) has no convolution kernel to draw; layers with kernels: conv2d, conv2d_1/);
    const noDir = convkit('visualize', 'filters', modelPath, '--out', join(dir, 'missing', 'x.png'));
    assert.equal(noDir.code, 1);
    assert.match(noDir.err, /does not exist/);
    assert.equal(existsSync(join(dir, 'x.png')), false);
  });
});
