/**
 * keras.datasets loaders against a local server on 127.0.0.1 that serves small files generated here in
 * each real format, under Keras's URL paths: mnist.npz, the four Fashion-MNIST IDX .gz files and the CIFAR
 * archives of pickled batches. Also a corrupt file, an interrupted transfer, and the offline fallback.
 * Nothing here touches the network: every download goes to the local server (or a closed local port).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { datasets } from '../../src/index.js';
import { FormatError, ValueError } from '../../src/errors.js';
import { DownloadError, HashMismatchError } from '../../src/io/download/errors.js';
import { MNIST_FILE } from '../../src/data/datasets/mnist.js';
import { mirrorUrl } from '../../src/io/download/mirror.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { cifarBatchPickle, gz, idxGz, npy, npz, tar } from './dataset_writers.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const KDS = '/tensorflow/tf-keras-datasets/';
const work = mkdtempSync(join(tmpdir(), 'convkit-datasets-'));
const saved = { home: process.env.CONVKIT_HOME, mirror: process.env.CONVKIT_DATASETS_MIRROR };
process.env.CONVKIT_HOME = join(work, 'home-unused'); // guards ~/.convkit; tests pass their own cacheDir
delete process.env.CONVKIT_DATASETS_MIRROR;

/** Deterministic pixel pattern so every value can be checked exactly. */
const pix = (i: number, salt: number) => (i * 31 + salt * 17) % 256;
const pixels = (n: number, size: number, salt: number) => Uint8Array.from({ length: n * size }, (_, i) => pix(i, salt));

// --- the generated files -------------------------------------------------------------------------
const MNIST = { xTrain: pixels(20, 784, 1), yTrain: Uint8Array.from({ length: 20 }, (_, i) => i % 10), xTest: pixels(10, 784, 2), yTest: Uint8Array.from({ length: 10 }, (_, i) => 9 - i) };
const mnistNpz = npz({
  x_train: npy('|u1', [20, 28, 28], MNIST.xTrain),
  y_train: npy('|u1', [20], MNIST.yTrain),
  x_test: npy('|u1', [10, 28, 28], MNIST.xTest),
  // int64 labels, as np.savez of a Python list would store them: still read.
  y_test: npy('<i8', [10], new Uint8Array(BigInt64Array.from(MNIST.yTest, BigInt).buffer)),
});

const FASHION = { xTrain: pixels(12, 784, 3), yTrain: Uint8Array.from({ length: 12 }, (_, i) => (i * 7) % 10), xTest: pixels(5, 784, 4), yTest: Uint8Array.of(9, 0, 3, 3, 1) };
const fashionFiles: Record<string, Uint8Array> = {
  'train-labels-idx1-ubyte.gz': idxGz([12], FASHION.yTrain),
  'train-images-idx3-ubyte.gz': idxGz([12, 28, 28], FASHION.xTrain),
  't10k-labels-idx1-ubyte.gz': idxGz([5], FASHION.yTest),
  't10k-images-idx3-ubyte.gz': idxGz([5, 28, 28], FASHION.xTest),
};
const fashionHashes = Object.fromEntries(Object.entries(fashionFiles).map(([k, v]) => [k, sha256(v)]));

/** CIFAR-10: five training batches of 2 images, a test batch of 3; rows are R, G, B planes. */
const C10 = {
  train: [1, 2, 3, 4, 5].map((b) => ({ data: pixels(2, 3072, 10 + b), labels: [b, (b * 3) % 10] })),
  test: { data: pixels(3, 3072, 20), labels: [7, 8, 9] },
};
const cifar10Tgz = gz(tar([
  ...C10.train.map((b, i) => ({ name: `cifar-10-batches-py/data_batch_${i + 1}`, data: cifarBatchPickle({ data: b.data, n: 2, labels: { labels: b.labels } }) })),
  { name: 'cifar-10-batches-py/batches.meta', data: new Uint8Array(10) },
  { name: 'cifar-10-batches-py/test_batch', data: cifarBatchPickle({ data: C10.test.data, n: 3, labels: { labels: C10.test.labels }, batchLabel: 'testing batch 1 of 1' }) },
], 'cifar-10-batches-py'));

const C100 = { train: { data: pixels(4, 3072, 30), fine: [99, 0, 50, 7], coarse: [19, 0, 10, 3] }, test: { data: pixels(2, 3072, 31), fine: [1, 98], coarse: [2, 18] } };
const cifar100Tgz = gz(tar([
  { name: 'cifar-100-python/train', data: cifarBatchPickle({ data: C100.train.data, n: 4, labels: { fine_labels: C100.train.fine, coarse_labels: C100.train.coarse } }) },
  { name: 'cifar-100-python/test', data: cifarBatchPickle({ data: C100.test.data, n: 2, labels: { fine_labels: C100.test.fine, coarse_labels: C100.test.coarse } }) },
], 'cifar-100-python'));

