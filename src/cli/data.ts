/** Data the commands use: the embedded MNIST digits, scaled to [0, 1] with a channel axis. */
import { mnist } from '../data/datasets.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Prepared {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

/** x / 255 with shape (N, 28, 28, 1), as seed 003 prepares MNIST. */
export function loadMnistForTraining(): Prepared {
  const [[xTrain, yTrain], [xTest, yTest]] = mnist.loadData();
  const prep = (x: Tensor) => ops.reshape(ops.div(x, 255), [x.shape[0], 28, 28, 1]);
  return { xTrain: prep(xTrain), yTrain, xTest: prep(xTest), yTest };
}
