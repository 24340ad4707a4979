/**
 * What every keras.applications builder shares: the Keras signature (includeTop, weights,
 * inputTensor, inputShape, pooling, classes, classifierActivation, name), Keras's argument checks
 * (imagenet_utils.obtain_input_shape and validate_activation), the input (a fresh Input() or the
 * caller's symbolic tensor, whose source inputs become the model's inputs, as Keras's
 * get_source_inputs), the classifier/pooling tail, and the weights step.
 *
 * A builder reads as Keras's:
 *
 * ```ts
 * export const vgg16 = defineApplication<ApplicationArgs>('VGG16', (args) => {
 *   const app = resolveApplicationArgs('VGG16', args, { defaultSize: 224, minSize: 32 });
 *   const img = applicationInput(app);
 *   let x = ...;                                          // the architecture, Keras's layer names
 *   x = applicationTop(x, app, { avgPoolName: 'avg_pool' });
 *   return finishApplication(app, img, x, 'vgg16', () => kerasWeightsFile('vgg16', { includeTop: app.includeTop }));
 * }, { preprocessInput: caffe });
 * ```
 */
import { existsSync } from 'node:fs';
import { Input, InputLayer } from '../layers/input.js';
import * as L from '../layers/index.js';
import { SymbolicTensor } from '../layers/symbolic.js';
import { Model } from '../models/model.js';
import { ValueError } from '../errors.js';
import { getActivation, type ActivationFn } from '../activations/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { loadApplicationWeights } from './pretrained.js';
import type { KerasWeightsFile } from './weight_urls.js';
import { decodePredictions, type DecodedPrediction } from './imagenet_utils.js';

/** A shape of one image without the batch dimension; null for a size fixed only at run time. */
export type ImageShape = readonly (number | null)[];

/** The arguments every keras.applications model takes (camelCase of Keras's). */
export interface ApplicationArgs {
  /** Whether to end with the ImageNet classifier (Keras's "top"). Default true. */
  includeTop?: boolean;
  /**
   * null (default in convkit: fresh weights; Keras defaults to 'imagenet'), 'imagenet' (Keras's
   * published ImageNet weights, downloaded once and cached), or the path/URL of a weights file.
   */
  weights?: string | null;
  /** A symbolic tensor (from Input() or layer calls) to build the model on instead of a fresh Input(). */
  inputTensor?: SymbolicTensor | null;
  /** [rows, cols, channels] of one image. With the top and ImageNet weights it must be the default size. */
  inputShape?: ImageShape | null;
  /** Without the top: 'avg' or 'max' global pooling, or null for the 4-D feature map. */
  pooling?: 'avg' | 'max' | null;
  /** Number of classes of the top; 1000 with ImageNet weights. */
  classes?: number;
  /** Activation of `predictions` (default 'softmax'); null gives logits. Only softmax/null with pretrained weights. */
  classifierActivation?: string | ActivationFn | null;
  /** The model's name (default Keras's, e.g. 'vgg16', 'resnet50'). */
  name?: string;
}

/** The arguments after Keras's defaults and checks; `inputShape` is what obtain_input_shape returned. */
export interface ResolvedApplicationArgs {
  /** The builder's Keras name, used in messages ('VGG16'). */
  fn: string;
  includeTop: boolean;
  weights: string | null;
  inputTensor: SymbolicTensor | null;
  inputShape: (number | null)[];
  pooling: 'avg' | 'max' | null;
  classes: number;
  classifierActivation: string | ActivationFn | null;
  name: string | undefined;
}

export interface InputShapeSpec {
  /** Keras's default_size: rows = cols of the default input (and of the ImageNet weights). */
  defaultSize: number;
  /** Keras's min_size: the smallest rows/cols the architecture accepts. */
  minSize: number;
  /**
   * Keras's require_flatten (default: includeTop): the model needs a static input size, and with
   * ImageNet weights exactly the default one.
   */
  requireFlatten?: boolean;
}

