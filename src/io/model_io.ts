/**
 * One entry point for every model file convkit reads and writes. Reading goes by content (a zip
 * is a .keras archive, HDF5 is a Keras h5 file, model.json is TensorFlow.js, CONVKIT magic is
 * convkit's own format), so a misnamed file still loads; writing goes by the file name or an
 * explicit `format`, as Keras's model.save does.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatError, ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import { writeFileAtomic } from './atomic_write.js';
import { CONVKIT_MAGIC, describeLeadingBytes } from './convkit_format.js';
import { convkitModelBytes, modelFromConvkitBytes } from './convkit_model.js';
import { getFile } from './download/get_file.js';
import { encodeHdf5, looksLikeHdf5, readHdf5 } from './hdf5/hdf5.js';
import type { CustomObjects } from './keras/config_in.js';
import { h5ModelTree, h5WeightsTree, loadWeightsFromH5, modelFromH5 } from './keras/h5_model.js';
import { looksLikeZip } from './keras/keras_archive.js';
import { kerasArchiveBytes, keras3WeightsBytes, loadWeightsFromKerasArchive, modelFromKerasArchive } from './keras/keras_model.js';
import { type TfjsArtifacts, isTfjsLocation, loadTfjsModel, saveTfjsModel } from './tfjs/tfjs_io.js';

export interface LoadOptions {
  /** Your own layer classes by class name, for configs that use them (Keras's custom_objects). */
  customObjects?: CustomObjects;
  /** Restore the optimizer/loss/metrics from the file (default true). */
  compile?: boolean;
  /** For http(s) sources: the file's sha256 or md5 hex digest, checked after download. */
  fileHash?: string;
}

export type SaveFormat = 'keras' | 'h5' | 'tfjs' | 'convkit';
export const SAVE_FORMATS: readonly SaveFormat[] = ['keras', 'h5', 'tfjs', 'convkit'];

export interface SaveOptions {
  /** Default: from the file name (.keras, .h5/.hdf5, .convkit; `file://dir` means tfjs). */
  format?: SaveFormat;
}

const READABLE = 'a Keras .keras archive, a Keras .h5 file, a TensorFlow.js model.json (or its directory), or a convkit file written by model.save()';

function formatFromPath(path: string): SaveFormat {
  if (/\.keras$/i.test(path)) return 'keras';
  if (/\.(h5|hdf5)$/i.test(path)) return 'h5';
  if (/\.convkit$/i.test(path)) return 'convkit';
  if (/^file:\/\//i.test(path)) return 'tfjs';
  throw new ValueError(`save(${JSON.stringify(path)}): cannot tell the format from the file name. Use a name ending in .keras (Keras 3), .h5 (Keras 2 HDF5) or .convkit, or save(dir, {format: 'tfjs'}) for a TensorFlow.js model`);
}

export async function saveModel(model: Model, path: string, opts: SaveOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) throw new ValueError(`save: path must be a non-empty string, got ${JSON.stringify(path)}`);
  const format = opts.format ?? formatFromPath(path);
  switch (format) {
    case 'keras': return writeFileAtomic(path, await kerasArchiveBytes(model));
    case 'h5': return writeFileAtomic(path, await encodeHdf5(h5ModelTree(model)));
    case 'convkit': return writeFileAtomic(path, convkitModelBytes(model));
    case 'tfjs': return saveTfjsModel(model, /^file:/i.test(path) ? fileURLToPath(path) : path);
    default: throw new ValueError(`save: unknown format ${JSON.stringify(format)}; expected one of ${SAVE_FORMATS.join(', ')}`);
  }
}

/** A local path for `location`, downloading http(s) URLs into the cache (CONVKIT_HOME/models). */
async function localPath(location: string, fileHash: string | undefined): Promise<string> {
  if (/^https?:\/\//i.test(location)) {
    const fname = basename(new URL(location).pathname);
    if (!fname) throw new ValueError(`Cannot tell a file name from the URL ${location}`);
    return getFile(fname, location, { fileHash, cacheSubdir: 'models' });
  }
  return /^file:/i.test(location) ? fileURLToPath(location) : location;
}

async function readLocal(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValueError(`${what}: cannot read ${JSON.stringify(path)}${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory without a model.json' : `: ${(e as Error).message}`}`);
  }
}

/** A prefix of CONVKIT magic counts, so a truncated convkit file gets convkit's precise error. */
function looksLikeConvkit(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, CONVKIT_MAGIC.length);
  return n > 0 && CONVKIT_MAGIC.subarray(0, n).every((b, i) => bytes[i] === b);
}

