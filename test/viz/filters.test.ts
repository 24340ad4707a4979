import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import * as layers from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { tensor } from '../../src/ops/creation.js';
import { colormap } from '../../src/viz/colormap.js';
import { filterTiles, filtersFigure, filtersLayout, signedFilterColour } from '../../src/viz/filters.js';
import { ValueError } from '../../src/errors.js';

/** A (kh, kw, cin, cout) kernel whose value at (y, x, i, o) is f(y, x, i, o). */
function kernelOf(shape: [number, number, number, number], f: (y: number, x: number, i: number, o: number) => number) {
  const [kh, kw, cin, cout] = shape;
  const v = new Float32Array(kh * kw * cin * cout);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) v[((y * kw + x) * cin + i) * cout + o] = f(y, x, i, o);
  return tensor(v, shape);
}

describe('filtersFigure', () => {
  it('draws 1-channel filters in coolwarm symmetric about 0: PNG pixels equal the kernel after scaling', async () => {
    // Filter 0 runs -0.5..0.5 across x; filter 1 is 0 except +1 at the centre, so m = 1 for both.
    const kernel = kernelOf([3, 3, 1, 2], (y, x, _i, o) => (o === 0 ? (x - 1) * 0.5 : y === 1 && x === 1 ? 1 : 0));
    const fig = filtersFigure(kernel);
    const layout = filtersLayout(kernel);
    const { data, info } = await sharp(await fig.toPNG()).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [fig.width, fig.height]);
    const at = (o: number, y: number, x: number) => {
      const r = layout.tiles[o];
      const i = ((r.y + y * layout.scale + 1) * info.width + r.x + x * layout.scale + 1) * info.channels;
      return Array.from(data.subarray(i, i + 3));
    };
    const v = kernel.values;
    for (let o = 0; o < 2; o++) {
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) assert.deepEqual(at(o, y, x), signedFilterColour(v[(y * 3 + x) * 2 + o], 1), `filter ${o} ${x},${y}`);
    }
    assert.deepEqual(at(1, 0, 0), [255, 255, 255]); // zero weight: white
    assert.deepEqual(at(1, 1, 1), colormap('coolwarm')(1)); // the largest weight: the red end
    assert.deepEqual(at(0, 0, 0), colormap('coolwarm')(0.25)); // -0.5 of m = 1
  });

  it('draws RGB filters with one min..max shared by the whole kernel', () => {
    const kernel = kernelOf([2, 2, 3, 2], (y, x, i, o) => o * 10 + i * 2 + y + x); // 0 .. 16
    const t = filterTiles(kernel);
    assert.equal(t.mode, 'rgb');
    assert.deepEqual(t.range, [0, 16]);
    const r = t.tiles[1].raster; // filter 1, pixel (0, 0): values 10, 12, 14
    assert.deepEqual(Array.from(r.data.subarray(0, 4)), [Math.round(10 / 16 * 255), Math.round(12 / 16 * 255), Math.round(14 / 16 * 255), 255]);
  });

  it('draws deeper kernels as a row per input channel and a column per filter, within limits', () => {
    const kernel = kernelOf([3, 3, 10, 20], (y, x, i, o) => i - o + y * x);
    const t = filterTiles(kernel);
    assert.equal(t.mode, 'grid');
    assert.equal(t.tiles.length, 8 * 16);
    assert.equal(t.tiles[16].label, 'c1 f0');
    assert.match(t.cut, /first 8 of 10 input channels, first 16 of 20 filters/);
    const layout = filtersLayout(kernel);
    assert.equal(layout.cols, 16);
    assert.equal(layout.rows, 8);
    const small = filterTiles(kernel, { maxInputs: 2, maxFilters: 3 });
    assert.equal(small.tiles.length, 6);
  });

  it('takes Conv2D, DepthwiseConv2D and Conv1D layers and refuses layers without a kernel', () => {
    const model = new Sequential([
      layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 1], name: 'c2' }),
      layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, name: 'dw' }),
      layers.maxPooling2d({ name: 'pool' }),
    ]);
    model.build([null, 8, 8, 1]);
    const [c2, dw, pool] = model.layers;
    assert.equal(filterTiles(c2).tiles.length, 4);
    const d = filterTiles(dw);
    assert.equal(d.mode, 'depthwise');
    assert.equal(d.tiles.length, 8);
    assert.equal(d.tiles[3].label, 'c1.1');
    const c1 = new Sequential([layers.conv1d({ filters: 2, kernelSize: 5, inputShape: [10, 1], name: 'c1d' })]);
    c1.build([null, 10, 1]);
    const t1 = filterTiles(c1.layers[0]);
    assert.deepEqual([t1.tiles[0].raster.width, t1.tiles[0].raster.height], [5, 1]);
    assert.throws(() => filterTiles(pool), (e: Error) => e instanceof ValueError && /"pool" \(MaxPooling2D\) has no convolution kernel/.test(e.message));
    assert.throws(() => filterTiles(tensor([1, 2], [2])), /expected a convolution kernel/);
  });
});
