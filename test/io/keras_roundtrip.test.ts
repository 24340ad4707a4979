/**
 * Files convkit writes are read back by TensorFlow.js (same probabilities within 1e-5) and by
 * convkit itself (bit-identical predictions) in every format, for every real Keras fixture and for
 * a nested model (a functional base inside a Sequential, as in transfer learning).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { Input } from '../../src/layers/input.js';
import { Add } from '../../src/layers/merging.js';
import { BatchNormalization } from '../../src/layers/normalization.js';
import { Conv2D, DepthwiseConv2D } from '../../src/layers/convolutional.js';
import { Dense, Dropout } from '../../src/layers/core.js';
import { ReLU } from '../../src/layers/activation_layers.js';
import { GlobalAveragePooling2D } from '../../src/layers/pooling.js';
import { loadModel, type SaveFormat } from '../../src/io/model_io.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { SGD } from '../../src/optimizers/index.js';
import { tensor } from '../../src/ops/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { initTfjs, tf } from '../helpers/tfjs.js';
import { MODEL_FIXTURES, fixturePath, inputShapeOf, realInputs } from './keras_fixture_data.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-keras-rt-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tfjs IOHandler over a directory written by save(dir, {format: 'tfjs'}): only tfjs parses the files. */
function tfjsDirHandler(modelDir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
      const groups = json.weightsManifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      const bytes = Buffer.concat(groups.flatMap((g) => g.paths.map((p) => readFileSync(join(modelDir, p)))));
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        trainingConfig: json.trainingConfig,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
      };
    },
  };
}

async function tfjsPredict(modelDir: string, x: Tensor): Promise<Float32Array> {
  await initTfjs();
  const m = await tf.loadLayersModel(tfjsDirHandler(modelDir));
  const input = tf.tensor(Array.from(x.values), [...x.shape]);
  const out = m.predict(input) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  tf.dispose([input, out]);
  m.dispose();
  return values;
}

const FORMATS: [SaveFormat, string][] = [['keras', 'm.keras'], ['h5', 'm.h5'], ['tfjs', 'tfjs'], ['convkit', 'm.convkit']];

async function checkRoundTrips(model: Model, x: Tensor, tag: string): Promise<void> {
  const expected = Array.from(model.predict(x).values);
  for (const [format, name] of FORMATS) {
    const path = join(dir, `${tag}-${name}`);
    await model.save(path, { format });
    const back = await loadModel(path);
    assert.deepEqual(Array.from(back.predict(x).values), expected, `${tag} → ${format} → convkit predictions are bit-identical`);
    assert.equal(!!back.compiled, !!model.compiled, `${tag} → ${format}: compile settings kept`);
    assert.equal(back.summary({ printFn: null }).totalParams, model.summary({ printFn: null }).totalParams);
  }
}

describe('Keras fixtures written as TensorFlow.js models', () => {
  for (const f of MODEL_FIXTURES) {
    it(`${f.file}: tfjs predicts convkit's probabilities within 1e-5 on real digits; round trips are bit-identical`, async () => {
      const model = await loadModel(fixturePath(f.file));
      const x = realInputs(inputShapeOf(model), 16, f.preprocess);
      const ours = model.predict(x).values;
      const tfjsDir = join(dir, `${f.file}-tfjs-parity`);
      await model.save(tfjsDir, { format: 'tfjs' });
      const theirs = await tfjsPredict(tfjsDir, x);
      assert.equal(theirs.length, ours.length);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!));
      assert.ok(worst <= 1e-5, `max |convkit − tfjs| = ${worst}`);
      await checkRoundTrips(model, x, f.file);
    });
  }
});

function nestedModel(): Sequential {
  const inp = Input({ shape: [12, 12, 3] });
  let h = new Conv2D({ filters: 4, kernelSize: 3, padding: 'same' }).apply(inp);
  h = new BatchNormalization({}).apply(h);
  h = new ReLU().apply(h);
  const d = new DepthwiseConv2D({ kernelSize: 3, padding: 'same', depthMultiplier: 1 }).apply(h);
  const base = new Model({ inputs: inp, outputs: new Add().apply([h, d] as never), name: 'base' });
  const model = new Sequential({ layers: [Input({ shape: [12, 12, 3] }) as never, base, new GlobalAveragePooling2D(), new Dropout({ rate: 0.2 }), new Dense({ units: 5, activation: 'softmax' })] });
  model.compile({ optimizer: new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

describe('a functional model nested in a Sequential', () => {
  it('round-trips bit-identically through .keras, .h5, tfjs and convkit, and tfjs reads it', async () => {
    const model = nestedModel();
    const x = tf.tidy(() => tf.randomUniform([3, 12, 12, 3], 0, 1, 'float32', 5).arraySync()) as number[][][][];
    const xt = tensor(x);
    model.trainOnBatch(xt, tensor([0, 1, 4]));
    await checkRoundTrips(model, xt, 'nested');
    const back = await loadModel(join(dir, 'nested-m.keras'));
    const opt = back.compiled!.optimizer.getConfig();
    assert.equal(opt.momentum, 0.9);
    assert.equal(opt.nesterov, true);
    const theirs = await tfjsPredict(join(dir, 'nested-tfjs'), xt);
    const ours = model.predict(xt).values;
    ours.forEach((v, i) => assert.ok(Math.abs(v - theirs[i]!) <= 1e-5, `output ${i}: ${v} vs tfjs ${theirs[i]}`));
  });
});

describe('TensorFlow.js sources', () => {
  it('loads from a directory, a model.json path, a file:// URL, an http:// URL and in-memory artifacts', async () => {
    const model = await loadModel(fixturePath('mnist_cnn_keras3.keras'));
    const x = realInputs(inputShapeOf(model), 4, 'div255');
    const expected = Array.from(model.predict(x).values);
    const modelDir = join(dir, 'sources');
    await model.save(modelDir, { format: 'tfjs' });
    const server = createServer((req, res) => {
      try {
        res.end(readFileSync(join(modelDir, (req.url ?? '/').slice(1))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
      const shard = readFileSync(join(modelDir, json.weightsManifest[0].paths[0]));
      const sources = [
        modelDir,
        join(modelDir, 'model.json'),
        pathToFileURL(join(modelDir, 'model.json')).href,
        `http://127.0.0.1:${port}/model.json`,
        { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: shard },
      ];
      for (const s of sources) {
        const m = await loadModel(s as never);
        assert.deepEqual(Array.from(m.predict(x).values), expected, `from ${typeof s === 'string' ? s : 'memory'}`);
      }
      await assert.rejects(loadModel(`http://127.0.0.1:${port}/missing/model.json`), /HTTP 404/);
    } finally {
      server.close();
    }
  });
});
