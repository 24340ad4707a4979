import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

import { Sequential, ValueError, layers } from '../../src/index.js';
import { imageDatasetFromDirectory, type ImageDirectoryDataset } from '../../src/data/image_dataset.js';

// bird = red, cat = green, dog = blue: a batch's pixels tell which class each image came from.
const COLOURS: Record<string, [number, number, number]> = { bird: [255, 0, 0], cat: [0, 255, 0], dog: [0, 0, 255] };
const COUNTS: Record<string, number> = { bird: 4, cat: 3, dog: 3 };
let root: string;

async function solid(path: string, [r, g, b]: number[], w: number, h: number, format: 'png' | 'jpeg' | 'webp' = 'png') {
  const s = sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } });
  writeFileSync(path, await (format === 'png' ? s.png() : format === 'jpeg' ? s.jpeg({ quality: 100 }) : s.webp({ lossless: true })).toBuffer());
}

/** Class of each image of a batch, from its first pixel's dominant channel. */
function classesOf(x: { values: ArrayLike<number>; shape: readonly number[] }): number[] {
  const [n, h, w, c] = x.shape;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * h * w * c;
    const px = [x.values[o], x.values[o + 1], x.values[o + 2]];
    out.push(px.indexOf(Math.max(...px)));
  }
  return out;
}

async function allBatches(ds: ImageDirectoryDataset) {
  const out = [];
  for (let i = 0; i < ds.length; i++) out.push(await ds.batch(i));
  return out;
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'convkit-imgdir-'));
  for (const [cls, n] of Object.entries(COUNTS)) {
    mkdirSync(join(root, cls, 'nested'), { recursive: true });
    for (let i = 0; i < n; i++) {
      const nested = cls === 'cat' && i === 0; // subdirectories are walked too
      const format = i === 1 ? 'jpeg' : i === 2 ? 'webp' : 'png';
      const ext = format === 'jpeg' ? 'JPG' : format;
      await solid(join(root, cls, nested ? 'nested' : '', `${cls}_${i}.${ext}`), COLOURS[cls], 10 + i, 8 + 2 * i, format);
    }
    writeFileSync(join(root, cls, 'notes.txt'), 'not an image');
  }
  mkdirSync(join(root, '.hidden'));
  await solid(join(root, '.hidden', 'x.png'), [1, 1, 1], 4, 4);
  await solid(join(root, 'top_level.png'), [1, 1, 1], 4, 4); // not in a class directory: ignored
});

