/**
 * Keras's `image_dataset_from_directory`: one subdirectory per class, streamed in batches.
 *
 * Listing, ordering, splitting and errors follow keras/src/utils/image_dataset_utils.py and
 * dataset_utils.py: class names are the sorted subdirectory names (or `classNames`, in its order);
 * each class directory is walked recursively, roots and file names sorted; the whole list is shuffled
 * once with the seed; the validation subset is the LAST `floor(validationSplit × n)` files of that list.
 * The shuffle uses convkit's generator, so a seed gives a different (but equally fixed) split than Keras.
 *
 * Only the images of the requested batch are decoded (concurrently; sharp decodes on libuv's threads), and
 * the next batch is decoded while the current one trains.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { Random, randomFor } from '../tensor/random.js';
import type { Batch, BatchSource } from './batch_source.js';
import { type ColorMode, type ImageLimits, type Interpolation, INTERPOLATIONS, DEFAULT_MAX_FILE_BYTES, loadImg } from './image.js';

/** Keras's allowlist plus WebP (which sharp decodes). BMP is listed by Keras but sharp cannot decode it. */
export const IMAGE_EXTENSIONS = ['.bmp', '.gif', '.jpeg', '.jpg', '.png', '.webp'] as const;

export type LabelMode = 'int' | 'categorical' | 'binary' | null;
export type Subset = 'training' | 'validation' | 'both';

export interface ImageDatasetOptions extends ImageLimits {
  /** 'inferred' (from the subdirectories, default), null (no labels) or one integer label per file, in sorted path order. */
  labels?: 'inferred' | null | readonly number[];
  /** 'int' (int32, shape (n,); default), 'categorical' (float32 one-hot (n, classes)), 'binary' (float32 (n, 1)), or null. */
  labelMode?: LabelMode;
  /** Subdirectories to use, in this label order (default: all, sorted). */
  classNames?: readonly string[];
  colorMode?: ColorMode;
  batchSize?: number;
  /** [height, width] every image is resized to (default [256, 256]); a number means a square. */
  imageSize?: number | readonly [number, number];
  /** Shuffle the file list once (with `seed`) and the batch order every epoch. Default true. */
  shuffle?: boolean;
  seed?: number;
  validationSplit?: number;
  subset?: Subset;
  interpolation?: Interpolation;
  /** Descend into symbolically linked subdirectories. */
  followLinks?: boolean;
  /** Crop the centre to the target aspect ratio before resizing instead of distorting. */
  cropToAspectRatio?: boolean;
  /** Print "Found N files belonging to K classes." as Keras does. Default true. */
  verbose?: boolean;
}

/**
 * A BatchSource of (images, labels): images float32 (batch, height, width, channels), values 0–255.
 * With labelMode null, y holds each image's index into `filePaths` (int32), so predictions can be
 * matched to files whatever the order.
 */
export class ImageDirectoryDataset implements BatchSource {
  readonly length: number;
  private order: Int32Array;
  private readonly rng: Random | null;
  /** The one batch decoded ahead (at most one, so random access cannot pile up decoded batches). */
  private ahead: { index: number; batch: Promise<Batch> } | null = null;

  constructor(
    /** Image files, in the dataset's (seeded, shuffled) order. */
    readonly filePaths: readonly string[],
    /** Integer label of each file (empty with labelMode null). */
    readonly labels: Int32Array,
    readonly classNames: readonly string[] | null,
    private readonly cfg: { labelMode: LabelMode; batchSize: number; imageSize: [number, number]; colorMode: ColorMode; interpolation: Interpolation; crop: boolean; limits: ImageLimits },
    shuffleSeed: number | null,
  ) {
    this.length = Math.ceil(filePaths.length / cfg.batchSize);
    this.order = Int32Array.from(filePaths, (_, i) => i);
    this.rng = shuffleSeed === null ? null : new Random(shuffleSeed);
    this.rng?.shuffle(this.order);
  }

  /** Indices into filePaths of batch `index` in the current epoch. */
  batchIndices(index: number): Int32Array {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new ValueError(`Batch index ${index} is out of range: the dataset has ${this.length} batches`);
    return this.order.subarray(index * this.cfg.batchSize, Math.min(this.filePaths.length, (index + 1) * this.cfg.batchSize));
  }

  batch(index: number): Promise<Batch> {
    const p = this.ahead?.index === index ? this.ahead.batch : this.load(index);
    this.ahead = null;
    if (index + 1 < this.length) {
      const next = this.load(index + 1);
      next.catch(() => {}); // reported when (if) that batch is requested
      this.ahead = { index: index + 1, batch: next };
    }
    return p;
  }

  onEpochEnd(): void {
    this.ahead = null;
    this.rng?.shuffle(this.order);
  }

