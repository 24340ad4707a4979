/**
 * A compiled model's optimizer state goes into every file format that has room for it (.convkit,
 * .keras, .h5) in Keras's layout, and loadModel restores it: a run saved after K steps, loaded and
 * trained M more ends bit for bit where the uninterrupted run does. State that does not fit warns
 * once and leaves a fresh optimizer; files without state load with a fresh one, silently. The real
 * Keras fixtures' state is read in both Keras 2 orders and both Keras 3 layouts.
 */
import { after, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import h5wasm from 'h5wasm/node';

import { Conv2D } from '../../src/layers/convolutional.js';
import { Dense } from '../../src/layers/core.js';
import { Flatten } from '../../src/layers/reshaping.js';
import { decodeConvkitFile, encodeConvkitFile } from '../../src/io/convkit_format.js';
import { encodeHdf5, readHdf5 } from '../../src/io/hdf5/hdf5.js';
import type { H5Dataset, H5Group } from '../../src/io/hdf5/tree.js';
import { loadModel } from '../../src/io/model_io.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Adam, RMSprop, SGD } from '../../src/optimizers/index.js';
import type { Optimizer } from '../../src/optimizers/optimizer.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { fixturePath } from './keras_fixture_data.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-opt-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const K = 3;
const M = 3;

/** Fixed batches (no shuffling anywhere): 4 images of 6×6×1 and their labels per step. */
const batches: [Tensor, Tensor][] = (() => {
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: K + M }, () => {
    const x = new Tensor(Float32Array.from({ length: 4 * 36 }, rand), [4, 6, 6, 1]);
    const y = new Tensor(Int32Array.from({ length: 4 }, () => Math.floor(rand() * 4)), [4]);
    return [x, y] as [Tensor, Tensor];
  });
})();

