import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import {
  clearEmbeddedMnistMemoryCache,
  EMBEDDED_MNIST_SEED,
  embeddedMnistCachePath,
  lastEmbeddedMnistSource,
  loadEmbeddedMnist,
  pixelsFromDigitData,
  type MnistArrays,
} from '../../src/data/mnist_embedded.js';
import { FormatError } from '../../src/errors.js';
import { crc32 } from '../../src/io/convkit_format.js';

// Never touch the user's ~/.convkit from tests.
const HOME = fs.mkdtempSync(join(tmpdir(), 'convkit-mnist-test-'));
process.env.CONVKIT_HOME = HOME;
process.on('exit', () => fs.rmSync(HOME, { recursive: true, force: true }));

const PIX = 784;
const COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

/** Independent reading of the source JSON: image key (base64 of uint8 pixels) -> label. */
function referenceImages(): Map<string, number> {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const map = new Map<string, number>();
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(fs.readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < data.length; i += PIX) {
      const img = Uint8Array.from(data.slice(i, i + PIX), (v) => Math.round(v * 255));
      map.set(Buffer.from(img).toString('base64'), d);
    }
  }
  return map;
}

function keys(x: Uint8Array, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(Buffer.from(x.subarray(i * PIX, (i + 1) * PIX)).toString('base64'));
  return out;
}

function assertSameArrays(a: MnistArrays, b: MnistArrays): void {
  assert.equal(a.trainCount, b.trainCount);
  assert.equal(a.testCount, b.testCount);
  assert.ok(Buffer.from(a.xTrain).equals(Buffer.from(b.xTrain)), 'xTrain differs');
  assert.ok(Buffer.from(a.yTrain).equals(Buffer.from(b.yTrain)), 'yTrain differs');
  assert.ok(Buffer.from(a.xTest).equals(Buffer.from(b.xTest)), 'xTest differs');
  assert.ok(Buffer.from(a.yTest).equals(Buffer.from(b.yTest)), 'yTest differs');
}

function freshLoad(): MnistArrays {
  clearEmbeddedMnistMemoryCache();
  return loadEmbeddedMnist();
}

test('counts and shapes', () => {
  const m = loadEmbeddedMnist();
  assert.equal(m.trainCount, 8000);
  assert.equal(m.testCount, 2000);
  assert.ok(m.xTrain instanceof Uint8Array && m.yTrain instanceof Uint8Array);
  assert.ok(m.xTest instanceof Uint8Array && m.yTest instanceof Uint8Array);
  assert.equal(m.xTrain.length, 8000 * 28 * 28);
  assert.equal(m.yTrain.length, 8000);
  assert.equal(m.xTest.length, 2000 * 28 * 28);
  assert.equal(m.yTest.length, 2000);
});

test('label histogram over all 10,000 equals the per-digit file counts', () => {
  const m = loadEmbeddedMnist();
  const hist = new Array<number>(10).fill(0);
  for (const y of [...m.yTrain, ...m.yTest]) {
    assert.ok(Number.isInteger(y) && y >= 0 && y <= 9, `label ${y} out of range`);
    hist[y]!++;
  }
  assert.deepEqual(hist, COUNTS);
  // Not stratified, but a shuffle should not leave any class absent from either side.
  for (let d = 0; d < 10; d++) {
    assert.ok(m.yTest.includes(d), `digit ${d} missing from the test split`);
  }
});

test('deterministic across calls, across rebuilds, and returns caller-owned copies', () => {
  const a = loadEmbeddedMnist();
  const b = loadEmbeddedMnist();
  assertSameArrays(a, b);
  assert.notEqual(a.xTrain, b.xTrain);
  a.xTrain.fill(7);
  a.yTest.fill(3);
  assertSameArrays(loadEmbeddedMnist(), b); // mutating a result does not leak into the cache
  fs.rmSync(embeddedMnistCachePath(), { force: true });
  const rebuilt = freshLoad();
  assert.equal(lastEmbeddedMnistSource(), 'json');
  assertSameArrays(rebuilt, b);
});

