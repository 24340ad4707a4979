/**
 * The real Keras files in ../shared/fixtures/keras (see its MANIFEST.md) and the facts the tests
 * check them against: parameter counts and preprocessing as the manifest records them.
 */
import { loadEmbeddedMnist } from '../../src/data/mnist_embedded.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { sharedPath } from '../helpers/shared.js';

export type Preprocess = 'div255' | 'centered';

export interface Fixture {
  file: string;
  params: number;
  /** Digits models are scored on the embedded MNIST test digits. */
  mnist: boolean;
  preprocess: Preprocess;
}

/** Full-model files, loadable by loadModel. */
export const MODEL_FIXTURES: readonly Fixture[] = [
  { file: 'mnist_cnn_keras231.h5', params: 93_322, mnist: true, preprocess: 'div255' },
  { file: 'mnist_cnn_dropout_keras26.h5', params: 34_826, mnist: true, preprocess: 'div255' },
  { file: 'mnist_cnn_functional_keras224tf.h5', params: 120_202, mnist: true, preprocess: 'centered' },
  { file: 'cifar10_cnn_keras224tf.h5', params: 167_562, mnist: false, preprocess: 'div255' },
  { file: 'cifar10_cnn_bn_keras215.h5', params: 307_114, mnist: false, preprocess: 'div255' },
  { file: 'fashion_mnist_cnn_keras24.h5', params: 158_106, mnist: false, preprocess: 'div255' },
  { file: 'mnist_cnn_keras3.keras', params: 21_898, mnist: true, preprocess: 'div255' },
  { file: 'mnist_cnn_renamed_keras3.keras', params: 287_722, mnist: true, preprocess: 'div255' },
  { file: 'mnist_cnn_bn_keras3.keras', params: 158_058, mnist: true, preprocess: 'div255' },
  { file: 'mnist_cnn_keras3_legacy.h5', params: 34_826, mnist: true, preprocess: 'div255' },
];

export function fixturePath(file: string): string {
  return sharedPath('fixtures', 'keras', file);
}

let digits: { pixels: Float32Array; labels: Int32Array } | null = null;

/** The first `n` embedded MNIST test digits: raw 0…255 pixels (n×784) and labels. */
export function testDigits(n: number): { pixels: Float32Array; labels: Int32Array } {
  if (!digits) {
    // The embedded test digits (offline, synchronous): the same images the old sync mnist.loadData() returned.
    const m = loadEmbeddedMnist();
    digits = { pixels: Float32Array.from(m.xTest), labels: Int32Array.from(m.yTest) };
  }
  return { pixels: digits.pixels.subarray(0, n * 784), labels: digits.labels.subarray(0, n) };
}

function scale(v: number, p: Preprocess): number {
  return p === 'centered' ? v / 255 - 0.5 : v / 255;
}

/**
 * Real images shaped for a model's input: MNIST digits as they are for 28×28×1 inputs (and
 * flattened for 784), zero-padded to 32×32 and repeated over 3 channels for the CIFAR models
 * (no CIFAR data ships offline; digits are still real, non-random pictures).
 */
export function realInputs(inputShape: readonly (number | null)[], n: number, p: Preprocess): Tensor {
  const { pixels } = testDigits(n);
  const dims = inputShape.slice(1) as number[];
  if (dims.length === 1 && dims[0] === 784) return new Tensor(pixels.map((v) => scale(v, p)), [n, 784]);
  const [h, w, c] = dims as [number, number, number];
  const out = new Float32Array(n * h * w * c);
  const oy = Math.floor((h - 28) / 2);
  const ox = Math.floor((w - 28) / 2);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sy = y - oy;
        const sx = x - ox;
        const v = sy >= 0 && sy < 28 && sx >= 0 && sx < 28 ? pixels[i * 784 + sy * 28 + sx]! : 0;
        for (let k = 0; k < c; k++) out[((i * h + y) * w + x) * c + k] = scale(v, p);
      }
    }
  }
  return new Tensor(out, [n, h, w, c]);
}

/** Fraction of rows of `probs` (n×10) whose arg-max is the label. */
export function accuracy(probs: Tensor, labels: Int32Array): number {
  const p = probs.values;
  const k = probs.shape[1]!;
  let ok = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[i * k + j]! > p[i * k + best]!) best = j;
    if (best === labels[i]) ok++;
  }
  return ok / labels.length;
}

/** A model's batch input shape, for Sequential and functional models alike. */
export function inputShapeOf(model: Model): readonly (number | null)[] {
  const shape = model instanceof Sequential ? model.inputShape : model.inputs[0]?.shape;
  if (!shape) throw new Error(`model ${model.name} has no known input shape`);
  return shape;
}

/** Labels as the model's loss wants them: one-hot for categorical_crossentropy, else integers. */
export function labelsFor(model: Model, labels: Int32Array): Tensor {
  if (model.compiled?.loss.name !== 'categorical_crossentropy') return new Tensor(labels, [labels.length]);
  const out = new Float32Array(labels.length * 10);
  labels.forEach((l, i) => { out[i * 10 + l] = 1; });
  return new Tensor(out, [labels.length, 10]);
}