function smallModel(optimizer: Optimizer): Sequential {
  const model = new Sequential([
    new Conv2D({ filters: 3, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
    new Flatten(),
    new Dense({ units: 4, activation: 'softmax' }),
  ]);
  model.compile({ optimizer, loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

function train(model: Model, from: number, to: number): void {
  for (let i = from; i < to; i++) model.trainOnBatch(batches[i]![0], batches[i]![1]);
}

const OPTIMIZERS: [string, () => Optimizer][] = [
  ['SGD with momentum', () => new SGD({ learningRate: 0.05, momentum: 0.9 })],
  ['Adam', () => new Adam({ learningRate: 0.01 })],
  // With momentum RMSprop has two slot kinds, which Keras keeps as blocks rather than interleaved.
  ['RMSprop with momentum', () => new RMSprop({ learningRate: 0.01, momentum: 0.5 })],
];

/** Runs `fn` with console.warn captured; returns the warnings. */
async function warnings(fn: () => Promise<unknown>): Promise<string[]> {
  const spy = mock.method(console, 'warn', () => {});
  try {
    await fn();
    return spy.mock.calls.map((c) => String(c.arguments[0]));
  } finally {
    spy.mock.restore();
  }
}

describe('a run saved after K steps, loaded and trained M more, ends bit for bit where K+M uninterrupted steps do', () => {
  for (const format of ['convkit', 'keras', 'h5'] as const) {
    for (const [label, make] of OPTIMIZERS) {
      it(`.${format}, ${label}`, async () => {
        const reference = smallModel(make());
        train(reference, 0, K);
        const path = join(dir, `resume-${label.replace(/ /g, '_')}.${format}`);
        await reference.save(path);
        train(reference, K, K + M);

        let resumed: Model | undefined;
        assert.deepEqual(await warnings(async () => { resumed = await loadModel(path); }), []);
        const opt = resumed!.compiled!.optimizer;
        assert.equal(opt.className, reference.compiled!.optimizer.className);
        assert.equal(opt.iterations, K);
        train(resumed!, K, K + M);

        assert.equal(opt.iterations, reference.compiled!.optimizer.iterations);
        assert.equal(opt.iterations, K + M);
        assert.equal(opt.learningRate, reference.compiled!.optimizer.learningRate);
        const ours = resumed!.weights;
        const theirs = reference.weights;
        assert.equal(ours.length, theirs.length);
        ours.forEach((w, i) => assert.deepEqual(w.values, theirs[i]!.values, `weight ${i} (${w.name}) after ${K}+${M} steps`));
        const slots = opt.getWeights();
        reference.compiled!.optimizer.getWeights().forEach((w, i) => assert.deepEqual(slots[i]!.tensor.values, w.tensor.values, `optimizer variable ${w.name}`));
      });
    }
  }
});

describe('files without optimizer state load with a fresh optimizer, without a warning', () => {
  async function trainedFile(format: string): Promise<{ model: Model; path: string }> {
    const model = smallModel(new Adam({ learningRate: 0.01 }));
    train(model, 0, K);
    const path = join(dir, `stateless-src.${format}`);
    await model.save(path);
    return { model, path };
  }

  async function expectFresh(path: string, model: Model): Promise<void> {
    let loaded: Model | undefined;
    assert.deepEqual(await warnings(async () => { loaded = await loadModel(path); }), []);
    const opt = loaded!.compiled!.optimizer;
    assert.equal(opt.iterations, 0);
    assert.ok(opt.getWeights().slice(2).every((w) => w.tensor.values.every((v) => v === 0)), 'fresh slots are zero');
    loaded!.weights.forEach((w, i) => assert.deepEqual(w.values, model.weights[i]!.values));
  }

  for (const format of ['convkit', 'keras', 'h5']) {
    it(`a compiled model saved before any step (.${format}: only the iteration and rate, as Keras's unbuilt optimizer)`, async () => {
      const model = smallModel(new Adam({ learningRate: 0.01 }));
      assert.equal(model.compiled!.optimizer.getWeights().length, 2);
      const path = join(dir, `unbuilt.${format}`);
      await model.save(path);
      await expectFresh(path, model);
    });
  }

  it('a convkit file as convkit wrote them before optimizer state (no optimizer_state, no optimizer/ weights)', async () => {
    const { model, path } = await trainedFile('convkit');
    const file = decodeConvkitFile(new Uint8Array(readFileSync(path)), path);
    assert.ok(file.weights.some((w) => w.name.startsWith('optimizer/')), 'the new file stores slots');
    delete file.metadata!.optimizer_state;
    const old = join(dir, 'old.convkit');
    writeFileSync(old, encodeConvkitFile({ ...file, weights: file.weights.filter((w) => !w.name.startsWith('optimizer/')) }));
    await expectFresh(old, model);
  });

  it('a Keras 2 .h5 without optimizer_weights (include_optimizer=False)', async () => {
    const { model, path } = await trainedFile('h5');
    const tree = await readHdf5(path);
    assert.ok(tree.children.optimizer_weights);
    delete tree.children.optimizer_weights;
    const bare = join(dir, 'bare.h5');
    writeFileSync(bare, await encodeHdf5(tree));
    await expectFresh(bare, model);
  });

  it('a .keras archive whose model.weights.h5 has no optimizer group', async () => {
    const { model, path } = await trainedFile('keras');
    const files = unzipSync(new Uint8Array(readFileSync(path)));
    const tree = await readHdf5(files['model.weights.h5']!);
    delete tree.children.optimizer;
    const bare = join(dir, 'bare.keras');
    writeFileSync(bare, zipSync({ ...files, 'model.weights.h5': await encodeHdf5(tree) }, { level: 0 }));
    await expectFresh(bare, model);
  });
});

describe('state that does not fit the optimizer warns once and loads with a fresh optimizer', () => {
  async function adamFile(format: string): Promise<string> {
    const model = smallModel(new Adam({ learningRate: 0.01 }));
    train(model, 0, K);
    const path = join(dir, `mismatch-src.${format}`);
    await model.save(path);
    return path;
  }

  async function expectWarned(path: string, className: string, reason: RegExp): Promise<void> {
    let loaded: Model | undefined;
    const warned = await warnings(async () => { loaded = await loadModel(path); });
    assert.equal(warned.length, 1, `one warning, got ${JSON.stringify(warned)}`);
    assert.ok(warned[0]!.startsWith(path), warned[0]);
    assert.match(warned[0]!, /skipping variable loading for optimizer/);
    assert.match(warned[0]!, reason);
    const opt = loaded!.compiled!.optimizer;
    assert.equal(opt.className, className);
    assert.equal(opt.iterations, 0);
    train(loaded!, 0, 1); // and it trains
    assert.equal(opt.iterations, 1);
  }

  it('.h5 whose training config names another optimizer (Adam state, RMSprop compiled)', async () => {
    const path = await adamFile('h5');
    const tree = await readHdf5(path);
    const training = JSON.parse(String(tree.attrs.training_config));
    training.optimizer_config = { class_name: 'RMSprop', config: { learning_rate: 0.01 } };
    tree.attrs.training_config = JSON.stringify(training);
    const other = join(dir, 'other-optimizer.h5');
    writeFileSync(other, await encodeHdf5(tree));
    await expectWarned(other, 'RMSprop', /holds 9 optimizer variables but RMSprop .* has 5/);
  });

  it('.keras with one optimizer variable missing', async () => {
    const path = await adamFile('keras');
    const files = unzipSync(new Uint8Array(readFileSync(path)));
    const tree = await readHdf5(files['model.weights.h5']!);
    const vars = (tree.children.optimizer as H5Group).children.vars as H5Group;
    const last = Object.keys(vars.children).length - 1;
    delete vars.children[String(last)];
    const short = join(dir, 'short.keras');
    writeFileSync(short, zipSync({ ...files, 'model.weights.h5': await encodeHdf5(tree) }, { level: 0 }));
    await expectWarned(short, 'Adam', /holds 9 optimizer variables but Adam .* has 10/);
  });

  it('.convkit whose compile config names another optimizer (Adam state, SGD with momentum compiled)', async () => {
    const path = await adamFile('convkit');
    const file = decodeConvkitFile(new Uint8Array(readFileSync(path)), path);
    (file.metadata!.compile_config as { optimizer: unknown }).optimizer = { class_name: 'SGD', config: { learning_rate: 0.05, momentum: 0.9 } };
    const other = join(dir, 'other-optimizer.convkit');
    writeFileSync(other, encodeConvkitFile(file));
    await expectWarned(other, 'SGD', /stores 10 optimizer variables but SGD .* has 6/);
  });
});

/** A dataset's HDF5 type code as h5wasm reports it ('<q' int64, '<f' float32). */
async function h5Dtypes(bytes: Uint8Array, paths: string[]): Promise<string[]> {
  await h5wasm.ready;
  const tmp = join(dir, `dtypes-${Math.random().toString(36).slice(2)}.h5`);
  writeFileSync(tmp, bytes);
  const f = new h5wasm.File(tmp, 'r');
  try {
    return paths.map((p) => String((f.get(p) as { dtype: unknown }).dtype));
  } finally {
    f.close();
  }
}

function datasetAt(g: H5Group, path: string): H5Dataset {
  let n: H5Group | H5Dataset = g;
  for (const part of path.split('/')) n = (n as H5Group).children[part] as H5Group | H5Dataset;
  assert.equal(n?.kind, 'dataset', path);
  return n as H5Dataset;
}

describe("the written state has Keras's layout and the fixtures' state loads", () => {
  it('a Keras 3 fixture re-saved as .keras: optimizer/vars identical to the original (int64 iteration, float32 rate, slots in order)', async () => {
    const source = fixturePath('mnist_cnn_keras3.keras');
    const model = await loadModel(source);
    assert.equal(model.compiled!.optimizer.iterations, 9375);
    const path = join(dir, 'fixture.keras');
    await model.save(path);
    const theirs = unzipSync(new Uint8Array(readFileSync(source)))['model.weights.h5']!;
    const ours = unzipSync(new Uint8Array(readFileSync(path)))['model.weights.h5']!;
    const [t, o] = [await readHdf5(theirs), await readHdf5(ours)];
    const tv = (t.children.optimizer as H5Group).children.vars as H5Group;
    const ov = (o.children.optimizer as H5Group).children.vars as H5Group;
    assert.deepEqual(ov.attrs, tv.attrs);
    assert.deepEqual(Object.keys(ov.children).sort(), Object.keys(tv.children).sort());
    assert.equal(Object.keys(ov.children).length, 14);
    for (const k of Object.keys(tv.children)) {
      const [a, b] = [datasetAt(ov, k), datasetAt(tv, k)];
      assert.deepEqual(a.shape, b.shape, `vars/${k} shape`);
      assert.deepEqual(Array.from(a.data), Array.from(b.data), `vars/${k} values`);
    }
    const paths = ['optimizer/vars/0', 'optimizer/vars/1', 'optimizer/vars/2'];
    assert.deepEqual(await h5Dtypes(ours, paths), await h5Dtypes(theirs, paths));
    assert.deepEqual(await h5Dtypes(ours, paths), ['<q', '<f', '<f']);
  });

  it("a tf.keras 2.15 fixture re-saved as .h5: optimizer_weights' weight_names, datasets and dtypes identical to the original", async () => {
    const source = fixturePath('cifar10_cnn_bn_keras215.h5');
    const model = await loadModel(source);
    assert.equal(model.compiled!.optimizer.iterations, 31260);
    const path = join(dir, 'fixture.h5');
    await model.save(path);
    const [t, o] = [await readHdf5(source), await readHdf5(path)];
    const tg = t.children.optimizer_weights as H5Group;
    const og = o.children.optimizer_weights as H5Group;
    const names = tg.attrs.weight_names as string[];
    assert.equal(names.length, 61);
    assert.deepEqual(og.attrs.weight_names, names);
    for (const n of names) {
      const [a, b] = [datasetAt(og, n), datasetAt(tg, n)];
      assert.deepEqual(a.shape, b.shape, `${n} shape`);
      assert.deepEqual(Array.from(a.data), Array.from(b.data), `${n} values`);
    }
    const paths = ['optimizer_weights/iteration:0', `optimizer_weights/${names[1]}`];
    assert.deepEqual(await h5Dtypes(readFileSync(path), paths), ['<q', '<f']);
  });

  it('every fixture loads its optimizer state without a warning, in its own order (Keras 2 by slot kind, tf.keras 2.15 and Keras 3 interleaved)', async () => {
    // [file, optimizer, iterations, first kernel's first momentum (or RMSprop velocity), its velocity]
    const expected: [string, string, number, number, number | null][] = [
      ['mnist_cnn_keras231.h5', 'RMSprop', 4690, 0.00029515725327655673, null],
      ['mnist_cnn_dropout_keras26.h5', 'Adam', 6330, 0.005357284564524889, 0.00025443744380027056],
      ['fashion_mnist_cnn_keras24.h5', 'Adam', 4700, 0.007870925590395927, 0.0006115243886597455],
      ['cifar10_cnn_bn_keras215.h5', 'Adam', 31260, -0.028263410553336143, 0.006052157375961542],
      ['mnist_cnn_keras3_legacy.h5', 'Adam', 9375, 0.00042341422522440553, 0.00005690695616067387],
      ['mnist_cnn_keras3.keras', 'Adam', 9375, -0.020267751067876816, 0.0038840719498693943],
      ['mnist_cnn_bn_keras3.keras', 'Adam', 16880, -0.003208414651453495, 0.00023782327480148524],
    ];
    for (const [file, cls, iterations, m0, v0] of expected) {
      let model: Model | undefined;
      assert.deepEqual(await warnings(async () => { model = await loadModel(fixturePath(file)); }), [], file);
      const opt = model!.compiled!.optimizer;
      assert.equal(opt.className, cls, file);
      assert.equal(opt.iterations, iterations, file);
      const kernel = model!.trainableWeights[0]!;
      const base = kernel.name.replace(/[/:]/g, '_');
      const slot = (kind: string) => opt.getWeights().find((w) => w.name === `${base}_${kind}`)!.tensor.values[0];
      assert.equal(slot(cls === 'RMSprop' ? 'velocity' : 'momentum'), Math.fround(m0), `${file}: first momentum`);
      if (v0 !== null) assert.equal(slot('velocity'), Math.fround(v0), `${file}: first velocity`);
    }
  });
});