describe('imageDatasetFromDirectory', () => {
  it('takes sorted subdirectory names as classes and walks them in sorted order without shuffle', async () => {
    const ds = await imageDatasetFromDirectory(root, { imageSize: [8, 8], batchSize: 4, shuffle: false, verbose: false });
    assert.deepEqual(ds.classNames, ['bird', 'cat', 'dog']);
    assert.equal(ds.filePaths.length, 10);
    assert.deepEqual([...ds.labels], [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert.deepEqual(ds.filePaths.slice(4, 7).map((p) => p.slice(root.length + 1)), ['cat/cat_1.JPG', 'cat/cat_2.webp', 'cat/nested/cat_0.png']);
    assert.equal(ds.length, 3);
    const batches = await allBatches(ds);
    assert.deepEqual(batches.map(([x]) => x.shape), [[4, 8, 8, 3], [4, 8, 8, 3], [2, 8, 8, 3]]);
    assert.deepEqual(batches.map(([, y]) => [...y.values]).flat(), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert.equal(batches[0][1].dtype, 'int32');
    assert.deepEqual(batches.flatMap(([x]) => classesOf(x)), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
    assert.equal(batches[0][0].values[0], 255, 'pixels are 0–255 floats');
  });

  it('keeps labels with their images through the seeded shuffle and the per-epoch reshuffle', async () => {
    const ds = await imageDatasetFromDirectory(root, { imageSize: [6, 6], batchSize: 3, seed: 7, verbose: false });
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const [x, y] of await allBatches(ds)) assert.deepEqual(classesOf(x), [...y.values]);
      ds.onEpochEnd();
    }
  });

  it('is deterministic for a seed and reshuffles the batch order every epoch', async () => {
    const a = await imageDatasetFromDirectory(root, { imageSize: [4, 4], batchSize: 10, seed: 3, verbose: false });
    const b = await imageDatasetFromDirectory(root, { imageSize: [4, 4], batchSize: 10, seed: 3, verbose: false });
    assert.deepEqual(a.filePaths, b.filePaths);
    const order = (ds: ImageDirectoryDataset) => [...ds.batchIndices(0)].map((i) => ds.filePaths[i]);
    const first = order(a);
    assert.deepEqual(first, order(b));
    a.onEpochEnd();
    b.onEpochEnd();
    assert.deepEqual(order(a), order(b));
    assert.notDeepEqual(order(a), first);
    const c = await imageDatasetFromDirectory(root, { imageSize: [4, 4], seed: 4, verbose: false });
    assert.notDeepEqual(c.filePaths, a.filePaths);
  });

  it('validationSplit takes the last fraction: sizes, disjointness, and the same split across calls', async () => {
    const common = { imageSize: [4, 4] as [number, number], validationSplit: 0.3, seed: 11, verbose: false };
    const [train, val] = await imageDatasetFromDirectory(root, { ...common, subset: 'both' });
    assert.equal(train.filePaths.length, 7);
    assert.equal(val.filePaths.length, 3);
    assert.equal(new Set([...train.filePaths, ...val.filePaths]).size, 10);
    const t2 = await imageDatasetFromDirectory(root, { ...common, subset: 'training' });
    const v2 = await imageDatasetFromDirectory(root, { ...common, subset: 'validation' });
    assert.deepEqual(t2.filePaths, train.filePaths);
    assert.deepEqual(v2.filePaths, val.filePaths);
    const all = await imageDatasetFromDirectory(root, { imageSize: [4, 4], seed: 11, verbose: false });
    assert.deepEqual([...train.filePaths, ...val.filePaths], all.filePaths);
    // the validation half of 'both' is not reshuffled
    const before = [...val.batchIndices(0)];
    val.onEpochEnd();
    assert.deepEqual([...val.batchIndices(0)], before);
  });

  it('labelMode categorical / binary / null, classNames and grayscale', async () => {
    const cat = await imageDatasetFromDirectory(root, { imageSize: [5, 5], labelMode: 'categorical', shuffle: false, batchSize: 10, verbose: false });
    const [xc, yc] = await cat.batch(0);
    assert.deepEqual(yc.shape, [10, 3]);
    assert.deepEqual([...yc.values].slice(0, 6), [1, 0, 0, 1, 0, 0]);
    assert.deepEqual([...yc.values].slice(-3), [0, 0, 1]);
    assert.deepEqual(xc.shape, [10, 5, 5, 3]);

    const bin = await imageDatasetFromDirectory(root, { imageSize: [5, 5], labelMode: 'binary', classNames: ['dog', 'cat'], shuffle: false, batchSize: 8, colorMode: 'grayscale', verbose: false });
    assert.deepEqual(bin.classNames, ['dog', 'cat']);
    const [xb, yb] = await bin.batch(0);
    assert.deepEqual(yb.shape, [6, 1]);
    assert.equal(yb.dtype, 'float32');
    assert.deepEqual([...yb.values], [0, 0, 0, 1, 1, 1]);
    assert.deepEqual(xb.shape, [6, 5, 5, 1]);
    assert.ok(Math.abs(xb.values[0] - 29) <= 1, `PIL's L of blue is 29, got ${xb.values[0]}`);

    const none = await imageDatasetFromDirectory(join(root, 'bird'), { imageSize: [5, 5], labelMode: null, seed: 1, verbose: false });
    const [xn, yn] = await none.batch(0);
    assert.equal(none.classNames, null);
    assert.equal(xn.shape[0], 4);
    assert.deepEqual([...yn.values].sort(), [0, 1, 2, 3], 'with labelMode null, y holds indices into filePaths');
  });

  it('raises Keras\'s errors', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'convkit-empty-'));
    mkdirSync(join(empty, 'a'));
    await assert.rejects(imageDatasetFromDirectory(empty, { verbose: false }), /No images found in directory .*Allowed formats: \.bmp, \.gif, \.jpeg, \.jpg, \.png, \.webp/);
    await assert.rejects(imageDatasetFromDirectory(root, { labelMode: 'binary', verbose: false }), /exactly 2 classNames.*bird.*cat.*dog/);
    await assert.rejects(imageDatasetFromDirectory(root, { validationSplit: 0.2, subset: 'testing' as never, seed: 1, verbose: false }), /subset must be either "training", "validation" or "both", received: testing/);
    await assert.rejects(imageDatasetFromDirectory(root, { validationSplit: 0.2, subset: 'training', verbose: false }), /you must provide a seed/);
    await assert.rejects(imageDatasetFromDirectory(root, { subset: 'training', verbose: false }), /If subset is set, validationSplit must be set, and inversely/);
    await assert.rejects(imageDatasetFromDirectory(root, { validationSplit: 1.5, subset: 'training', seed: 1, verbose: false }), /between 0 and 1/);
    await assert.rejects(imageDatasetFromDirectory(root, { classNames: ['cat', 'cow'], verbose: false }), /did not match the names of the subdirectories/);
    await assert.rejects(imageDatasetFromDirectory(join(root, 'nope'), { verbose: false }), (e: Error) => e instanceof ValueError && /does not exist/.test(e.message));
    await assert.rejects(imageDatasetFromDirectory(root, { validationSplit: 0.05, subset: 'both', seed: 1, verbose: false }), /leaves no validation files/);
  });

  it('feeds fit, evaluate and predict', async () => {
    const [train, val] = await imageDatasetFromDirectory(root, { imageSize: [8, 8], batchSize: 4, validationSplit: 0.2, subset: 'both', seed: 5, verbose: false });
    const model = new Sequential([
      layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 3] }),
      layers.flatten(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(train, { epochs: 1, verbose: 0, validationData: val });
    assert.ok(Number.isFinite(history.history.loss[0]));
    assert.ok(Number.isFinite(history.history.val_loss[0]));
    const [loss] = await model.evaluate(val);
    assert.ok(Number.isFinite(loss));
    assert.deepEqual((await model.predict(val)).shape, [2, 3]);
  });
});
