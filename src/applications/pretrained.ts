/**
 * keras.applications' `weights=` argument: 'imagenet' downloads Keras's published file (cached
 * under CONVKIT_HOME, hash-checked where Keras publishes a hash); any other string is a path or
 * URL of a weights file to load.
 */
import { getFile } from '../io/download/get_file.js';
import { loadWeights } from '../io/model_io.js';
import type { Model } from '../models/model.js';
import type { KerasWeightsFile } from './weight_urls.js';

const KERAS_STORAGE = 'https://storage.googleapis.com/';

/**
 * CONVKIT_WEIGHTS_MIRROR (a base URL) replaces https://storage.googleapis.com/ in weight URLs, for
 * machines that reach a local mirror but not the internet.
 */
function mirrored(origin: string): string {
  const mirror = process.env.CONVKIT_WEIGHTS_MIRROR;
  if (!mirror || !origin.startsWith(KERAS_STORAGE)) return origin;
  return mirror.replace(/\/?$/, '/') + origin.slice(KERAS_STORAGE.length);
}

export async function loadApplicationWeights(model: Model, weights: string, imagenet: () => KerasWeightsFile): Promise<Model> {
  if (weights !== 'imagenet') {
    await loadWeights(model, weights);
    return model;
  }
  const file = imagenet();
  const path = await getFile(file.fname, mirrored(file.origin), { fileHash: file.fileHash, cacheSubdir: file.cacheSubdir });
  await loadWeights(model, path);
  return model;
}
