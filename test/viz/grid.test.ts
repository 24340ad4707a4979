import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { gridLayout, tileGrid } from '../../src/viz/grid.js';
import type { Raster } from '../../src/viz/figure.js';
import { textWidth } from '../../src/viz/font.js';

function solid(w: number, h: number, rgb: [number, number, number]): Raster {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([...rgb, 255], 4 * i);
  return { width: w, height: h, data };
}

describe('gridLayout', () => {
  it('puts n tiles in ceil(sqrt(n)) columns with gap-separated cells', () => {
    const sizes = Array.from({ length: 5 }, () => ({ width: 10, height: 8 }));
    const l = gridLayout(sizes, [], { scale: 3, gap: 6 });
    assert.equal(l.cols, 3);
    assert.equal(l.rows, 2);
    assert.deepEqual(l.tiles[0], { x: 6, y: 6, width: 30, height: 24 });
    assert.deepEqual(l.tiles[1], { x: 6 + 30 + 6, y: 6, width: 30, height: 24 });
    assert.deepEqual(l.tiles[3], { x: 6, y: 6 + 24 + 6, width: 30, height: 24 });
    assert.equal(l.width, 6 + 3 * 30 + 2 * 6 + 6);
    assert.equal(l.height, 6 + 2 * 24 + 6 + 6);
  });

  it('makes room for labels and a title', () => {
    const sizes = [{ width: 4, height: 4 }, { width: 4, height: 4 }];
    const plain = gridLayout(sizes, [], { cols: 2 });
    const labelled = gridLayout(sizes, ['a', 'b'], { cols: 2, title: 'T' });
    assert.ok(labelled.tiles[0].y > plain.tiles[0].y, 'the title pushes tiles down');
    assert.ok(labelled.height > plain.height + 16);
    assert.ok(labelled.labels[0].y > labelled.tiles[0].y + labelled.tiles[0].height, 'labels are under the tiles');
    // A long label widens its cell.
    const wide = gridLayout(sizes, ['a very long label', 'b'], { cols: 2, labelSize: 10 });
    assert.ok(wide.cells[0].width >= textWidth('a very long label', 10));
  });

  it('rejects an empty grid and bad options', () => {
    assert.throws(() => gridLayout([], []), /at least one tile/);
    assert.throws(() => gridLayout([{ width: 1, height: 1 }], [], { cols: 0 }), /cols/);
    assert.throws(() => gridLayout([{ width: 1, height: 1 }], [], { scale: 2.5 }), /scale/);
  });
});

describe('tileGrid', () => {
  it('draws tile k exactly where gridLayout says', async () => {
    const colours: [number, number, number][] = [[200, 0, 0], [0, 200, 0], [0, 0, 200], [50, 60, 70]];
    const tiles = colours.map((c, k) => ({ raster: solid(5, 4, c), label: `t${k}` }));
    const opts = { scale: 4, title: 'Four tiles' };
    const fig = tileGrid(tiles, opts);
    const layout = gridLayout(tiles.map((t) => t.raster), tiles.map((t) => t.label), opts);
    assert.equal(fig.width, layout.width);
    assert.equal(fig.height, layout.height);
    const { data, info } = await sharp(await fig.toPNG()).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, layout.width);
    layout.tiles.forEach((r, k) => {
      for (const [x, y] of [[r.x, r.y], [r.x + r.width - 1, r.y + r.height - 1], [r.x + 7, r.y + 9]]) {
        const i = (y * info.width + x) * info.channels;
        assert.deepEqual(Array.from(data.subarray(i, i + 3)), colours[k], `tile ${k} at ${x},${y}`);
      }
    });
  });
});
