import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import * as ops from '../../src/ops/index.js';
import { noGrad } from '../../src/autograd/tape.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { buildArchitecture } from '../../src/applications/seed_models.js';
import { classGradient, gradCam, saliencyFigure } from '../../src/viz/saliency.js';
import { SALIENCY_CAPTION } from '../../src/viz/saliency_figure.js';
import { colormap } from '../../src/viz/colormap.js';
import { ValueError } from '../../src/errors.js';

const N = 8;
const inTopLeft = (r: number, c: number) => r < 3 && c < 3;
const inBottomRight = (r: number, c: number) => r >= 5 && c >= 5;

/**
 * A = x (a 1×1 identity convolution, 2 channels). Class 0 reads channel 0 in the top-left 3×3 only;
 * class 1 reads channel 1 (weight 0.5) in the bottom-right 3×3 only.
 */
function regionModel(stride = 1): Model {
  const input = Input({ shape: [N, N, 2] });
  const feat = L.conv2d({ filters: 2, kernelSize: stride, strides: stride, useBias: false, name: 'feat' });
  const head = L.dense({ units: 2, activation: 'softmax', name: 'head' });
  const out = head.apply(L.flatten().apply(feat.apply(input)));
  const m = new Model({ inputs: input, outputs: out });
  const k = new Float32Array(stride * stride * 4);
  for (let i = 0; i < stride * stride; i++) { k[i * 4 + 0] = 1 / (stride * stride); k[i * 4 + 3] = 1 / (stride * stride); }
  feat.setWeights([ops.tensor(k, [stride, stride, 2, 2])]);
  const side = N / stride;
  const W = new Float32Array(side * side * 2 * 2);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const [rr, cc] = [r * stride, c * stride];
      if (inTopLeft(rr, cc)) W[((r * side + c) * 2 + 0) * 2 + 0] = 1;
      if (inBottomRight(rr, cc)) W[((r * side + c) * 2 + 1) * 2 + 1] = 0.5;
    }
  }
  head.setWeights([ops.tensor(W, [side * side * 2, 2]), ops.zeros([2])]);
  return m;
}

/** Channel 0 lit in the top-left 3×3, channel 1 lit in the bottom-right 3×3. */
function regionImage(): Tensor {
  const v = new Float32Array(N * N * 2);
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      if (inTopLeft(r, c)) v[(r * N + c) * 2] = 1;
      if (inBottomRight(r, c)) v[(r * N + c) * 2 + 1] = 1;
    }
  }
  return ops.tensor(v, [1, N, N, 2]);
}

function argmaxCell(cam: Float32Array, width: number): [number, number] {
  let best = 0;
  cam.forEach((v, i) => { if (v > cam[best]) best = i; });
  return [Math.floor(best / width), best % width];
}

