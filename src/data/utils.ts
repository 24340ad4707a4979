/**
 * Data utilities of the seeds' preprocessing: Keras's `to_categorical`, scikit-learn's
 * `train_test_split` (seeded, optionally stratified) and the per-channel mean/std standardisation
 * seed 003 applies to CIFAR-10 (`np.mean(x, axis=(0,1,2))`, `np.std(...)`).
 */
import { ValueError } from '../errors.js';
import { gather } from '../ops/movement.js';
import { tensor, type TensorLike } from '../ops/creation.js';
import { Random, randomFor } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

function asTensor(x: TensorLike, what: string): Tensor {
  if (x instanceof Tensor) return x;
  try {
    return tensor(x);
  } catch (e) {
    throw new ValueError(`${what}: ${(e as Error).message}`);
  }
}

/** Integer labels as a flat list; non-integers are an error (Keras would silently truncate). */
function labelList(y: Tensor, what: string): number[] {
  const out: number[] = [];
  for (const v of y.values) {
    if (!Number.isInteger(v)) throw new ValueError(`${what}: labels must be integers, got ${v}`);
    out.push(v);
  }
  return out;
}

/**
 * One-hot float32 encoding of integer class labels (keras.utils.to_categorical). A trailing
 * axis of size 1 is dropped first, as Keras does, so CIFAR's (n, 1) labels give (n, numClasses).
 * numClasses defaults to max(y) + 1.
 */
export function toCategorical(y: TensorLike, numClasses?: number): Tensor {
  const t = asTensor(y, 'toCategorical');
  let shape = [...t.shape];
  if (shape.length > 1 && shape[shape.length - 1] === 1) shape = shape.slice(0, -1);
  const labels = labelList(t, 'toCategorical');
  const n = numClasses ?? (labels.length ? Math.max(...labels) + 1 : 0);
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`toCategorical: numClasses must be a positive integer, got ${numClasses}`);
  const out = new Float32Array(labels.length * n);
  labels.forEach((v, i) => {
    if (v < 0 || v >= n) throw new ValueError(`toCategorical: label ${v} at index ${i} is out of range [0, ${n})`);
    out[i * n + v] = 1;
  });
  return new Tensor(out, [...shape, n]);
}

export interface TrainTestSplitOptions {
  /** Fraction in (0, 1) or an absolute count of test samples. Default 0.25 (when trainSize is not given either). */
  testSize?: number;
  /** Fraction in (0, 1) or an absolute count; default: the complement of testSize. */
  trainSize?: number;
  /** Seed of the shuffle (sklearn's random_state); without one, drawn from convkit's global generator. */
  seed?: number;
  /** Default true. Without shuffling the first samples are the training set. */
  shuffle?: boolean;
  /** Class labels to keep the proportions of in both sets, or true for `y`. */
  stratify?: TensorLike | true;
}

/** sklearn's _validate_shuffle_split: counts from float (ceil for test, floor for train) or int sizes. */
function splitSizes(n: number, testSize: number | undefined, trainSize: number | undefined): [nTrain: number, nTest: number] {
  const check = (v: number | undefined, name: string) => {
    if (v === undefined) return;
    if (!Number.isFinite(v) || v <= 0) throw new ValueError(`trainTestSplit: ${name}=${v} should be a positive integer or a float in (0, 1)`);
    if (Number.isInteger(v) && v >= 1 ? v >= n : v >= 1) {
      throw new ValueError(`trainTestSplit: ${name}=${v} should be ${Number.isInteger(v) ? `smaller than the number of samples ${n}` : 'a float in (0, 1)'}`);
    }
  };
  if (testSize === undefined && trainSize === undefined) testSize = 0.25;
  check(testSize, 'testSize');
  check(trainSize, 'trainSize');
  const isFrac = (v: number) => !Number.isInteger(v) || v < 1;
  let nTest = testSize === undefined ? undefined : isFrac(testSize) ? Math.ceil(testSize * n) : testSize;
  let nTrain = trainSize === undefined ? undefined : isFrac(trainSize) ? Math.floor(trainSize * n) : trainSize;
  if (nTrain === undefined) nTrain = n - (nTest as number);
  if (nTest === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) throw new ValueError(`trainTestSplit: trainSize + testSize = ${nTrain + nTest} is more than the ${n} samples`);
  if (nTrain === 0) throw new ValueError(`trainTestSplit: with n_samples=${n}, testSize=${testSize} and trainSize=${trainSize}, the training set would be empty`);
  return [nTrain, nTest];
}

