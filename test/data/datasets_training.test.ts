/**
 * End to end, once the files are present: Fashion-MNIST IDX files and a CIFAR-10 archive, in their
 * real formats and served from 127.0.0.1, load through datasets.*.loadData and train the seeds'
 * models (seed 003's Fashion-MNIST model, seed 000's CIFAR-10 CNN) until they fit them.
 * The images carry a class-dependent pattern, so a model that really learns drives the loss down.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { datasets } from '../../src/index.js';
import { fashionModel1, seedCifarCnn } from '../../src/applications/seed_models.js';
import * as ops from '../../src/ops/index.js';
import { cifarBatchPickle, gz, idxGz, tar } from './dataset_writers.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'convkit-ds-train-'));

/** n images of `size` pixels whose brightest band (a tenth of the image) is given by the class. */
function patterned(n: number, size: number, labelOf: (i: number) => number): Uint8Array {
  const out = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) {
    const band = labelOf(i);
    for (let p = 0; p < size; p++) out[i * size + p] = Math.floor((p * 10) / size) === band ? 230 : (p * 7 + i * 13) % 40;
  }
  return out;
}

const N = 60;
const label = (i: number) => i % 10;
const labels = Uint8Array.from({ length: N }, (_, i) => label(i));
const fashion: Record<string, Uint8Array> = {
  'train-images-idx3-ubyte.gz': idxGz([N, 28, 28], patterned(N, 784, label)),
  'train-labels-idx1-ubyte.gz': idxGz([N], labels),
  't10k-images-idx3-ubyte.gz': idxGz([20, 28, 28], patterned(20, 784, label)),
  't10k-labels-idx1-ubyte.gz': idxGz([20], Uint8Array.from({ length: 20 }, (_, i) => label(i))),
};
// CIFAR rows are R, G, B planes of 1024: the band pattern is applied per plane.
const cifarRows = (n: number) => patterned(n * 3, 1024, (i) => label(Math.floor(i / 3)));
const batch = (i: number) => ({ name: `cifar-10-batches-py/${i === 0 ? 'test_batch' : `data_batch_${i}`}`, data: cifarBatchPickle({ data: cifarRows(12), n: 12, labels: { labels: Array.from({ length: 12 }, (_, k) => label(k)) } }) });
const cifarTgz = gz(tar([1, 2, 3, 4, 5, 0].map(batch)));

let server: Server;
let base = '';

before(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '').split('/').pop() ?? '';
    const body = fashion[name] ?? (name === 'cifar-10-python.tar.gz' ? cifarTgz : undefined);
    if (!body) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

after(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe("the seeds' models train on downloaded datasets", () => {
  it("seed 003's Fashion-MNIST model fits Fashion-MNIST-format data loaded through datasets.fashionMnist", async () => {
    const fileHash = Object.fromEntries(Object.entries(fashion).map(([k, v]) => [k, sha256(v)]));
    const [[x, y]] = await datasets.fashionMnist.loadData({ origin: base, fileHash, cacheDir: join(work, 'f'), progress: false } as never);
    const model = fashionModel1();
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const xs = ops.reshape(ops.div(x, 255), [N, 28, 28, 1]);
    const h = await model.fit(xs, y, { epochs: 8, batchSize: 20, verbose: 0, seed: 3 });
    const loss = h.history.loss as number[];
    assert.ok(loss[loss.length - 1]! < 0.5 * loss[0]!, `loss ${loss[0]} → ${loss[loss.length - 1]}`);
  });

  it("seed 000's CIFAR-10 CNN fits CIFAR-10-archive data loaded through datasets.cifar10", async () => {
    const [[x, y], [xt]] = await datasets.cifar10.loadData({ origin: base, fileHash: sha256(cifarTgz), cacheDir: join(work, 'c'), progress: false } as never);
    assert.deepEqual(x.shape, [60, 32, 32, 3]);
    assert.deepEqual(xt.shape, [12, 32, 32, 3]);
    const model = seedCifarCnn();
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const h = await model.fit(ops.div(x, 255), ops.reshape(y, [60]), { epochs: 8, batchSize: 20, verbose: 0, seed: 3 });
    const loss = h.history.loss as number[];
    assert.ok(loss[loss.length - 1]! < 0.5 * loss[0]!, `loss ${loss[0]} → ${loss[loss.length - 1]}`);
  });
});
