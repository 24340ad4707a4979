/**
 * `convkit visualize` sub-commands: feature-maps, filters, samples. Each writes one PNG or SVG (chosen by
 * the --out extension, checked before any work) and prints one line saying what it wrote.
 */
import { flatLayers } from '../layers/layer_tree.js';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ValueError } from '../errors.js';
import type { Layer } from '../layers/layer.js';
import { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';
import { embeddedMnistSplits } from '../data/datasets/mnist.js';
import type { Figure } from '../viz/figure.js';
import { featureMapsFigure, featureMapsLayout, layerActivations } from '../viz/feature_maps.js';
import { filterScaleNote, filterTiles, filtersFigure, filtersLayout, layerKernel } from '../viz/filters.js';
import { DATASET_CLASS_NAMES, samplesFigure, samplesLayout } from '../viz/samples.js';
import type { GridLayout } from '../viz/grid.js';
import { COLORMAP_NAMES } from '../viz/colormap.js';
import { openModel } from './commands.js';
import { CLI_DATASETS, isNamedDataset, loadNamedDataset } from './data.js';
import { type ModelInput, loadModelInput } from './model_input.js';
import type { Print } from './visualize.js';
import { checkPictureOut, int } from './options.js';

function hasKernel(l: Layer): boolean {
  try {
    layerKernel(l);
    return true;
  } catch {
    return false;
  }
}

async function savePicture(p: Picture, out: string, print: Print): Promise<void> {
  await p.figure.save(out);
  print(`wrote ${out} (${p.figure.width}x${p.figure.height} px): ${p.what}`);
}

function shapeText(t: Tensor): string {
  return t.shape.slice(1).join('x');
}

/** A picture a command writes: the figure, where its tiles are, and a description for the printed line. */
export interface Picture {
  figure: Figure;
  layout: GridLayout;
  what: string;
}

export interface FeatureMapArgs {
  layer?: string;
  cols?: number;
  scale?: number;
  cmap?: string;
  maxChannels?: number;
}

/** The feature-maps picture of `model` for `input` (default layer: the first with (batch, h, w, c) output). */
export function featureMapsPicture(model: Model, input: ModelInput, o: FeatureMapArgs = {}): Picture {
  const acts = layerActivations(model, input.x, o.layer === undefined ? undefined : [o.layer]);
  const act = o.layer === undefined ? acts.find((a) => a.output.rank === 4) : acts[0];
  if (!act) throw new ValueError(`Model "${model.name}" has no layer with image-shaped (batch, h, w, c) output; pick one with --layer (layers: ${acts.map((a) => a.name).join(', ')})`);
  const title = `${act.name} (${act.layer.className}) output ${shapeText(act.output)}\nfor ${input.source}`;
  const opts = { title, cols: o.cols, scale: o.scale, cmap: o.cmap, maxChannels: o.maxChannels };
  const channels = act.output.rank >= 3 ? act.output.shape[act.output.rank - 1] : 1;
  return {
    figure: featureMapsFigure(act.output, opts),
    layout: featureMapsLayout(act.output, opts),
    what: `feature maps of layer "${act.name}" (${channels} channel(s), output ${shapeText(act.output)}) for ${input.source}`,
  };
}

export async function visualizeFeatureMaps(modelPath: string, o: FeatureMapArgs & { image?: string; index?: number; out: string }, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  const model = await openModel(modelPath);
  const input = await loadModelInput(model, { image: o.image, index: o.index });
  await savePicture(featureMapsPicture(model, input, o), o.out, print);
}

export interface FilterArgs {
  layer?: string;
  maxFilters?: number;
  maxInputs?: number;
  cols?: number;
  scale?: number;
}

/** The layer `filters` draws: --layer, or the first layer with a convolution kernel. */
function kernelLayer(model: Model, name: string | undefined): Layer {
  const layers = flatLayers(model);
  const withKernels = layers.filter(hasKernel).map((l) => l.name);
  if (name === undefined) {
    const first = layers.find(hasKernel);
    if (!first) throw new ValueError(`Model "${model.name}" has no convolution layer with a kernel to draw (layers: ${layers.map((l) => l.name).join(', ')})`);
    return first;
  }
  const layer = layers.find((l) => l.name === name);
  if (!layer) throw new ValueError(`No layer named ${JSON.stringify(name)} in model "${model.name}". Layers with kernels: ${withKernels.join(', ') || '(none)'}; all layers: ${layers.map((l) => l.name).join(', ')}`);
  if (!hasKernel(layer)) {
    throw new ValueError(`Layer "${layer.name}" (${layer.className}) has no convolution kernel to draw; layers with kernels: ${withKernels.join(', ') || '(none)'}`);
  }
  return layer;
}

/** The filters picture of one convolution layer of `model`. */
export function filtersPicture(model: Model, o: FilterArgs = {}): Picture {
  const layer = kernelLayer(model, o.layer);
  const base = { maxFilters: o.maxFilters, maxInputs: o.maxInputs, cols: o.cols, scale: o.scale };
  const tiles = filterTiles(layer, base);
  const [kh, kw, cin, cout] = tiles.shape;
  const note = filterScaleNote(tiles);
  const opts = { ...base, title: `${layer.name} (${layer.className}) kernel ${kh}x${kw}x${cin}x${cout}\n${note}${tiles.cut ? `\n(${tiles.cut})` : ''}` };
  return {
    figure: filtersFigure(layer, opts),
    layout: filtersLayout(layer, opts),
    what: `${tiles.tiles.length} ${kh}x${kw} kernel tile(s) of layer "${layer.name}" (${tiles.mode}: ${note})`,
  };
}

export async function visualizeFilters(modelPath: string, o: FilterArgs & { out: string }, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  const model = await openModel(modelPath);
  await savePicture(filtersPicture(model, o), o.out, print);
}

export interface SampleArgs {
  dataset?: string;
  rows: number;
  cols: number;
  scale?: number;
  imageSize: number;
  seed: number;
}

export interface SampleData {
  /** Images (n, h, w[, c]), 0..1 or 0..255. */
  x: Tensor;
  y: ArrayLike<number>;
  names: readonly string[] | null;
  what: string;
}

/** The images `samples` draws: the embedded MNIST test digits, a named dataset's test split, or a directory. */
export async function sampleData(o: SampleArgs): Promise<SampleData> {
  const dataset = o.dataset;
  if (dataset === undefined) {
    const [, [xTest, yTest]] = embeddedMnistSplits();
    return { x: xTest, y: yTest.values, names: DATASET_CLASS_NAMES.mnist, what: 'embedded MNIST test digits' };
  }
  if (isNamedDataset(dataset)) {
    const data = await loadNamedDataset(dataset);
    if (data.kind !== 'tensors') throw new ValueError(`--dataset ${dataset}: expected in-memory arrays`);
    return { x: data.data.xTest, y: data.data.yTest.values, names: DATASET_CLASS_NAMES[dataset], what: `${CLI_DATASETS[dataset].what} (test split)` };
  }
  const st = await stat(dataset).catch(() => null);
  if (st === null || !st.isDirectory()) {
    throw new ValueError(`--dataset ${dataset}: not a directory (expected ${Object.keys(CLI_DATASETS).join(', ')} or a directory of class folders)`);
  }
  const { imageDatasetFromDirectory } = await import('../data/image_dataset.js');
  const ds = await imageDatasetFromDirectory(dataset, {
    imageSize: [o.imageSize, o.imageSize], batchSize: o.rows * o.cols, seed: o.seed, labelMode: 'int', colorMode: 'rgb', verbose: false,
  });
  const [x, y] = await ds.batch(0);
  return { x, y: y.values, names: ds.classNames, what: `images from ${dataset} (shuffled with seed ${o.seed})` };
}

/** The samples picture: the first rows × cols images of `data` with their class names. */
export function samplesPicture(data: SampleData, o: SampleArgs): Picture {
  const shown = Math.min(o.rows * o.cols, data.x.shape[0]);
  const opts = { rows: o.rows, cols: o.cols, scale: o.scale, title: `${data.what}: first ${shown}` };
  const layout = samplesLayout(data.x, data.y, data.names, opts);
  return {
    figure: samplesFigure(data.x, data.y, data.names, opts),
    layout,
    what: `${shown} ${data.what} in ${layout.rows} row(s) x ${layout.cols} column(s), with class names`,
  };
}

export async function visualizeSamples(o: SampleArgs & { out: string }, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  await savePicture(samplesPicture(await sampleData(o), o), o.out, print);
}

export function registerMapPictures(visualize: Command, print: Print): void {
  visualize.command('feature-maps')
    .description('one layer\'s output for one input, a gray tile per channel (each scaled min..max)')
    .argument('<model>', 'a saved model (.convkit, .keras, .h5, tfjs model.json)')
    .requiredOption('--out <file>', 'output picture, .png or .svg')
    .option('--layer <name>', 'layer whose output to draw (default: the first layer with (batch, h, w, c) output)')
    .option('--image <file>', 'an image file, read in the model\'s colour mode and resized to its input size, pixels / 255')
    .option('--index <n>', 'an embedded MNIST test digit (0..1999) instead of --image', int('--index', 0))
    .option('--cols <n>', 'tiles per row (default: about the square root of the channel count)', int('--cols', 1))
    .option('--scale <n>', 'integer upscaling of each map (default: tiles at least 64 px)', int('--scale', 1))
    .option('--max-channels <n>', 'draw at most this many channels', int('--max-channels', 1), 64)
    .option('--cmap <name>', `colour map: ${COLORMAP_NAMES.join(', ')}`, 'gray')
    .action(async (model: string, o) => {
      await visualizeFeatureMaps(model, {
        layer: o.layer, image: o.image, index: o.index, out: o.out, cols: o.cols, scale: o.scale, cmap: o.cmap, maxChannels: o.maxChannels,
      }, print);
    });

  visualize.command('filters')
    .description('a convolution layer\'s kernels: RGB for 3-channel inputs, otherwise blue-white-red about 0')
    .argument('<model>', 'a saved model (.convkit, .keras, .h5, tfjs model.json)')
    .requiredOption('--out <file>', 'output picture, .png or .svg')
    .option('--layer <name>', 'Conv2D / DepthwiseConv2D / SeparableConv2D / Conv1D layer (default: the first one)')
    .option('--max-filters <n>', 'filters drawn at most (default 64; 16 columns for deeper layers)', int('--max-filters', 1))
    .option('--max-inputs <n>', 'input channels (rows) drawn at most for deeper layers (default 8)', int('--max-inputs', 1))
    .option('--cols <n>', 'tiles per row', int('--cols', 1))
    .option('--scale <n>', 'integer upscaling of each kernel (default: tiles at least 64 px)', int('--scale', 1))
    .action(async (model: string, o) => {
      await visualizeFilters(model, { layer: o.layer, out: o.out, maxFilters: o.maxFilters, maxInputs: o.maxInputs, cols: o.cols, scale: o.scale }, print);
    });

  visualize.command('samples')
    .description('a grid of dataset images with their class names (default: the embedded MNIST test digits)')
    .requiredOption('--out <file>', 'output picture, .png or .svg')
    .option('--dataset <name|dir>', 'mnist, fashion-mnist, cifar10 (test split, downloaded into $CONVKIT_HOME/datasets) or a directory of class folders')
    .option('--rows <n>', 'rows', int('--rows', 1), 5)
    .option('--cols <n>', 'columns', int('--cols', 1), 5)
    .option('--scale <n>', 'integer upscaling (default: images at least 64 px)', int('--scale', 1))
    .option('--image-size <n>', 'size directory images are resized to', int('--image-size', 1), 64)
    .option('--seed <n>', 'shuffling seed for directory datasets', int('--seed', 0), 0)
    .action(async (o) => {
      await visualizeSamples({ dataset: o.dataset, rows: o.rows, cols: o.cols, out: o.out, scale: o.scale, imageSize: o.imageSize, seed: o.seed }, print);
    });
}
