import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { colormap, toRaster, valueRange, COLORMAP_NAMES } from '../../src/viz/colormap.js';
import { ValueError } from '../../src/errors.js';

function px(r: { data: Uint8ClampedArray }, i: number): number[] {
  return Array.from(r.data.subarray(4 * i, 4 * i + 4));
}

describe('colour maps', () => {
  it('gray maps 0 to black and 1 to white, t × 255 rounded', () => {
    const g = colormap('gray');
    assert.deepEqual(g(0), [0, 0, 0]);
    assert.deepEqual(g(1), [255, 255, 255]);
    assert.deepEqual(g(0.5), [128, 128, 128]);
    assert.deepEqual(g(-3), [0, 0, 0]);
    assert.deepEqual(g(7), [255, 255, 255]);
  });

  it('coolwarm is blue at 0, white at the centre and red at 1', () => {
    const c = colormap('coolwarm');
    assert.deepEqual(c(0.5), [255, 255, 255]);
    const [r0, , b0] = c(0);
    const [r1, , b1] = c(1);
    assert.ok(b0 > 150 && r0 < 100, `low end blue: ${c(0)}`);
    assert.ok(r1 > 150 && b1 < 60, `high end red: ${c(1)}`);
  });

  it('viridis and inferno have matplotlib\'s end colours', () => {
    assert.deepEqual(colormap('viridis')(0), [0x44, 0x01, 0x54]);
    assert.deepEqual(colormap('viridis')(1), [0xfd, 0xe7, 0x25]);
    assert.deepEqual(colormap('inferno')(0), [0x00, 0x00, 0x04]);
    assert.deepEqual(colormap('inferno')(1), [0xfc, 0xff, 0xa4]);
  });

  it('every map gives integers 0..255 across [0, 1]', () => {
    for (const name of COLORMAP_NAMES) {
      for (let t = 0; t <= 1; t += 0.05) {
        for (const v of colormap(name)(t)) assert.ok(Number.isInteger(v) && v >= 0 && v <= 255, `${name}(${t}) = ${v}`);
      }
    }
  });

  it('lists the valid names for an unknown one', () => {
    assert.throws(() => colormap('rainbow'), /Valid colour maps: gray, viridis/);
  });
});

describe('toRaster', () => {
  it('maps min..max to 0..255 in gray', () => {
    const r = toRaster([2, 4, 6, 10], 2, 2);
    assert.equal(r.width, 2);
    assert.equal(r.height, 2);
    assert.deepEqual(px(r, 0), [0, 0, 0, 255]);
    assert.deepEqual(px(r, 1), [64, 64, 64, 255]); // (4 − 2) / 8 × 255 = 63.75
    assert.deepEqual(px(r, 3), [255, 255, 255, 255]);
  });

  it('draws a constant map mid-gray without dividing by zero', () => {
    const r = toRaster([3, 3, 3], 1, 3);
    for (let i = 0; i < 3; i++) assert.deepEqual(px(r, i), [128, 128, 128, 255]);
  });

  it('symmetric scaling puts 0 at the diverging centre', () => {
    const r = toRaster([-1, 0, 0.5, 2], 1, 4, { cmap: 'coolwarm', symmetric: true });
    assert.deepEqual(valueRange([-1, 0, 0.5, 2], { symmetric: true }), [-2, 2]);
    assert.deepEqual(px(r, 1), [255, 255, 255, 255]);
    assert.deepEqual(px(r, 3).slice(0, 3), colormap('coolwarm')(1));
    assert.deepEqual(px(r, 0).slice(0, 3), colormap('coolwarm')(0.25));
  });

  it('honours vmin/vmax and clamps outside them', () => {
    const r = toRaster([0, 5, 10, 20], 1, 4, { vmin: 5, vmax: 15 });
    assert.deepEqual([0, 1, 2, 3].map((i) => px(r, i)[0]), [0, 0, 128, 255]);
  });

  it('ignores non-finite values for the range', () => {
    const r = toRaster([NaN, 0, 1, Infinity], 1, 4);
    assert.deepEqual([0, 1, 2, 3].map((i) => px(r, i)[0]), [0, 0, 255, 255]);
  });

  it('rejects a size that does not match the values', () => {
    assert.throws(() => toRaster([1, 2, 3], 2, 2), ValueError);
    assert.throws(() => toRaster([1], 1, 1, { vmin: 2, vmax: 1 }), /vmax/);
  });
});
