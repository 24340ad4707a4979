import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Layer } from '../../src/layers/layer.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { buildArchitecture } from '../../src/applications/seed_models.js';
import { resNet50, mobileNetV2, inceptionV3 } from '../../src/applications/index.js';
import { receptiveFields, receptiveFieldTable, receptiveFieldOf, type ReceptiveFieldRow } from '../../src/viz/receptive_field.js';
import { ValueError } from '../../src/errors.js';

/** [size, jump, start] of one row on the height axis, and the same on the width axis. */
function axes(r: ReceptiveFieldRow): [number, number, number][] {
  return [[r.size[0], r.jump[0], r.start[0]], [r.size[1], r.jump[1], r.start[1]]];
}

function square(r: ReceptiveFieldRow): [number, number, number] {
  const [h, w] = axes(r);
  assert.deepEqual(h, w, `${r.name}: height and width fields should agree`);
  return h;
}

describe('receptiveFields: the standard recurrence', () => {
  it('two valid 3x3 convolutions see 5x5; a 2x2 stride-2 pool then 6x6 with jump 2', () => {
    const m = new Sequential([
      L.conv2d({ filters: 2, kernelSize: 3, inputShape: [16, 16, 1] }),
      L.conv2d({ filters: 2, kernelSize: 3 }),
      L.maxPooling2d({ poolSize: 2 }),
    ]);
    const rows = receptiveFields(m);
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.map(square), [[3, 1, 1], [5, 1, 2], [6, 2, 2.5]]);
    assert.deepEqual(rows[2].outputShape, [null, 6, 6, 2]);
  });

  it('dilation widens the kernel: 3x3 at rate 2 sees 5x5, another 3x3 makes 7x7', () => {
    const m = new Sequential([
      L.conv2d({ filters: 1, kernelSize: 3, dilationRate: 2, inputShape: [20, 20, 1] }),
      L.conv2d({ filters: 1, kernelSize: 3 }),
    ]);
    assert.deepEqual(receptiveFields(m).map(square), [[5, 1, 2], [7, 1, 3]]);
  });

  it("'same' padding shifts the start by the padding before the first input (TensorFlow's floor(total/2))", () => {
    const pad = (input: number, k: number, s: number) => square(receptiveFields(new Sequential([
      L.conv2d({ filters: 1, kernelSize: k, strides: s, padding: 'same', inputShape: [input, input, 1] }),
    ]))[0]);
    assert.deepEqual(pad(28, 3, 1), [3, 1, 0]);      // pads 1 before: centre of unit 0 is pixel 0
    assert.deepEqual(pad(28, 3, 2), [3, 2, 1]);      // total padding 1 goes after: no padding before
    assert.deepEqual(pad(27, 3, 2), [3, 2, 0]);      // total 2: 1 before
    assert.deepEqual(pad(10, 4, 1), [4, 1, 0.5]);    // total 3: 1 before, even kernel centred at +0.5
  });

  it('rectangular kernels and strides give different height and width fields', () => {
    const m = new Sequential([L.conv2d({ filters: 1, kernelSize: [5, 1], strides: [1, 2], inputShape: [12, 12, 1] })]);
    assert.deepEqual(axes(receptiveFields(m)[0]), [[5, 1, 2], [1, 2, 0]]);
  });

  it('ZeroPadding2D moves the start into the padding; Cropping2D moves it inward', () => {
    const m = new Sequential([
      L.zeroPadding2d({ padding: 2, inputShape: [8, 8, 1] }),
      L.conv2d({ filters: 1, kernelSize: 3 }),
      L.cropping2d({ cropping: 1 }),
    ]);
    assert.deepEqual(receptiveFields(m).map(square), [[1, 1, -2], [3, 1, -1], [3, 1, 0]]);
  });

  it('UpSampling2D divides the jump (bilinear reads one more input unit than nearest)', () => {
    const build = (interpolation: string) => new Sequential([
      L.maxPooling2d({ poolSize: 2, inputShape: [8, 8, 1] }),
      L.upSampling2d({ size: 2, interpolation }),
    ]);
    assert.deepEqual(square(receptiveFields(build('nearest'))[1]), [2, 1, 0]);
    assert.deepEqual(square(receptiveFields(build('bilinear'))[1]), [4, 1, 0]);
  });

  it('DepthwiseConv2D and SeparableConv2D are k x k windows; BN, activations and dropout leave the field alone', () => {
    const m = new Sequential([
      L.depthwiseConv2d({ kernelSize: 3, inputShape: [12, 12, 2] }),
      L.batchNormalization(),
      L.reLU(),
      L.dropout({ rate: 0.5 }),
      L.separableConv2d({ filters: 2, kernelSize: 3, strides: 2 }),
    ]);
    assert.deepEqual(receptiveFields(m).map(square), [[3, 1, 1], [3, 1, 1], [3, 1, 1], [3, 1, 1], [5, 2, 2]]);
  });

  it('Conv1D: causal padding puts the field behind the step; width stays one pixel', () => {
    const m = new Sequential([L.conv1d({ filters: 1, kernelSize: 3, dilationRate: 2, padding: 'causal', inputShape: [10, 1] })]);
    assert.deepEqual(axes(receptiveFields(m)[0]), [[5, 1, -2], [1, 1, 0]]);
  });

  it('Conv2DTranspose with stride 2 halves the jump', () => {
    const m = new Sequential([
      L.conv2d({ filters: 1, kernelSize: 2, strides: 2, inputShape: [8, 8, 1] }),
      L.conv2dTranspose({ filters: 1, kernelSize: 2, strides: 2 }),
    ]);
    // Each output of a 2x2 stride-2 transposed conv reads exactly one input unit: the 2x2 block it came from.
    assert.deepEqual(receptiveFields(m).map(square), [[2, 2, 0.5], [2, 1, 0]]);
  });

  it('Flatten, Dense and global pooling see the whole input (global)', () => {
    const m = new Sequential([
      L.conv2d({ filters: 2, kernelSize: 3, inputShape: [10, 12, 1] }),
      L.globalAveragePooling2d(),
      L.dense({ units: 3 }),
    ]);
    const rows = receptiveFields(m);
    assert.deepEqual(rows.map((r) => r.global), [false, true, true]);
    assert.deepEqual(rows[2].size, [10, 12]);
  });

  it('Dense on a 4-D map acts per position', () => {
    const m = new Sequential([L.conv2d({ filters: 2, kernelSize: 3, inputShape: [8, 8, 1] }), L.dense({ units: 4 })]);
    assert.deepEqual(square(receptiveFields(m)[1]), [3, 1, 1]);
  });
});

