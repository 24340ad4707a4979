import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { embeddedMnistSplits } from '../../src/data/datasets/mnist.js';
import { tensor } from '../../src/ops/creation.js';
import { DATASET_CLASS_NAMES, isUnitRange, sampleTiles, samplesFigure, samplesLayout } from '../../src/viz/samples.js';

describe('samplesFigure', () => {
  it('lays out rows × cols digits with class names; a tile\'s pixels equal the digit\'s', async () => {
    const [, [x, y]] = embeddedMnistSplits();
    const opts = { rows: 2, cols: 3, title: 'digits' };
    const fig = samplesFigure(x, y.values, DATASET_CLASS_NAMES.mnist, opts);
    const layout = samplesLayout(x, y.values, DATASET_CLASS_NAMES.mnist, opts);
    assert.equal(layout.tiles.length, 6);
    assert.equal(layout.cols, 3);
    assert.equal(layout.rows, 2);
    const { data, info } = await sharp(await fig.toPNG()).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [layout.width, layout.height]);
    const k = 4;
    const r = layout.tiles[k];
    assert.equal(r.width, 28 * layout.scale);
    let checked = 0;
    for (let py = 0; py < 28; py++) {
      for (let px = 0; px < 28; px++) {
        const i = ((r.y + py * layout.scale) * info.width + r.x + px * layout.scale) * info.channels;
        const want = x.values[k * 784 + py * 28 + px];
        assert.deepEqual(Array.from(data.subarray(i, i + 3)), [want, want, want], `digit ${k} pixel ${px},${py}`);
        checked++;
      }
    }
    assert.equal(checked, 784);
    const tiles = sampleTiles(x, y.values, DATASET_CLASS_NAMES.mnist, opts).tiles;
    assert.equal(tiles[k].label, String(y.values[k]));
  });

  it('detects 0..1 pixels and scales them by 255; uses class names; no labels, no captions', () => {
    assert.equal(isUnitRange([0, 0.5, 1]), true);
    assert.equal(isUnitRange([0, 2, 255]), false);
    const rgb = tensor([0, 0.5, 1, 1, 0, 0], [2, 1, 1, 3]);
    const t = sampleTiles(rgb, [9, 0], DATASET_CLASS_NAMES.cifar10, { cols: 2 });
    assert.deepEqual(Array.from(t.tiles[0].raster.data), [0, 128, 255, 255]);
    assert.deepEqual([t.tiles[0].label, t.tiles[1].label], ['truck', 'airplane']);
    assert.equal(sampleTiles(rgb, null, null).tiles[0].label, undefined);
    assert.equal(DATASET_CLASS_NAMES['fashion-mnist'][0], 'T-shirt/top');
  });

  it('rejects bad shapes and too few labels', () => {
    assert.throws(() => samplesFigure(tensor([1, 2], [2]), null), /expected images/);
    assert.throws(() => samplesFigure(tensor([1, 2, 3, 4], [4, 1, 1]), [1], null, { rows: 1, cols: 2 }), /only 1 labels/);
  });
});
