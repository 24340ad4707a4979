/** utils.plotModel: Keras's plot_model(model, to_file, show_shapes, rankdir) as a picture file. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { utils, viz, Sequential, layers as L } from '../../src/index.js';

const model = () => new Sequential([
  L.conv2d({ filters: 4, kernelSize: 3, name: 'c1', inputShape: [28, 28, 1] }),
  L.flatten({ name: 'f' }),
  L.dense({ units: 10, name: 'out' }),
]);

describe('utils.plotModel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-plot-'));

  it('writes an SVG naming every layer, with shapes when showShapes', async () => {
    const file = join(dir, 'm.svg');
    await utils.plotModel(model(), { toFile: file, showShapes: true });
    const svg = readFileSync(file, 'utf8');
    assert.match(svg, /^<svg/);
    for (const name of ['c1', 'f', 'out']) assert.ok(svg.includes(name), `${name} missing`);
    assert.ok(svg.includes('(None, 26, 26, 4)'), 'the conv output shape is drawn');
  });

  it('writes a PNG of the layout size, and LR is wider than tall', async () => {
    const file = join(dir, 'm.png');
    const fig = await utils.plotModel(model(), { toFile: file, rankdir: 'LR' });
    const meta = await sharp(file).metadata();
    assert.equal(meta.width, fig.width);
    assert.equal(meta.height, fig.height);
    assert.ok(fig.width > fig.height);
    const tb = viz.graphFigure(viz.modelGraph(model()), { direction: 'TB' });
    assert.ok(tb.height > tb.width);
  });

  it('rejects an unknown rankdir and an unknown extension', async () => {
    await assert.rejects(utils.plotModel(model(), { toFile: join(dir, 'x.png'), rankdir: 'BT' as 'TB' }), /rankdir must be 'TB' or 'LR'/);
    await assert.rejects(utils.plotModel(model(), { toFile: join(dir, 'x.gif') }), /\.png|\.svg/);
  });
});