describe('Grad-CAM', () => {
  it('the top class reads only the top-left region: the map is 1 there and 0 elsewhere', () => {
    const r = gradCam(regionModel(), regionImage());
    assert.equal(r.layer, 'feat');
    assert.equal(r.classIndex, 0);
    assert.equal(r.score, 'pre-activation');
    // Scores 9 and 4.5 → softmax probability of class 0.
    assert.ok(Math.abs(r.probability - 1 / (1 + Math.exp(-4.5))) < 1e-5);
    assert.deepEqual([r.height, r.width], [N, N]);
    // α: mean gradient over the 64 positions: 9/64 for channel 0, 0 for channel 1.
    assert.ok(Math.abs(r.weights[0] - 9 / 64) < 1e-6 && r.weights[1] === 0);
    for (let i = 0; i < N * N; i++) {
      const [row, col] = [Math.floor(i / N), i % N];
      assert.ok(Math.abs(r.cam[i] - (inTopLeft(row, col) ? 1 : 0)) < 1e-6, `cam[${row}, ${col}] = ${r.cam[i]}`);
    }
  });

  it('asking for the other class moves the map to its region', () => {
    const r = gradCam(regionModel(), regionImage(), { classIndex: 1 });
    assert.equal(r.classIndex, 1);
    const [row, col] = argmaxCell(r.cam, N);
    assert.ok(inBottomRight(row, col));
    assert.equal(r.cam[0], 0);
  });

  it('a coarser layer (stride 2, 4×4) is resized bilinearly to the image size and still peaks top-left', () => {
    const r = gradCam(regionModel(2), regionImage());
    assert.deepEqual(r.layerShape, [4, 4, 2]);
    assert.equal(r.cam.length, N * N);
    const [row, col] = argmaxCell(r.cam, N);
    assert.ok(row < 4 && col < 4, `peak at ${row}, ${col}`);
    assert.ok(r.cam[N * N - 1] < 0.05);
  });

  it('∂score/∂A agrees with central finite differences through a non-linear tail', () => {
    const input = Input({ shape: [6, 6, 1] });
    const feat = L.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'feat' });
    const mix = L.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh', name: 'mix' });
    const flat = L.flatten();
    const head = L.dense({ units: 4, activation: 'softmax', name: 'head' });
    const m = new Model({ inputs: input, outputs: head.apply(flat.apply(mix.apply(feat.apply(input)))) });
    const x = ops.randomUniform([1, 6, 6, 1], 0, 1, { seed: 3 });
    const g = classGradient(m, x, { layer: 'feat', classIndex: 2 });
    const score = (a: Tensor) => noGrad(() => ops.add(ops.matMul(flat.apply(mix.apply(a)), head.kernel), head.bias!).values[2]);
    assert.ok(Math.abs(score(g.activations) - g.scoreValue) < 1e-5);
    const eps = 1e-2;
    for (let i = 0; i < g.activations.size; i += 2) {
      const plus = ops.add(g.activations, 0);
      const minus = ops.add(g.activations, 0);
      plus.values[i] += eps;
      minus.values[i] -= eps;
      const fd = (score(plus) - score(minus)) / (2 * eps);
      assert.ok(Math.abs(fd - g.gradient.values[i]) < 1e-3, `A[${i}]: finite difference ${fd} vs gradient ${g.gradient.values[i]}`);
    }
  });

  it('the default layer follows a convolution through its BatchNormalization and activation', () => {
    const m = new Sequential([
      L.conv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 1], name: 'conv' }),
      L.batchNormalization({ name: 'bn' }),
      L.activation({ activation: 'relu', name: 'act' }),
      L.globalAveragePooling2d(),
      L.dense({ units: 3 }),
    ]);
    const r = gradCam(m, ops.randomUniform([1, 8, 8, 1], 0, 1, { seed: 1 }));
    assert.equal(r.layer, 'act');
    assert.equal(r.score, 'output');     // a linear last layer: its output is already the score
  });

  it('a final Softmax layer is skipped: the score is its input', () => {
    const m = new Sequential([
      L.conv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 1], name: 'conv' }),
      L.flatten(),
      L.dense({ units: 3 }),
      L.softmax(),
    ]);
    const r = gradCam(m, ops.randomUniform([1, 8, 8, 1], 0, 1, { seed: 2 }));
    assert.equal(r.score, 'pre-activation');
    assert.equal(r.layer, 'conv');
  });

  it('works on a subclassed model (layers found by tracing its call)', () => {
    class Net extends Model {
      conv = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'sub_conv' });
      pool = L.maxPooling2d({ poolSize: 2 });
      flat = L.flatten();
      head = L.dense({ units: 3, activation: 'softmax' });
      override call(x: Tensor | Tensor[]): Tensor {
        return this.head.apply(this.flat.apply(this.pool.apply(this.conv.apply(x as Tensor))));
      }
    }
    const m = new Net();
    m.build([null, 8, 8, 1]);
    const r = gradCam(m, ops.randomUniform([1, 8, 8, 1], 0, 1, { seed: 4 }));
    assert.equal(r.layer, 'sub_conv');
    assert.equal(r.score, 'pre-activation');
    assert.deepEqual(r.layerShape, [8, 8, 2]);
    assert.ok(r.cam.every((v) => v >= 0 && v <= 1));
  });

  it('errors: a layer without a 4-D output, an unknown layer, a class out of range, a wrong input shape', () => {
    const m = buildArchitecture('lenet5');
    const x = ops.zeros([1, 28, 28, 1]);
    const flatten = m.layers.find((l) => l.className === 'Flatten')!;
    assert.throws(() => gradCam(m, x, { layer: flatten.name }), (e: Error) => e instanceof ValueError && /outputs \(None, 784\): Grad-CAM needs a layer with a 4-D/.test(e.message));
    assert.throws(() => gradCam(m, x, { layer: 'nope' }), /No such layer: "nope"/);
    assert.throws(() => gradCam(m, x, { classIndex: 10 }), /class 10 is out of range: model "lenet5" has classes 0\.\.9/);
    assert.throws(() => gradCam(m, ops.zeros([1, 28, 28, 3])), /one image shaped \(1, 28, 28, 1\)/);
  });
});

describe('saliencyFigure', () => {
  it('blends jet(cam) over the image at alpha 0.4, scaled, under a caption band', async () => {
    const display = { width: 4, height: 2, data: new Uint8ClampedArray(4 * 2 * 4).fill(100) };
    const cam = new Float32Array([1, 0, 0, 0, 0, 0, 0, 0.5]);
    const fig = saliencyFigure(display, cam, { scale: 3, caption: 'class 1' });
    assert.equal(fig.width, 12);
    assert.equal(fig.height, 6 + SALIENCY_CAPTION);
    const r = await fig.toRaster();
    const px = (x: number, y: number) => Array.from(r.data.subarray((y * r.width + x) * 4, (y * r.width + x) * 4 + 3));
    const blend = (t: number) => colormap('jet')(t).map((v) => Math.round(0.6 * 100 + 0.4 * v));
    assert.deepEqual(px(1, SALIENCY_CAPTION + 1), blend(1));
    assert.deepEqual(px(4, SALIENCY_CAPTION + 1), blend(0));
    assert.deepEqual(px(10, SALIENCY_CAPTION + 4), blend(0.5));
    assert.throws(() => saliencyFigure(display, new Float32Array(3)), /heat map has 3 values but the image is 4×2/);
  });
});
