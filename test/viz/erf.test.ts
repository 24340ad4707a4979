import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import { Input } from '../../src/layers/input.js';
import * as ops from '../../src/ops/index.js';
import { noGrad } from '../../src/autograd/tape.js';
import { buildArchitecture } from '../../src/applications/seed_models.js';
import { centreUnitGradient, effectiveReceptiveField, erfFigure } from '../../src/viz/erf.js';
import { erfLayout } from '../../src/viz/erf_figure.js';
import { colormap } from '../../src/viz/colormap.js';
import { findLayer, outputOf } from '../../src/viz/model_probe.js';
import { ValueError } from '../../src/errors.js';

/** n stacked linear k×k convolutions with all-ones kernels and no bias. */
function onesStack(n: number, size: number, opts: { filters?: number; channels?: number } = {}): Sequential {
  return new Sequential(Array.from({ length: n }, (_, i) => L.conv2d({
    filters: opts.filters ?? 1, kernelSize: 3, useBias: false, kernelInitializer: 'ones', name: `c${i + 1}`,
    ...(i === 0 ? { inputShape: [size, size, opts.channels ?? 1] } : {}),
  })));
}

function rowsOf(map: Float32Array, width: number): number[][] {
  return Array.from({ length: map.length / width }, (_, r) => Array.from(map.subarray(r * width, (r + 1) * width)));
}

function outer(v: number[]): number[][] {
  return v.map((a) => v.map((b) => a * b));
}

