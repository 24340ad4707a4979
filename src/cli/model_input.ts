/**
 * One input for a picture command: an image file (or its bytes, e.g. an upload) or an embedded test digit,
 * prepared exactly as `convkit predict` prepares it, plus a picture of it for display.
 *
 * - An image is read in the model's colour mode (1 input channel → grayscale, as PIL's L; 3 → RGB) and
 *   resized to the model's input size with Keras's load_img default ('nearest'), then divided by 255:
 *   `convkit train` models are trained on pixels / 255 (src/cli/data.ts), and `predict` scales the same
 *   way for models that are not ImageNet applications.
 * - `index` N takes test digit N of the embedded MNIST split (the held-out digits of `evaluate` and
 *   `predict --index`), pixels / 255 with shape (1, 28, 28, 1); the model must take 28×28×1 images.
 */
import { ValueError } from '../errors.js';
import { embeddedMnistSplits } from '../data/datasets/mnist.js';
import { imgToArray, loadImg } from '../data/image.js';
import type { Model } from '../models/model.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Raster } from '../viz/figure.js';

export interface ModelInputChoice {
  /** An image file path, or the encoded bytes of an image (PNG, JPEG, …). */
  image?: string | Uint8Array;
  /** Index of an embedded MNIST test digit. */
  index?: number;
}

export interface ModelInput {
  /** The model's input: (1, height, width, channels), values 0..1. */
  x: Tensor;
  /** The digit's true class, for `index` inputs. */
  label?: number;
  /** What the input is, for messages: the file name or "embedded test digit #N". */
  source: string;
  /** The input as the model sees it (after resizing), 0..255, opaque RGBA (grayscale repeated in R, G, B). */
  display: Raster;
}

export interface ImageGeometry {
  height: number;
  width: number;
  channels: 1 | 3;
}

/** The image size and channels a model takes; errors for models that do not take fixed-size images. */
export function modelImageGeometry(model: Model): ImageGeometry {
  const shape = model.inputs[0]?.shape ?? (model as { builtInputShape?: readonly (number | null)[] | null }).builtInputShape ?? null;
  if (!shape || shape.length !== 4) {
    throw new ValueError(`Model "${model.name}" does not take images (batch, height, width, channels); its input is ${shape ? `(${shape.join(', ')})` : 'unknown'}`);
  }
  const [, height, width, channels] = shape;
  if (height === null || width === null) throw new ValueError(`Model "${model.name}" has no fixed input size (${shape.join(', ')}); build it with an inputShape`);
  if (channels !== 1 && channels !== 3) throw new ValueError(`Model "${model.name}" takes ${channels}-channel inputs; pictures need a model taking 1 (grayscale) or 3 (RGB) channels`);
  return { height, width, channels };
}

/** 0..255 pixels (HWC, 1 or 3 channels) as an opaque RGBA raster. */
export function pixelsToRaster(pixels: ArrayLike<number>, height: number, width: number, channels: 1 | 3): Raster {
  const data = new Uint8ClampedArray(height * width * 4);
  for (let i = 0; i < height * width; i++) {
    for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(pixels[i * channels + (channels === 1 ? 0 : c)]);
    data[4 * i + 3] = 255;
  }
  return { width, height, data };
}

/** Number of embedded MNIST test digits (valid `index` values are 0 .. this − 1). */
export function embeddedTestCount(): number {
  return embeddedMnistSplits()[1][0].shape[0];
}

/** Reads the input chosen by `choice` for `model` (exactly one of `image` and `index`). */
export async function loadModelInput(model: Model, choice: ModelInputChoice): Promise<ModelInput> {
  const hasImage = choice.image !== undefined;
  const hasIndex = choice.index !== undefined;
  if (hasImage === hasIndex) {
    throw new ValueError(hasImage
      ? 'Give either --image FILE or --index N, not both'
      : 'No input given: pass --image FILE (an image file) or --index N (an embedded MNIST test digit)');
  }
  const geo = modelImageGeometry(model);
  if (hasImage) return loadImageInput(choice.image as string | Uint8Array, geo);
  return loadDigitInput(choice.index as number, geo, model.name);
}

async function loadImageInput(image: string | Uint8Array, geo: ImageGeometry): Promise<ModelInput> {
  const img = await loadImg(image, { targetSize: [geo.height, geo.width], colorMode: geo.channels === 1 ? 'grayscale' : 'rgb' });
  const pixels = imgToArray(img);
  const x = ops.reshape(ops.div(pixels, 255), [1, geo.height, geo.width, geo.channels]);
  const source = typeof image === 'string' ? image : 'the uploaded image';
  return { x, source, display: pixelsToRaster(img.data, img.height, img.width, geo.channels) };
}

function loadDigitInput(index: number, geo: ImageGeometry, modelName: string): ModelInput {
  const [, [xTest, yTest]] = embeddedMnistSplits();
  const n = xTest.shape[0];
  if (!Number.isInteger(index) || index < 0 || index >= n) {
    throw new ValueError(`--index ${index} is out of range: the embedded test set has digits 0..${n - 1}`);
  }
  if (geo.height !== 28 || geo.width !== 28 || geo.channels !== 1) {
    throw new ValueError(`--index takes an embedded 28×28 grayscale MNIST digit, but model "${modelName}" takes ${geo.height}×${geo.width}×${geo.channels} images; use --image FILE instead`);
  }
  const digit = ops.slice(xTest, [index, 0, 0], [1, 28, 28]);
  const x = ops.reshape(ops.div(digit, 255), [1, 28, 28, 1]);
  const label = yTest.values[index];
  return { x, label, source: `embedded test digit #${index} (label ${label})`, display: pixelsToRaster(digit.values, 28, 28, 1) };
}
