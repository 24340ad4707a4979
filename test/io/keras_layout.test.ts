/**
 * The files convkit writes have Keras's layout: the groups, attributes and dataset shapes of a
 * re-saved fixture match the original Keras file's, member by member; and (when Debian's
 * python3-h5py is installed) h5py, the library Keras itself reads with, sees the same structure.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';

import { loadModel, saveWeights } from '../../src/io/model_io.js';
import { readHdf5 } from '../../src/io/hdf5/hdf5.js';
import type { H5Group, H5Node } from '../../src/io/hdf5/tree.js';
import { fixturePath } from './keras_fixture_data.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-keras-layout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every dataset under `g`: path → "shape dtype". */
function datasets(g: H5Group, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, n] of Object.entries(g.children) as [string, H5Node][]) {
    const p = prefix ? `${prefix}/${k}` : k;
    if (n.kind === 'group') for (const [q, v] of datasets(n, p)) out.set(q, v);
    else out.set(p, `${n.shape.join('x')} ${n.dtype}`);
  }
  return out;
}

function group(g: H5Group, path: string): H5Group {
  let n: H5Node = g;
  for (const part of path.split('/')) {
    assert.ok(n.kind === 'group' && part in n.children, `group ${path} exists`);
    n = n.children[part]!;
  }
  assert.equal(n.kind, 'group');
  return n as H5Group;
}

describe("Keras 2 .h5 written by convkit has tf.keras's layout", () => {
  it('mnist_cnn_dropout_keras26.h5 re-saved: same model_weights datasets, layer_names and weight_names; root attributes as Keras writes them', async () => {
    const original = await readHdf5(fixturePath('mnist_cnn_dropout_keras26.h5'));
    const model = await loadModel(fixturePath('mnist_cnn_dropout_keras26.h5'));
    const path = join(dir, 'm.h5');
    await model.save(path);
    const ours = await readHdf5(path);
    assert.deepEqual(datasets(group(ours, 'model_weights')), datasets(group(original, 'model_weights')));
    assert.deepEqual(group(ours, 'model_weights').attrs.layer_names, group(original, 'model_weights').attrs.layer_names);
    for (const layer of ['conv2d', 'conv2d_1', 'dense']) {
      assert.deepEqual(group(ours, `model_weights/${layer}`).attrs.weight_names, group(original, `model_weights/${layer}`).attrs.weight_names);
    }
    assert.equal(ours.attrs.backend, 'tensorflow');
    assert.match(String(ours.attrs.keras_version), /^2\.\d+\.\d+$/);
    const config = JSON.parse(String(ours.attrs.model_config));
    assert.equal(config.class_name, 'Sequential');
    assert.equal(config.config.layers[0].class_name, 'InputLayer');
    assert.deepEqual(config.config.layers[0].config.batch_input_shape, [null, 28, 28, 1]);
    const training = JSON.parse(String(ours.attrs.training_config));
    assert.equal(training.optimizer_config.class_name, 'Adam');
    assert.equal(training.loss, 'categorical_crossentropy');
  });

  it('saveWeights("x.h5") writes the save_weights layout: layer groups at the root', async () => {
    const model = await loadModel(fixturePath('mnist_cnn_dropout_keras26.h5'));
    const path = join(dir, 'w.h5');
    await saveWeights(model, path);
    const ours = await readHdf5(path);
    const original = await readHdf5(fixturePath('mnist_cnn_dropout_keras26.h5'));
    assert.deepEqual(ours.attrs.layer_names, group(original, 'model_weights').attrs.layer_names);
    assert.deepEqual(datasets(ours), datasets(group(original, 'model_weights')));
    assert.equal(ours.attrs.model_config, undefined);
  });
});