// --- the server ----------------------------------------------------------------------------------
const files = new Map<string, Uint8Array>([
  [`${KDS}mnist.npz`, mnistNpz],
  ...Object.entries(fashionFiles).map(([k, v]) => [`${KDS}${k}`, v] as [string, Uint8Array]),
  ['/~kriz/cifar-10-python.tar.gz', cifar10Tgz],
  ['/~kriz/cifar-100-python.tar.gz', cifar100Tgz],
]);
/** Paths whose next response is cut after half the body (once each). */
const cutOnce = new Set<string>();
const requests: string[] = [];
let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    // /corrupt/… serves the file with one byte flipped; /cut/… is cut the first time.
    const corrupt = url.pathname.startsWith('/corrupt/');
    const path = url.pathname.replace(/^\/(corrupt|cut)/, '');
    const body0 = files.get(path);
    if (body0 === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = corrupt ? Uint8Array.from(body0, (b, i) => (i === 100 ? b ^ 0xff : b)) : body0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    if (m) res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`, ETag: '"v1"' });
    else res.writeHead(200, { 'Content-Length': body.length, 'Accept-Ranges': 'bytes', ETag: '"v1"' });
    const slice = body.subarray(start);
    if (url.pathname.startsWith('/cut/') && !cutOnce.has(path)) {
      cutOnce.add(path);
      res.write(slice.subarray(0, slice.length >> 1), () => res.destroy());
    } else {
      res.end(slice);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(work, { recursive: true, force: true });
  for (const [k, v] of [['CONVKIT_HOME', saved.home], ['CONVKIT_DATASETS_MIRROR', saved.mirror]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

let n = 0;
const freshCache = () => join(work, `cache-${n++}`);
const quiet = { progress: false as const };

function assertImages(x: Tensor, shape: number[], expected: ArrayLike<number>): void {
  assert.deepEqual(x.shape, shape);
  assert.equal(x.dtype, 'float32');
  assert.deepEqual(Array.from(x.values), Array.from(expected));
}

function assertLabels(y: Tensor, shape: number[], expected: ArrayLike<number>): void {
  assert.deepEqual(y.shape, shape);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.values), Array.from(expected));
}

/** Stored CIFAR rows are CHW planes; Keras (and we) return HWC. */
function chwToHwc(data: Uint8Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) out.push(data[i * 3072 + c * 1024 + y * 32 + x]);
  }
  return out;
}

describe('datasets.mnist', () => {
  it('downloads mnist.npz through CONVKIT_DATASETS_MIRROR, parses it exactly, and serves the cache afterwards', async () => {
    const cacheDir = freshCache();
    process.env.CONVKIT_DATASETS_MIRROR = base;
    try {
      const before = requests.length;
      const [[xTrain, yTrain], [xTest, yTest]] = await datasets.mnist.loadData({ ...quiet, cacheDir, fileHash: sha256(mnistNpz) });
      assert.deepEqual(requests.slice(before), [`${KDS}mnist.npz`]);
      assertImages(xTrain, [20, 28, 28], MNIST.xTrain);
      assertLabels(yTrain, [20], MNIST.yTrain);
      assertImages(xTest, [10, 28, 28], MNIST.xTest);
      assertLabels(yTest, [10], MNIST.yTest);
      assert.ok(existsSync(join(cacheDir, 'datasets', 'mnist.npz')));
      const again = await datasets.mnist.loadData({ ...quiet, cacheDir, fileHash: sha256(mnistNpz) });
      assert.equal(requests.length, before + 1, 'the second call reads the cache');
      assert.deepEqual(again[1][1].values, yTest.values);
    } finally {
      delete process.env.CONVKIT_DATASETS_MIRROR;
    }
  });

  it("checks Keras's published hash by default: a different file is rejected, not used, and not cached", async () => {
    const cacheDir = freshCache();
    await assert.rejects(datasets.mnist.loadData({ ...quiet, cacheDir, origin: base }), (e: unknown) => {
      assert.ok(e instanceof HashMismatchError, String(e));
      assert.equal(e.expected, MNIST_FILE.fileHash);
      assert.equal(e.url, `${base}tensorflow/tf-keras-datasets/mnist.npz`);
      return true;
    });
    assert.deepEqual(readdirSync(join(cacheDir, 'datasets')), []);
  });

  it('rejects a corrupt download (wrong hash): nothing cached, no partial left', async () => {
    const cacheDir = freshCache();
    await assert.rejects(
      datasets.mnist.loadData({ ...quiet, cacheDir, origin: `${base}corrupt/`, fileHash: sha256(mnistNpz) }),
      (e: unknown) => e instanceof HashMismatchError && /corrupt or changed on the server/.test(e.message),
    );
    assert.deepEqual(readdirSync(join(cacheDir, 'datasets')), []);
  });

  it('completes an interrupted transfer (resumed) and caches only the whole file', async () => {
    const cacheDir = freshCache();
    const before = requests.length;
    const [[, yTrain]] = await datasets.mnist.loadData({ ...quiet, cacheDir, origin: `${base}cut/`, fileHash: sha256(mnistNpz) });
    assert.equal(requests.length - before, 2, 'one cut transfer, one resumed');
    assertLabels(yTrain, [20], MNIST.yTrain);
    assert.deepEqual(readdirSync(join(cacheDir, 'datasets')), ['mnist.npz']);
  });

  it('falls back to the embedded 8,000 / 2,000 digits with a one-line notice when the download is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const [[xTrain, yTrain], [xTest, yTest]] = await datasets.mnist.loadData({ ...quiet, cacheDir: freshCache(), origin: `http://127.0.0.1:${port}/` });
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      assert.deepEqual([xTrain.shape, yTrain.shape, xTest.shape, yTest.shape], [[8000, 28, 28], [8000], [2000, 28, 28], [2000]]);
      const notice = warnings.find((w) => (w as NodeJS.ErrnoException).code === 'CONVKIT_MNIST_OFFLINE');
      assert.ok(notice, 'a notice was emitted');
      assert.match(notice.message, /embedded MNIST subset instead: 8,000 training \/ 2,000 test digits/);
      assert.ok(!notice.message.includes('\n'), 'one line');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('offline: true returns the embedded digits without a request', async () => {
    const before = requests.length;
    const [[xTrain, yTrain], [xTest]] = await datasets.mnist.loadData({ offline: true, origin: base });
    assert.equal(requests.length, before);
    assert.deepEqual([xTrain.shape, yTrain.shape, xTest.shape], [[8000, 28, 28], [8000], [2000, 28, 28]]);
    assert.equal(xTrain.dtype, 'float32');
    assert.ok(Math.max(...xTrain.values.subarray(0, 784)) <= 255);
  });

  it('names the file when the npz lacks an array (hash matching, so the content is what is wrong)', async () => {
    const broken = npz({ x_train: npy('|u1', [1, 28, 28], new Uint8Array(784)) });
    files.set(`/broken${KDS}mnist.npz`, broken);
    try {
      await assert.rejects(
        datasets.mnist.loadData({ ...quiet, cacheDir: freshCache(), origin: `${base}broken/`, fileHash: sha256(broken) }),
        (e: unknown) => e instanceof FormatError && /mnist\.npz: the \.npz archive lacks y_train, x_test, y_test/.test(e.message),
      );
    } finally {
      files.delete(`/broken${KDS}mnist.npz`);
    }
  });
});