  private async load(index: number): Promise<Batch> {
    const idx = Array.from(this.batchIndices(index));
    const { imageSize: [h, w], colorMode, interpolation, crop, limits, labelMode } = this.cfg;
    const images = await Promise.all(idx.map((i) => loadImg(this.filePaths[i], { ...limits, colorMode, targetSize: [h, w], interpolation, keepAspectRatio: crop })));
    const c = images[0].channels;
    const x = new Float32Array(idx.length * h * w * c);
    images.forEach((img, k) => x.set(img.data, k * h * w * c));
    const n = idx.length;
    let y: Tensor;
    if (labelMode === null) y = new Tensor(Int32Array.from(idx), [n]);
    else if (labelMode === 'int') y = new Tensor(Int32Array.from(idx, (i) => this.labels[i]), [n]);
    else if (labelMode === 'binary') y = new Tensor(Float32Array.from(idx, (i) => this.labels[i]), [n, 1]);
    else {
      const k = this.classNames!.length;
      const oh = new Float32Array(n * k);
      idx.forEach((i, r) => { oh[r * k + this.labels[i]] = 1; });
      y = new Tensor(oh, [n, k]);
    }
    return [new Tensor(x, [n, h, w, c]), y];
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** os.walk order: every (root, sorted files) with roots sorted as strings; links to directories are entered only with followLinks. */
async function walkFiles(top: string, followLinks: boolean): Promise<string[]> {
  const roots: [string, string[]][] = [];
  const visit = async (dir: string): Promise<void> => {
    const files: string[] = [];
    const subdirs: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) subdirs.push(p);
      else if (e.isSymbolicLink() && (await isDir(p))) {
        if (followLinks) subdirs.push(p);
      } else files.push(e.name);
    }
    roots.push([dir, files.sort()]);
    for (const d of subdirs) await visit(d);
  };
  await visit(top);
  roots.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return roots.flatMap(([root, files]) => files.filter((f) => IMAGE_EXTENSIONS.some((x) => f.toLowerCase().endsWith(x))).map((f) => join(root, f)));
}

function checkValidationSplit(split: number | undefined, subset: Subset | undefined, shuffle: boolean, seed: number | undefined): void {
  if (split !== undefined && split !== 0 && !(split > 0 && split < 1)) throw new ValueError(`validationSplit must be between 0 and 1, received: ${split}`);
  if (Boolean(split) !== Boolean(subset)) throw new ValueError('If subset is set, validationSplit must be set, and inversely.');
  if (subset !== undefined && !['training', 'validation', 'both'].includes(subset)) throw new ValueError(`subset must be either "training", "validation" or "both", received: ${subset}`);
  if (split && shuffle && seed === undefined) {
    throw new ValueError('If using validationSplit and shuffling the data, you must provide a seed, to make sure that there is no overlap between the training and validation subset.');
  }
}

/**
 * Keras's `keras.utils.image_dataset_from_directory`. Returns one dataset, or [training, validation]
 * for subset 'both'. Each is a BatchSource that `model.fit`, `evaluate` and `predict` accept.
 */
