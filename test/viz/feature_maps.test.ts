import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { Sequential } from '../../src/models/sequential.js';
import { Model } from '../../src/models/model.js';
import * as layers from '../../src/layers/index.js';
import { Input } from '../../src/layers/index.js';
import { fill, tensor } from '../../src/ops/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { featureMapTiles, featureMapsFigure, featureMapsLayout, layerActivations, upscaleFor } from '../../src/viz/feature_maps.js';
import { ValueError } from '../../src/errors.js';

/**
 * Conv2D 3×3 'same' with two filters: filter 0 all ones (bias 0.5), filter 1 all minus ones (bias 0).
 * On a constant input of ones each output counts the in-image kernel taps: 4 at corners, 6 on edges,
 * 9 inside, so filter 0 gives 4.5 / 6.5 / 9.5 and filter 1 gives −4 / −6 / −9.
 */
function knownConv(): Sequential {
  const model = new Sequential([layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', inputShape: [5, 5, 1], name: 'known_conv' })]);
  model.build([null, 5, 5, 1]);
  const k = new Float32Array(9 * 2);
  for (let i = 0; i < 9; i++) {
    k[2 * i] = 1;
    k[2 * i + 1] = -1;
  }
  model.layers.find((l) => l.name === 'known_conv')!.setWeights([tensor(k, [3, 3, 1, 2]), tensor([0.5, 0], [2])]);
  return model;
}

/** 0 at corners, 255 inside, edges (6 − 4) / (9 − 4) × 255 = 102 for filter 0; the mirror image for filter 1. */
function expectedGray(filter: number, y: number, x: number): number {
  const border = (v: number) => v === 0 || v === 4;
  const taps = border(y) && border(x) ? 4 : border(y) || border(x) ? 6 : 9;
  const t = (taps - 4) / 5;
  return Math.round((filter === 0 ? t : 1 - t) * 255);
}

describe('layerActivations', () => {
  it('returns each layer\'s output for a Sequential model', () => {
    const model = knownConv();
    const acts = layerActivations(model, fill([1, 5, 5, 1], 1));
    assert.deepEqual(acts.map((a) => a.name), ['known_conv']);
    const out = acts[0].output;
    assert.deepEqual(out.shape, [1, 5, 5, 2]);
    assert.equal(out.values[0], 4.5); // corner, filter 0
    assert.equal(out.values[(2 * 5 + 2) * 2], 9.5); // centre, filter 0
    assert.equal(out.values[(2 * 5 + 2) * 2 + 1], -9); // centre, filter 1
  });

  it('works for functional models, nested models (innermost first) and subclassed models', () => {
    const inner = new Sequential([layers.dense({ units: 3, inputShape: [4], name: 'inner_dense' }), layers.activation({ activation: 'relu', name: 'inner_relu' })]);
    const input = Input({ shape: [4] });
    const y = layers.dense({ units: 2, name: 'head' }).apply(inner.apply(input));
    const functional = new Model({ inputs: input, outputs: y });
    const names = layerActivations(functional, fill([1, 4], 0.5)).map((a) => a.name);
    assert.deepEqual(names, ['inner_dense', 'inner_relu', inner.name, 'head']);

    class Tiny extends Model {
      conv = layers.conv2d({ filters: 3, kernelSize: 3, name: 'tiny_conv' });
      pool = layers.globalAveragePooling2d({ name: 'tiny_pool' });
      override call(x: Tensor | Tensor[]): Tensor {
        return this.pool.apply(this.conv.apply(x as Tensor)) as Tensor;
      }
    }
    const acts = layerActivations(new Tiny(), fill([1, 6, 6, 1], 1));
    assert.deepEqual(acts.map((a) => [a.name, a.output.shape]), [['tiny_conv', [1, 4, 4, 3]], ['tiny_pool', [1, 3]]]);
  });

  it('sees a BatchNormalization\'s own output, not a conv folded with it', () => {
    const model = new Sequential([
      layers.conv2d({ filters: 1, kernelSize: 1, inputShape: [2, 2, 1], name: 'c', useBias: false, kernelInitializer: 'ones' }),
      layers.batchNormalization({ name: 'bn', gammaInitializer: 'zeros', betaInitializer: 'ones' } as never),
    ]);
    const acts = layerActivations(model, fill([1, 2, 2, 1], 3));
    assert.deepEqual(Array.from(acts.find((a) => a.name === 'c')!.output.values), [3, 3, 3, 3]);
    assert.deepEqual(Array.from(acts.find((a) => a.name === 'bn')!.output.values), [1, 1, 1, 1]);
  });

  it('filters by name and lists the available names for an unknown one', () => {
    const model = knownConv();
    assert.equal(layerActivations(model, fill([1, 5, 5, 1], 1), ['known_conv']).length, 1);
    assert.throws(() => layerActivations(model, fill([1, 5, 5, 1], 1), ['nope']), (e: Error) => e instanceof ValueError && /"nope".*Layers: known_conv/.test(e.message));
  });
});

describe('featureMapsFigure', () => {
  it('draws each channel min..max in gray: known pixels for a constant input', async () => {
    const out = layerActivations(knownConv(), fill([1, 5, 5, 1], 1))[0].output;
    const opts = { title: 'known conv' };
    const fig = featureMapsFigure(out, opts);
    const layout = featureMapsLayout(out, opts);
    assert.equal(layout.scale, upscaleFor(5));
    assert.ok(layout.tiles[0].width >= 64);
    const { data, info } = await sharp(await fig.toPNG()).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [layout.width, layout.height]);
    for (let f = 0; f < 2; f++) {
      const r = layout.tiles[f];
      for (let y = 0; y < 5; y++) {
        for (let x = 0; x < 5; x++) {
          // The centre of each scaled pixel block.
          const px = r.x + x * layout.scale + (layout.scale >> 1);
          const py = r.y + y * layout.scale + (layout.scale >> 1);
          const i = (py * info.width + px) * info.channels;
          const g = expectedGray(f, y, x);
          assert.deepEqual(Array.from(data.subarray(i, i + 3)), [g, g, g], `filter ${f} pixel ${x},${y}`);
        }
      }
    }
  });

  it('draws 1-D maps as strips and dense outputs as one block', () => {
    const strips = featureMapTiles(tensor([0, 1, 2, 3, 4, 5], [1, 3, 2]));
    assert.equal(strips.tiles.length, 2);
    assert.equal(strips.tiles[0].raster.width, 3);
    assert.ok(strips.tiles[0].raster.height >= 4);
    const dense = featureMapTiles(tensor([1, 2, 3, 4, 5], [1, 5]));
    assert.equal(dense.tiles.length, 1);
    assert.deepEqual([dense.tiles[0].raster.width, dense.tiles[0].raster.height], [3, 2]);
    assert.equal(dense.tiles[0].raster.data[4 * 5 + 3], 0, 'the cell past the last unit is transparent');
    assert.equal(dense.tiles[0].raster.data[4 * 4], 255, 'the largest unit is white');
  });

  it('limits the channels drawn and says so', () => {
    const out = fill([1, 2, 2, 10], 1);
    const layout = featureMapsLayout(out, { maxChannels: 4 });
    assert.equal(layout.tiles.length, 4);
    assert.match(layout.titleLines.map((l) => l.text).join(' '), /first 4 of 10 channels/);
    assert.throws(() => featureMapTiles(fill([1, 2, 2, 2, 2], 1)), /expected a layer output/);
  });
});
