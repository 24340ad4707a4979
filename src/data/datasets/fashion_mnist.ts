/**
 * keras.datasets.fashion_mnist: Zalando's Fashion-MNIST as the four gzipped IDX files Keras downloads
 * (into $CONVKIT_HOME/datasets/fashion-mnist, like Keras's cache_subdir). 60,000 + 10,000 28×28 images.
 */
import { FormatError } from '../../errors.js';
import { gunzipBounded } from '../formats/gunzip.js';
import { parseIdx } from '../formats/idx.js';
import {
  KERAS_DATASETS_URL, checkOptions, fetchDatasetFile, imageTensor, labelTensor, type DatasetFile, type LoadDataOptions, type Split,
} from './common.js';

function file(fname: string, fileHash: string): DatasetFile {
  return { fname, origin: `${KERAS_DATASETS_URL}${fname}`, fileHash, cacheSubdir: 'datasets/fashion-mnist' };
}

/** Keras's file names and published sha256 hashes. */
export const FASHION_MNIST_FILES = {
  trainLabels: file('train-labels-idx1-ubyte.gz', 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845'),
  trainImages: file('train-images-idx3-ubyte.gz', '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84'),
  testLabels: file('t10k-labels-idx1-ubyte.gz', '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5'),
  testImages: file('t10k-images-idx3-ubyte.gz', '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073'),
} as const;

/** The largest file (train images) is 47,040,016 bytes unpacked; anything far beyond is not Fashion-MNIST. */
const MAX_UNPACKED = 128 * 2 ** 20;

async function idx(f: DatasetFile, opts: LoadDataOptions, ndim: 1 | 3) {
  const { path, bytes } = await fetchDatasetFile(f, opts, 'fashionMnist.loadData', true);
  return { path, ...parseIdx(await gunzipBounded(bytes, path, MAX_UNPACKED), path, ndim) };
}

/** Images (N, 28, 28) and labels (N,) from an IDX pair, checked against each other. */
export function idxSplit(images: { path: string; shape: number[]; data: Uint8Array }, labels: { path: string; shape: number[]; data: Uint8Array }): Split {
  const [n, rows, cols] = images.shape;
  if (rows !== 28 || cols !== 28) throw new FormatError(`${images.path}: images are ${rows}×${cols}, expected 28×28`);
  if (labels.shape[0] !== n) throw new FormatError(`${labels.path}: ${labels.shape[0]} labels for the ${n} images of ${images.path}`);
  for (let i = 0; i < n; i++) {
    if (labels.data[i] > 9) throw new FormatError(`${labels.path}: label ${labels.data[i]} at index ${i} is outside 0..9`);
  }
  return [imageTensor(images.data, [n, 28, 28]), labelTensor(labels.data, [n])];
}

export const fashionMnist = {
  /** [[xTrain (60000, 28, 28), yTrain (60000,)], [xTest (10000, 28, 28), yTest (10000,)]]: float32 0–255, int32 labels. */
  async loadData(opts?: LoadDataOptions): Promise<[Split, Split]> {
    const o = checkOptions(opts, 'fashionMnist.loadData');
    const F = FASHION_MNIST_FILES;
    // One after the other, in Keras's order: progress lines stay readable and a failure stops early.
    const trainLabels = await idx(F.trainLabels, o, 1);
    const trainImages = await idx(F.trainImages, o, 3);
    const testLabels = await idx(F.testLabels, o, 1);
    const testImages = await idx(F.testImages, o, 3);
    return [idxSplit(trainImages, trainLabels), idxSplit(testImages, testLabels)];
  },
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};
