import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vision from '../../src/vision/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { assertClose, goldenTensor, loadGolden, type GoldenArray } from './golden.js';

describe('vision.convolve1d', () => {
  it("seed 000: [0,0,26,51,58,59,53,29,0,0,0] * [-1,2,-1] = [0,0,-26,1,18,6,7,18,5,-29,0,0,0] (np.convolve)", () => {
    const out = vision.convolve1d([0, 0, 26, 51, 58, 59, 53, 29, 0, 0, 0], [-1, 2, -1]);
    assert.ok(out instanceof Tensor);
    assert.deepEqual([...out.shape], [13]);
    assert.deepEqual(Array.from(out.values), [0, 0, -26, 1, 18, 6, 7, 18, 5, -29, 0, 0, 0]);
  });

  it('accepts number[], Float32Array and a 1-D Tensor alike', () => {
    const k = new Float32Array([1, 10]);
    const a = vision.convolve1d([1, 2, 3], k, { mode: 'same' });
    const b = vision.convolve1d(new Float32Array([1, 2, 3]), new Tensor(k, [2]), { mode: 'same' });
    assert.deepEqual(Array.from(a.values), [1, 12, 23]);
    assert.deepEqual(Array.from(b.values), [1, 12, 23]);
  });

  it('matches np.convolve on the golden cases (every mode, even kernels, kernel longer than the signal)', () => {
    for (const c of loadGolden('convolve1d')) {
      const out = vision.convolve1d(goldenTensor(c.x as GoldenArray), (c.kernel as GoldenArray).data, { mode: c.mode as vision.Convolve1dMode });
      assertClose(out, c.expected, c.name);
    }
  });

  it('rejects bad input with what was expected', () => {
    assert.throws(() => vision.convolve1d([], [1]), (e) => e instanceof ShapeError && /x is empty/.test(e.message));
    assert.throws(() => vision.convolve1d([1, 2], []), (e) => e instanceof ShapeError && /kernel is empty/.test(e.message));
    assert.throws(() => vision.convolve1d([[1, 2]], [1]), (e) => e instanceof ShapeError && /x must be 1-D, got shape \(1, 2\)/.test(e.message));
    assert.throws(() => vision.convolve1d([1, NaN], [1]), (e) => e instanceof ValueError && /non-finite value \(NaN\) at flat index 1/.test(e.message));
    assert.throws(() => vision.convolve1d([1, 2], [1], { mode: 'circular' as never }), (e) => e instanceof ValueError && /Unknown mode "circular".*full, same, valid/.test(e.message));
    assert.throws(() => vision.convolve1d([1, 2], [1], { mdoe: 'same' } as never), (e) => e instanceof ValueError && /unknown option "mdoe"/.test(e.message));
  });
});

describe('vision.convolve2d / correlate2d', () => {
  it('a 3x3 Sobel on a step edge: +4 across the edge with correlate2d, −4 with convolve2d (the flip), 0 for sobelY', () => {
    const img = Array.from({ length: 5 }, () => [0, 0, 1, 1, 1]);
    const corr = vision.correlate2d(img, vision.kernels.sobelX());
    assert.deepEqual(corr.toArray(), [[4, 4, 0], [4, 4, 0], [4, 4, 0]]);
    const conv = vision.convolve2d(img, vision.kernels.sobelX());
    assert.deepEqual(conv.toArray(), [[-4, -4, 0], [-4, -4, 0], [-4, -4, 0]]);
    assert.deepEqual(Array.from(vision.correlate2d(img, vision.kernels.sobelY()).values).map(Math.abs), new Array(9).fill(0));
  });

  it("seed 000's edge kernel with padding=1 keeps the size and sees the zero border", () => {
    const img = [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
    const out = vision.convolve2d(img, vision.kernels.edge(), { padding: 1 });
    assert.deepEqual(out.toArray(), [[5, 3, 5], [3, 0, 3], [5, 3, 5]]);
  });

  it('strides move the window: output ⌊(H + 2p − k) / s⌋ + 1', () => {
    const img = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => i * 5 + j));
    const out = vision.correlate2d(img, [[1]], { strides: 2 });
    assert.deepEqual(out.toArray(), [[0, 2, 4], [10, 12, 14], [20, 22, 24]]);
    assert.deepEqual([...vision.convolve2d(img, [[1, 1], [1, 1]], { padding: 1, strides: [2, 3] }).shape], [3, 2]);
  });

  it('matches scipy.signal.convolve2d / correlate2d on the golden cases (padding, same, strides, channels)', () => {
    for (const c of loadGolden('convolve2d')) {
      const f = c.op === 'convolve2d' ? vision.convolve2d : vision.correlate2d;
      const out = f(goldenTensor(c.image as GoldenArray), goldenTensor(c.kernel as GoldenArray), {
        padding: c.padding as vision.Conv2dOptions['padding'],
        strides: c.strides as [number, number],
      });
      assertClose(out, c.expected, c.name);
    }
  });

  it('rejects bad input with what was expected', () => {
    const img = [[1, 2, 3], [4, 5, 6]];
    assert.throws(() => vision.convolve2d([1, 2, 3], [[1]]), (e) => e instanceof ShapeError && /image must be 2-D \(h, w\) or 3-D \(h, w, channels\), got shape \(3,\)/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [1, 2]), (e) => e instanceof ShapeError && /kernel must be 2-D \(kh, kw\)/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[]]), (e) => e instanceof ShapeError && /kernel is empty/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[1, 2], [3]]), (e) => e instanceof ShapeError && /ragged/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[1, Infinity]]), (e) => e instanceof ValueError && /kernel has a non-finite value/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[1]], { strides: 0 }), (e) => e instanceof ValueError && /strides must be an integer ≥ 1/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[1]], { strides: 1.5 }), ValueError);
    assert.throws(() => vision.convolve2d(img, [[1]], { padding: -1 }), (e) => e instanceof ValueError && /padding must be an integer ≥ 0/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[1]], { padding: 'full' as never }), (e) => e instanceof ValueError && /padding must be 'valid', 'same'/.test(e.message));
    assert.throws(() => vision.correlate2d(img, [[1, 1], [1, 1], [1, 1]]), (e) => e instanceof ShapeError && /kernel \(3, 2\) is larger than the padded image \(2, 3\)/.test(e.message));
    assert.throws(() => vision.convolve2d(img, [[1]], { stride: 2 } as never), (e) => e instanceof ValueError && /unknown option "stride".*padding, strides/.test(e.message));
  });

  it("'same' works with a kernel larger than the image (zero fill)", () => {
    const out = vision.convolve2d([[1, 1], [1, 1]], Array.from({ length: 4 }, (_, i) => [0, 1, 2, 3].map((j) => i * 4 + j)), { padding: 'same' });
    assert.deepEqual(out.toArray(), [[10, 14], [26, 30]]); // scipy.signal.convolve2d(ones((2,2)), arange(16).reshape(4,4), 'same')
  });
});