/** sklearn's _approximate_mode: per-class counts summing to nDraws, ties broken at random. */
function approximateMode(counts: number[], nDraws: number, rng: Random): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const cont = counts.map((c) => (c * nDraws) / total);
  const floored = cont.map(Math.floor);
  let need = nDraws - floored.reduce((a, b) => a + b, 0);
  const rem = cont.map((c, i) => c - floored[i]);
  for (const value of [...new Set(rem)].sort((a, b) => b - a)) {
    if (need <= 0) break;
    const inds = rng.shuffle(rem.flatMap((r, i) => (r === value ? [i] : [])));
    for (const i of inds.slice(0, Math.min(inds.length, need))) floored[i]++;
    need -= Math.min(inds.length, need);
  }
  return floored;
}

function stratifiedIndices(labels: number[], nTrain: number, nTest: number, rng: Random): [number[], number[]] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const byClass = classes.map((c) => labels.flatMap((l, i) => (l === c ? [i] : [])));
  const counts = byClass.map((g) => g.length);
  if (Math.min(...counts) < 2) {
    throw new ValueError('trainTestSplit: the least populated class in stratify has only 1 member, which is too few; every class needs at least 2');
  }
  if (nTrain < classes.length) throw new ValueError(`trainTestSplit: the train size ${nTrain} should be at least the number of classes ${classes.length}`);
  if (nTest < classes.length) throw new ValueError(`trainTestSplit: the test size ${nTest} should be at least the number of classes ${classes.length}`);
  const trainPer = approximateMode(counts, nTrain, rng);
  const testPer = approximateMode(counts.map((c, i) => c - trainPer[i]), nTest, rng);
  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((g, k) => {
    const perm = rng.shuffle([...g]);
    train.push(...perm.slice(0, trainPer[k]));
    test.push(...perm.slice(trainPer[k], trainPer[k] + testPer[k]));
  });
  return [rng.shuffle(train), rng.shuffle(test)];
}

/**
 * Split arrays into random train and test subsets (sklearn.model_selection.train_test_split):
 * `const [xTrain, xTest, yTrain, yTest] = trainTestSplit(x, y, { testSize: 0.2, seed: 42 })`.
 * Rows (axis 0) are split; the same seed gives the same split. With `stratify` every class keeps
 * its proportion in both sets (up to rounding, distributed as sklearn does).
 */
export function trainTestSplit(x: TensorLike, y?: TensorLike | null, opts: TrainTestSplitOptions = {}): Tensor[] {
  const xs = [asTensor(x, 'trainTestSplit')];
  if (y !== undefined && y !== null) xs.push(asTensor(y, 'trainTestSplit'));
  const n = xs[0].shape[0];
  if (xs[0].rank === 0 || n === undefined) throw new ValueError('trainTestSplit: x must have a sample axis');
  for (const t of xs) {
    if (t.shape[0] !== n) throw new ValueError(`trainTestSplit: found input variables with inconsistent numbers of samples: [${xs.map((a) => a.shape[0]).join(', ')}]`);
  }
  const [nTrain, nTest] = splitSizes(n, opts.testSize, opts.trainSize);
  const shuffle = opts.shuffle ?? true;
  let train: number[];
  let test: number[];
  if (opts.stratify !== undefined && opts.stratify !== null) {
    if (!shuffle) throw new ValueError('trainTestSplit: stratified splitting needs shuffle=true (as in scikit-learn)');
    const strat = opts.stratify === true ? xs[1] : asTensor(opts.stratify, 'trainTestSplit');
    if (!strat) throw new ValueError('trainTestSplit: stratify=true needs y');
    if (strat.shape[0] !== n) throw new ValueError(`trainTestSplit: stratify has ${strat.shape[0]} labels for ${n} samples`);
    const per = strat.size / n;
    // Multi-column labels (one-hot) stratify by the position of their largest entry.
    const labels = per === 1 ? labelList(strat, 'trainTestSplit stratify') : Array.from({ length: n }, (_, i) => {
      const row = strat.values.subarray(i * per, (i + 1) * per);
      let best = 0;
      for (let j = 1; j < per; j++) if (row[j] > row[best]) best = j;
      return best;
    });
    [train, test] = stratifiedIndices(labels, nTrain, nTest, randomFor(opts.seed));
  } else if (shuffle) {
    const perm = randomFor(opts.seed).shuffle(Array.from({ length: n }, (_, i) => i));
    test = perm.slice(0, nTest);
    train = perm.slice(nTest, nTest + nTrain);
  } else {
    train = Array.from({ length: nTrain }, (_, i) => i);
    test = Array.from({ length: nTest }, (_, i) => nTrain + i);
  }
  return xs.flatMap((t) => [gather(t, train, 0), gather(t, test, 0)]);
}

