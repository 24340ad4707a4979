/**
 * keras.applications' `weights=` argument: 'imagenet' downloads Keras's published file (cached
 * under CONVKIT_HOME, hash-checked where Keras publishes a hash); any other string is a path or
 * URL of a weights file to load.
 */
import { getFile } from '../io/download/get_file.js';
import { mirrorFromEnv } from '../io/download/mirror.js';
import { loadWeights } from '../io/model_io.js';
import type { Model } from '../models/model.js';
import type { KerasWeightsFile } from './weight_urls.js';

/**
 * CONVKIT_WEIGHTS_MIRROR (a base URL) replaces the scheme and host (https://storage.googleapis.com/) of
 * weight URLs, for machines that reach a local mirror but not the internet.
 */
function mirrored(origin: string): string {
  return mirrorFromEnv(origin, 'CONVKIT_WEIGHTS_MIRROR');
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