test('split is the documented one (pinned checksums; changes only if the procedure changes)', () => {
  assert.equal(EMBEDDED_MNIST_SEED, 0x4d4e4953);
  const m = loadEmbeddedMnist();
  assert.deepEqual(Array.from(m.yTrain.subarray(0, 10)), [5, 4, 4, 4, 8, 4, 7, 6, 2, 9]);
  assert.deepEqual(Array.from(m.yTest.subarray(0, 10)), [8, 8, 5, 3, 4, 1, 0, 3, 1, 9]);
  assert.equal(crc32(m.xTrain), 0x206150c2);
  assert.equal(crc32(m.yTrain), 0x49e4a5ab);
  assert.equal(crc32(m.xTest), 0xe571f1f0);
  assert.equal(crc32(m.yTest), 0xaefdea7b);
});

test('train and test are disjoint and together are exactly the 10,000 source images with their labels', () => {
  const ref = referenceImages();
  assert.equal(ref.size, 10000, 'source images are all distinct');
  const m = loadEmbeddedMnist();
  const trainKeys = keys(m.xTrain, m.trainCount);
  const testKeys = keys(m.xTest, m.testCount);
  const trainSet = new Set(trainKeys);
  assert.equal(trainSet.size, 8000, 'no duplicate images inside train');
  const testSet = new Set(testKeys);
  assert.equal(testSet.size, 2000, 'no duplicate images inside test');
  for (const k of testKeys) assert.ok(!trainSet.has(k), 'an image is in both train and test');
  const seen = new Set<string>();
  trainKeys.forEach((k, i) => {
    assert.equal(ref.get(k), m.yTrain[i], `train image ${i} is not a source image with its label`);
    seen.add(k);
  });
  testKeys.forEach((k, i) => {
    assert.equal(ref.get(k), m.yTest[i], `test image ${i} is not a source image with its label`);
    seen.add(k);
  });
  assert.equal(seen.size, 10000);
});

test('pixels are uint8 0..255 with both 0 and 255 present (scaled by 255, not left in [0,1])', () => {
  const m = loadEmbeddedMnist();
  for (const x of [m.xTrain, m.xTest]) {
    let min = 255;
    let max = 0;
    let mid = 0;
    for (const v of x) {
      if (v < min) min = v;
      if (v > max) max = v;
      if (v > 1 && v < 254) mid++;
    }
    assert.equal(min, 0);
    assert.equal(max, 255);
    assert.ok(mid > 0, 'expected intermediate grey levels');
  }
});

test('the disk cache is written, and used on the next load in a fresh state', () => {
  const path = embeddedMnistCachePath();
  assert.equal(path, join(HOME, 'datasets', 'mnist-embedded-v1.bin'));
  fs.rmSync(path, { force: true });
  const fromJson = freshLoad();
  assert.equal(lastEmbeddedMnistSource(), 'json');
  assert.ok(fs.existsSync(path), 'cache file was not written');
  assert.deepEqual(fs.readdirSync(dirname(path)), ['mnist-embedded-v1.bin'], 'temp files left behind');
  const fromDisk = freshLoad();
  assert.equal(lastEmbeddedMnistSource(), 'disk-cache');
  assertSameArrays(fromDisk, fromJson);
  loadEmbeddedMnist();
  assert.equal(lastEmbeddedMnistSource(), 'memory');

  // Prove the content really comes from the file: alter one pixel, fix up the trailing CRC.
  const bytes = new Uint8Array(fs.readFileSync(path));
  const firstPixel = 40; // header is 40 bytes, then xTrain
  bytes[firstPixel] = bytes[firstPixel]! ^ 0x5a;
  new DataView(bytes.buffer).setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
  fs.writeFileSync(path, bytes);
  const tampered = freshLoad();
  assert.equal(lastEmbeddedMnistSource(), 'disk-cache');
  assert.equal(tampered.xTrain[0], fromJson.xTrain[0]! ^ 0x5a);
  fs.rmSync(path);
  freshLoad();
});