describe('receptiveFields: seed examples', () => {
  it("seed 003's flower: Conv2D(32, 3, same) then AvgPool2D(2) on (427, 640, 3) gives (None, 213, 320, 32), 4x4 jump 2", () => {
    const m = new Sequential([
      L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [427, 640, 3] }),
      L.averagePooling2d({ poolSize: 2 }),
    ]);
    const rows = receptiveFields(m);
    assert.deepEqual(rows[0].outputShape, [null, 427, 640, 32]);
    assert.deepEqual(rows[1].outputShape, [null, 213, 320, 32]);
    assert.deepEqual(square(rows[1]), [4, 2, 0.5]);
  });

  it("seed 004: Conv2D(5, 3x3, stride 2, same) and MaxPool2D(2, 2, same) on 28x28: 14x14x5 then 7x7x5, 5x5 fields jump 4", () => {
    const m = new Sequential([
      L.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', inputShape: [28, 28, 1] }),
      L.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
    ]);
    const rows = receptiveFields(m);
    assert.deepEqual(rows.map((r) => r.outputShape), [[null, 14, 14, 5], [null, 7, 7, 5]]);
    assert.deepEqual(rows.map(square), [[3, 2, 1], [5, 4, 2]]);
  });

  it("seed 003's LeNet-5 (convkit train's model): one row per layer, 5 → 6 → 14 → 16, then global", () => {
    const rows = receptiveFields(buildArchitecture('lenet5'));
    assert.equal(rows.length, 8);
    assert.deepEqual(rows.map((r) => r.className), ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense', 'Dense']);
    assert.deepEqual(rows.slice(0, 4).map(square), [[5, 1, 0], [6, 2, 0.5], [14, 2, 0.5], [16, 4, 1.5]]);
    assert.ok(rows.slice(4).every((r) => r.global && r.size[0] === 28 && r.size[1] === 28));
    const table = receptiveFieldTable(rows);
    const lines = table.split('\n');
    assert.match(lines[0], /^Layer \(type\)\s+Output shape\s+Receptive field\s+Jump\s+Start/);
    assert.equal(lines.filter((l) => /\((Conv2D|MaxPooling2D|Flatten|Dense)\)/.test(l)).length, 8);
    assert.ok(lines.some((l) => /max_pooling2d\w* \(MaxPooling2D\)\s+\(None, 7, 7, 16\)\s+16x16\s+4x4\s+\(1\.5, 1\.5\)/.test(l)), table);
    assert.ok(lines.some((l) => /\(Flatten\)\s+\(None, 784\)\s+global \(28x28\)/.test(l)), table);
  });

  it("seed 003's subclassed LeNet5 (one pooling layer called twice) is traced: same fields, the second call marked", () => {
    class LeNet5 extends Model {
      conv1 = L.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' });
      pool1 = L.maxPooling2d({ poolSize: 2 });
      conv2 = L.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' });
      flatten = L.flatten();
      fc1 = L.dense({ units: 120, activation: 'relu' });
      fc3 = L.dense({ units: 10, activation: 'softmax' });
      override call(x: Tensor | Tensor[]): Tensor {
        let y = this.conv1.apply(x as Tensor);
        y = this.pool1.apply(y);
        y = this.conv2.apply(y);
        y = this.pool1.apply(y);
        return this.fc3.apply(this.fc1.apply(this.flatten.apply(y)));
      }
    }
    const m = new LeNet5();
    m.build([null, 28, 28, 1]);
    const rows = receptiveFields(m);
    assert.deepEqual(rows.map((r) => r.name), [m.conv1.name, m.pool1.name, m.conv2.name, m.pool1.name, m.flatten.name, m.fc1.name, m.fc3.name]);
    assert.equal(rows[3].call, 2);
    assert.deepEqual(rows.slice(0, 4).map(square), [[5, 1, 0], [6, 2, 0.5], [14, 2, 0.5], [16, 4, 1.5]]);
    assert.match(receptiveFieldTable(rows), /\(call 2\) \(MaxPooling2D\)/);
  });
});