describe("Keras 3 .keras and .weights.h5 written by convkit have Keras 3's layout", () => {
  it('mnist_cnn_bn_keras3.keras re-saved: the three members, config dialect and weight datasets of the original', async () => {
    const source = fixturePath('mnist_cnn_bn_keras3.keras');
    const model = await loadModel(source);
    const path = join(dir, 'm.keras');
    await model.save(path);
    const theirs = unzipSync(readFileSync(source));
    const ours = unzipSync(readFileSync(path));
    assert.deepEqual(Object.keys(ours).sort(), ['config.json', 'metadata.json', 'model.weights.h5']);
    assert.match(JSON.parse(new TextDecoder().decode(ours['metadata.json'])).keras_version, /^3\.\d+\.\d+$/);
    const cfg = JSON.parse(new TextDecoder().decode(ours['config.json']));
    const orig = JSON.parse(new TextDecoder().decode(theirs['config.json']));
    assert.equal(cfg.module, 'keras');
    assert.equal(cfg.class_name, 'Sequential');
    assert.deepEqual(cfg.config.layers.map((l: { class_name: string }) => l.class_name), orig.config.layers.map((l: { class_name: string }) => l.class_name));
    const conv = cfg.config.layers[1];
    assert.equal(conv.module, 'keras.layers');
    assert.equal(conv.registered_name, null);
    assert.deepEqual(conv.build_config, orig.config.layers[1].build_config);
    assert.equal(conv.config.dtype.class_name, 'DTypePolicy');
    assert.equal(conv.config.kernel_initializer.module, 'keras.initializers');
    assert.equal(cfg.compile_config.optimizer.class_name, 'Adam');
    const ow = await readHdf5(ours['model.weights.h5']!);
    const tw = await readHdf5(theirs['model.weights.h5']!);
    assert.deepEqual(datasets(group(ow, 'layers')), datasets(group(tw, 'layers')));
  });

  it('a functional model in .keras records __keras_tensor__ inbound nodes and its InputLayer', async () => {
    const model = await loadModel(fixturePath('mnist_cnn_functional_keras224tf.h5'));
    const path = join(dir, 'f.keras');
    await model.save(path);
    const cfg = JSON.parse(new TextDecoder().decode(unzipSync(readFileSync(path))['config.json']));
    assert.equal(cfg.class_name, 'Functional');
    const [input, first] = cfg.config.layers;
    assert.equal(input.class_name, 'InputLayer');
    assert.deepEqual(input.inbound_nodes, []);
    const arg = first.inbound_nodes[0].args[0];
    assert.equal(arg.class_name, '__keras_tensor__');
    assert.deepEqual(arg.config.keras_history, [input.name, 0, 0]);
    assert.deepEqual(arg.config.shape, [null, 28, 28, 1]);
  });

  it('saveWeights("x.weights.h5") matches the layout of a Keras 3 .weights.h5 for the same model', async () => {
    const model = await loadModel(fixturePath('mnist_cnn_keras3.keras'));
    const path = join(dir, 'm.weights.h5');
    await saveWeights(model, path);
    const theirs = await readHdf5(fixturePath('mnist_cnn_keras3.weights.h5'));
    assert.deepEqual(datasets(group(await readHdf5(path), 'layers')), datasets(group(theirs, 'layers')));
  });
});

describe('TensorFlow.js files written by convkit', () => {
  it('model.json is a layers-model whose manifest matches the shards byte for byte', async () => {
    const model = await loadModel(fixturePath('cifar10_cnn_bn_keras215.h5'));
    const out = join(dir, 'tfjs');
    await model.save(out, { format: 'tfjs' });
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(json.format, 'layers-model');
    assert.equal(json.modelTopology.class_name, 'Sequential');
    const specs = json.weightsManifest.flatMap((g: { weights: { shape: number[]; dtype: string }[] }) => g.weights);
    const elements = specs.reduce((n: number, s: { shape: number[] }) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(elements, 307_114);
    const shardBytes = readdirSync(out).filter((f) => f.endsWith('.bin')).reduce((n, f) => n + statSync(join(out, f)).size, 0);
    assert.equal(shardBytes, elements * 4);
  });
});

/** The Python that has h5py (Debian's python3-h5py lives under /usr/bin/python3), or null. */
function pythonWithH5py(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

describe('h5py reads the files convkit writes', () => {
  const py = pythonWithH5py();
  it('every dataset and attribute of a written .h5 as h5py sees them', { skip: py ? false : 'python3-h5py is not installed' }, async () => {
    const model = await loadModel(fixturePath('mnist_cnn_keras231.h5'));
    const path = join(dir, 'h5py.h5');
    await model.save(path);
    const script = [
      'import h5py, json, sys',
      'f = h5py.File(sys.argv[1], "r")',
      'out = {"attrs": sorted(f.attrs.keys()), "config": json.loads(f.attrs["model_config"])["class_name"], "layers": [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"].attrs["layer_names"]], "datasets": {}}',
      'f["model_weights"].visititems(lambda n, o: out["datasets"].__setitem__(n, [list(o.shape), str(o.dtype)]) if isinstance(o, h5py.Dataset) else None)',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync(py!, ['-c', script, path], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout);
    assert.deepEqual(seen.attrs, ['backend', 'convkit_version', 'keras_version', 'model_config', 'training_config']);
    assert.equal(seen.config, 'Sequential');
    assert.deepEqual(seen.layers, model.layers.map((l) => l.name));
    assert.deepEqual(seen.datasets['conv2d_1/conv2d_1/kernel:0'], [[3, 3, 1, 32], 'float32']);
    assert.deepEqual(seen.datasets['dense_2/dense_2/bias:0'], [[10], 'float32']);
    assert.equal(Object.keys(seen.datasets).length, 10);
  });
});