export async function imageDatasetFromDirectory(directory: string, opts: ImageDatasetOptions & { subset: 'both' }): Promise<[ImageDirectoryDataset, ImageDirectoryDataset]>;
export async function imageDatasetFromDirectory(directory: string, opts?: ImageDatasetOptions): Promise<ImageDirectoryDataset>;
export async function imageDatasetFromDirectory(directory: string, opts: ImageDatasetOptions = {}): Promise<ImageDirectoryDataset | [ImageDirectoryDataset, ImageDirectoryDataset]> {
  let labelsArg = opts.labels === undefined ? 'inferred' : opts.labels;
  let labelMode: LabelMode = opts.labelMode === undefined ? 'int' : opts.labelMode;
  if (labelsArg !== 'inferred' && labelsArg !== null) {
    if (!Array.isArray(labelsArg)) throw new ValueError(`labels must be 'inferred', null, or an array of integer labels (one per image file), received: ${JSON.stringify(labelsArg)}`);
    if (opts.classNames) throw new ValueError('You can only pass classNames if labels is "inferred".');
  }
  if (!['int', 'categorical', 'binary', null].includes(labelMode)) throw new ValueError(`labelMode must be one of "int", "categorical", "binary", or null. Received: ${JSON.stringify(labelMode)}`);
  if (labelsArg === null || labelMode === null) {
    labelsArg = null;
    labelMode = null;
  }
  const colorMode = opts.colorMode ?? 'rgb';
  if (!['rgb', 'rgba', 'grayscale'].includes(colorMode)) throw new ValueError(`colorMode must be one of "rgb", "rgba", "grayscale". Received: ${colorMode}`);
  const size = opts.imageSize ?? [256, 256];
  const imageSize: [number, number] = typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (!(Array.isArray(size) ? size.length === 2 : true) || !imageSize.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ValueError(`Invalid imageSize value. Expected [height, width] with positive integers. Received: ${JSON.stringify(size)}`);
  }
  const interpolation = opts.interpolation ?? 'bilinear';
  if (!INTERPOLATIONS.includes(interpolation)) throw new ValueError(`interpolation should be one of ${INTERPOLATIONS.join(', ')}. Received: ${interpolation}`);
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ValueError(`batchSize must be a positive integer, received: ${batchSize}`);
  const shuffle = opts.shuffle ?? true;
  const { validationSplit, subset } = opts;
  checkValidationSplit(validationSplit, subset, shuffle, opts.seed);
  const seed = opts.seed ?? randomFor().nextUint32();
  const verbose = opts.verbose ?? true;
  const limits: ImageLimits = { maxPixels: opts.maxPixels, maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES };

  if (!(await isDir(directory))) throw new ValueError(`Directory ${directory} does not exist or is not a directory`);

  // Index the files (dataset_utils.index_directory).
  let classNames: string[] | null;
  let paths: string[];
  let labels: Int32Array;
  if (labelsArg === 'inferred') {
    const entries = (await readdir(directory)).sort();
    const subdirs: string[] = [];
    for (const name of entries) if (!name.startsWith('.') && (await isDir(join(directory, name)))) subdirs.push(name);
    if (opts.classNames) {
      const missing = opts.classNames.filter((c) => !subdirs.includes(c));
      if (missing.length) throw new ValueError(`The classNames passed did not match the names of the subdirectories of ${directory}. Expected: ${JSON.stringify(subdirs)} (or a subset of it), but received: classNames=${JSON.stringify(opts.classNames)}`);
    }
    classNames = opts.classNames ? [...opts.classNames] : subdirs;
    const perClass = await Promise.all(classNames.map((c) => walkFiles(join(directory, c), opts.followLinks ?? false)));
    paths = perClass.flat();
    labels = Int32Array.from(perClass.flatMap((files, k) => files.map(() => k)));
  } else {
    if (opts.classNames) throw new ValueError('When labels is null (no labels), classNames cannot be specified.');
    paths = await walkFiles(directory, opts.followLinks ?? false);
    if (labelsArg === null) {
      classNames = null;
      labels = new Int32Array(0);
    } else {
      if (labelsArg.length !== paths.length) throw new ValueError(`Expected the lengths of labels to match the number of files in the target directory. labels has ${labelsArg.length} entries while we found ${paths.length} files in directory ${directory}.`);
      if (!labelsArg.every((l) => Number.isInteger(l) && l >= 0)) throw new ValueError('labels must be non-negative integers');
      const distinct = [...new Set(labelsArg)].sort((a, b) => a - b);
      classNames = distinct.map(String);
      // Labels index classNames, so explicit labels like [3, 7] become 0 and 1.
      labels = Int32Array.from(labelsArg, (l) => distinct.indexOf(l));
    }
  }
  if (verbose) console.log(labelsArg === null ? `Found ${paths.length} files.` : `Found ${paths.length} files belonging to ${classNames!.length} classes.`);
  if (shuffle) {
    // The same permutation for paths and labels.
    const perm = new Random(seed).shuffle(Int32Array.from(paths, (_, i) => i));
    paths = Array.from(perm, (i) => paths[i]);
    if (labels.length) labels = Int32Array.from(perm, (i) => labels[i]);
  }
  if (labelMode === 'binary' && classNames!.length !== 2) {
    throw new ValueError(`When passing labelMode "binary", there must be exactly 2 classNames. Received: classNames=${JSON.stringify(classNames)}`);
  }

  const cfg = { labelMode, batchSize, imageSize, colorMode, interpolation, crop: opts.cropToAspectRatio ?? false, limits };
  const noImages = (which: string) => new ValueError(`No ${which}images found in directory ${directory}. Allowed formats: ${IMAGE_EXTENSIONS.join(', ')}`);
  const split = (part: 'training' | 'validation'): [string[], Int32Array] => {
    if (!validationSplit) return [paths, labels];
    const nVal = Math.floor(validationSplit * paths.length);
    if (nVal === 0 && paths.length > 0) throw new ValueError(`validationSplit ${validationSplit} of ${paths.length} files leaves no validation files`);
    const at = paths.length - nVal;
    if (verbose) console.log(part === 'training' ? `Using ${at} files for training.` : `Using ${nVal} files for validation.`);
    return part === 'training' ? [paths.slice(0, at), labels.slice(0, labels.length ? at : 0)] : [paths.slice(at), labels.slice(labels.length ? at : 0)];
  };
  // Per-epoch reshuffling draws from its own stream, derived from the seed.
  const epochSeed = shuffle ? new Random(seed ^ 0x5bd1e995).nextUint32() : null;
  if (subset === 'both') {
    const [trP, trL] = split('training');
    const [vaP, vaL] = split('validation');
    if (!trP.length) throw noImages('training ');
    if (!vaP.length) throw noImages('validation ');
    return [new ImageDirectoryDataset(trP, trL, classNames, cfg, epochSeed), new ImageDirectoryDataset(vaP, vaL, classNames, cfg, null)];
  }
  const [p, l] = split(subset ?? 'training');
  if (!p.length) throw noImages('');
  return new ImageDirectoryDataset(p, l, classNames, cfg, epochSeed);
}