/**
 * Opens a model: a path, a file:// or http(s):// URL (downloaded to the cache first, except
 * tfjs model.json URLs, which are read directly), or in-memory TensorFlow.js artifacts.
 */
export async function loadModel(source: string | URL | TfjsArtifacts, opts: LoadOptions = {}): Promise<Model> {
  if (source instanceof URL) source = source.href;
  if (source && typeof source === 'object') return loadTfjsModel(source, opts);
  if (typeof source !== 'string' || source.length === 0) throw new ValueError(`loadModel: expected a path, a URL or TensorFlow.js artifacts, got ${JSON.stringify(source)}`);
  if (/^https?:\/\/.*\.json([?#].*)?$/i.test(source)) return loadTfjsModel(source, opts);
  const path = await localPath(source, opts.fileHash);
  if (await isTfjsLocation(path)) return loadTfjsModel(path, opts);
  const bytes = await readLocal(path, 'loadModel');
  if (looksLikeZip(bytes)) return modelFromKerasArchive(bytes, path, opts);
  if (looksLikeHdf5(bytes)) return modelFromH5(await readHdf5(bytes, path), path, opts);
  if (looksLikeConvkit(bytes)) return modelFromConvkitBytes(bytes, path, opts);
  throw new FormatError(`${path}: not a model file convkit reads (found ${describeLeadingBytes(bytes)}); expected ${READABLE}`);
}

/** Keras's save_weights: `.weights.h5` in Keras 3's layout, `.h5` in Keras 2's. */
export async function saveWeights(model: Model, path: string): Promise<void> {
  if (/\.weights\.h5$/i.test(path)) return writeFileAtomic(path, await keras3WeightsBytes(model));
  if (/\.(h5|hdf5)$/i.test(path)) return writeFileAtomic(path, await encodeHdf5(h5WeightsTree(model)));
  throw new ValueError(`saveWeights(${JSON.stringify(path)}): the file name must end in .weights.h5 (Keras 3 layout) or .h5 (Keras 2 layout)`);
}

/**
 * Loads weights into an existing model from any Keras weights layout (Keras 2 or 3
 * weights-only h5, a full-model .h5, a .keras archive) or a convkit model file. Layers are
 * matched by name when every name is found, else by order, as Keras does.
 */
export async function loadWeights(model: Model, source: string | URL, opts: { fileHash?: string } = {}): Promise<void> {
  const location = source instanceof URL ? source.href : source;
  if (typeof location !== 'string' || location.length === 0) throw new ValueError(`loadWeights: expected a path or URL, got ${JSON.stringify(source)}`);
  const path = await localPath(location, opts.fileHash);
  const bytes = await readLocal(path, 'loadWeights');
  if (looksLikeZip(bytes)) return loadWeightsFromKerasArchive(model, bytes, path);
  if (looksLikeHdf5(bytes)) return loadWeightsFromH5(model, await readHdf5(bytes, path), path);
  if (looksLikeConvkit(bytes)) {
    const donor = modelFromConvkitBytes(bytes, path, { compile: false });
    const vars = model.weights;
    if (donor.weights.length !== vars.length) throw new FormatError(`${path}: the file holds ${donor.weights.length} weights but the model has ${vars.length}`);
    donor.weights.forEach((w, i) => {
      if (w.shape.join() !== vars[i]!.shape.join()) throw new FormatError(`${path}: weight ${i} ("${w.name}") has shape (${w.shape.join(', ')}) but "${vars[i]!.name}" needs (${vars[i]!.shape.join(', ')})`);
      vars[i]!.assign(w);
    });
    return;
  }
  throw new FormatError(`${path}: not a weights file convkit reads (found ${describeLeadingBytes(bytes)}); expected a Keras .h5 / .weights.h5 / .keras file or a convkit model file`);
}

/** Downloads (or finds in the cache) a weights file and loads it into `model`. */
export async function loadWeightsFromUrl(model: Model, url: string, opts: { fileHash?: string; fname?: string; cacheSubdir?: string } = {}): Promise<string> {
  if (!/^(https?|file):/i.test(url)) throw new ValueError(`loadWeightsFromUrl: expected an http(s):// or file:// URL, got ${JSON.stringify(url)}`);
  const fname = opts.fname ?? basename(new URL(url).pathname);
  const path = await getFile(fname, url, { fileHash: opts.fileHash, cacheSubdir: opts.cacheSubdir ?? 'models' });
  await loadWeights(model, path);
  return path;
}
