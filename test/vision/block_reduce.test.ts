import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vision from '../../src/vision/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { assertClose, goldenTensor, loadGolden, type GoldenArray } from './golden.js';

describe('vision.blockReduce', () => {
  it("seed 000's (2, 2) max pooling by hand, with a non-dividing edge padded by cval", () => {
    const x = [[1, 5, 2], [3, 4, -1], [0, -2, 7]];
    assert.deepEqual(vision.blockReduce(x, [2, 2], 'max').toArray(), [[5, 2], [0, 7]]);
    assert.deepEqual(vision.blockReduce(x, 2, 'mean').toArray(), [[13 / 4, 1 / 4], [-2 / 4, 7 / 4]]);
    assert.deepEqual(vision.blockReduce(x, [2, 2], 'min', { cval: -10 }).toArray(), [[1, -10], [-10, -10]]);
  });

  it('matches skimage.measure.block_reduce on the golden cases (every func, non-dividing sizes, cval, channels)', () => {
    for (const c of loadGolden('block_reduce')) {
      const out = vision.blockReduce(goldenTensor(c.image as GoldenArray), c.block as [number, number], c.func as vision.BlockReduceFunc, { cval: c.cval as number });
      assertClose(out, c.expected, c.name);
    }
  });

  it('rejects bad input with what was expected', () => {
    assert.throws(() => vision.blockReduce([[1]], [0, 2]), (e) => e instanceof ValueError && /blockSize must be an integer ≥ 1/.test(e.message));
    assert.throws(() => vision.blockReduce([[1]], 2, 'avg' as never), (e) => e instanceof ValueError && /Unknown func "avg".*max, mean, sum, min/.test(e.message));
    assert.throws(() => vision.blockReduce([1, 2], 2), (e) => e instanceof ShapeError && /x must be 2-D/.test(e.message));
    assert.throws(() => vision.blockReduce([[1]], 2, 'max', { cval: Infinity }), (e) => e instanceof ValueError && /cval must be a finite number/.test(e.message));
  });
});
