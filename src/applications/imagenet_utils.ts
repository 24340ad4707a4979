/**
 * keras.applications.imagenet_utils: the input preprocessing of ImageNet models ('caffe', 'tf',
 * 'torch' modes) and decode_predictions. The 1,000 ImageNet class ids and names ship with convkit
 * (Keras downloads the same imagenet_class_index.json at run time; convkit never does).
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { IMAGENET_CLASS_INDEX } from './imagenet_class_index.js';

export { IMAGENET_CLASS_INDEX };

export type PreprocessMode = 'caffe' | 'tf' | 'torch';
export type DataFormat = 'channels_last' | 'channels_first';

export interface PreprocessOptions {
  /** Default 'caffe', as Keras's imagenet_utils.preprocess_input. */
  mode?: PreprocessMode;
  /** Default 'channels_last' (convkit's only image layout for models). */
  dataFormat?: DataFormat;
}

/** An architecture's own preprocessing (keras.applications.<module>.preprocess_input): the mode is fixed. */
export type PreprocessFn = (x: Tensor, opts?: { dataFormat?: DataFormat }) => Tensor;

/** ImageNet channel means in BGR order (caffe), and RGB means / standard deviations of [0, 1] pixels (torch). */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;
export const TORCH_MEAN = [0.485, 0.456, 0.406] as const;
export const TORCH_STD = [0.229, 0.224, 0.225] as const;

/**
 * Keras's imagenet_utils.preprocess_input on a float batch (or one image) of pixels in [0, 255]:
 * - 'caffe': RGB → BGR, then subtract the ImageNet mean of each channel (no scaling);
 * - 'tf': x / 127.5 − 1, into [−1, 1];
 * - 'torch': x / 255, then (x − mean) / std per RGB channel.
 * Returns a new float32 tensor (Keras writes over NumPy input; convkit never changes its argument).
 * Integer tensors are converted to float32 first, as Keras does for NumPy input.
 */
