/**
 * What convkit says when a Keras file asks for something it cannot do, or is not a Keras file at
 * all: unsupported layer classes and options are named with the file, `customObjects` lets a user
 * supply a class, an unfollowable training config leaves the model uncompiled with a warning, and
 * a few hundred truncated, bit-flipped and foreign files end in clear errors (never a crash or hang).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';

import { ConvkitError, FormatError, ValueError } from '../../src/errors.js';
import { Layer, type LayerArgs } from '../../src/layers/layer.js';
import type { SymShape } from '../../src/layers/symbolic.js';
import { encodeHdf5, readHdf5 } from '../../src/io/hdf5/hdf5.js';
import { loadModel, saveWeights } from '../../src/io/model_io.js';
import * as ops from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { fixturePath, inputShapeOf, realInputs } from './keras_fixture_data.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-keras-err-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, unknown> & { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };

/** mnist_cnn_keras3.keras with its config.json edited by `edit`, written to `name`. */
function editedKeras(name: string, edit: (cfg: Json) => void): string {
  const files = unzipSync(readFileSync(fixturePath('mnist_cnn_keras3.keras')));
  const cfg = JSON.parse(new TextDecoder().decode(files['config.json'])) as Json;
  edit(cfg);
  files['config.json'] = new TextEncoder().encode(JSON.stringify(cfg));
  const path = join(dir, name);
  writeFileSync(path, zipSync(files, { level: 0 }));
  return path;
}

describe('unsupported layers and options', () => {
  it('an unknown layer class names the class, the layer, the file, the supported classes and customObjects', async () => {
    const path = editedKeras('lstm.keras', (c) => { c.config.layers[1]!.class_name = 'LSTM'; });
    await assert.rejects(loadModel(path), (e: Error) => {
      assert.ok(e instanceof FormatError);
      assert.ok(e.message.includes(path), e.message);
      assert.match(e.message, /class LSTM, which convkit does not support yet/);
      assert.match(e.message, /Supported layer classes: Activation, .*\bConv2D, .*\bDense, /);
      assert.match(e.message, /customObjects/);
      return true;
    });
  });

  it('an option convkit lacks (a kernel constraint, an unknown key) is named with its value and the layer', async () => {
    const constrained = editedKeras('constraint.keras', (c) => { c.config.layers[1]!.config.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } }; });
    await assert.rejects(loadModel(constrained), /\(Conv2D\) sets kernel_constraint = .*MaxNorm.*not support/);
    const unknown = editedKeras('unknown.keras', (c) => { c.config.layers[1]!.config.fancy_mode = 'on'; });
    await assert.rejects(loadModel(unknown), (e: Error) => e instanceof FormatError && /option fancy_mode = "on"/.test(e.message) && /options convkit reads: .*filters/.test(e.message) && e.message.includes(unknown));
  });

  it('customObjects supplies a layer class the file uses', async () => {
    class Doubler extends Layer {
      static override className = 'Doubler';
      constructor(args: LayerArgs = {}) { super(args); }
      override computeOutputShape(s: SymShape): SymShape { return s; }
      call(x: Tensor): Tensor { return ops.mul(x, 2); }
    }
    const path = editedKeras('custom.keras', (c) => {
      // Insert a Doubler before the softmax classifier; it has no weights, so the file's weights still fit.
      const layers = c.config.layers;
      layers.splice(layers.length - 1, 0, { class_name: 'Doubler', config: { name: 'doubler', trainable: true, dtype: 'float32' } });
    });
    await assert.rejects(loadModel(path), /class Doubler/);
    const model = await loadModel(path, { customObjects: { Doubler } });
    const plain = await loadModel(fixturePath('mnist_cnn_keras3.keras'));
    assert.ok(model.layers.some((l) => l instanceof Doubler));
    const x = realInputs(inputShapeOf(plain), 2, 'div255');
    const a = model.predict(x).values;
    const b = plain.predict(x).values;
    assert.ok(a.some((v, i) => Math.abs(v - b[i]!) > 1e-6), 'the custom layer changes the output');
  });
});

describe('training configs convkit cannot follow', () => {
  it("Keras 2's nonzero optimizer decay loads the model uncompiled, with a warning naming the option", async () => {
    const tree = await readHdf5(fixturePath('mnist_cnn_dropout_keras26.h5'));
    const tc = JSON.parse(String(tree.attrs.training_config));
    tc.optimizer_config.config.decay = 0.01;
    tree.attrs.training_config = JSON.stringify(tc);
    const path = join(dir, 'decay.h5');
    writeFileSync(path, await encodeHdf5(tree));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const model = await loadModel(path);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.equal(model.compiled, null);
    assert.ok(warnings.some((w) => w.includes(path) && /decay = 0.01/.test(w) && /without compiling/.test(w)), warnings.join('\n'));
  });
});

