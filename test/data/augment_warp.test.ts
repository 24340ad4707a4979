/**
 * The ImageDataGenerator warp against SciPy (generated goldens) and against analytic cases:
 * 90° rotation = np.rot90, whole-pixel shifts with each fill mode's border, exact flips,
 * constant images under zoom.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { ImageDataGenerator } from '../../src/data/augment/image_data_generator.js';
import { NO_TRANSFORM, type TransformParams } from '../../src/data/augment/transform.js';
import type { FillMode } from '../../src/data/augment/warp.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { GOLDEN } from './augment_golden.js';

function img(h: number, w: number, c: number, f: (r: number, col: number, k: number) => number): Tensor {
  const d = new Float32Array(h * w * c);
  for (let r = 0; r < h; r++) for (let col = 0; col < w; col++) for (let k = 0; k < c; k++) d[(r * w + col) * c + k] = f(r, col, k);
  return new Tensor(d, [h, w, c]);
}

function at(t: Tensor, r: number, c: number, k = 0): number {
  return t.values[(r * t.shape[1] + c) * t.shape[2] + k];
}

const warp = (x: Tensor, p: Partial<TransformParams>, fillMode: FillMode = 'nearest', cval = 0) =>
  new ImageDataGenerator({ fillMode, cval }).applyTransform(x, p);

describe('ImageDataGenerator warp = Keras legacy (scipy.ndimage, order 1)', () => {
  it(`matches SciPy on ${GOLDEN.length} generated cases (rotation, shift, shear, zoom, flips × 4 fill modes, non-square)`, () => {
    let worst = 0;
    for (const g of GOLDEN) {
      const out = warp(new Tensor(Float32Array.from(g.input), g.shape), { ...NO_TRANSFORM, ...g.params }, g.mode, g.cval);
      for (let i = 0; i < g.output.length; i++) {
        const err = Math.abs(out.values[i] - g.output[i]);
        worst = Math.max(worst, err);
        if (err > 1e-4) assert.fail(`${g.mode} ${JSON.stringify(g.params)} shape ${g.shape}: element ${i} is ${out.values[i]}, SciPy ${g.output[i]}`);
      }
    }
    assert.ok(worst < 1e-4);
  });

  it('a 90° rotation is np.rot90 (transpose, then flip vertically)', () => {
    const x = img(5, 5, 2, (r, c, k) => r * 10 + c + k * 100);
    const y = warp(x, { theta: 90 });
    for (let r = 0; r < 5; r++) for (let c = 0; c < 5; c++) for (let k = 0; k < 2; k++) {
      assert.ok(Math.abs(at(y, r, c, k) - at(x, c, 4 - r, k)) < 1e-4, `(${r},${c},${k})`);
    }
  });

  it('whole-pixel shifts move the pattern exactly; each fill mode gives its border', () => {
    const x = img(4, 5, 1, (r, c) => 10 * r + c + 1);
    // ty shifts rows (Keras's axis swap): output row r reads input row r + ty.
    const rowsOf = (t: Tensor, col: number) => [0, 1, 2, 3].map((r) => at(t, r, col));
    assert.deepEqual(rowsOf(warp(x, { ty: 2 }, 'constant', -7), 0), [21, 31, -7, -7]);
    assert.deepEqual(rowsOf(warp(x, { ty: 2 }, 'nearest'), 0), [21, 31, 31, 31]);
    assert.deepEqual(rowsOf(warp(x, { ty: 2 }, 'reflect'), 0), [21, 31, 31, 21]);
    // scipy's 'wrap' has period n − 1 (first and last rows overlap): row 4 → row 1, row 5 → row 2.
    assert.deepEqual(rowsOf(warp(x, { ty: 2 }, 'wrap'), 0), [21, 31, 11, 21]);
    // tx shifts columns: output column c reads input column c + tx.
    const colsOf = (t: Tensor) => [0, 1, 2, 3, 4].map((c) => at(t, 1, c));
    assert.deepEqual(colsOf(warp(x, { tx: -1 }, 'constant', 0)), [0, 11, 12, 13, 14]);
    assert.deepEqual(colsOf(warp(x, { tx: -2 }, 'nearest')), [11, 11, 11, 12, 13]);
    assert.deepEqual(colsOf(warp(x, { tx: -2 }, 'reflect')), [12, 11, 11, 12, 13]);
    assert.deepEqual(colsOf(warp(x, { tx: -2 }, 'wrap')), [13, 14, 11, 12, 13]);
  });

  it('horizontal and vertical flips are exact', () => {
    const x = img(3, 4, 3, (r, c, k) => r * 100 + c * 10 + k);
    const h = warp(x, { flipHorizontal: true });
    const v = warp(x, { flipVertical: true });
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) for (let k = 0; k < 3; k++) {
      assert.equal(at(h, r, c, k), at(x, r, 3 - c, k));
      assert.equal(at(v, r, c, k), at(x, 2 - r, c, k));
    }
  });

  it('zooming, rotating or shearing a constant image keeps it constant (nearest/reflect fill)', () => {
    const x = img(9, 9, 1, () => 3.25);
    for (const mode of ['nearest', 'reflect'] as const) {
      for (const p of [{ zx: 0.6, zy: 1.7 }, { theta: 33 }, { shear: 25, zx: 1.2, zy: 1.2 }]) {
        const y = warp(x, p, mode);
        for (const v of y.values) assert.ok(Math.abs(v - 3.25) < 1e-5, `${mode} ${JSON.stringify(p)}: ${v}`);
      }
    }
    // Zooming out (factor > 1) with a constant fill brings in the fill value at the border.
    const out = warp(x, { zx: 2, zy: 2 }, 'constant', 0);
    assert.equal(at(out, 0, 0), 0);
    assert.ok(Math.abs(at(out, 4, 4) - 3.25) < 1e-6);
  });

  it('the identity transform returns the image unchanged', () => {
    const x = img(4, 6, 2, (r, c, k) => Math.sin(r * 7 + c * 3 + k));
    assert.deepEqual(Array.from(warp(x, {}).values), Array.from(x.values));
  });
});
