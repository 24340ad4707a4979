/**
 * keras.applications.imagenet_utils: preprocess_input's three modes against values computed by hand
 * (in float32, as Keras computes them), each architecture's own preprocessInput, decode_predictions,
 * and the shipped ImageNet class index: Keras's file byte for byte (its md5) and seed 003's printed
 * decode_predictions output.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { applications } from '../../src/index.js';
import {
  IMAGENET_CLASS_INDEX, decodePredictions, imagenetClass, preprocessInput,
} from '../../src/applications/imagenet_utils.js';
import * as ops from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const f = Math.fround;
const values = (t: Tensor): number[] => Array.from(t.dataSync() as Float32Array);

function golden(name: string): string {
  let dir = fileURLToPath(new URL('../../../test/applications/golden/', import.meta.url));
  if (!existsSync(dir)) dir = join(process.cwd(), 'test', 'applications', 'golden');
  return readFileSync(join(dir, name), 'utf8');
}

/** Two RGB pixels (1×1×2×3) with values in 0…255. */
const PIXELS = [[[[10, 20, 30], [255, 0, 127.5]]]];

describe("preprocessInput: Keras's imagenet_utils.preprocess_input on float data", () => {
  it("'caffe' (the default): RGB → BGR, then the ImageNet BGR means 103.939, 116.779, 123.68 subtracted", () => {
    const x = ops.tensor(PIXELS);
    const y = preprocessInput(x);
    assert.deepEqual(y.shape, [1, 1, 2, 3]);
    const mean = [103.939, 116.779, 123.68];
    const bgr = [30, 20, 10, 127.5, 0, 255];
    assert.deepEqual(values(y), bgr.map((v, i) => f(v + f(-mean[i % 3]))));
    assert.deepEqual(values(y).map((v) => Number(v.toFixed(3))), [-73.939, -96.779, -113.68, 23.561, -116.779, 131.32]);
    assert.deepEqual(values(x), [10, 20, 30, 255, 0, 127.5], 'the input is not modified');
  });

  it("'tf': x / 127.5 − 1, so 0 → −1, 127.5 → 0, 255 → 1", () => {
    const y = preprocessInput(ops.tensor(PIXELS), { mode: 'tf' });
    assert.deepEqual(values(y), [10, 20, 30, 255, 0, 127.5].map((v) => f(f(v / 127.5) - 1)));
    assert.deepEqual(values(y).slice(3), [1, -1, 0]);
  });

  it("'torch': x / 255, then (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] per RGB channel", () => {
    const y = preprocessInput(ops.tensor(PIXELS), { mode: 'torch' });
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const want = [10, 20, 30, 255, 0, 127.5].map((v, i) => f(f(f(v / 255) + f(-mean[i % 3])) / f(std[i % 3])));
    values(y).forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 2e-7 * Math.max(1, Math.abs(want[i])), `element ${i}: ${v} vs ${want[i]}`));
    // 255 in red: (1 − 0.485) / 0.229 = 2.2489…; 0 in green: −0.456 / 0.224 = −2.0357…
    assert.ok(Math.abs(values(y)[3] - 2.2489083) < 1e-6);
    assert.ok(Math.abs(values(y)[4] + 2.0357143) < 1e-6);
  });

  it('works on one image (3-D), converts integer tensors to float32, and supports channels_first', () => {
    const img = ops.tensor([[[10, 20, 30]]]);
    assert.deepEqual(values(preprocessInput(img)).map((v) => Number(v.toFixed(3))), [-73.939, -96.779, -113.68]);
    const ints = ops.tensor([[[[0, 255, 51]]]], undefined, 'int32');
    const t = preprocessInput(ints, { mode: 'tf' });
    assert.equal(t.dtype, 'float32');
    assert.deepEqual(values(t), [-1, 1, f(f(51 / 127.5) - 1)]);
    // channels_first: (1, 3, 1, 2) holds the same two pixels as PIXELS, channel-major.
    const cf = ops.tensor([[[[10, 255]], [[20, 0]], [[30, 127.5]]]]);
    const y = preprocessInput(cf, { dataFormat: 'channels_first' });
    assert.deepEqual(y.shape, [1, 3, 1, 2]);
    const last = values(preprocessInput(ops.tensor(PIXELS)));
    assert.deepEqual(values(y), [last[0], last[3], last[1], last[4], last[2], last[5]]);
  });

  it('rejects an unknown mode or data format, and caffe/torch input without 3 channels', () => {
    assert.throws(() => preprocessInput(ops.tensor(PIXELS), { mode: 'keras' as never }), /mode must be 'caffe', 'tf' or 'torch'/);
    assert.throws(() => preprocessInput(ops.tensor(PIXELS), { dataFormat: 'nhwc' as never }), /dataFormat/);
    assert.throws(() => preprocessInput(ops.zeros([1, 4, 4, 1])), /3 color channels.*\[1, 4, 4, 1\]/);
    assert.equal(preprocessInput(ops.zeros([1, 4, 4, 1]), { mode: 'tf' }).shape.join(), '1,4,4,1', "'tf' does not care about channels");
  });

  it("each architecture's preprocessInput uses Keras's mode: caffe for VGG and ResNet, tf for ResNetV2 and MobileNetV2", () => {
    const x = ops.tensor(PIXELS);
    const caffe = values(preprocessInput(x, { mode: 'caffe' }));
    const tf = values(preprocessInput(x, { mode: 'tf' }));
    assert.notDeepEqual(caffe, tf);
    for (const fn of [applications.vgg16, applications.vgg19, applications.resNet50, applications.resNet101, applications.resNet152]) {
      assert.deepEqual(values(fn.preprocessInput(x)), caffe);
    }
    for (const fn of [applications.resNet50V2, applications.resNet101V2, applications.resNet152V2, applications.mobileNetV2]) {
      assert.deepEqual(values(fn.preprocessInput(x)), tf);
    }
    assert.equal(applications.VGG16.preprocessInput, applications.vgg16.preprocessInput);
    assert.deepEqual(values(applications.imagenetUtils.preprocessInput(x, { mode: 'torch' })), values(preprocessInput(x, { mode: 'torch' })));
  });
});

