/**
 * Data the commands use, scaled to [0, 1] with a channel axis. `convkit train` defaults to the embedded
 * MNIST digits (never the network); `--dataset` picks a downloaded Keras dataset or an image directory.
 */
import { stat } from 'node:fs/promises';
import { ValueError } from '../errors.js';
import type { Batch, BatchSource } from '../data/batch_source.js';
import { cifar10, fashionMnist, mnist } from '../data/datasets.js';
import { embeddedMnistSplits } from '../data/datasets/mnist.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';

export interface Prepared {
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

/** x / 255 with shape (N, 28, 28, 1), as seed 003 prepares MNIST. */
function prepGray(x: Tensor): Tensor {
  return ops.reshape(ops.div(x, 255), [x.shape[0], 28, 28, 1]);
}

/** The embedded digits (8,000 / 2,000): the data of `train` without --dataset, `evaluate` and `predict`. */
export function loadMnistForTraining(): Prepared {
  const [[xTrain, yTrain], [xTest, yTest]] = embeddedMnistSplits();
  return { xTrain: prepGray(xTrain), yTrain, xTest: prepGray(xTest), yTest };
}

/** The named datasets of `--dataset`: the image shape their models must take and the model used by default. */
export const CLI_DATASETS = {
  'mnist': { shape: [28, 28, 1], defaultModel: 'lenet5', what: 'MNIST digits', test: 'test digits' },
  'fashion-mnist': { shape: [28, 28, 1], defaultModel: 'fashion-model2', what: 'Fashion-MNIST images', test: 'test images' },
  'cifar10': { shape: [32, 32, 3], defaultModel: 'seed-cifar', what: 'CIFAR-10 images', test: 'test images' },
} as const;
export type CliDatasetName = keyof typeof CLI_DATASETS;
/** A directory of class folders takes any model; its images are resized to the model's input. */
export const DIRECTORY_DEFAULT_MODEL = 'seed-cifar';

export function isNamedDataset(d: string): d is CliDatasetName {
  return Object.prototype.hasOwnProperty.call(CLI_DATASETS, d);
}

export type TrainingData =
  | { kind: 'tensors'; data: Prepared; what: string; test: string }
  | { kind: 'source'; train: BatchSource; validation: BatchSource | null; classes: number; classNames?: readonly string[] | null; trainCount: number; testCount: number; what: string; test: string };

/** Downloads (or reads from the cache) a named dataset, scaled to [0, 1] with a channel axis. */
export async function loadNamedDataset(name: CliDatasetName): Promise<TrainingData> {
  const loader = name === 'mnist' ? mnist : name === 'fashion-mnist' ? fashionMnist : cifar10;
  const [[xTrain, yTrain], [xTest, yTest]] = await loader.loadData();
  const info = CLI_DATASETS[name];
  // MNIST may have fallen back to the embedded subset; the counts printed tell which one trained.
  const prep = name === 'cifar10' ? (x: Tensor) => ops.div(x, 255) : prepGray;
  return { kind: 'tensors', data: { xTrain: prep(xTrain), yTrain, xTest: prep(xTest), yTest }, what: info.what, test: info.test };
}

/** Divides a source's images by 255, as the named datasets are scaled. */
function scaled(source: BatchSource): BatchSource {
  return {
    get length() { return source.length; },
    async batch(i: number): Promise<Batch> {
      const [x, y] = await source.batch(i);
      return [ops.div(x, 255), y];
    },
    onEpochEnd: () => source.onEpochEnd?.(),
  };
}

/**
 * A class-per-folder directory through imageDatasetFromDirectory, resized to the model's input. With a
 * validation split the validation subset is also the evaluation set (a directory has no separate test set).
 */
export async function loadDirectoryDataset(
  dir: string, inputShape: readonly number[], o: { batchSize: number; validationSplit: number; seed: number },
): Promise<TrainingData> {
  const st = await stat(dir).catch(() => null);
  if (st === null || !st.isDirectory()) throw new ValueError(`--dataset ${dir}: not a directory (expected mnist, fashion-mnist, cifar10 or a directory of class folders)`);
  const { imageDatasetFromDirectory } = await import('../data/image_dataset.js');
  const [h, w, c] = inputShape;
  if (c !== 1 && c !== 3) throw new ValueError(`--dataset ${dir}: the model takes ${c}-channel images; a directory needs a model with 1 (grayscale) or 3 (rgb) channels`);
  const common = {
    imageSize: [h, w] as [number, number], batchSize: o.batchSize, seed: o.seed, labelMode: 'int' as const,
    colorMode: c === 1 ? 'grayscale' as const : 'rgb' as const,
  };
  if (o.validationSplit > 0) {
    const [train, validation] = await imageDatasetFromDirectory(dir, { ...common, validationSplit: o.validationSplit, subset: 'both' });
    return {
      kind: 'source', train: scaled(train), validation: scaled(validation), classes: train.classNames?.length ?? 0, classNames: train.classNames,
      trainCount: train.filePaths.length, testCount: validation.filePaths.length, what: `images from ${dir}`, test: 'validation images',
    };
  }
  const train = await imageDatasetFromDirectory(dir, common);
  return {
    kind: 'source', train: scaled(train), validation: null, classes: train.classNames?.length ?? 0, classNames: train.classNames,
    trainCount: train.filePaths.length, testCount: train.filePaths.length, what: `images from ${dir}`, test: 'training images (no --validation-split)',
  };
}
