/** The work behind each `convkit` sub-command; main.ts only parses arguments. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ValueError } from '../errors.js';
import { type SaveFormat, loadModel, saveModel } from '../io/model_io.js';
import { SEED_ARCHITECTURES, buildArchitecture } from '../applications/seed_models.js';
import * as applications from '../applications/index.js';
import { setRandomSeed } from '../tensor/random.js';
import { getBackend } from '../backend/registry.js';
import { loadAddon, packageRoot } from '../backend/native/addon.js';
import * as ops from '../ops/index.js';
import type { Model } from '../models/model.js';
import {
  CLI_DATASETS, DIRECTORY_DEFAULT_MODEL, type TrainingData, isNamedDataset, loadDirectoryDataset, loadMnistForTraining, loadNamedDataset,
} from './data.js';
import { writeFileAtomic } from '../io/atomic_write.js';
import { type PreprocessChoice, formatDecoded, predictImages } from './predict_images.js';
import { ensureWritableDir } from '../io/writable_dir.js';
import { BackupAndRestore, readBackupMetadata } from '../callbacks/backup_and_restore.js';
import { rm } from 'node:fs/promises';
import type { Tensor } from '../tensor/tensor.js';
import { trainLiveLogger } from './train_logdir.js';
import { GC_FLAG, usesGcFlag } from './node_flags.js';
import { type SignalGuard, TrainingInterrupted, checkResumeOptions, exitCodeFor, interruptOnSignals, resumeCommand } from './train_session.js';

export type Print = (line: string) => void;

export interface TrainOptions {
  /** Architecture name; default: lenet5, or the dataset's default model (see CLI_DATASETS). */
  model?: string;
  /** Omitted: the embedded MNIST digits. 'mnist' | 'fashion-mnist' | 'cifar10' | a directory of class folders. */
  dataset?: string;
  epochs: number;
  batchSize: number;
  seed: number;
  out: string;
  validationSplit: number;
  learningRate: number;
  verbose: 0 | 1 | 2;
  /** Continue the interrupted run whose backup is in <out>/backup. */
  resume?: boolean;
  /** Backup after every epoch (default) or every N batches. */
  backupFreq?: 'epoch' | number;
  /** Train on the first N training samples only (in-memory datasets). */
  maxSamples?: number;
  /** The process's argv, to print the resume command. */
  argv?: readonly string[];
  /** A run directory LiveLogger records the run in, for `convkit dashboard`. */
  logdir?: string;
}

const shapeText = (s: readonly number[]) => s.join('x');

/** The architecture to train: checked to exist and, for a named dataset, to take its images. */
function chooseModel(o: TrainOptions): string {
  const named = o.dataset !== undefined && isNamedDataset(o.dataset) ? CLI_DATASETS[o.dataset] : null;
  const name = o.model ?? (named ? named.defaultModel : o.dataset !== undefined ? DIRECTORY_DEFAULT_MODEL : 'lenet5');
  const arch = SEED_ARCHITECTURES[name];
  if (!arch) throw new ValueError(`Unknown model ${JSON.stringify(name)}. Known: ${Object.keys(SEED_ARCHITECTURES).join(', ')}`);
  const want = named ? named.shape : o.dataset === undefined ? [28, 28, 1] : null;
  if (want !== null && shapeText(arch.inputShape) !== shapeText(want)) {
    const data = o.dataset === undefined ? 'the embedded MNIST' : `--dataset ${o.dataset}`;
    const fits = Object.entries(SEED_ARCHITECTURES).filter(([, a]) => shapeText(a.inputShape) === shapeText(want)).map(([k]) => k);
    throw new ValueError(`Model ${name} expects ${shapeText(arch.inputShape)} inputs, but training data is ${data} (${shapeText(want)}). Pick one of: ${fits.join(', ')}`);
  }
  return name;
}