/** Python's repr of a shape tuple, as Keras's messages print it: (224, 224, 3), (None, None, 3). */
export function pyShape(shape: readonly (number | null | undefined)[]): string {
  const parts = shape.map((d) => (d === null || d === undefined ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/**
 * Keras's imagenet_utils.obtain_input_shape (channels_last): the input shape the model is built for.
 * - no inputShape: the default (size × size × 3) when a static size is needed (`requireFlatten`),
 *   else [null, null, 3];
 * - with ImageNet weights and the top, the shape must be the default one;
 * - otherwise it must be 3 integers (or null sizes), rows/cols ≥ minSize, 3 channels with ImageNet
 *   weights (other than 1 or 3 channels only warns, as Keras);
 * - with the top, no size may be null.
 */
export function obtainInputShape(
  fn: string,
  inputShape: ImageShape | null | undefined,
  spec: InputShapeSpec & { requireFlatten: boolean; weights: string | null },
): (number | null)[] {
  const { defaultSize, minSize, requireFlatten, weights } = spec;
  const given = inputShape === null || inputShape === undefined ? null : [...inputShape];
  if (given !== null) {
    if (!Array.isArray(inputShape) || given.some((d) => d !== null && (!Number.isInteger(d) || (d as number) < 1))) {
      throw new ValueError(`${fn}: \`inputShape\` must be [rows, cols, channels] of positive integers (or null sizes), got ${JSON.stringify(inputShape)}`);
    }
  }
  let defaultShape: (number | null)[];
  if (weights !== 'imagenet' && given !== null && given.length === 3) {
    const channels = given[2];
    if (channels !== 1 && channels !== 3) {
      process.emitWarning(
        `${fn}: this model usually expects 1 or 3 input channels, but inputShape ${pyShape(given)} has ${channels === null ? 'None' : channels}`,
        { code: 'CONVKIT_INPUT_CHANNELS' },
      );
    }
    defaultShape = [defaultSize, defaultSize, channels];
  } else {
    defaultShape = [defaultSize, defaultSize, 3];
  }
  if (weights === 'imagenet' && requireFlatten) {
    if (given !== null && (given.length !== 3 || given.some((d, i) => d !== defaultShape[i]))) {
      throw new ValueError(
        `${fn}: with includeTop and 'imagenet' weights, \`inputShape\` should be ${pyShape(defaultShape)}; got ${pyShape(given)}`,
      );
    }
    return defaultShape;
  }
  let shape: (number | null)[];
  if (given !== null && given.length > 0) {
    if (given.length !== 3) throw new ValueError(`${fn}: \`inputShape\` must be [rows, cols, channels] (three integers), got ${JSON.stringify(inputShape)}`);
    if (given[2] !== 3 && weights === 'imagenet') {
      throw new ValueError(`${fn}: the input must have 3 channels with 'imagenet' weights; got inputShape ${pyShape(given)}`);
    }
    if ((given[0] !== null && given[0] < minSize) || (given[1] !== null && given[1] < minSize)) {
      throw new ValueError(`${fn}: input size must be at least ${minSize}x${minSize}; got inputShape ${pyShape(given)}`);
    }
    shape = given;
  } else {
    shape = requireFlatten ? defaultShape : [null, null, 3];
  }
  if (requireFlatten && shape.includes(null)) {
    throw new ValueError(`${fn}: with includeTop, \`inputShape\` must be static (no null sizes); got ${pyShape(shape)}`);
  }
  return shape;
}

/** Keras's validate_activation: pretrained weights allow only softmax or no activation (logits) on the top. */
export function validateClassifierActivation(fn: string, activation: string | ActivationFn | null, weights: string | null): void {
  if (weights === null) return;
  const ok = activation === null || (typeof activation === 'string' && ['softmax', 'linear'].includes(getActivation(activation).name));
  if (!ok) {
    const shown = typeof activation === 'function' ? `a function (${activation.name || 'anonymous'})` : JSON.stringify(activation);
    throw new ValueError(`${fn}: with pretrained weights, classifierActivation can only be null or 'softmax'; got ${shown}`);
  }
}

function isUrl(s: string): boolean {
  return /^(https?|file):\/\//i.test(s);
}

/**
 * Keras's argument checks and defaults, then obtain_input_shape. Throws ValueError (synchronously,
 * before anything is built) for: weights other than null, 'imagenet', an existing file or a URL;
 * 'imagenet' with the top and classes ≠ 1000; a bad pooling, classes or inputShape; an inputTensor
 * that is not a symbolic tensor; a classifierActivation other than softmax/null with pretrained weights.
 */
export function resolveApplicationArgs(fn: string, args: ApplicationArgs | undefined, spec: InputShapeSpec): ResolvedApplicationArgs {
  const a: ApplicationArgs = args ?? {};
  if (typeof a !== 'object') throw new ValueError(`${fn}: expected an options object, got ${typeof a}`);
  const includeTop = a.includeTop ?? true;
  if (typeof includeTop !== 'boolean') throw new ValueError(`${fn}: includeTop must be true or false, got ${JSON.stringify(includeTop)}`);
  const weights = a.weights ?? null;
  if (weights !== null) {
    if (typeof weights !== 'string' || weights.length === 0) {
      throw new ValueError(`${fn}: weights must be null (random initialization), 'imagenet' (pre-training on ImageNet) or the path/URL of a weights file, got ${JSON.stringify(weights)}`);
    }
    if (weights !== 'imagenet' && !isUrl(weights) && !existsSync(weights)) {
      throw new ValueError(`${fn}: weights must be null (random initialization), 'imagenet' (pre-training on ImageNet) or the path/URL of a weights file; no file ${JSON.stringify(weights)}`);
    }
  }
  const classes = a.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`${fn}: classes must be a positive integer, got ${JSON.stringify(a.classes)}`);
  if (weights === 'imagenet' && includeTop && classes !== 1000) {
    throw new ValueError(`${fn}: weights 'imagenet' with includeTop needs classes = 1000, got ${classes}`);
  }
  const pooling = a.pooling ?? null;
  if (pooling !== null && pooling !== 'avg' && pooling !== 'max') throw new ValueError(`${fn}: pooling must be 'avg', 'max' or null, got ${JSON.stringify(pooling)}`);
  const inputTensor = a.inputTensor ?? null;
  if (inputTensor !== null && !(inputTensor instanceof SymbolicTensor)) {
    throw new ValueError(`${fn}: inputTensor must be a symbolic tensor (from Input() or a layer call), got ${describe(inputTensor)}`);
  }
  const classifierActivation = a.classifierActivation === undefined ? 'softmax' : a.classifierActivation;
  if (includeTop) {
    if (typeof classifierActivation === 'string') getActivation(classifierActivation); // unknown names fail here, listing the valid ones
    validateClassifierActivation(fn, classifierActivation, weights);
  }
  if (a.name !== undefined && (typeof a.name !== 'string' || a.name.length === 0)) throw new ValueError(`${fn}: name must be a non-empty string, got ${JSON.stringify(a.name)}`);
  const inputShape = obtainInputShape(fn, a.inputShape, {
    defaultSize: spec.defaultSize, minSize: spec.minSize, requireFlatten: spec.requireFlatten ?? includeTop, weights,
  });
  return { fn, includeTop, weights, inputTensor, inputShape, pooling, classes, classifierActivation, name: a.name };
}

function describe(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** The image input: a fresh Input() of the resolved shape, or the caller's inputTensor (Keras: img_input). */
export function applicationInput(app: ResolvedApplicationArgs): SymbolicTensor {
  if (app.inputTensor !== null) {
    if (app.inputTensor.rank !== 4) {
      throw new ValueError(`${app.fn}: inputTensor must be 4-D (batch, rows, cols, channels), got shape ${pyShape(app.inputTensor.shape)}`);
    }
    return app.inputTensor;
  }
  return Input({ shape: app.inputShape });
}

/**
 * Keras's operation_utils.get_source_inputs: the Input() tensors `t` was computed from (`t` itself
 * when it came from Input()), in the order they are first reached, depth first.
 */
export function getSourceInputs(t: SymbolicTensor): SymbolicTensor[] {
  const found: SymbolicTensor[] = [];
  const seen = new Set<SymbolicTensor>();
  const stack: SymbolicTensor[] = [t];
  while (stack.length > 0) {
    const cur = stack.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    if (cur.node.layer instanceof InputLayer) {
      found.push(cur);
      continue;
    }
    for (let i = cur.node.inputs.length - 1; i >= 0; i--) stack.push(cur.node.inputs[i]);
  }
  return found;
}

export interface TopOptions {
  /** Layers between the features and `predictions` with the top (VGG: flatten, fc1, fc2). Default: global average pooling. */
  classifierHead?: (x: SymbolicTensor) => SymbolicTensor;
  /** Name of the GlobalAveragePooling2D (top, or pooling 'avg'); Keras's default name when undefined. */
  avgPoolName?: string;
  /** Name of the GlobalMaxPooling2D of pooling 'max'. */
  maxPoolName?: string;
}

/**
 * Keras's tail: with the top, `classifierHead` (default global average pooling) and the Dense
 * `predictions` layer; without it, pooling 'avg'/'max' or nothing.
 */
export function applicationTop(x: SymbolicTensor, app: ResolvedApplicationArgs, opts: TopOptions = {}): SymbolicTensor {
  if (app.includeTop) {
    const head = opts.classifierHead ?? ((t: SymbolicTensor) => L.globalAveragePooling2d({ name: opts.avgPoolName }).apply(t) as SymbolicTensor);
    const h = head(x);
    return L.dense({ units: app.classes, activation: app.classifierActivation, name: 'predictions' }).apply(h) as SymbolicTensor;
  }
  if (app.pooling === 'avg') return L.globalAveragePooling2d({ name: opts.avgPoolName }).apply(x) as SymbolicTensor;
  if (app.pooling === 'max') return L.globalMaxPooling2d({ name: opts.maxPoolName }).apply(x) as SymbolicTensor;
  return x;
}

/**
 * The functional model from the source inputs of `inputTensor` (or `imgInput`) to `output`, named
 * `app.name ?? defaultName`; then the weights: none (returns the Model), or 'imagenet' (Keras's
 * file from `imagenetFile()`, downloaded once and cached) or a path/URL (returns a Promise).
 */
export function finishApplication(
  app: ResolvedApplicationArgs,
  imgInput: SymbolicTensor,
  output: SymbolicTensor,
  defaultName: string,
  imagenetFile: () => KerasWeightsFile,
): Model | Promise<Model> {
  const inputs = app.inputTensor !== null ? getSourceInputs(app.inputTensor) : [imgInput];
  const model = new Model({ inputs: inputs.length === 1 ? inputs[0] : inputs, outputs: output, name: app.name ?? defaultName });
  if (app.weights === null) return model;
  return loadApplicationWeights(model, app.weights, imagenetFile);
}

/** A keras.applications builder: a Model with fresh weights, a Promise when weights are to be loaded. */
export interface ApplicationBuilder<A extends ApplicationArgs = ApplicationArgs> {
  (args: A & { weights: string }): Promise<Model>;
  (args?: A & { weights?: null }): Model;
  (args: A): Model | Promise<Model>;
  /** The preprocessing the architecture's weights expect (Keras's <module>.preprocess_input). */
  preprocessInput: (x: Tensor) => Tensor;
  /** Keras's <module>.decode_predictions: top classes of ImageNet predictions. */
  decodePredictions: (preds: Tensor, top?: number) => DecodedPrediction[][];
}

/**
 * Gives a builder the ApplicationBuilder overloads (Model without weights, Promise<Model> with) and
 * Keras's per-module preprocessInput / decodePredictions as properties:
 * `applications.vgg16.preprocessInput(x)` is keras.applications.vgg16.preprocess_input(x).
 */
export function defineApplication<A extends ApplicationArgs>(
  build: (args: A) => Model | Promise<Model>,
  helpers: { preprocessInput: (x: Tensor) => Tensor },
): ApplicationBuilder<A> {
  const f = ((args?: A) => build((args ?? {}) as A)) as ApplicationBuilder<A>;
  f.preprocessInput = helpers.preprocessInput;
  f.decodePredictions = (preds: Tensor, top?: number) => decodePredictions(preds, top);
  return f;
}