describe("the ImageNet class index (Keras's imagenet_class_index.json, shipped with convkit)", () => {
  it("serialised as Python's json.dumps it is Keras's file: 35,363 bytes, md5 c2c37ea517e94d9795004a39431a14cb", () => {
    assert.equal(IMAGENET_CLASS_INDEX.length, 1000);
    const text = `{${IMAGENET_CLASS_INDEX.map(([id, name], i) => `"${i}": [${JSON.stringify(id)}, ${JSON.stringify(name)}]`).join(', ')}}`;
    assert.equal(Buffer.byteLength(text), 35363);
    // The hash decode_predictions passes to get_file in keras/src/applications/imagenet_utils.py.
    assert.equal(createHash('md5').update(text).digest('hex'), 'c2c37ea517e94d9795004a39431a14cb');
    const parsed = JSON.parse(text) as Record<string, [string, string]>;
    assert.deepEqual(Object.keys(parsed), Array.from({ length: 1000 }, (_, i) => String(i)));
  });

  it('has the classes Keras has where they are easy to get wrong', () => {
    assert.deepEqual(imagenetClass(0), ['n01440764', 'tench']);
    assert.deepEqual(imagenetClass(162), ['n02088364', 'beagle']);
    assert.deepEqual(imagenetClass(999), ['n15075141', 'toilet_tissue']);
    // Two classes are called 'crane' and two 'maillot' in Keras's file.
    assert.deepEqual([imagenetClass(134), imagenetClass(517)], [['n02012849', 'crane'], ['n03126707', 'crane']]);
    assert.deepEqual([imagenetClass(638), imagenetClass(639)], [['n03710637', 'maillot'], ['n03710721', 'maillot']]);
    assert.equal(new Set(IMAGENET_CLASS_INDEX.map(([id]) => id)).size, 1000, 'WordNet ids are unique');
    assert.ok(IMAGENET_CLASS_INDEX.every(([id], i) => i === 0 || id > IMAGENET_CLASS_INDEX[i - 1][0]), 'ids are in WordNet order');
    assert.throws(() => imagenetClass(1000), /0…999/);
    assert.throws(() => imagenetClass(1.5), /0…999/);
  });
});

