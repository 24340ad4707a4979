import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import * as layers from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { embeddedMnistSplits } from '../../src/data/datasets/mnist.js';
import { loadModelInput, modelImageGeometry } from '../../src/cli/model_input.js';
import { ValueError } from '../../src/errors.js';

function modelTaking(shape: [number, number, number]): Sequential {
  const m = new Sequential([layers.conv2d({ filters: 1, kernelSize: 1, inputShape: shape })]);
  m.build([null, ...shape]);
  return m;
}

describe('loadModelInput', () => {
  it('reads image bytes in the model\'s size and colour mode, pixels / 255', async () => {
    const bytes = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 255, g: 0, b: 51 } } }).png().toBuffer();
    const rgb = await loadModelInput(modelTaking([2, 2, 3]), { image: new Uint8Array(bytes) });
    assert.deepEqual(rgb.x.shape, [1, 2, 2, 3]);
    assert.deepEqual(Array.from(rgb.x.values.subarray(0, 3)), [1, 0, 51 / 255].map(Math.fround));
    assert.deepEqual(Array.from(rgb.display.data.subarray(0, 4)), [255, 0, 51, 255]);
    assert.equal(rgb.label, undefined);
    const gray = await loadModelInput(modelTaking([3, 3, 1]), { image: new Uint8Array(bytes) });
    assert.deepEqual(gray.x.shape, [1, 3, 3, 1]);
    // PIL's L of (255, 0, 51): (255·19595 + 51·7471 + 32768) >> 16 = 82.
    assert.equal(gray.display.data[0], 82);
    assert.equal(gray.x.values[0], Math.fround(82 / 255));
  });

  it('takes embedded test digit N with its label', async () => {
    const [, [x, y]] = embeddedMnistSplits();
    const d = await loadModelInput(modelTaking([28, 28, 1]), { index: 5 });
    assert.equal(d.label, y.values[5]);
    assert.match(d.source, /embedded test digit #5 \(label \d\)/);
    assert.equal(d.x.values[300], Math.fround(x.values[5 * 784 + 300] / 255));
    assert.equal(d.display.data[300 * 4], x.values[5 * 784 + 300]);
  });

  it('wants exactly one input and a model that takes fixed-size 1- or 3-channel images', async () => {
    const m = modelTaking([28, 28, 1]);
    await assert.rejects(loadModelInput(m, {}), /No input given/);
    await assert.rejects(loadModelInput(m, { index: 0, image: 'a.png' }), /not both/);
    await assert.rejects(loadModelInput(m, { index: -1 }), /out of range.*0\.\.1999/);
    await assert.rejects(loadModelInput(modelTaking([32, 32, 3]), { index: 0 }), (e: Error) => e instanceof ValueError && /takes 32×32×3 images; use --image/.test(e.message));
    await assert.rejects(loadModelInput(m, { image: '/nonexistent/a.png' }), /no such file/);
    const dense = new Sequential([layers.dense({ units: 2, inputShape: [4] })]);
    assert.throws(() => modelImageGeometry(dense), /does not take images/);
  });
});
