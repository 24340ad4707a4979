/**
 * `convkit visualize` sub-commands: curves, graph, confusion. Each writes one PNG or SVG (chosen by
 * the --out extension, checked before any work) and prints what it wrote.
 */
import { argmaxRow } from '../metrics/argmax.js';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ValueError } from '../errors.js';
import { SEED_ARCHITECTURES } from '../applications/seed_models.js';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { cifar10, fashionMnist, mnist } from '../data/datasets.js';
import { figureExtension, type Figure } from '../viz/figure.js';
import { curvesFigure, curvesLayout, readHistoryFile } from '../viz/curves.js';
import { modelGraph } from '../viz/model_graph.js';
import { graphFigure } from '../viz/graph.js';
import { confusionFigure, confusionMatrix, confusionTable, overallAccuracy, perClassAccuracy } from '../viz/confusion.js';
import { openModel, openModelOrArchitecture } from './commands.js';
import { CLI_DATASETS, type CliDatasetName, isNamedDataset, loadMnistForTraining, loadNamedDataset } from './data.js';
import { modelImageGeometry } from './model_input.js';
import type { Print } from './visualize.js';
import { checkPictureOut, int } from './options.js';

async function saveFigure(fig: Figure, out: string, what: string, print: Print | null): Promise<void> {
  await fig.save(out);
  print?.(`wrote ${out} (${fig.width}x${fig.height} px): ${what}`);
}

// ---------------------------------------------------------------------------------------------
// curves
// ---------------------------------------------------------------------------------------------

export async function visualizeCurves(historyPath: string, out: string, print: Print): Promise<void> {
  await checkPictureOut(out);
  const record = await readHistoryFile(historyPath);
  const layout = curvesLayout(record);
  const fig = curvesFigure(record);
  const panels = layout.panels.map((p) => p.series.map((s) => s.key).join(' vs ')).join('; ');
  await saveFigure(fig, out, `${record.epoch.length} epoch(s) of ${panels}`, print);
  for (const p of layout.panels) if (p.note) print(`note: ${p.note}`);
}

// ---------------------------------------------------------------------------------------------
// graph
// ---------------------------------------------------------------------------------------------

/** 100 megapixels: 400 MB of RGBA while the PNG is composed. */
export const PNG_MAX_PIXELS = 100e6;

export async function visualizeGraph(target: string, o: { out: string; shapes: boolean; direction: 'TB' | 'LR' }, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  const model = await openModelOrArchitecture(target);
  const graph = modelGraph(model);
  // A PNG is a full raster in memory: keep it to PNG_MAX_PIXELS (an SVG has no such cost).
  const maxPixels = figureExtension(o.out) === '.png' ? PNG_MAX_PIXELS : undefined;
  const fig = graphFigure(graph, { showShapes: o.shapes, direction: o.direction, maxPixels });
  await saveFigure(fig, o.out, `${model.className} "${model.name}", ${graph.nodes.length} layers, ${graph.edges.length} connections`, print);
}

// ---------------------------------------------------------------------------------------------
// confusion
// ---------------------------------------------------------------------------------------------

interface LabelledPredictions {
  yTrue: number[];
  yPred: number[];
  classNames: string[] | null;
  what: string;
}

const NAMED_CLASSES: Record<CliDatasetName, readonly string[]> = {
  'mnist': mnist.classNames, 'fashion-mnist': fashionMnist.classNames, 'cifar10': cifar10.classNames,
};

function argmaxRows(probs: Tensor): number[] {
  const [n, k] = probs.shape;
  if (probs.shape.length !== 2) throw new ValueError(`confusion: the model's output has shape (${probs.shape.join(', ')}); a classifier's is (batch, classes)`);
  const out: number[] = [];
  for (let r = 0; r < n; r++) out.push(argmaxRow(probs.values, r * k, k));
  return out;
}

/** Predicts (N, h, w, c) inputs `batchSize` at a time, so a 10,000-image test set is never one tensor of activations. */
function predictInBatches(model: Model, x: Tensor, batchSize: number): number[] {
  const n = x.shape[0];
  const out: number[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const m = Math.min(batchSize, n - start);
    const batch = ops.slice(x, [start, ...x.shape.slice(1).map(() => 0)], [m, ...x.shape.slice(1)]);
    out.push(...argmaxRows(model.predict(batch)));
  }
  return out;
}

function checkInputFits(model: Model, x: Tensor, what: string): void {
  const g = modelImageGeometry(model);
  const [, h, w, c] = x.shape;
  if (h !== g.height || w !== g.width || c !== g.channels) {
    throw new ValueError(`Model "${model.name}" takes ${g.height}x${g.width}x${g.channels} images but ${what} are ${h}x${w}x${c}; pick the dataset the model was trained on`);
  }
}

