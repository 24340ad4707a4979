/**
 * keras.datasets: `await datasets.mnist.loadData()` returns [[xTrain, yTrain], [xTest, yTest]] with images
 * as float32 tensors holding the uint8 pixel values 0–255 (ready for `.div(255)`) and labels as int32 class
 * indices, in Keras's shapes: (N, 28, 28) / (N,) for MNIST and Fashion-MNIST, (N, 32, 32, 3) / (N, 1) for
 * CIFAR. Files come from Keras's URLs, checked against Keras's hashes, cached under $CONVKIT_HOME/datasets.
 * MNIST falls back to the embedded 8,000 / 2,000 digits when offline (`{offline: true}` forces it).
 */
export type { Split, LoadDataOptions } from './datasets/common.js';
export { mnist, type MnistLoadOptions } from './datasets/mnist.js';
export { fashionMnist } from './datasets/fashion_mnist.js';
export { cifar10 } from './datasets/cifar10.js';
export { cifar100, type Cifar100LoadOptions, type Cifar100LabelMode } from './datasets/cifar100.js';
