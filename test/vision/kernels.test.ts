import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as vision from '../../src/vision/index.js';
import * as convkit from '../../src/index.js';
import { ValueError } from '../../src/errors.js';

const { kernels } = vision;

describe('vision.kernels', () => {
  it("the seeds' kernels, as written there", () => {
    assert.deepEqual(kernels.sobelX().toArray(), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]);
    assert.deepEqual(kernels.sobelY().toArray(), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]);
    assert.deepEqual(kernels.edge().toArray(), [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]);
    assert.deepEqual(kernels.horizontalEdge().toArray(), [[1, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 0], [-1, -1, -1, -1]]);
    assert.deepEqual(kernels.verticalEdge().toArray(), new Array(5).fill([1, 0, 0, 0, -1]));
    assert.deepEqual(kernels.box().toArray(), [[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
    assert.deepEqual(kernels.sharpen().toArray(), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]);
    assert.deepEqual(kernels.laplacian().toArray(), [[0, 1, 0], [1, -4, 1], [0, 1, 0]]);
  });

  it('box normalises on request; gaussian sums to 1, is symmetric and peaks at the centre', () => {
    const b = kernels.box(4, { normalize: true });
    assert.deepEqual([...b.shape], [4, 4]);
    assert.ok(Array.from(b.values).every((v) => v === Math.fround(1 / 16)));
    for (const size of [1, 4, 5]) {
      const g = kernels.gaussian(size, 1.3);
      const v = Array.from(g.values);
      assert.ok(Math.abs(v.reduce((s, x) => s + x, 0) - 1) < 1e-6);
      for (let i = 0; i < v.length; i++) assert.ok(Math.abs(v[i] - v[v.length - 1 - i]) < 1e-7);
    }
    const g = kernels.gaussian(3, 1).values;
    const e = Math.exp(-0.5);
    const total = (1 + 2 * e) ** 2;
    assert.ok(Math.abs(g[4] - 1 / total) < 1e-7 && Math.abs(g[0] - (e * e) / total) < 1e-7);
  });

  it('reject bad sizes', () => {
    assert.throws(() => kernels.box(0), (e) => e instanceof ValueError && /kernels.box: size must be an integer ≥ 1, got 0/.test(e.message));
    assert.throws(() => kernels.gaussian(3, 0), (e) => e instanceof ValueError && /sigma must be a finite number > 0/.test(e.message));
    assert.throws(() => kernels.gaussian(2.5), ValueError);
  });

  it('are exported from the package as vision.kernels', () => {
    assert.equal(typeof convkit.vision.convolve2d, 'function');
    assert.equal(typeof convkit.vision.kernels.gaussian, 'function');
  });
});