export interface ChannelStats {
  /** Per-channel mean, length = the last axis. */
  mean: Float64Array;
  /** Per-channel population standard deviation (numpy's std, ddof=0). */
  std: Float64Array;
}

/** Mean and std of every channel (last axis) over all other axes, accumulated in float64. */
export function channelStats(x: Tensor): ChannelStats {
  if (x.rank < 1) throw new ValueError('channelStats: x must have a channel axis');
  const c = x.shape[x.rank - 1];
  const v = x.values;
  const count = c ? v.length / c : 0;
  if (count === 0) throw new ValueError('channelStats: x has no samples');
  const mean = new Float64Array(c);
  const std = new Float64Array(c);
  for (let i = 0; i < v.length; i++) mean[i % c] += v[i];
  for (let k = 0; k < c; k++) mean[k] /= count;
  // Two passes (not E[x²] − E[x]²) so large pixel values do not cancel catastrophically.
  for (let i = 0; i < v.length; i++) {
    const d = v[i] - mean[i % c];
    std[i % c] += d * d;
  }
  for (let k = 0; k < c; k++) std[k] = Math.sqrt(std[k] / count);
  return { mean, std };
}

/** (x − mean) / std per channel, float32. A constant channel (std 0) is only centred, not divided. */
export function standardizeChannels(x: Tensor, stats: ChannelStats): Tensor {
  const c = x.shape[x.rank - 1];
  if (stats.mean.length !== c) throw new ValueError(`standardizeChannels: stats have ${stats.mean.length} channels, x has ${c}`);
  const v = x.values;
  const out = new Float32Array(v.length);
  const inv = Array.from(stats.std, (s) => (s > 0 ? 1 / s : 1));
  for (let i = 0; i < v.length; i++) {
    const k = i % c;
    out[i] = (v[i] - stats.mean[k]) * inv[k];
  }
  return new Tensor(out, x.shape);
}

/**
 * Seed 003's CIFAR-10 normalisation: per-channel mean and std of the training set, applied to
 * the training set and (with the training statistics) to the test set.
 */
export function normalizePerChannel(xTrain: Tensor, xTest?: Tensor): { xTrain: Tensor; xTest?: Tensor; mean: number[]; std: number[] } {
  const stats = channelStats(xTrain);
  return {
    xTrain: standardizeChannels(xTrain, stats),
    ...(xTest ? { xTest: standardizeChannels(xTest, stats) } : {}),
    mean: Array.from(stats.mean),
    std: Array.from(stats.std),
  };
}

// keras.utils also holds the image helpers (load_img, img_to_array, array_to_img, save_img,
// image_dataset_from_directory); the same functions as convkit's `image` namespace.
export { loadImg, imgToArray, arrayToImg, saveImg } from './image.js';
export { imageDatasetFromDirectory } from './image_dataset.js';
export { plotModel } from '../viz/plot_model.js';