describe('datasets.fashionMnist', () => {
  it('downloads the four IDX .gz files into datasets/fashion-mnist and parses them exactly', async () => {
    const cacheDir = freshCache();
    const [[xTrain, yTrain], [xTest, yTest]] = await datasets.fashionMnist.loadData({ ...quiet, cacheDir, origin: base, fileHash: fashionHashes });
    assertImages(xTrain, [12, 28, 28], FASHION.xTrain);
    assertLabels(yTrain, [12], FASHION.yTrain);
    assertImages(xTest, [5, 28, 28], FASHION.xTest);
    assertLabels(yTest, [5], FASHION.yTest);
    assert.deepEqual(readdirSync(join(cacheDir, 'datasets', 'fashion-mnist')).sort(), Object.keys(fashionFiles).sort());
    assert.equal(datasets.fashionMnist.classNames[9], 'Ankle boot');
  });

  it('does not fall back to MNIST when unreachable, and wants per-file hashes', async () => {
    await assert.rejects(datasets.fashionMnist.loadData({ ...quiet, cacheDir: freshCache(), origin: 'http://127.0.0.1:1/' }), (e: unknown) => e instanceof DownloadError && /Cannot download http:\/\/127\.0\.0\.1:1\/tensorflow\/tf-keras-datasets\/train-labels-idx1-ubyte\.gz/.test(e.message));
    await assert.rejects(datasets.fashionMnist.loadData({ ...quiet, origin: base, fileHash: 'ab'.repeat(32) }), ValueError);
  });
});

