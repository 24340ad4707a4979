/** keras.datasets.cifar100: 50,000 + 10,000 32×32×3 images with 100 fine labels grouped into 20 coarse ones. */
import { ValueError } from '../../errors.js';
import { checkOptions, fetchDatasetFile, type DatasetFile, type LoadDataOptions, type Split } from './common.js';
import { cifarSplit, member, parseCifarBatch, readCifarArchive } from './cifar.js';

export type Cifar100LabelMode = 'fine' | 'coarse';

export interface Cifar100LoadOptions extends LoadDataOptions {
  /** 'fine' (100 classes, default) or 'coarse' (20 superclasses), as Keras's label_mode. */
  labelMode?: Cifar100LabelMode;
}

export const CIFAR100_FILE: DatasetFile = {
  fname: 'cifar-100-python.tar.gz',
  origin: 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz',
  fileHash: '85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7',
  cacheSubdir: 'datasets',
};

const DIR = 'cifar-100-python';

export async function parseCifar100Archive(bytes: Uint8Array, source: string, labelMode: Cifar100LabelMode = 'fine'): Promise<[Split, Split]> {
  const members = await readCifarArchive(bytes, source);
  const classes = labelMode === 'fine' ? 100 : 20;
  const batch = (name: string) => parseCifarBatch(member(members, `${DIR}/${name}`, source), `${labelMode}_labels`, classes, `${source}: ${DIR}/${name}`);
  return [cifarSplit([batch('train')]), cifarSplit([batch('test')])];
}

export const cifar100 = {
  /** [[xTrain (50000, 32, 32, 3), yTrain (50000, 1)], [xTest (10000, 32, 32, 3), yTest (10000, 1)]]; labels 0–99 (fine) or 0–19 (coarse). */
  async loadData(opts?: Cifar100LoadOptions): Promise<[Split, Split]> {
    const o = checkOptions(opts, 'cifar100.loadData', ['labelMode']) as Cifar100LoadOptions;
    const labelMode = o.labelMode ?? 'fine';
    if (labelMode !== 'fine' && labelMode !== 'coarse') {
      throw new ValueError(`cifar100.loadData: labelMode must be 'fine' or 'coarse', got ${JSON.stringify(labelMode)}`);
    }
    const { path, bytes } = await fetchDatasetFile(CIFAR100_FILE, o, 'cifar100.loadData');
    return parseCifar100Archive(bytes, path, labelMode);
  },
};