async function trainingData(o: TrainOptions, modelName: string): Promise<TrainingData> {
  if (o.dataset === undefined) return { kind: 'tensors', data: loadMnistForTraining(), what: 'embedded MNIST digits', test: 'held-out digits' };
  if (isNamedDataset(o.dataset)) return loadNamedDataset(o.dataset);
  return loadDirectoryDataset(o.dataset, SEED_ARCHITECTURES[modelName].inputShape, o);
}

/** The options that decide what a run trains: a backup is resumed only with the same ones. */
function runIdentity(o: TrainOptions, modelName: string): Record<string, unknown> {
  return {
    model: modelName, dataset: o.dataset ?? null, epochs: o.epochs, batchSize: o.batchSize, seed: o.seed,
    learningRate: o.learningRate, validationSplit: o.validationSplit, maxSamples: o.maxSamples ?? null,
  };
}

function firstSamples(td: TrainingData, n: number | undefined): TrainingData {
  if (n === undefined) return td;
  if (td.kind !== 'tensors') throw new ValueError('--max-samples works with in-memory datasets (the embedded digits, --dataset mnist|fashion-mnist|cifar10), not with an image directory');
  const { xTrain, yTrain } = td.data;
  const m = Math.min(n, xTrain.shape[0]);
  const head = (t: Tensor) => ops.slice(t, t.shape.map(() => 0), [m, ...t.shape.slice(1)]);
  return { ...td, data: { ...td.data, xTrain: head(xTrain), yTrain: head(yTrain) } };
}

export async function train(o: TrainOptions, print: Print): Promise<{ testLoss: number; testAccuracy: number; seconds: number }> {
  const modelName = chooseModel(o);
  const out = resolve(o.out);
  // A read-only or full output disk is found now, not after hours of training.
  await ensureWritableDir(out, '--out');
  if (o.logdir !== undefined) await ensureWritableDir(resolve(o.logdir), '--logdir');
  const backupDir = join(out, 'backup');
  const identity = runIdentity(o, modelName);
  const saved = await readBackupMetadata(backupDir);
  if (saved && !o.resume) {
    throw new ValueError(`${backupDir} holds the backup of an interrupted run: add --resume to continue it, or delete that directory to start over`);
  }
  if (!saved && o.resume) throw new ValueError(`--resume: there is no backup to resume in ${backupDir}`);
  if (saved) checkResumeOptions((saved.options ?? {}) as Record<string, unknown>, identity, backupDir);
  let model: Model | null = null;
  const guard = interruptOnSignals(() => model, backupDir);
  try {
    return await trainGuarded(o, modelName, out, backupDir, identity, guard, (m) => (model = m), print);
  } finally {
    guard.dispose();
  }
}