test('a corrupted, truncated or foreign cache file is ignored and rebuilt', () => {
  const path = embeddedMnistCachePath();
  const good = freshLoad();
  assert.ok(fs.existsSync(path));
  const original = fs.readFileSync(path);

  const corruptions: [string, (b: Buffer) => Buffer][] = [
    ['bit flip in pixels', (b) => { const c = Buffer.from(b); c[1000] = c[1000]! ^ 1; return c; }],
    ['bit flip in header', (b) => { const c = Buffer.from(b); c[17] = c[17]! ^ 0x10; return c; }],
    ['bit flip in checksum', (b) => { const c = Buffer.from(b); c[c.length - 1] = c[c.length - 1]! ^ 0x80; return c; }],
    ['truncated', (b) => b.subarray(0, b.length - 1000)],
    ['extended', (b) => Buffer.concat([b, Buffer.alloc(3)])],
    ['garbage of the right size', (b) => Buffer.alloc(b.length, 0xab)],
    ['empty', () => Buffer.alloc(0)],
  ];
  for (const [what, corrupt] of corruptions) {
    fs.writeFileSync(path, corrupt(original));
    const m = freshLoad();
    assert.equal(lastEmbeddedMnistSource(), 'json', `${what}: cache should have been rejected`);
    assertSameArrays(m, good);
    assert.ok(fs.readFileSync(path).equals(original), `${what}: cache was not rewritten`);
    freshLoad();
    assert.equal(lastEmbeddedMnistSource(), 'disk-cache', `${what}: rebuilt cache not used`);
  }
  // A directory where the cache file should be: ignored, and caching skipped without error.
  fs.rmSync(path);
  fs.mkdirSync(path);
  assertSameArrays(freshLoad(), good);
  assert.equal(lastEmbeddedMnistSource(), 'json');
  assert.deepEqual(fs.readdirSync(path), []);
  assert.deepEqual(fs.readdirSync(dirname(path)), ['mnist-embedded-v1.bin'], 'temp files left behind');
  fs.rmdirSync(path);
});

test('an unwritable CONVKIT_HOME just skips caching', () => {
  const blocker = join(HOME, 'not-a-dir');
  fs.writeFileSync(blocker, 'x');
  const saved = process.env.CONVKIT_HOME;
  process.env.CONVKIT_HOME = blocker; // mkdir under a regular file fails even for root
  try {
    const m = freshLoad();
    assert.equal(lastEmbeddedMnistSource(), 'json');
    assert.equal(m.trainCount, 8000);
    assert.equal(fs.readFileSync(blocker, 'utf8'), 'x');
  } finally {
    process.env.CONVKIT_HOME = saved;
  }
});

test('pixel verification rejects values that are not 3-decimal roundings of 8-bit pixels, naming the file', () => {
  const row = (v: number) => new Array<number>(PIX).fill(0).map((_, i) => (i === 5 ? v : 0));
  assert.deepEqual(Array.from(pixelsFromDigitData(row(0.624), '/x/3.json', 1).subarray(4, 7)), [0, 159, 0]);
  assert.equal(pixelsFromDigitData(row(1), '/x/3.json', 1)[5], 255);
  for (const bad of [0.5, 0.0015, 1.2, -0.004, Number.NaN]) {
    assert.throws(
      () => pixelsFromDigitData(row(bad), '/x/3.json', 1),
      (e: unknown) => e instanceof FormatError && e.message.includes('/x/3.json'),
      `value ${bad} should be rejected`,
    );
  }
  assert.throws(() => pixelsFromDigitData(['0'], '/x/3.json', 1), FormatError);
  assert.throws(() => pixelsFromDigitData(row(0).slice(1), '/x/7.json', 1), /\/x\/7\.json holds 783 values/);
  assert.throws(() => pixelsFromDigitData({ data: [] }, '/x/7.json', 1), /\/x\/7\.json/);
});
