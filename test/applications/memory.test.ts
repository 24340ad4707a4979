/**
 * Memory (issue 7): "building MobileNetV2 and running one 224×224 prediction stays under 200 MB
 * resident on top of the weights; building VGG19 allocates its weights once".
 *
 * Each measurement runs in its own child process (`node --expose-gc`), on the backend this test
 * runs on (CONVKIT_BACKEND is inherited): it imports convkit, selects the backend (so the native
 * addon's malloc settings are in force), collects garbage, notes the resident set size, builds the
 * model (and predicts), and reports the peak resident set size (`process.resourceUsage().maxRSS`,
 * which also covers the import, so the growth measured is an upper bound).
 *
 * Bounds, with the weights' bytes W from Keras's published parameter counts:
 * - VGG19 build: peak growth ≤ 1.15·W + 64 MB. W = 143,667,240 × 4 B = 574.7 MB. Before the fix, each
 *   weight was allocated twice (the initializer's array, then the Variable's copy of it), and the
 *   392 MB fc1 kernel existed twice at once: ≈ 930 MB of growth. After it: ≈ 600 MB. The 64 MB
 *   allowance is for the graph objects, compiled code and the allocator's padding.
 * - MobileNetV2 build + one 224×224 prediction: peak growth ≤ W + 200 MB (W = 3,538,984 × 4 B).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Dense } from '../../src/layers/core.js';
import { GlorotUniform, Initializer } from '../../src/initializers/index.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';

const run = promisify(execFile);
const MB = 1e6;
const INDEX = new URL('../../src/index.js', import.meta.url).href;

interface Measurement {
  backend: string;
  weightBytes: number;
  rssBefore: number;
  peakRss: number;
  arrayBuffersBefore: number;
  arrayBuffersAfter: number;
  outputShape: number[] | null;
  outputSum: number | null;
}

async function measure(what: 'vgg19' | 'mobilenetv2'): Promise<Measurement> {
  const code = `
    const ck = await import(${JSON.stringify(INDEX)});
    const backend = ck.getBackend().name;
    globalThis.gc(); globalThis.gc();
    const before = process.memoryUsage();
    const model = ${what === 'vgg19' ? 'ck.applications.vgg19()' : 'ck.applications.mobileNetV2()'};
    let outputShape = null, outputSum = null;
    if (${JSON.stringify(what)} === 'mobilenetv2') {
      const y = model.predict(ck.ops.randomUniform([1, 224, 224, 3], -1, 1, { seed: 1 }));
      outputShape = [...y.shape];
      outputSum = y.values.reduce((a, b) => a + b, 0);
    }
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const weightBytes = model.weights.reduce((n, w) => n + w.values.byteLength, 0);
    globalThis.gc(); globalThis.gc();
    const after = process.memoryUsage();
    process.stdout.write(JSON.stringify({ backend, weightBytes, rssBefore: before.rss, peakRss,
      arrayBuffersBefore: before.arrayBuffers, arrayBuffersAfter: after.arrayBuffers, outputShape, outputSum }));
  `;
  const { stdout } = await run(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { env: process.env, maxBuffer: 1 << 20 });
  return JSON.parse(stdout) as Measurement;
}

const fmt = (b: number) => `${(b / MB).toFixed(1)} MB`;

describe('memory', () => {
  it('VGG19 allocates its weights once: resident growth while building ≤ 1.15 × weights + 64 MB', async (t) => {
    const m = await measure('vgg19');
    const growth = m.peakRss - m.rssBefore;
    t.diagnostic(`${m.backend}: VGG19 weights ${fmt(m.weightBytes)}, peak resident growth ${fmt(growth)}, live ArrayBuffers after build ${fmt(m.arrayBuffersAfter - m.arrayBuffersBefore)}`);
    assert.equal(m.weightBytes, 143_667_240 * 4);
    assert.ok(growth <= 1.15 * m.weightBytes + 64 * MB, `peak growth ${fmt(growth)} > 1.15 × ${fmt(m.weightBytes)} + 64 MB`);
    // The weights are really held (not lazily allocated): the live ArrayBuffers are the weights.
    const live = m.arrayBuffersAfter - m.arrayBuffersBefore;
    assert.ok(live >= m.weightBytes && live <= m.weightBytes + 16 * MB, `live ArrayBuffers ${fmt(live)} vs weights ${fmt(m.weightBytes)}`);
  });

  it('MobileNetV2: build + one 224×224 prediction ≤ weights + 200 MB resident', async (t) => {
    const m = await measure('mobilenetv2');
    const growth = m.peakRss - m.rssBefore;
    t.diagnostic(`${m.backend}: MobileNetV2 weights ${fmt(m.weightBytes)}, peak resident growth (build + predict) ${fmt(growth)}`);
    assert.equal(m.weightBytes, 3_538_984 * 4);
    assert.deepEqual(m.outputShape, [1, 1000]);
    assert.ok(Math.abs(m.outputSum! - 1) < 1e-4, `softmax sums to 1: ${m.outputSum}`);
    assert.ok(growth <= m.weightBytes + 200 * MB, `peak growth ${fmt(growth)} > ${fmt(m.weightBytes)} + 200 MB`);
  });

  it('a layer\'s weight is the built-in initializer\'s array itself; custom initializers and Variable(tensor) are copied', () => {
    const proto = GlorotUniform.prototype;
    const original = proto.apply;
    const made: Tensor[] = [];
    proto.apply = function (this: GlorotUniform, ...a: Parameters<typeof original>) {
      const v = original.apply(this, a);
      made.push(v);
      return v;
    };
    try {
      const d = new Dense({ units: 3 });
      d.apply(new Tensor(new Float32Array(8), [2, 4]));
      assert.equal(made.length, 1);
      assert.equal(d.weights[0].values, made[0].values, 'the kernel adopts the initializer\'s array');
    } finally {
      proto.apply = original;
    }

    const shared = new Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
    class SharedInit extends Initializer {
      readonly className = 'SharedInit';
      apply(): Tensor { return shared; }
      getConfig() { return {}; }
    }
    const a = new Dense({ units: 2, kernelInitializer: new SharedInit(), useBias: false });
    const b = new Dense({ units: 2, kernelInitializer: new SharedInit(), useBias: false });
    const x = new Tensor(new Float32Array([1, 0]), [1, 2]);
    a.apply(x);
    b.apply(x);
    a.weights[0].assign([9, 9, 9, 9]);
    assert.deepEqual(Array.from(shared.values), [1, 2, 3, 4], 'a custom initializer\'s tensor is not written through');
    assert.deepEqual(Array.from(b.weights[0].values), [1, 2, 3, 4], 'two layers do not share one array');

    const src = new Tensor(new Float32Array([5, 6]), [2]);
    const v = new Variable(src, 'v');
    v.assign([7, 8]);
    assert.deepEqual(Array.from(src.values), [5, 6], 'Variable(tensor) copies the caller\'s tensor');
  });
});