async function trainGuarded(
  o: TrainOptions, modelName: string, out: string, backupDir: string, identity: Record<string, unknown>, guard: SignalGuard,
  built: (m: Model) => void, print: Print,
): Promise<{ testLoss: number; testAccuracy: number; seconds: number }> {
  setRandomSeed(o.seed);
  const td = firstSamples(await trainingData(o, modelName), o.maxSamples);
  const model = buildArchitecture(modelName);
  built(model);
  if (td.kind === 'source') {
    // Every seed architecture ends in a softmax Dense layer; its units bound the class indices.
    const units = (model.layers[model.layers.length - 1] as { units?: number }).units;
    if (units !== undefined && td.classes > units) throw new ValueError(`--dataset ${o.dataset} has ${td.classes} classes but model ${modelName} has ${units} outputs`);
  }
  const { adam } = await import('../optimizers/index.js');
  model.compile({ optimizer: adam({ learningRate: o.learningRate }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  model.summary({ printFn: print });
  const trainCount = td.kind === 'tensors' ? td.data.xTrain.shape[0] : td.trainCount;
  print(`Training on ${trainCount} ${td.what} (backend: ${getBackend().name}, seed ${o.seed})`);
  // The backup is removed only once the model and history are saved: a kill in between must not lose the run.
  const backup = new BackupAndRestore({ backupDir, saveFreq: o.backupFreq ?? 'epoch', deleteCheckpoint: false, verbose: 1, metadata: { command: 'train', options: identity } });
  const t0 = performance.now();
  // --logdir: the live record for `convkit dashboard`, given the validation samples fit() holds out.
  const logger = o.logdir !== undefined ? await trainLiveLogger(o.logdir, o.dataset, o.validationSplit, td, identity) : null;
  const fitArgs = { epochs: o.epochs, batchSize: o.batchSize, verbose: o.verbose, seed: o.seed, callbacks: logger ? [backup, logger] : [backup] };
  let history;
  try {
    history = td.kind === 'tensors'
      ? await model.fit(td.data.xTrain, td.data.yTrain, { ...fitArgs, validationSplit: o.validationSplit || undefined })
      : await model.fit(td.train, { ...fitArgs, validationData: td.validation ?? undefined });
  } catch (err) {
    await logger?.close('failed', err);
    throw err;
  }
  if (history.interrupted) {
    const at = backup.lastSaved;
    const signal = guard.signal ?? 'SIGINT';
    print(`Training stopped by ${signal}${at ? ` at epoch ${at.epoch + 1}, after batch ${at.batch}` : ''}; the backup is in ${backupDir}`);
    print(`Resume with: ${resumeCommand(o.argv ?? process.argv)}`);
    throw new TrainingInterrupted(signal, exitCodeFor(signal));
  }
  const seconds = (performance.now() - t0) / 1000;
  const [testLoss, testAccuracy] = td.kind === 'tensors'
    ? model.evaluate(td.data.xTest, td.data.yTest, { batchSize: 256 })
    : await model.evaluate(td.validation ?? td.train);
  const testCount = td.kind === 'tensors' ? td.data.xTest.shape[0] : td.testCount;
  print(`Test loss: ${testLoss.toFixed(4)} - test accuracy: ${testAccuracy.toFixed(4)} on ${testCount} ${td.test} (${seconds.toFixed(1)}s training)`);
  const modelPath = join(out, 'model.convkit');
  await model.save(modelPath);
  const { argv: _argv, ...options } = o;
  await writeFileAtomic(join(out, 'history.json'), JSON.stringify({ ...history.toJSON(), test: { loss: testLoss, accuracy: testAccuracy }, seconds, options: { ...options, model: modelName } }, null, 2) + '\n');
  await rm(backupDir, { recursive: true, force: true });
  print(`Saved ${modelPath} and ${join(out, 'history.json')}`);
  return { testLoss, testAccuracy, seconds };
}

/** A saved model by path or URL, with a clear error when the file is missing. */
export async function openModel(path: string): Promise<Model> {
  if (!/^(https?|file):/i.test(path) && !existsSync(path)) throw new ValueError(`Model file not found: ${path}`);
  return loadModel(path);
}

/** Rewrites a model in another format: Keras .h5/.keras ⇄ TensorFlow.js ⇄ convkit. */
export async function convert(input: string, output: string, format: SaveFormat | undefined, print: Print): Promise<void> {
  const model = await openModel(input);
  await saveModel(model, output, { format });
  print(`Wrote ${output}${format ? ` (${format})` : ''}: ${model.className} "${model.name}", ${model.countParams().toLocaleString('en')} parameters`);
}

export async function evaluate(path: string, json: boolean, print: Print): Promise<void> {
  const model = await openModel(path);
  const data = loadMnistForTraining();
  if (!model.compiled) model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  const [loss, accuracy] = model.evaluate(data.xTest, data.yTest, { batchSize: 256 });
  if (json) print(JSON.stringify({ loss, accuracy, samples: data.xTest.shape[0] }));
  else print(`${data.xTest.shape[0]} test digits - loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)}`);
}

export async function predict(path: string, indices: number[], top: number, json: boolean, print: Print): Promise<void> {
  const model = await openModel(path);
  const data = loadMnistForTraining();
  const n = data.xTest.shape[0];
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new ValueError(`--index ${i} is out of range: the embedded test set has digits 0..${n - 1}`);
  }
  const probs = model.predict(ops.gather(data.xTest, indices, 0));
  const c = probs.shape[1];
  const results = indices.map((idx, r) => {
    const row = Array.from(probs.values.subarray(r * c, (r + 1) * c));
    const ranked = row.map((p, k) => ({ class: k, probability: p })).sort((a, b) => b.probability - a.probability).slice(0, top);
    return { index: idx, label: data.yTest.values[idx], predicted: ranked[0].class, top: ranked };
  });
  if (json) {
    print(JSON.stringify(results));
    return;
  }
  for (const r of results) {
    const tops = r.top.map((t) => `${t.class} (${t.probability.toFixed(4)})`).join(', ');
    print(`digit #${r.index}: label ${r.label}, predicted ${r.predicted}${r.predicted === r.label ? '' : ' (wrong)'} - top: ${tops}`);
  }
}

/** keras.applications models `convkit summary` builds by name (fresh weights, Keras's default arguments). */
export const SUMMARY_APPLICATIONS: Readonly<Record<string, () => Model>> = {
  vgg16: () => applications.vgg16(), vgg19: () => applications.vgg19(),
  resnet50: () => applications.resNet50(), resnet101: () => applications.resNet101(), resnet152: () => applications.resNet152(),
  resnet50v2: () => applications.resNet50V2(), resnet101v2: () => applications.resNet101V2(), resnet152v2: () => applications.resNet152V2(),
  mobilenetv2: () => applications.mobileNetV2(),
  mobilenet: () => applications.mobileNet(),
  mobilenetv3small: () => applications.mobileNetV3Small(), mobilenetv3large: () => applications.mobileNetV3Large(),
  convnexttiny: () => applications.convNeXtTiny(), convnextsmall: () => applications.convNeXtSmall(),
  convnextbase: () => applications.convNeXtBase(), convnextlarge: () => applications.convNeXtLarge(),
  convnextxlarge: () => applications.convNeXtXLarge(),
  densenet121: () => applications.denseNet121(), densenet169: () => applications.denseNet169(), densenet201: () => applications.denseNet201(),
  inceptionv3: () => applications.inceptionV3(),
  alexnet: () => applications.alexNet(), googlenet: () => applications.googLeNet(),
  xception: () => applications.xception(), inceptionresnetv2: () => applications.inceptionResNetV2(),
  nasnetmobile: () => applications.nasNetMobile(), nasnetlarge: () => applications.nasNetLarge(),
  efficientnetb0: () => applications.efficientNetB0(), efficientnetb1: () => applications.efficientNetB1(),
  efficientnetb2: () => applications.efficientNetB2(), efficientnetb3: () => applications.efficientNetB3(),
  efficientnetb4: () => applications.efficientNetB4(), efficientnetb5: () => applications.efficientNetB5(),
  efficientnetb6: () => applications.efficientNetB6(), efficientnetb7: () => applications.efficientNetB7(),
  efficientnetv2b0: () => applications.efficientNetV2B0(), efficientnetv2b1: () => applications.efficientNetV2B1(),
  efficientnetv2b2: () => applications.efficientNetV2B2(), efficientnetv2b3: () => applications.efficientNetV2B3(),
  efficientnetv2s: () => applications.efficientNetV2S(), efficientnetv2m: () => applications.efficientNetV2M(),
  efficientnetv2l: () => applications.efficientNetV2L(),
};

/** 'ResNet50V2', 'resnet50_v2' and 'resnet-50-v2' all name resnet50v2. */
export function applicationKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** `convkit predict MODEL IMAGE…`: the top classes of each image (ImageNet names for 1,000-class models). */
export async function predictImageFiles(path: string, images: string[], top: number, preprocess: PreprocessChoice, json: boolean, print: Print): Promise<void> {
  const model = await openModel(path);
  const results = await predictImages(model, images, top, preprocess);
  if (json) print(JSON.stringify(results));
  else for (const r of results) print(formatDecoded(r));
}

/** A saved model (path or URL), or a built-in architecture or Keras application by name. */
export async function openModelOrArchitecture(target: string): Promise<Model> {
  if (existsSync(target) || /^(https?|file):/i.test(target)) return openModel(target);
  if (SEED_ARCHITECTURES[target.toLowerCase()]) return buildArchitecture(target.toLowerCase());
  const key = applicationKey(target);
  if (Object.hasOwn(SUMMARY_APPLICATIONS, key)) return SUMMARY_APPLICATIONS[key]();
  throw new ValueError(`${target} is neither a model file nor a known architecture (${[...Object.keys(SEED_ARCHITECTURES), ...Object.keys(SUMMARY_APPLICATIONS)].join(', ')})`);
}

export async function summary(target: string, json: boolean, print: Print): Promise<void> {
  const model = await openModelOrArchitecture(target);
  const info = model.summary({ printFn: json ? null : print });
  if (json) {
    print(JSON.stringify({
      totalParams: info.totalParams, trainableParams: info.trainableParams, nonTrainableParams: info.nonTrainableParams,
      layers: info.layers.map((l) => ({ name: l.name, className: l.className, outputShape: l.outputShape, params: l.params })),
    }));
  }
}

export function info(print: Print, json = false): void {
  const backend = getBackend().name;
  const { addon, error, path } = loadAddon();
  const native = addon ? addon.info() : null;
  const pkg = packageVersions();
  const facts = {
    convkit: pkg.convkit,
    backend,
    isa: backend === 'native' && native ? native.isa : null,
    threads: backend === 'native' && native ? native.threads : 1,
    native: native ? { loaded: true, path, isa: native.isa, detectedIsa: native.detectedIsa, threads: native.threads, napiVersion: native.napiVersion, compiler: native.compiler, mallocTuning: native.mallocTuning, kernels: native.kernels.length } : { loaded: false, error },
    node: process.version,
    /** V8's collector: ArrayBuffers swept in its pause, as the convkit command runs it (bin/convkit.js), or V8's default. */
    gc: usesGcFlag() ? GC_FLAG.slice(2) : 'default',
    platform: `${process.platform}-${process.arch}`,
    versions: { node: process.versions.node, v8: process.versions.v8, napi: process.versions.napi, typescriptBuilt: pkg.typescript },
  };
  if (json) {
    print(JSON.stringify(facts));
    return;
  }
  print(`convkit ${facts.convkit}`);
  if (backend === 'native' && native) {
    print(`backend: native (C++ kernels, ${native.isa} instructions${native.isa !== native.detectedIsa ? `, CPU supports ${native.detectedIsa}` : ''}, ${native.threads} thread${native.threads === 1 ? '' : 's'})`);
    print(`addon: ${path} (N-API ${native.napiVersion}, ${native.compiler}, ${native.kernels.length} kernels)`);
  } else if (backend === 'js') {
    print(`backend: js (reference TypeScript kernels, 1 thread)${native ? '' : `; native addon unavailable: ${error}`}`);
  } else {
    print(`backend: ${backend}`);
  }
  print(`node: ${process.version} (${facts.platform}, V8 ${process.versions.v8}, N-API ${process.versions.napi}, GC ${facts.gc === 'default' ? "V8's default" : `--${facts.gc}`})`);
}

function packageVersions(): { convkit: string; typescript: string | null } {
  try {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string; devDependencies?: Record<string, string> };
    return { convkit: pkg.version, typescript: pkg.devDependencies?.typescript ?? null };
  } catch {
    return { convkit: 'unknown', typescript: null };
  }
}