async function labelledPredictions(model: Model, dataset: string | undefined, batchSize: number): Promise<LabelledPredictions> {
  if (dataset === undefined) {
    const data = loadMnistForTraining();
    checkInputFits(model, data.xTest, 'the embedded MNIST test digits');
    return { yTrue: Array.from(data.yTest.values), yPred: predictInBatches(model, data.xTest, batchSize), classNames: [...mnist.classNames], what: 'embedded held-out MNIST digits' };
  }
  if (isNamedDataset(dataset)) {
    const td = await loadNamedDataset(dataset);
    if (td.kind !== 'tensors') throw new ValueError(`--dataset ${dataset}: expected an in-memory dataset`);
    checkInputFits(model, td.data.xTest, `${CLI_DATASETS[dataset].what}`);
    return { yTrue: Array.from(td.data.yTest.values), yPred: predictInBatches(model, td.data.xTest, batchSize), classNames: [...NAMED_CLASSES[dataset]], what: `${CLI_DATASETS[dataset].test} of ${dataset}` };
  }
  const st = await stat(dataset).catch(() => null);
  if (st === null || !st.isDirectory()) throw new ValueError(`--dataset ${dataset}: not a directory (expected mnist, fashion-mnist, cifar10 or a directory of class folders)`);
  const g = modelImageGeometry(model);
  const { imageDatasetFromDirectory } = await import('../data/image_dataset.js');
  const ds = await imageDatasetFromDirectory(dataset, {
    imageSize: [g.height, g.width], batchSize, labelMode: 'int', colorMode: g.channels === 1 ? 'grayscale' : 'rgb', shuffle: false, verbose: false,
  });
  const yTrue: number[] = [];
  const yPred: number[] = [];
  for (let i = 0; i < ds.length; i++) {
    const [x, y] = await ds.batch(i);
    // Directory images are 0..255; `convkit train` scales them by 1/255 (src/cli/data.ts).
    yPred.push(...argmaxRows(model.predict(ops.div(x, 255))));
    yTrue.push(...Array.from((y as Tensor).values));
  }
  return { yTrue, yPred, classNames: ds.classNames ? [...ds.classNames] : null, what: `images of ${basename(resolve(dataset))}/` };
}

export interface ConfusionArgs {
  dataset?: string;
  out: string;
  json: boolean;
  normalize: boolean;
  batchSize: number;
}

export async function visualizeConfusion(modelPath: string, o: ConfusionArgs, print: Print): Promise<void> {
  await checkPictureOut(o.out);
  const model = await openModel(modelPath);
  const data = await labelledPredictions(model, o.dataset, o.batchSize);
  if (data.yTrue.length === 0) throw new ValueError(`confusion: ${data.what}: no samples to classify`);
  const outputs = model.outputs[0]?.shape.at(-1) ?? null;
  const labelMax = Math.max(...data.yTrue) + 1;
  const numClasses = Math.max(labelMax, outputs ?? 0, ...data.yPred.map((p) => p + 1));
  if (outputs !== null && labelMax > outputs) throw new ValueError(`confusion: ${data.what} have ${labelMax} classes but model "${model.name}" has ${outputs} outputs`);
  const names = data.classNames && data.classNames.length === numClasses ? data.classNames : Array.from({ length: numClasses }, (_, i) => data.classNames?.[i] ?? String(i));
  const matrix = confusionMatrix(data.yTrue, data.yPred, numClasses);
  const fig = confusionFigure(matrix, names, { normalize: o.normalize });
  if (o.json) {
    await saveFigure(fig, o.out, '', null);
    print(JSON.stringify({
      samples: data.yTrue.length, classNames: names, matrix,
      perClassAccuracy: perClassAccuracy(matrix).map((a) => (Number.isNaN(a) ? null : a)), accuracy: overallAccuracy(matrix),
      out: o.out, width: fig.width, height: fig.height,
    }));
    return;
  }
  print(`${data.yTrue.length} ${data.what}, model "${model.name}":`);
  print(confusionTable(matrix, names));
  await saveFigure(fig, o.out, `${numClasses}x${numClasses} confusion matrix${o.normalize ? ' (rows normalized)' : ''}`, print);
}

// ---------------------------------------------------------------------------------------------
// registration
// ---------------------------------------------------------------------------------------------

export function registerPlotPictures(visualize: Command, print: Print): void {
  visualize.command('curves')
    .description('loss and metric curves per epoch from a history.json (training solid, validation dashed), as the seeds plot them')
    .argument('<history>', 'history.json written by `convkit train` (or a Keras history dict as JSON)')
    .requiredOption('--out <file>', 'output picture, .png or .svg')
    .action(async (history: string, o) => visualizeCurves(history, o.out, print));

  visualize.command('graph')
    .description('the model\'s layers and connections as boxes and arrows, like Keras\'s plot_model')
    .argument('<model-or-arch>', `a saved model, or an architecture name (${Object.keys(SEED_ARCHITECTURES).join(', ')}, resnet50, inceptionv3, …)`)
    .requiredOption('--out <file>', 'output picture, .svg (zoomable; best for big models) or .png')
    .option('--no-shapes', 'leave the output shapes out of the boxes')
    .addOption(new Option('--direction <dir>', 'TB: inputs at the top; LR: inputs on the left').choices(['TB', 'LR']).default('TB'))
    .action(async (target: string, o) => visualizeGraph(target, { out: o.out, shapes: o.shapes !== false, direction: o.direction }, print));

  visualize.command('confusion')
    .description('confusion matrix of a classifier on test data: prints per-class accuracy and draws the heatmap')
    .argument('<model>', 'a saved model (.convkit, .keras, .h5, tfjs model.json)')
    .requiredOption('--out <file>', 'output picture, .png or .svg')
    .option('--dataset <name|dir>', 'mnist, fashion-mnist, cifar10 (test split), or a directory of class folders (default: the 2,000 embedded held-out MNIST digits)')
    .option('--normalize', 'draw each true class\'s row as fractions summing to 1')
    .option('--batch-size <n>', 'prediction batch size', int('--batch-size', 1), 256)
    .option('--json', 'print {samples, classNames, matrix, perClassAccuracy, accuracy, out} instead of the table')
    .action(async (model: string, o) => visualizeConfusion(model, {
      dataset: o.dataset, out: o.out, json: Boolean(o.json), normalize: Boolean(o.normalize), batchSize: o.batchSize,
    }, print));
}
