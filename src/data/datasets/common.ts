/**
 * What every keras.datasets loader shares: the options, fetching Keras's files through getFile (cache under
 * $CONVKIT_HOME/datasets, resumable, hash-checked before it enters the cache), mirrors, and the
 * conversion to this library's convention: images as float32 tensors holding 0–255, labels as int32.
 */
import { readFile } from 'node:fs/promises';
import { ValueError } from '../../errors.js';
import { getFile } from '../../io/download/get_file.js';
import { mirrorUrl } from '../../io/download/mirror.js';
import type { ProgressCallback } from '../../io/download/progress.js';
import { Tensor } from '../../tensor/tensor.js';

/** One split: [x, y]. loadData returns [[xTrain, yTrain], [xTest, yTest]]. */
export type Split = [Tensor, Tensor];

export interface LoadDataOptions {
  /**
   * A base URL replacing the scheme and host of Keras's URLs, e.g. 'http://127.0.0.1:8080/' fetches
   * …/tensorflow/tf-keras-datasets/mnist.npz from there. Default: $CONVKIT_DATASETS_MIRROR, else Keras's hosts.
   */
  origin?: string;
  /**
   * Expected sha256/md5 of the file, replacing Keras's published hash (default); null skips the check.
   * For datasets of several files (Fashion-MNIST), an object keyed by file name.
   */
  fileHash?: string | null | Record<string, string | null>;
  /** Cache root (default $CONVKIT_HOME, else ~/.convkit); files go to its `datasets` subdirectory. */
  cacheDir?: string;
  /** Progress line on stderr: default when stderr is a terminal. */
  progress?: boolean | ProgressCallback;
  /** Socket idle timeout in ms (default 30000). */
  timeoutMs?: number;
}

export interface DatasetFile {
  fname: string;
  /** Keras's URL. */
  origin: string;
  /** Keras's published sha256. */
  fileHash: string;
  /** Relative to the cache root, as Keras's cache_subdir. */
  cacheSubdir: string;
}

export const KERAS_DATASETS_URL = 'https://storage.googleapis.com/tensorflow/tf-keras-datasets/';

const COMMON_OPTIONS = ['origin', 'fileHash', 'cacheDir', 'progress', 'timeoutMs'];

/** `extra`: the loader's own options (mnist: offline, cifar100: labelMode). */
export function checkOptions(opts: unknown, who: string, extra: readonly string[] = []): LoadDataOptions {
  const known = [...COMMON_OPTIONS, ...extra];
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ValueError(`${who}: options must be an object, got ${JSON.stringify(opts)}`);
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new ValueError(`${who}: unknown option(s) ${unknown.join(', ')}. Known: ${known.join(', ')}`);
  return opts as LoadDataOptions;
}

function expectedHash(file: DatasetFile, opts: LoadDataOptions, multi: boolean, who: string): string | undefined {
  const h = opts.fileHash;
  if (h === undefined) return file.fileHash;
  if (h === null) return undefined;
  if (typeof h === 'string') {
    if (multi) throw new ValueError(`${who}: this dataset has several files; pass fileHash as an object keyed by file name`);
    return h;
  }
  if (typeof h !== 'object') throw new ValueError(`${who}: fileHash must be a hex digest, null, or an object of them by file name`);
  if (!(file.fname in h)) return file.fileHash;
  return h[file.fname] ?? undefined;
}

/** Downloads (or finds in the cache) one of the dataset's files and returns its bytes. */
export async function fetchDatasetFile(file: DatasetFile, opts: LoadDataOptions, who: string, multi = false): Promise<{ path: string; bytes: Uint8Array }> {
  const base = opts.origin ?? process.env.CONVKIT_DATASETS_MIRROR;
  const url = mirrorUrl(file.origin, base, opts.origin !== undefined ? `${who}: origin` : 'CONVKIT_DATASETS_MIRROR');
  const path = await getFile(file.fname, url, {
    fileHash: expectedHash(file, opts, multi, who),
    cacheSubdir: file.cacheSubdir,
    cacheDir: opts.cacheDir,
    progress: opts.progress,
    timeoutMs: opts.timeoutMs,
  });
  const buf = await readFile(path);
  return { path, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
}

/** uint8 pixels → float32 tensor of `shape` holding 0–255 (the convention of every loader here). */
export function imageTensor(pixels: Uint8Array, shape: number[]): Tensor {
  return new Tensor(Float32Array.from(pixels), shape);
}

/** Class indices → int32 tensor of `shape` ((N,) for MNIST-like sets, (N, 1) for CIFAR as Keras). */
export function labelTensor(labels: ArrayLike<number>, shape: number[]): Tensor {
  return new Tensor(Int32Array.from(labels), shape);
}
