/** keras.datasets.cifar10: the CIFAR-10 python archive from the University of Toronto, 50,000 + 10,000 32×32×3 images. */
import { checkOptions, fetchDatasetFile, type DatasetFile, type LoadDataOptions, type Split } from './common.js';
import { cifarSplit, member, parseCifarBatch, readCifarArchive } from './cifar.js';

export const CIFAR10_FILE: DatasetFile = {
  fname: 'cifar-10-python.tar.gz',
  origin: 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz',
  fileHash: '6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce',
  cacheSubdir: 'datasets',
};

const DIR = 'cifar-10-batches-py';

/** Parses the archive's bytes: data_batch_1…5 for training, test_batch for testing. */
export async function parseCifar10Archive(bytes: Uint8Array, source: string): Promise<[Split, Split]> {
  const members = await readCifarArchive(bytes, source);
  const batch = (name: string) => parseCifarBatch(member(members, `${DIR}/${name}`, source), 'labels', 10, `${source}: ${DIR}/${name}`);
  const train = [1, 2, 3, 4, 5].map((i) => batch(`data_batch_${i}`));
  return [cifarSplit(train), cifarSplit([batch('test_batch')])];
}

export const cifar10 = {
  /** [[xTrain (50000, 32, 32, 3), yTrain (50000, 1)], [xTest (10000, 32, 32, 3), yTest (10000, 1)]]: float32 0–255, int32 labels. */
  async loadData(opts?: LoadDataOptions): Promise<[Split, Split]> {
    const o = checkOptions(opts, 'cifar10.loadData');
    const { path, bytes } = await fetchDatasetFile(CIFAR10_FILE, o, 'cifar10.loadData');
    return parseCifar10Archive(bytes, path);
  },
  classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
};