export function preprocessInput(x: Tensor, opts: PreprocessOptions = {}): Tensor {
  const mode = opts.mode ?? 'caffe';
  if (mode !== 'caffe' && mode !== 'tf' && mode !== 'torch') {
    throw new ValueError(`preprocessInput: mode must be 'caffe', 'tf' or 'torch', got ${JSON.stringify(mode)}`);
  }
  const dataFormat = opts.dataFormat ?? 'channels_last';
  if (dataFormat !== 'channels_last' && dataFormat !== 'channels_first') {
    throw new ValueError(`preprocessInput: dataFormat must be 'channels_last' or 'channels_first', got ${JSON.stringify(dataFormat)}`);
  }
  if (!(x instanceof Tensor)) throw new ValueError(`preprocessInput: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  let t = x.dtype === 'float32' || x.dtype === 'float64' ? x : ops.cast(x, 'float32');
  if (mode === 'tf') return ops.sub(ops.div(t, 127.5), 1);

  const rank = t.rank;
  if (rank < 1 || (dataFormat === 'channels_first' && rank < 3)) {
    throw new ValueError(`preprocessInput: mode '${mode}' needs an image or a batch of images, got shape [${t.shape.join(', ')}]`);
  }
  // channels_first: axis 0 of one image (3-D), axis 1 of a batch; channels_last: the last axis.
  const axis = dataFormat === 'channels_last' ? rank - 1 : rank === 3 ? 0 : 1;
  if (t.shape[axis] !== 3) {
    throw new ValueError(`preprocessInput: mode '${mode}' needs 3 color channels on axis ${axis} (${dataFormat}), got shape [${t.shape.join(', ')}]`);
  }
  const perChannel = (values: readonly number[]): Tensor => {
    const shape = t.shape.map((_, i) => (i === axis ? 3 : 1));
    return ops.tensor(Float32Array.from(values), shape, t.dtype);
  };
  let mean: readonly number[];
  let std: readonly number[] | null;
  if (mode === 'torch') {
    t = ops.div(t, 255);
    mean = TORCH_MEAN;
    std = TORCH_STD;
  } else {
    t = ops.gather(t, [2, 1, 0], axis); // 'RGB' -> 'BGR'
    mean = CAFFE_MEAN_BGR;
    std = null;
  }
  // As Keras: x += (-mean), then x /= std, in the tensor's precision.
  t = ops.add(t, perChannel(mean.map((m) => -m)));
  if (std !== null) t = ops.div(t, perChannel(std));
  return t;
}

/** 'caffe' preprocessing (VGG16, VGG19, ResNet50/101/152). */
export const preprocessCaffe: PreprocessFn = (x, opts = {}) => preprocessInput(x, { ...opts, mode: 'caffe' });
/** 'tf' preprocessing, into [−1, 1] (ResNetV2, MobileNetV2, InceptionV3, Xception…). */
export const preprocessTf: PreprocessFn = (x, opts = {}) => preprocessInput(x, { ...opts, mode: 'tf' });
/** 'torch' preprocessing (DenseNet). */
export const preprocessTorch: PreprocessFn = (x, opts = {}) => preprocessInput(x, { ...opts, mode: 'torch' });

/** One decoded guess: [ImageNet class id (WordNet id), class name, probability], as Keras's tuples. */
export type DecodedPrediction = [classId: string, className: string, probability: number];

/** The WordNet id and name of ImageNet class `index` (0…999), as in Keras's imagenet_class_index.json. */
export function imagenetClass(index: number): [classId: string, className: string] {
  const entry = Number.isInteger(index) ? IMAGENET_CLASS_INDEX[index] : undefined;
  if (entry === undefined) throw new ValueError(`imagenetClass: index must be an integer in 0…999, got ${JSON.stringify(index)}`);
  return [entry[0], entry[1]];
}

/**
 * Keras's imagenet_utils.decode_predictions: for each sample of an (N, 1000) batch of ImageNet
 * predictions, the `top` classes as [classId, className, probability], most probable first.
 * Equal scores list the higher class index first (NumPy's argsort reversed); NaN sorts above
 * everything, as in NumPy.
 */
export function decodePredictions(preds: Tensor | readonly ArrayLike<number>[], top = 5): DecodedPrediction[][] {
  let shape: readonly number[];
  let rows: (n: number) => ArrayLike<number>;
  if (preds instanceof Tensor) {
    shape = preds.shape;
    const values = preds.dataSync();
    rows = (n) => values.subarray(n * 1000, (n + 1) * 1000) as ArrayLike<number>;
  } else if (Array.isArray(preds) && preds.every((r) => Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView)))) {
    const widths = new Set(preds.map((r) => r.length));
    shape = widths.size <= 1 ? [preds.length, preds.length ? preds[0].length : 1000] : [preds.length, NaN];
    rows = (n) => preds[n];
  } else {
    throw new ValueError(`decodePredictions expects a batch of predictions (a Tensor or array of shape (samples, 1000)), got ${preds === null ? 'null' : typeof preds}`);
  }
  if (shape.length !== 2 || shape[1] !== 1000) {
    throw new ValueError(
      `decodePredictions expects a batch of predictions (a 2-D array of shape (samples, 1000)); got shape (${shape.map((d) => (Number.isNaN(d) ? 'ragged' : d)).join(', ')}${shape.length === 1 ? ',' : ''})`,
    );
  }
  if (!Number.isInteger(top) || top < 1) throw new ValueError(`decodePredictions: top must be a positive integer, got ${JSON.stringify(top)}`);
  const k = Math.min(top, 1000);
  const out: DecodedPrediction[][] = [];
  for (let n = 0; n < shape[0]; n++) {
    const p = rows(n);
    const order = Array.from({ length: 1000 }, (_, i) => i);
    order.sort((a, b) => {
      const pa = p[a], pb = p[b];
      if (Number.isNaN(pa) || Number.isNaN(pb)) return Number.isNaN(pa) === Number.isNaN(pb) ? b - a : Number.isNaN(pa) ? -1 : 1;
      return pb - pa || b - a;
    });
    out.push(order.slice(0, k).map((i) => {
      const [id, name] = IMAGENET_CLASS_INDEX[i];
      return [id, name, Number(p[i])];
    }));
  }
  return out;
}
