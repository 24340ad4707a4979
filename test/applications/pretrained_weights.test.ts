/**
 * Pretrained weights by URL, against a local server on 127.0.0.1 serving a weights file the test
 * writes in Keras's layout: mobileNetV2({weights: 'imagenet'}) fetches Keras's file name under the
 * Keras URL path (through CONVKIT_WEIGHTS_MIRROR), caches it under CONVKIT_HOME and loads it by
 * layer name; loadWeightsFromUrl checks a hash; offline gives the URL and the cache path.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { useWeightsMirror } from './weights_mirror.js';

import { mobileNetV2 } from '../../src/applications/mobilenet_v2.js';
import { kerasWeightsFile } from '../../src/applications/weight_urls.js';
import { DownloadError, HashMismatchError } from '../../src/io/download/errors.js';
import { loadWeightsFromUrl, saveWeights } from '../../src/io/model_io.js';
import { randomUniform } from '../../src/ops/creation.js';
import type { Model } from '../../src/models/model.js';

const ARGS = { alpha: 0.35, inputShape: [96, 96, 3], includeTop: false } as const;
const FILE = kerasWeightsFile('mobilenet_v2', { includeTop: false, alpha: 0.35, rows: 96 });
const KERAS_PATH = new URL(FILE.origin).pathname;

let donor: Model;
let weightsBytes: Buffer;
const mirror = useWeightsMirror('convkit-pretrained-', { respond: (path) => (path === KERAS_PATH || path === '/w.h5' ? weightsBytes : undefined) });
const { work, requests } = mirror;

before(async () => {
  donor = mobileNetV2(ARGS);
  let seed = 1;
  for (const v of donor.weights) v.assign(randomUniform([...v.shape], 0.5, 1.5, { seed: seed++ }));
  const file = join(work, 'donor.h5');
  await saveWeights(donor, file);
  weightsBytes = readFileSync(file);
});

describe("applications' weights: 'imagenet'", () => {
  it("downloads Keras's file for (alpha 0.35, 96, no top) once, caches it under CONVKIT_HOME/models, and loads every weight", async () => {
    process.env.CONVKIT_HOME = join(work, 'home-a');
    requests.length = 0;
    const model = await mobileNetV2({ ...ARGS, weights: 'imagenet' });
    assert.deepEqual(requests, ['/tensorflow/keras-applications/mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5']);
    assert.ok(existsSync(join(work, 'home-a', 'models', FILE.fname)));
    assert.equal(model.weights.length, donor.weights.length);
    model.weights.forEach((v, i) => assert.deepEqual(Array.from(v.values), Array.from(donor.weights[i]!.values), v.name));
    const again = await mobileNetV2({ ...ARGS, weights: 'imagenet' });
    assert.equal(requests.length, 1, 'the second model comes from the cache');
    assert.deepEqual(Array.from(again.weights[5]!.values), Array.from(donor.weights[5]!.values));
  });

  it('offline: a clear error naming the URL and the cache path where the file can be dropped by hand', async () => {
    process.env.CONVKIT_HOME = join(work, 'home-offline');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    process.env.CONVKIT_WEIGHTS_MIRROR = `http://127.0.0.1:${deadPort}/`;
    try {
      await assert.rejects(mobileNetV2({ ...ARGS, weights: 'imagenet' }), (e: Error) => {
        assert.ok(e instanceof DownloadError, e.message);
        assert.ok(e.message.includes(`http://127.0.0.1:${deadPort}${KERAS_PATH}`), e.message);
        assert.ok(e.message.includes(join(work, 'home-offline', 'models', FILE.fname)), e.message);
        return true;
      });
    } finally {
      process.env.CONVKIT_WEIGHTS_MIRROR = mirror.base;
    }
  });

  it('refuses imagenet weights with a top of other than 1000 classes, and alphas Keras publishes no weights for', async () => {
    assert.throws(() => mobileNetV2({ includeTop: true, classes: 10, weights: 'imagenet' }), /classes = 1000/);
    await assert.rejects(mobileNetV2({ alpha: 0.6, includeTop: false, inputShape: [96, 96, 3], weights: 'imagenet' }), /alpha.*0\.35/);
  });
});

describe('loadWeightsFromUrl', () => {
  it('checks the sha256 it is given: the right one loads, a wrong one is rejected and nothing is cached', async () => {
    process.env.CONVKIT_HOME = join(work, 'home-b');
    const sha = createHash('sha256').update(weightsBytes).digest('hex');
    const model = mobileNetV2(ARGS);
    const url = `${mirror.base}w.h5`;
    const path = await loadWeightsFromUrl(model, url, { fileHash: sha });
    assert.equal(path, join(work, 'home-b', 'models', 'w.h5'));
    assert.deepEqual(Array.from(model.weights[0]!.values), Array.from(donor.weights[0]!.values));
    process.env.CONVKIT_HOME = join(work, 'home-c');
    await assert.rejects(loadWeightsFromUrl(mobileNetV2(ARGS), url, { fileHash: '0'.repeat(64) }), HashMismatchError);
    assert.ok(!existsSync(join(work, 'home-c', 'models', 'w.h5')));
  });
});