describe('datasets.cifar10', () => {
  it('reads the python archive: 5 training batches + test batch, CHW rows → (N, 32, 32, 3), labels (N, 1)', async () => {
    const cacheDir = freshCache();
    const [[xTrain, yTrain], [xTest, yTest]] = await datasets.cifar10.loadData({ ...quiet, cacheDir, origin: base, fileHash: sha256(cifar10Tgz) });
    const trainRows = new Uint8Array(10 * 3072);
    C10.train.forEach((b, i) => trainRows.set(b.data, i * 2 * 3072));
    assertImages(xTrain, [10, 32, 32, 3], chwToHwc(trainRows, 10));
    assertLabels(yTrain, [10, 1], C10.train.flatMap((b) => b.labels));
    assertImages(xTest, [3, 32, 32, 3], chwToHwc(C10.test.data, 3));
    assertLabels(yTest, [3, 1], C10.test.labels);
    // Pixel (row 0, col 1) of test image 0: channel c comes from plane c.
    assert.deepEqual(Array.from(xTest.values.subarray(3, 6)), [C10.test.data[1], C10.test.data[1024 + 1], C10.test.data[2048 + 1]]);
    assert.ok(existsSync(join(cacheDir, 'datasets', 'cifar-10-python.tar.gz')));
  });

  it('names the member and the problem when a batch is malformed', async () => {
    const bad = gz(tar([{ name: 'cifar-10-batches-py/data_batch_1', data: cifarBatchPickle({ data: new Uint8Array(3072), n: 1, labels: { labels: [10] } }) }]));
    files.set('/bad10/~kriz/cifar-10-python.tar.gz', bad);
    const wrongDtype = gz(tar([1, 2, 3, 4, 5].map((i) => ({ name: `cifar-10-batches-py/data_batch_${i}`, data: cifarBatchPickle({ data: new Uint8Array(3072), n: 1, labels: { labels: [1] }, dtype: i === 2 ? 'f4' : 'u1' }) }))));
    files.set('/dtype10/~kriz/cifar-10-python.tar.gz', wrongDtype);
    try {
      await assert.rejects(datasets.cifar10.loadData({ ...quiet, cacheDir: freshCache(), origin: `${base}bad10/`, fileHash: sha256(bad) }),
        (e: unknown) => e instanceof FormatError && /data_batch_1: b'labels'\[0\] is 10, expected an int in 0\.\.9/.test(e.message));
      await assert.rejects(datasets.cifar10.loadData({ ...quiet, cacheDir: freshCache(), origin: `${base}dtype10/`, fileHash: sha256(wrongDtype) }),
        (e: unknown) => e instanceof FormatError && /data_batch_2: b'data' has dtype f4, expected uint8/.test(e.message));
    } finally {
      files.delete('/bad10/~kriz/cifar-10-python.tar.gz');
      files.delete('/dtype10/~kriz/cifar-10-python.tar.gz');
    }
  });
});

describe('datasets.cifar100', () => {
  it("reads fine (default) and coarse labels, (N, 1), with the images in Keras's layout", async () => {
    const cacheDir = freshCache();
    const opts = { ...quiet, cacheDir, origin: base, fileHash: sha256(cifar100Tgz) };
    const [[xTrain, yTrain], [xTest, yTest]] = await datasets.cifar100.loadData(opts);
    assertImages(xTrain, [4, 32, 32, 3], chwToHwc(C100.train.data, 4));
    assertLabels(yTrain, [4, 1], C100.train.fine);
    assertImages(xTest, [2, 32, 32, 3], chwToHwc(C100.test.data, 2));
    assertLabels(yTest, [2, 1], C100.test.fine);
    const [[, cTrain], [, cTest]] = await datasets.cifar100.loadData({ ...opts, labelMode: 'coarse' });
    assertLabels(cTrain, [4, 1], C100.train.coarse);
    assertLabels(cTest, [2, 1], C100.test.coarse);
    await assert.rejects(datasets.cifar100.loadData({ ...opts, labelMode: 'medium' as 'fine' }), /labelMode must be 'fine' or 'coarse'/);
  });
});

describe('loadData options', () => {
  it('rejects unknown options and bad mirrors', async () => {
    await assert.rejects(datasets.mnist.loadData({ offlin: true } as never), /unknown option\(s\) offlin/);
    await assert.rejects(datasets.cifar10.loadData({ labelMode: 'fine' } as never), /cifar10\.loadData: unknown option\(s\) labelMode/);
    await assert.rejects(datasets.cifar10.loadData({ origin: 'ftp://x/' }), /origin must be an absolute http:, https: or file: URL/);
  });

  it('mirrors replace the scheme and host and keep the path', () => {
    assert.equal(mirrorUrl('https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz', 'http://10.0.0.5:8080/m'), 'http://10.0.0.5:8080/m/~kriz/cifar-10-python.tar.gz');
    assert.equal(mirrorUrl('https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz', undefined), 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz');
  });
});
