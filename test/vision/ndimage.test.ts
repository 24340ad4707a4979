import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vision from '../../src/vision/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { assertClose, goldenTensor, loadGolden, type GoldenArray } from './golden.js';

describe('vision.ndimageConvolve / ndimageCorrelate', () => {
  it('matches scipy.ndimage on the golden cases (every mode, odd/even and larger-than-image kernels, origins, channels)', () => {
    const cases = loadGolden('ndimage');
    const modes = new Set(cases.map((c) => c.mode));
    assert.deepEqual([...modes].sort(), ['constant', 'mirror', 'nearest', 'reflect', 'wrap']);
    for (const c of cases) {
      const f = c.op === 'convolve' ? vision.ndimageConvolve : vision.ndimageCorrelate;
      const out = f(goldenTensor(c.image as GoldenArray), goldenTensor(c.kernel as GoldenArray), {
        mode: c.mode as vision.NdimageMode,
        cval: c.cval as number,
        origin: c.origin as number | [number, number],
      });
      assertClose(out, c.expected, c.name);
    }
  });

  it("borders by hand: 'reflect' is d c b a | a b c d, 'mirror' d c b | a b c d, 'nearest', 'wrap', 'constant'", () => {
    const row = [[1, 2, 3, 4]];
    const pick = [[1, 0, 0]]; // correlate: out[j] = in[j − 1]
    const got = (mode: vision.NdimageMode) => Array.from(vision.ndimageCorrelate(row, pick, { mode, cval: 9 }).values);
    assert.deepEqual(got('reflect'), [1, 1, 2, 3]);
    assert.deepEqual(got('mirror'), [2, 1, 2, 3]);
    assert.deepEqual(got('nearest'), [1, 1, 2, 3]);
    assert.deepEqual(got('wrap'), [4, 1, 2, 3]);
    assert.deepEqual(got('constant'), [9, 1, 2, 3]);
    assert.deepEqual(got('grid-mirror'), got('reflect'));
  });

  it('default mode is reflect, like SciPy', () => {
    const img = [[0, 1, 2], [3, 4, 5]];
    assert.deepEqual(vision.ndimageConvolve(img, [[1, 1], [1, 1]]).toArray(), vision.ndimageConvolve(img, [[1, 1], [1, 1]], { mode: 'reflect' }).toArray());
  });

  it('rejects bad input with what was expected', () => {
    const img = [[1, 2, 3], [4, 5, 6]];
    assert.throws(() => vision.ndimageConvolve(img, [[1]], { mode: 'symmetric' as never }), (e) => e instanceof ValueError && /Unknown mode "symmetric".*reflect, constant, nearest, mirror, wrap/.test(e.message));
    assert.throws(() => vision.ndimageConvolve(img, [[1, 1, 1]], { origin: [0, 2] }), (e) => e instanceof ValueError && /origin 2 is out of range for a kernel of size 3 along axis 1; expected -1 ≤ origin ≤ 1/.test(e.message));
    assert.throws(() => vision.ndimageCorrelate(img, [[1], [1]], { origin: [-2, 0] }), (e) => e instanceof ValueError && /size 2 along axis 0; expected -1 ≤ origin ≤ 0/.test(e.message));
    assert.throws(() => vision.ndimageConvolve(img, [[1]], { origin: 0.5 }), (e) => e instanceof ValueError && /origin must be an integer/.test(e.message));
    assert.throws(() => vision.ndimageConvolve(img, [[1]], { cval: NaN }), (e) => e instanceof ValueError && /cval must be a finite number/.test(e.message));
    assert.throws(() => vision.ndimageCorrelate([[]], [[1]]), (e) => e instanceof ShapeError && /input is empty/.test(e.message));
    assert.throws(() => vision.ndimageCorrelate(img, [[[1]]]), (e) => e instanceof ShapeError && /kernel must be 2-D/.test(e.message));
  });
});