describe('saving: names and atomicity', () => {
  it('an unknown extension is refused with the formats listed; saveWeights needs .h5 or .weights.h5', async () => {
    const model = await loadModel(fixturePath('mnist_cnn_keras3.keras'));
    await assert.rejects(model.save(join(dir, 'model.bin')), (e: Error) => e instanceof ValueError && /\.keras.*\.h5.*\.convkit.*tfjs/.test(e.message));
    await assert.rejects(saveWeights(model, join(dir, 'w.bin')), /\.weights\.h5.*\.h5/);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing

/** mulberry32: a reproducible stream of mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FUZZ_SOURCES = [
  'mnist_cnn_keras3.keras', 'mnist_cnn_dropout_keras26.h5', 'mnist_mlp_weights_only_keras24.h5', 'mnist_cnn_keras3.weights.h5',
  'mnist_cnn_keras231.h5', 'mnist_cnn_functional_keras224tf.h5', 'mnist_cnn_keras3_legacy.h5', 'mnist_cnn_bn_keras3.keras',
];

function mutate(bytes: Uint8Array, r: () => number, kind: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  switch (kind) {
    case 0: return out.subarray(0, Math.floor(r() * bytes.length)); // truncated anywhere
    case 1: return out.subarray(0, Math.floor(r() * Math.min(4096, bytes.length))); // truncated in the headers
    case 2: { // a few bits flipped anywhere
      const n = 1 + Math.floor(r() * 8);
      for (let i = 0; i < n; i++) out[Math.floor(r() * out.length)]! ^= 1 << Math.floor(r() * 8);
      return out;
    }
    default: { // bytes overwritten in the first 4 KiB, where superblocks, zip headers and object headers live
      const n = 1 + Math.floor(r() * 16);
      for (let i = 0; i < n; i++) out[Math.floor(r() * Math.min(4096, out.length))] = Math.floor(r() * 256);
      return out;
    }
  }
}

function foreignFiles(): [string, Uint8Array][] {
  const r = rng(99);
  const random = new Uint8Array(5000).map(() => Math.floor(r() * 256));
  return [
    ['empty.h5', new Uint8Array(0)],
    ['random.keras', random],
    ['png.h5', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...random.subarray(0, 100)])],
    ['json.keras', new TextEncoder().encode('{"modelTopology": 3}')],
    ['other.zip', zipSync({ 'readme.txt': new TextEncoder().encode('hello') })],
    ['hdf5-magic-only.h5', Uint8Array.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['bomb.keras', zipSync({ 'config.json': new Uint8Array(50_000_000), 'metadata.json': new TextEncoder().encode('{}'), 'model.weights.h5': new Uint8Array(10) }, { level: 9 })],
  ];
}

/** Loading must end in a model or a convkit error that names the file: never a TypeError, a crash or a hang. */
async function assertLoadsOrFailsClearly(path: string, seen: Map<string, number>): Promise<void> {
  try {
    const model = await loadModel(path, { compile: false });
    seen.set('loaded', (seen.get('loaded') ?? 0) + 1);
    assert.ok(model.weights.every((v) => v.values.every(Number.isFinite)), `${path}: loaded weights are finite`);
  } catch (e) {
    assert.ok(e instanceof ConvkitError, `${path}: ${(e as Error).name}: ${(e as Error).message}`);
    assert.ok(e.message.includes(path), `${path}: the error names the file: ${e.message}`);
    const kind = e.constructor.name;
    seen.set(kind, (seen.get(kind) ?? 0) + 1);
  }
}

describe('fuzzed files', () => {
  it('300 truncated, bit-flipped and overwritten fixtures plus foreign files: a model or a clear error each time', { timeout: 600_000 }, async () => {
    const seen = new Map<string, number>();
    const r = rng(2026);
    const originals = FUZZ_SOURCES.map((f) => [f, new Uint8Array(readFileSync(fixturePath(f)))] as const);
    for (let i = 0; i < 300; i++) {
      const [name, bytes] = originals[i % originals.length]!;
      const path = join(dir, `fuzz-${i}-${name}`);
      writeFileSync(path, mutate(bytes, r, i % 4));
      await assertLoadsOrFailsClearly(path, seen);
      rmSync(path);
    }
    for (const [name, bytes] of foreignFiles()) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const before = seen.get('loaded') ?? 0;
      await assertLoadsOrFailsClearly(path, seen);
      assert.equal(seen.get('loaded') ?? 0, before, `${name} is not a model and must not load`);
    }
    assert.ok((seen.get('FormatError') ?? 0) > 100, `most mutations are rejected as format errors: ${JSON.stringify([...seen])}`);
  });
});
