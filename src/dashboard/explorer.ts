/**
 * The feature-map explorer: runs a run's latest weights (model.convkit, reloaded only when the file's
 * mtime changes) on one image — an uploaded file or an embedded test digit — and returns the top-5
 * prediction and every 4-D layer's maps, quantized exactly as the LiveLogger's training snapshots
 * (the same code), so the page draws both with one routine.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ValueError } from '../errors.js';
import { loadModel } from '../io/model_io.js';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadModelInput } from '../cli/model_input.js';
import { sampleImage, snapshotLayers } from '../callbacks/live_logger_records.js';
import { encodeImage, decodeImage } from '../data/image.js';
import { loadEmbeddedMnist } from '../data/mnist_embedded.js';
import { RUN_FILES, type SnapshotImage, type SnapshotLayer, encodeUint8 } from './logdir_format.js';
import { HttpError } from './http_util.js';
import { type Ranked, topK } from './top_k.js';

/** More channels than this are cut (the page shows a grid; 64 tiles is already a lot to look at). */
export const MAX_EXPLORER_CHANNELS = 64;

export interface ExplorerLayer extends SnapshotLayer {
  /** The layer's channel count before cutting to MAX_EXPLORER_CHANNELS (shape[2] is the kept count). */
  channels: number;
}

/** Uploads larger than this are refused before decoding (width × height). */
export const MAX_UPLOAD_PIXELS = 4096 * 4096;

export type ExploreInput = { image: Uint8Array } | { index: number };

export interface ExploreResult {
  source: string;
  label: number | null;
  /** The model's input as it saw it, for display (uint8 HWC base64). */
  input: SnapshotImage;
  top: Ranked[];
  layers: ExplorerLayer[];
}

interface CachedModel {
  mtimeMs: number;
  size: number;
  model: Promise<Model>;
}

export class Explorer {
  private readonly models = new Map<string, CachedModel>();

  /** The run's model.convkit, loaded once per version of the file. */
  async model(runDir: string, runName: string): Promise<Model> {
    const path = join(runDir, RUN_FILES.weights);
    let st;
    try {
      st = await stat(path);
    } catch {
      throw new HttpError(404, `Run "${runName}" has no ${RUN_FILES.weights} yet: the logger writes it at the end of the first epoch`);
    }
    const cached = this.models.get(runDir);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.model;
    // A file that does not load is the run's problem, not the request's: 500 with the reason.
    const model = loadModel(path).catch((e: unknown) => {
      throw new HttpError(500, `Cannot load ${RUN_FILES.weights} of run "${runName}": ${(e as Error)?.message ?? String(e)}`);
    });
    this.models.set(runDir, { mtimeMs: st.mtimeMs, size: st.size, model });
    model.catch(() => this.models.delete(runDir));
    return model;
  }

  async explore(runDir: string, runName: string, input: ExploreInput): Promise<ExploreResult> {
    if ('image' in input) await checkImageHeader(input.image);
    const model = await this.model(runDir, runName);
    const prepared = await loadModelInput(model, 'image' in input ? { image: input.image } : { index: input.index });
    const x: Tensor = prepared.x;
    const out = model.predict(x) as Tensor | Tensor[];
    const probs = Array.isArray(out) ? out[0] : out;
    const classes = probs.shape[probs.shape.length - 1];
    const top = topK(probs.values.subarray(0, classes), Math.min(5, classes));
    const layers = snapshotLayers(model, x, MAX_EXPLORER_CHANNELS).map((l) => ({ ...l, channels: channelsOf(model, l) }));
    return { source: prepared.source, label: prepared.label ?? null, input: sampleImage(x, undefined), top, layers };
  }
}

/** The channel count of a layer's output (the last axis), from the model's record of shapes. */
function channelsOf(model: Model, l: SnapshotLayer): number {
  try {
    const shape = model.layerOutputShape(model.getLayer(l.name));
    const last = Array.isArray(shape) && !Array.isArray(shape[0]) ? shape[shape.length - 1] : null;
    return typeof last === 'number' ? last : l.shape[2];
  } catch {
    return l.shape[2]; // a layer inside a nested model: getLayer does not reach it
  }
}

/**
 * Refuses an upload that is not an image, or one with more than MAX_UPLOAD_PIXELS pixels, from its header
 * (decodeImage reads the header before decoding any pixel).
 */
async function checkImageHeader(bytes: Uint8Array): Promise<void> {
  if (bytes.length === 0) throw new HttpError(400, 'The request body is empty: send the bytes of an image file (PNG, JPEG, WebP…) or JSON {"index": n}');
  try {
    await decodeImage(bytes, 'the uploaded file', { maxPixels: MAX_UPLOAD_PIXELS, targetSize: [1, 1] });
  } catch (e) {
    if (e instanceof ValueError && /exceeds the limit|pixel limit/.test(e.message)) {
      throw new HttpError(413, `The uploaded image is too large: at most 4096×4096 pixels (${MAX_UPLOAD_PIXELS} pixels) are accepted`);
    }
    throw new HttpError(400, `The upload is not an image the decoder can read (PNG, JPEG, WebP, GIF, TIFF): ${(e as Error).message}`);
  }
}

export interface TestImage {
  index: number;
  label: number;
  /** data: URL of a 28×28 grayscale PNG. */
  png: string;
}

let testImages: Promise<TestImage[]> | null = null;

/** One embedded test digit of each class 0–9 (the first of each in the held-out set), as PNGs. */
export function embeddedTestImages(): Promise<TestImage[]> {
  testImages ??= (async () => {
    const m = loadEmbeddedMnist();
    const picked: TestImage[] = [];
    for (let digit = 0; digit < 10; digit++) {
      let i = 0;
      while (i < m.testCount && m.yTest[i] !== digit) i++;
      if (i === m.testCount) continue;
      const data = m.xTest.slice(i * 784, (i + 1) * 784);
      const png = await encodeImage({ data, width: 28, height: 28, channels: 1 }, 'png');
      picked.push({ index: i, label: digit, png: `data:image/png;base64,${encodeUint8(png)}` });
    }
    return picked;
  })();
  testImages.catch(() => (testImages = null));
  return testImages;
}
