/**
 * Conv2D with `groups` (Keras's grouped convolution; ConvNeXt's depthwise form is groups = channels):
 * equal to an ordinary convolution whose kernel is block-diagonal over the groups, with gradients,
 * Keras's kernel shape and config, and kept out of the folded batch-norm inference path.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import * as ops from '../../src/ops/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Random } from '../../src/tensor/random.js';
import { valueAndGrads } from '../../src/autograd/tape.js';
import { loadModel } from '../../src/io/model_io.js';

function randn(shape: number[], seed: number): Tensor {
  const r = new Random(seed);
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal()), shape);
}

/** The (kh, kw, C, F) kernel that does what a grouped (kh, kw, C/G, F) kernel does. */
function blockDiagonal(k: Tensor, groups: number): Tensor {
  const [kh, kw, cg, f] = k.shape;
  const c = cg * groups;
  const fg = f / groups;
  const out = new Float32Array(kh * kw * c * f);
  for (let i = 0; i < kh * kw; i++) {
    for (let g = 0; g < groups; g++) {
      for (let ci = 0; ci < cg; ci++) {
        for (let fo = 0; fo < fg; fo++) out[(i * c + g * cg + ci) * f + g * fg + fo] = k.values[(i * cg + ci) * f + g * fg + fo];
      }
    }
  }
  return new Tensor(out, [kh, kw, c, f]);
}

describe('Conv2D groups', () => {
  for (const [c, groups, filters, strides, padding] of [[4, 2, 6, 1, 'same'], [6, 3, 3, 2, 'valid'], [3, 3, 6, 1, 'same'], [5, 5, 5, 2, 'same']] as const) {
    it(`${c} channels, groups ${groups}, ${filters} filters, stride ${strides}, ${padding}: equals the block-diagonal convolution, gradients too`, () => {
      const layer = L.conv2d({ filters, kernelSize: 3, groups, strides, padding, useBias: true, biasInitializer: 'ones' });
      const x = randn([2, 7, 6, c], 1);
      const y = layer.apply(x) as Tensor;
      assert.deepEqual(layer.weights[0].shape, [3, 3, c / groups, filters], 'Keras kernel shape');
      const full = blockDiagonal(layer.weights[0], groups);
      const want = ops.add(ops.conv2d(x, full, { strides, padding }), layer.weights[1]);
      assert.deepEqual(y.shape, want.shape);
      y.values.forEach((v, i) => assert.ok(Math.abs(v - want.values[i]) < 1e-4, `output ${i}: ${v} vs ${want.values[i]}`));
      // Gradient w.r.t. the grouped kernel = the block-diagonal kernel's gradient restricted to the blocks.
      const [gk] = valueAndGrads(() => ops.sum(ops.square(layer.apply(x) as Tensor)), [layer.weights[0]]).grads;
      const fullVar = full;
      fullVar.requiresGrad = true;
      const [gFull] = valueAndGrads(() => ops.sum(ops.square(ops.add(ops.conv2d(x, fullVar, { strides, padding }), layer.weights[1]))), [fullVar]).grads;
      const restricted = new Tensor(new Float32Array(gk!.size), gk!.shape);
      // Read the diagonal blocks back out of the full gradient.
      const [kh, kw, cg, f] = gk!.shape;
      const fg = f / groups;
      for (let i = 0; i < kh * kw; i++) for (let g = 0; g < groups; g++) for (let ci = 0; ci < cg; ci++) for (let fo = 0; fo < fg; fo++) {
        (restricted.values as Float32Array)[(i * cg + ci) * f + g * fg + fo] = gFull!.values[(i * c + g * cg + ci) * f + g * fg + fo];
      }
      gk!.values.forEach((v, i) => assert.ok(Math.abs(v - restricted.values[i]) < 1e-3 * Math.max(1, Math.abs(v)), `kernel gradient ${i}`));
    });
  }

  it('keeps groups in its config, saves and loads, and predicts the same unfused (conv → BN)', async () => {
    const inp = Input({ shape: [8, 8, 4] });
    const h = L.batchNormalization({}).apply(L.conv2d({ filters: 4, kernelSize: 3, groups: 4, padding: 'same' }).apply(inp));
    const m = new Model({ inputs: inp, outputs: L.globalAveragePooling2d().apply(h) });
    const bn = m.layers[2];
    bn.weights.forEach((w, i) => w.assign(randn([...w.shape], 10 + i).values.map((v) => (i === 3 ? Math.abs(v) + 0.5 : v))));
    const x = randn([2, 8, 8, 4], 3);
    const fused = m.predict(x);
    const layered = m.apply(x, { training: false }) as Tensor;
    fused.values.forEach((v, i) => assert.ok(Math.abs(v - layered.values[i]) < 1e-5));
    assert.equal(m.layers[1].getConfig().groups, 4);
    const path = join(mkdtempSync(join(tmpdir(), 'ck-groups-')), 'g.keras');
    await m.save(path);
    const back = await loadModel(path);
    assert.deepEqual(Array.from(back.predict(x).values), Array.from(fused.values));
  });

  it('refuses groups that do not divide filters or channels', () => {
    assert.throws(() => L.conv2d({ filters: 5, kernelSize: 3, groups: 2 }), /filters \(5\) must be divisible by groups \(2\)/);
    assert.throws(() => L.conv2d({ filters: 4, kernelSize: 3, groups: 2 }).apply(Input({ shape: [5, 5, 3] })), /3 channels are not divisible by groups \(2\)/);
    assert.throws(() => L.conv2d({ filters: 4, kernelSize: 3, groups: 0 }), /groups must be a positive integer/);
  });
});
