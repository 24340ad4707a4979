/**
 * `convkit predict MODEL IMAGE…`: classify image files. Each image is loaded at the model's input
 * size and colour mode, preprocessed as the model expects, and the top classes printed; a model
 * with 1,000 outputs is taken as an ImageNet classifier and its classes are named with
 * decodePredictions, as seed 003 prints them: [('n02088364', 'beagle', 0.838…), …].
 */
import { ValueError } from '../errors.js';
import { decodePredictions, preprocessInput, type PreprocessMode } from '../applications/imagenet_utils.js';
import { imgToArray, loadImg } from '../data/image.js';
import * as ops from '../ops/index.js';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';

export const PREPROCESS_CHOICES = ['auto', 'caffe', 'tf', 'torch', 'scale', 'none'] as const;
export type PreprocessChoice = (typeof PREPROCESS_CHOICES)[number];

/**
 * keras.applications models are named after their architecture, which fixes their preprocessing;
 * anything else is taken to be trained on pixels scaled to [0, 1] (as `convkit train` does).
 */
const MODE_BY_NAME: [RegExp, PreprocessMode][] = [
  [/^(vgg1[69]|resnet(50|101|152))$/, 'caffe'],
  [/^(resnet(50|101|152)v2|mobilenet(v2)?_|inception_v3|inception_resnet_v2|xception|nasnet)/, 'tf'],
  [/^densenet/, 'torch'],
];

export function preprocessFor(model: Model, choice: PreprocessChoice): PreprocessMode | 'scale' | 'none' {
  if (choice !== 'auto') return choice;
  const name = model.name.toLowerCase();
  return MODE_BY_NAME.find(([re]) => re.test(name))?.[1] ?? 'scale';
}

function inputGeometry(model: Model): { height: number; width: number; channels: number } {
  const shape = model.inputs[0]?.shape ?? (model as { builtInputShape?: readonly (number | null)[] }).builtInputShape;
  if (!shape || shape.length !== 4) throw new ValueError(`Model "${model.name}" does not take images (batch, height, width, channels); its input is ${shape ? `(${shape.join(', ')})` : 'unknown'}`);
  const [, height, width, channels] = shape;
  if (channels !== 1 && channels !== 3) throw new ValueError(`Model "${model.name}" takes ${channels} channels; image prediction needs 1 (grayscale) or 3 (RGB)`);
  if (height === null || width === null) throw new ValueError(`Model "${model.name}" has no fixed input size (${shape.join(', ')}); build it with an inputShape`);
  return { height, width, channels };
}

export interface ImagePrediction {
  image: string;
  top: { class: number; id?: string; name?: string; probability: number }[];
}

export async function predictImages(model: Model, images: readonly string[], top: number, choice: PreprocessChoice): Promise<ImagePrediction[]> {
  const { height, width, channels } = inputGeometry(model);
  const mode = preprocessFor(model, choice);
  const arrays: Tensor[] = [];
  for (const path of images) {
    const img = await loadImg(path, { targetSize: [height, width], colorMode: channels === 1 ? 'grayscale' : 'rgb' });
    arrays.push(imgToArray(img));
  }
  let x = ops.stack(arrays, 0);
  if (mode === 'scale') x = ops.div(x, 255);
  else if (mode !== 'none') x = preprocessInput(x, { mode });
  const probs = model.predict(x);
  const classes = probs.shape[probs.rank - 1];
  const k = Math.min(top, classes);
  if (classes === 1000) {
    return decodePredictions(probs, k).map((rows, i) => ({
      image: images[i],
      top: rows.map(([id, name, probability]) => ({ class: indexOfId(probs, i, probability), id, name, probability })),
    }));
  }
  return images.map((image, i) => {
    const row = Array.from(probs.values.subarray(i * classes, (i + 1) * classes));
    const ranked = row.map((p, c) => ({ class: c, probability: p })).sort((a, b) => b.probability - a.probability).slice(0, k);
    return { image, top: ranked };
  });
}

/** The class index of the row's entry with this probability (decodePredictions reports ids, not indices). */
function indexOfId(probs: Tensor, row: number, p: number): number {
  const v = probs.values.subarray(row * 1000, (row + 1) * 1000);
  return Array.prototype.indexOf.call(v, p) as number;
}

/** Seed 003's print form: [('n02088364', 'beagle', 0.838…), …]. */
export function formatDecoded(p: ImagePrediction): string {
  if (p.top[0]?.id === undefined) return `${p.image}: ${p.top.map((t) => `${t.class} (${t.probability.toFixed(4)})`).join(', ')}`;
  return `${p.image}: [${p.top.map((t) => `('${t.id}', '${t.name}', ${t.probability})`).join(', ')}]`;
}