/** Seed 003's printed decode_predictions lists: [[('n02088364', 'beagle', 0.83840275), …]]. */
function seedDecodes(): [string, string, number][][] {
  return golden('seed003_decode_predictions.txt').split('\n').filter((l) => l.startsWith('[[')).map((line) => {
    const tuples = [...line.matchAll(/\('(n\d{8})', '([^']+)', ([0-9.e-]+)\)/g)];
    return tuples.map((m) => [m[1], m[2], Number(m[3])] as [string, string, number]);
  });
}

describe('decodePredictions: Keras\'s imagenet_utils.decode_predictions', () => {
  it("reproduces seed 003's seven printed top-5 lists from predictions holding those probabilities", () => {
    const lists = seedDecodes();
    assert.equal(lists.length, 7);
    const preds = lists.map((list) => {
      assert.equal(list.length, 5);
      // The remaining probability spread evenly below the fifth guess.
      const row = new Array<number>(1000).fill(1e-9);
      for (const [id, name, p] of list) {
        const index = IMAGENET_CLASS_INDEX.findIndex(([wnid]) => wnid === id);
        assert.ok(index >= 0, `${id} is an ImageNet class`);
        assert.equal(IMAGENET_CLASS_INDEX[index][1], name, `class ${index} (${id}) is named ${name}`);
        row[index] = p;
      }
      return row;
    });
    const decoded = decodePredictions(ops.tensor(preds));
    assert.equal(decoded.length, 7);
    decoded.forEach((got, n) => {
      assert.deepEqual(got.map(([id, name]) => [id, name]), lists[n].map(([id, name]) => [id, name]), `sample ${n}`);
      got.forEach(([, , p], k) => assert.equal(p, f(lists[n][k][2]), `sample ${n}, guess ${k}: float32 probability`));
    });
    assert.deepEqual(decoded[0][0], ['n02088364', 'beagle', f(0.83840275)]);
  });

  it('returns the top classes most probable first, per sample; `top` sets how many', () => {
    const a = new Array<number>(1000).fill(0);
    a[5] = 0.1; a[162] = 0.6; a[999] = 0.3;
    const b = new Array<number>(1000).fill(0);
    b[0] = 1;
    const out = decodePredictions(ops.tensor([a, b]), 3);
    assert.deepEqual(out[0], [['n02088364', 'beagle', f(0.6)], ['n15075141', 'toilet_tissue', f(0.3)], ['n01496331', 'electric_ray', f(0.1)]]);
    assert.deepEqual(out[1][0], ['n01440764', 'tench', 1]);
    assert.equal(out[1].length, 3);
    assert.equal(decodePredictions(ops.tensor([a]))[0].length, 5, 'top defaults to 5');
    assert.equal(decodePredictions([a], 5000)[0].length, 1000, 'plain arrays work; top beyond 1000 gives all classes');
    // Ties: the higher class index first, as NumPy's argsort()[::-1].
    assert.deepEqual(out[1].slice(1).map(([id]) => id), [IMAGENET_CLASS_INDEX[999][0], IMAGENET_CLASS_INDEX[998][0]]);
  });

  it('refuses anything but a (samples, 1000) batch, with the shape it got', () => {
    assert.throws(() => decodePredictions(ops.zeros([2, 10])), /shape \(samples, 1000\)\); got shape \(2, 10\)/);
    assert.throws(() => decodePredictions(ops.zeros([1000])), /got shape \(1000,\)/);
    assert.throws(() => decodePredictions(ops.zeros([1, 1, 1000])), /got shape \(1, 1, 1000\)/);
    assert.throws(() => decodePredictions([new Array(1000).fill(0), [1, 2]]), /ragged/);
    assert.throws(() => decodePredictions(ops.zeros([1, 1000]), 0), /top must be a positive integer/);
    assert.throws(() => decodePredictions('preds' as never), /decodePredictions expects/);
  });

  it('is exported as applications.decodePredictions and on every architecture', () => {
    const p = ops.softmax(ops.randomNormal([2, 1000], 0, 3, { seed: 1 }), -1);
    const want = decodePredictions(p, 4);
    assert.deepEqual(applications.decodePredictions(p, 4), want);
    assert.deepEqual(applications.resNet50.decodePredictions(p, 4), want);
    assert.deepEqual(applications.vgg19.decodePredictions(p, 4), want);
    assert.ok(want.every((list) => list.every((g, i) => i === 0 || list[i - 1][2] >= g[2])), 'sorted');
  });
});
