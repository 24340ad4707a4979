/**
 * `convkit train --logdir DIR`: the LiveLogger that records the run for `convkit dashboard`, given
 * what fit() itself does not hand to callbacks — the validation samples (for snapshots and the
 * confusion matrix) and the class names.
 */
import { basename, resolve } from 'node:path';
import { LiveLogger } from '../callbacks/live_logger.js';
import { cifar10, fashionMnist, mnist } from '../data/datasets.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TrainingData } from './data.js';

/** Class names of the training data: the named datasets' own, a directory's folder names, else none. */
function classNamesOf(dataset: string | undefined, td: TrainingData): readonly string[] | undefined {
  if (td.kind === 'source') return td.classNames ?? undefined;
  if (dataset === undefined || dataset === 'mnist') return mnist.classNames;
  if (dataset === 'fashion-mnist') return fashionMnist.classNames;
  if (dataset === 'cifar10') return cifar10.classNames;
  return undefined;
}

/** The samples fit()'s validationSplit holds out: the last fraction, before shuffling (as Keras, and trainer.ts). */
function validationTail(x: Tensor, y: Tensor, split: number): [Tensor, Tensor] | null {
  if (!(split > 0 && split < 1)) return null;
  const at = Math.floor(x.shape[0] * (1 - split));
  if (at === 0 || at === x.shape[0]) return null;
  const tail = (t: Tensor) => ops.slice(t, [at, ...t.shape.slice(1).map(() => 0)], [t.shape[0] - at, ...t.shape.slice(1)]);
  return [tail(x), tail(y)];
}

export async function trainLiveLogger(
  logdir: string, dataset: string | undefined, validationSplit: number, td: TrainingData, runOptions: Record<string, unknown>,
): Promise<LiveLogger> {
  const common = { logdir, name: basename(resolve(logdir)), classNames: classNamesOf(dataset, td), runOptions: { command: 'train', ...runOptions } };
  if (td.kind === 'tensors') {
    const { xTrain, yTrain } = td.data;
    const validation = validationTail(xTrain, yTrain, validationSplit);
    if (validation) return new LiveLogger({ ...common, validationData: validation });
    // No held-out samples: the snapshots follow the first training image, and there is no confusion matrix.
    return new LiveLogger({ ...common, snapshotSample: ops.slice(xTrain, xTrain.shape.map(() => 0), [1, ...xTrain.shape.slice(1)]) });
  }
  if (td.validation) return new LiveLogger({ ...common, validationData: td.validation });
  const [x] = await td.train.batch(0);
  return new LiveLogger({ ...common, snapshotSample: ops.slice(x, x.shape.map(() => 0), [1, ...x.shape.slice(1)]) });
}
