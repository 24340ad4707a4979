import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vision from '../../src/vision/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { assertClose, goldenTensor, loadGolden, type GoldenArray } from './golden.js';

describe('vision.rgbToGray / rescaleIntensity', () => {
  it('rgbToGray weighs 0.2125 R + 0.7154 G + 0.0721 B', () => {
    const out = vision.rgbToGray([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]]);
    assert.deepEqual([...out.shape], [1, 4]);
    assert.deepEqual(Array.from(out.values), [0.2125, 0.7154, 0.0721, 1].map(Math.fround));
  });

  it('rescaleIntensity stretches [min, max] to [0, 1] and clips to inRange', () => {
    assert.deepEqual(Array.from(vision.rescaleIntensity([51, 102, 153]).values), [0, 0.5, 1]);
    assert.deepEqual(Array.from(vision.rescaleIntensity([51, 102, 153], { inRange: [0, 102] }).values), [0.5, 1, 1]);
    assert.deepEqual(Array.from(vision.rescaleIntensity([-1, 0, 1]).values), [-1, 0, 1]); // min < 0: skimage's float range [−1, 1]
  });

  it('match skimage on the golden cases (rgb2gray, rescale_intensity ranges, seed 000 preparation)', () => {
    for (const c of loadGolden('color')) {
      const img = goldenTensor(c.image as GoldenArray);
      let out;
      if (c.op === 'rgb2gray') out = vision.rgbToGray(img);
      else if (c.op === 'rgb2gray_rescale') out = vision.rescaleIntensity(vision.rgbToGray(img));
      else out = vision.rescaleIntensity(img, { inRange: c.inRange as vision.IntensityRange, outRange: c.outRange as vision.IntensityRange });
      assertClose(out, c.expected, c.name);
    }
  });

  it('rejects bad input with what was expected', () => {
    assert.throws(() => vision.rgbToGray([[1, 2, 3, 4]]), (e) => e instanceof ShapeError && /3 \(RGB\) channels last.*got shape \(1, 4\)/.test(e.message));
    assert.throws(() => vision.rgbToGray([1, 2, 3]), ShapeError);
    assert.throws(() => vision.rescaleIntensity([1, 2], { inRange: [2, 1] }), (e) => e instanceof ValueError && /inRange \[2, 1\] is reversed/.test(e.message));
    assert.throws(() => vision.rescaleIntensity([1, 2], { outRange: 'uint8' as never }), (e) => e instanceof ValueError && /outRange must be 'image', 'dtype' or a pair/.test(e.message));
    assert.throws(() => vision.rescaleIntensity([]), (e) => e instanceof ShapeError && /x is empty/.test(e.message));
  });
});
