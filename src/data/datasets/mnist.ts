/**
 * keras.datasets.mnist: Keras's `mnist.npz` (60,000 training and 10,000 test digits), downloaded once into
 * $CONVKIT_HOME/datasets. Offline — `{offline: true}`, or when the download cannot be reached — it falls back
 * to the 10,000 digits embedded in convkit, split 8,000 / 2,000 (see mnist_embedded.ts), with a notice.
 */
import { FormatError } from '../../errors.js';
import { DownloadError, HashMismatchError } from '../../io/download/errors.js';
import { readNpz } from '../formats/npz.js';
import type { NpyArray } from '../formats/npy.js';
import { loadEmbeddedMnist } from '../mnist_embedded.js';
import {
  KERAS_DATASETS_URL, checkOptions, fetchDatasetFile, imageTensor, labelTensor, type DatasetFile, type LoadDataOptions, type Split,
} from './common.js';

export interface MnistLoadOptions extends LoadDataOptions {
  /** Use the embedded 8,000 / 2,000 subset without trying the network. */
  offline?: boolean;
}

export const MNIST_FILE: DatasetFile = {
  fname: 'mnist.npz',
  origin: `${KERAS_DATASETS_URL}mnist.npz`,
  fileHash: '731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1',
  cacheSubdir: 'datasets',
};

/** The embedded subset in Keras's layout: [[x (8000, 28, 28), y (8000,)], [x (2000, 28, 28), y (2000,)]]. */
export function embeddedMnistSplits(): [Split, Split] {
  const m = loadEmbeddedMnist();
  return [
    [imageTensor(m.xTrain, [m.trainCount, 28, 28]), labelTensor(m.yTrain, [m.trainCount])],
    [imageTensor(m.xTest, [m.testCount, 28, 28]), labelTensor(m.yTest, [m.testCount])],
  ];
}

/** Integer class labels of any npy integer dtype, checked to lie in [0, classes). */
export function npyLabels(a: NpyArray, classes: number, source: string): number[] | Uint8Array {
  if (!/^[<|]?[iu][1248]$/.test(a.descr)) throw new FormatError(`${source}: labels have dtype ${a.descr}, expected an integer type`);
  const out = a.data instanceof Uint8Array ? a.data : Array.from(a.data as ArrayLike<number | bigint>, Number);
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (!(v >= 0 && v < classes)) throw new FormatError(`${source}: label ${v} at index ${i} is outside 0..${classes - 1}`);
  }
  return out;
}

function split(arrays: Map<string, NpyArray>, which: 'train' | 'test', source: string): Split {
  const x = arrays.get(`x_${which}`)!;
  const y = arrays.get(`y_${which}`)!;
  if (x.descr.replace(/^[<|]/, '') !== 'u1') throw new FormatError(`${source}: x_${which} has dtype ${x.descr}, expected uint8 ('|u1')`);
  if (x.shape.length !== 3 || x.shape[1] !== 28 || x.shape[2] !== 28) {
    throw new FormatError(`${source}: x_${which} has shape (${x.shape.join(', ')}), expected (N, 28, 28)`);
  }
  const n = x.shape[0];
  if (y.shape.length !== 1 || y.shape[0] !== n) throw new FormatError(`${source}: y_${which} has shape (${y.shape.join(', ')}), expected (${n},) to match x_${which}`);
  return [imageTensor(x.data as Uint8Array, [n, 28, 28]), labelTensor(npyLabels(y, 10, `${source}: y_${which}`), [n])];
}

/** Parses Keras's mnist.npz bytes: x_train/x_test uint8 (N, 28, 28), y_train/y_test (N,). */
export function parseMnistNpz(bytes: Uint8Array, source: string): [Split, Split] {
  const arrays = readNpz(bytes, source, { only: ['x_train', 'y_train', 'x_test', 'y_test'], maxMemberBytes: 256 * 2 ** 20 });
  return [split(arrays, 'train', source), split(arrays, 'test', source)];
}

export const mnist = {
  /**
   * [[xTrain (60000, 28, 28), yTrain (60000,)], [xTest (10000, 28, 28), yTest (10000,)]]: float32 pixels
   * 0–255, int32 labels. With `{offline: true}`, or when the download is unreachable, the embedded
   * subset: 8,000 training and 2,000 test digits.
   */
  async loadData(opts?: MnistLoadOptions): Promise<[Split, Split]> {
    const o = checkOptions(opts, 'mnist.loadData', ['offline']) as MnistLoadOptions;
    if (o.offline === true) return embeddedMnistSplits();
    let got: { path: string; bytes: Uint8Array };
    try {
      got = await fetchDatasetFile(MNIST_FILE, o, 'mnist.loadData');
    } catch (err) {
      // Unreachable, offline, HTTP error: the embedded digits still let the user train. A hash mismatch is
      // different (the server sent something wrong) and is reported, not papered over.
      if (!(err instanceof DownloadError) || err instanceof HashMismatchError) throw err;
      process.emitWarning(
        `MNIST download unavailable (${err.message.split('\n')[0]}); using the embedded MNIST subset instead: 8,000 training / 2,000 test digits, not the full 60,000 / 10,000`,
        { code: 'CONVKIT_MNIST_OFFLINE' },
      );
      return embeddedMnistSplits();
    }
    return parseMnistNpz(got.bytes, got.path);
  },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
};