describe('effective receptive field', () => {
  it('one linear 3x3 all-ones convolution: exactly the 3x3 square of ones at the centre', () => {
    const erf = effectiveReceptiveField(onesStack(1, 7), 'c1', { samples: 3 });
    assert.equal(erf.inputs, 'random');
    assert.deepEqual(erf.unit, [2, 2]);
    const z = [0, 0, 0, 0, 0, 0, 0];
    const o = [0, 0, 1, 1, 1, 0, 0];
    assert.deepEqual(rowsOf(erf.map, 7), [z, z, o, o, o, z, z]);
    assert.deepEqual(erf.box, { top: 2, left: 2, bottom: 4, right: 4 });
  });

  it('two stacked linear all-ones convolutions: the 1-2-3-2-1 outer product', () => {
    const erf = effectiveReceptiveField(onesStack(2, 9), 'c2', { samples: 2 });
    const expected = outer([0, 0, 1, 2, 3, 2, 1, 0, 0]);
    assert.deepEqual(rowsOf(erf.map, 9), expected);
  });

  it("seed 003: the centre weighs most, falling off like a Gaussian (five layers: trinomial coefficients)", () => {
    const erf = effectiveReceptiveField(onesStack(5, 11), 'c5', { samples: 1 });
    // [1,1,1] convolved with itself 5 times.
    const t = [1, 5, 15, 30, 45, 51, 45, 30, 15, 5, 1];
    assert.deepEqual(rowsOf(erf.map, 11), outer(t));
    assert.equal(erf.theoretical?.size[0], 11);
  });

  it('sums the gradient over output channels (seed) and |.| over input channels (map)', () => {
    // 2 filters, 2 input channels: each input pixel in the square feeds both output channels once.
    const erf = effectiveReceptiveField(onesStack(1, 5, { filters: 2, channels: 2 }), 'c1', { samples: 1 });
    assert.equal(erf.map[2 * 5 + 2], 4);
    assert.equal(erf.map[0], 0);
  });

  it('the centre-unit gradient agrees with central finite differences (tanh network)', () => {
    const m = new Sequential([
      L.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh', inputShape: [8, 8, 2], name: 'a' }),
      L.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh', name: 'b' }),
    ]);
    const x = ops.randomUniform([1, 8, 8, 2], 0, 1, { seed: 5 });
    const { grad, unit } = centreUnitGradient(m, 'b', x);
    const layer = findLayer(m, 'b');
    const f = (t: typeof x) => noGrad(() => {
      const out = outputOf(m, t, layer);
      const c = out.shape[3];
      const at = ((unit[0] * out.shape[2]) + unit[1]) * c;
      let s = 0;
      for (let k = 0; k < c; k++) s += out.values[at + k];
      return s;
    });
    const eps = 1e-2;
    let checked = 0;
    for (let i = 0; i < x.size; i += 3) {
      const plus = ops.add(x, 0);
      const minus = ops.add(x, 0);
      plus.values[i] += eps;
      minus.values[i] -= eps;
      const fd = (f(plus) - f(minus)) / (2 * eps);
      assert.ok(Math.abs(fd - grad.values[i]) < 2e-3, `input ${i}: finite difference ${fd} vs gradient ${grad.values[i]}`);
      checked++;
    }
    assert.ok(checked > 40);
    // Pixels outside the 5x5 theoretical field of unit (2, 2) get exactly zero.
    assert.equal(grad.values[(7 * 8 + 7) * 2], 0);
  });

  it('finds a layer inside a nested model, and its theoretical field', () => {
    const inner = onesStack(2, 9);
    const input = Input({ shape: [9, 9, 1] });
    const m = new Model({ inputs: input, outputs: L.flatten().apply(inner.apply(input)) });
    const erf = effectiveReceptiveField(m, 'c2', { samples: 1 });
    assert.deepEqual(rowsOf(erf.map, 9), outer([0, 0, 1, 2, 3, 2, 1, 0, 0]));
    assert.equal(erf.theoretical?.name, `${inner.name}/c2`);
    assert.deepEqual(erf.box, { top: 2, left: 2, bottom: 6, right: 6 });
  });

  it('a layer without a 4-D output, or an unknown layer, is a ValueError', () => {
    const m = buildArchitecture('lenet5');
    const flatten = m.layers.find((l) => l.className === 'Flatten')!;
    assert.throws(() => effectiveReceptiveField(m, flatten.name, { samples: 1 }),
      (e: Error) => e instanceof ValueError && /outputs \(None, 784\): the effective receptive field needs a layer with a 4-D/.test(e.message));
    assert.throws(() => effectiveReceptiveField(m, 'nope', { samples: 1 }), /No such layer: "nope"/);
    assert.throws(() => effectiveReceptiveField(m, flatten.name, { samples: 0 }), /samples must be a positive integer/);
  });

  it('LeNet-5 on embedded digits: the map is non-negative and largest inside the theoretical field', () => {
    const m = buildArchitecture('lenet5');
    const conv2 = m.layers.filter((l) => l.className === 'Conv2D')[1];
    const erf = effectiveReceptiveField(m, conv2.name, { samples: 4 });
    assert.equal(erf.inputs, 'digits');
    assert.deepEqual(erf.unit, [6, 6]);
    assert.deepEqual(erf.box, { top: 6, left: 6, bottom: 19, right: 19 });
    let inside = 0;
    let outside = 0;
    erf.map.forEach((v, i) => {
      assert.ok(v >= 0);
      const [r, c] = [Math.floor(i / 28), i % 28];
      if (r >= 6 && r <= 19 && c >= 6 && c <= 19) inside += v;
      else outside += v;
    });
    assert.ok(inside > 0);
    assert.equal(outside, 0);
  });
});

describe('erfFigure', () => {
  it('draws the map through inferno at the documented place and size, and outlines the theoretical box', async () => {
    const erf = effectiveReceptiveField(onesStack(1, 7), 'c1', { samples: 1 });
    const fig = erfFigure(erf, { scale: 10 });
    const lay = erfLayout(7, 7, 10);
    assert.equal(fig.width, lay.width);
    assert.equal(fig.height, lay.height);
    const r = await fig.toRaster();
    const px = (x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 3));
    // Centre of pixel (3, 3): in the square, the maximum → inferno(1); pixel (0, 0): zero → inferno(0).
    assert.deepEqual(px(lay.heat.x + 35, lay.heat.y + 35), colormap('inferno')(1));
    assert.deepEqual(px(lay.heat.x + 5, lay.heat.y + 5), colormap('inferno')(0));
    // The cyan outline sits just outside the square (rows 2..4 → y from 20 to 50 in the heat map).
    const edge = px(lay.heat.x + 35, lay.heat.y + 19);
    assert.ok(edge[2] > 150 && edge[1] > 150 && edge[0] < 100, `expected cyan at the box edge, got ${edge}`);
  });
});