describe('receptiveFields: published values', () => {
  it('ResNet-50 483, MobileNetV2 491, InceptionV3 1311 pixels at the last convolutional layer (Araujo et al., Distill 2019)', () => {
    const last = (rows: ReceptiveFieldRow[], name: string) => square(receptiveFieldOf(rows, name));
    assert.deepEqual(last(receptiveFields(resNet50({ includeTop: false, inputShape: [224, 224, 3] })), 'conv5_block3_out').slice(0, 2), [483, 32]);
    assert.deepEqual(last(receptiveFields(mobileNetV2({ includeTop: false, inputShape: [224, 224, 3] })), 'out_relu').slice(0, 2), [491, 32]);
    assert.deepEqual(last(receptiveFields(inceptionV3({ includeTop: false, inputShape: [299, 299, 3] })), 'mixed10').slice(0, 2), [1311, 32]);
  });
});

describe('receptiveFields: branched functional graphs', () => {
  it('a merge sees the union of its branches (here the larger, 5x5 branch); the input is a row', () => {
    const input = Input({ shape: [12, 12, 1] });
    const a = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same' }).apply(input);
    const b = L.conv2d({ filters: 2, kernelSize: 5, padding: 'same' }).apply(input);
    const out = L.add().apply([a, b]);
    const rows = receptiveFields(new Model({ inputs: input, outputs: out }));
    assert.equal(rows[0].className, 'InputLayer');
    assert.deepEqual(rows.map(square), [[1, 1, 0], [3, 1, 0], [5, 1, 0], [5, 1, 0]]);
    assert.equal(rows[3].note, undefined);
  });

  it('says when the merged branches have different jumps', () => {
    const input = Input({ shape: [8, 8, 1] });
    const pooled = L.maxPooling2d({ poolSize: 2 }).apply(input);                // 4x4, jump 2
    const cropped = L.cropping2d({ cropping: 2 }).apply(input);                 // 4x4, jump 1
    const out = L.concatenate().apply([pooled, cropped]);
    const rows = receptiveFields(new Model({ inputs: input, outputs: out }));
    const merge = rows[rows.length - 1];
    assert.match(merge.note ?? '', /jumps differ \(2x2, 1x1\)/);
    assert.match(receptiveFieldTable(rows), /Notes:\n {2}concatenate\w*: branches' jumps differ/);
    // Unit 0: pooled covers pixels 0..1, cropped sees pixel 2: union 0..2.
    assert.deepEqual(square(merge), [3, 2, 1]);
  });

  it('an input broadcast from a 1x1 map (a squeeze-excitation gate) makes the output global', () => {
    const input = Input({ shape: [8, 8, 4] });
    const x = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(input);
    const gate = L.reshape({ targetShape: [1, 1, 4] }).apply(L.globalAveragePooling2d().apply(x));
    const out = L.multiply().apply([x, gate]);
    const rows = receptiveFields(new Model({ inputs: input, outputs: out }));
    assert.equal(rows[rows.length - 1].global, true);
  });
});

describe('receptiveFields: errors', () => {
  it('an unknown layer class is a ValueError naming it', () => {
    class Shuffle extends Layer {
      static override className = 'Shuffle';
      call(x: Tensor | Tensor[]): Tensor { return x as Tensor; }
    }
    const m = new Sequential([L.conv2d({ filters: 1, kernelSize: 3, inputShape: [8, 8, 1] }), new Shuffle({ name: 'shuffle' })]);
    assert.throws(() => receptiveFields(m), (e: Error) => e instanceof ValueError && /layer "shuffle" \(Shuffle\) is not known/.test(e.message));
  });

  it('an unknown input size is refused; receptiveFieldOf names the known layers', () => {
    const input = Input({ shape: [null, null, 3] });
    const m = new Model({ inputs: input, outputs: L.conv2d({ filters: 1, kernelSize: 3 }).apply(input) });
    assert.throws(() => receptiveFields(m), /fixed input size/);
    const rows = receptiveFields(buildArchitecture('lenet5'));
    assert.throws(() => receptiveFieldOf(rows, 'nope'), /No such layer: "nope". Layers: conv2d/);
  });
});
