/**
 * The one contract every numeric backend implements (reference `js`, later `native`, `wasm`…).
 *
 * Kernels see plain typed arrays and pre-computed shape records, never Tensors, the tape or layers:
 * ops validate arguments and infer shapes (src/shape), kernels only compute. A kernel returns a fresh
 * array of the same element type as its main input, so float64 inputs (used by gradient checks)
 * stay float64 end to end. Layouts are channels-last like Keras: NHWC activations, HWIO conv
 * kernels, H×W×C×multiplier depthwise kernels.
 */
import type { Conv2DInfo, Pool2DInfo } from '../shape/conv.js';
import type { KernelRecorder } from './kernel_tape.js';

export type FloatArray = Float32Array | Float64Array;
export type DataArray = Float32Array | Float64Array | Int32Array;

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'square' | 'sqrt' | 'rsqrt' | 'exp' | 'log' | 'log1p' | 'reciprocal'
  | 'relu' | 'relu6' | 'sigmoid' | 'tanh' | 'elu' | 'selu' | 'softplus' | 'softsign' | 'gelu'
  | 'gelu_tanh' | 'swish' | 'hard_sigmoid' | 'floor' | 'ceil' | 'round' | 'step' | 'isnan';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod';

/** Parameters of the element-wise ReLU family (Keras's ReLU layer and leaky_relu). */
export interface ReluAttrs {
  maxValue?: number;
  negativeSlope: number;
  threshold: number;
}

export interface BatchNormTrainResult {
  y: FloatArray;
  /** Per-channel batch mean and (biased) variance, length = channels. */
  mean: FloatArray;
  variance: FloatArray;
}

export interface BatchNormGradResult {
  dx: FloatArray;
  dgamma: FloatArray;
  dbeta: FloatArray;
}

/**
 * Activations a kernel may apply in its epilogue. Only those whose derivative is a function of the
 * output y, so the backward pass needs no pre-activation copy.
 */
export type FusedActivation = 'linear' | 'relu' | 'relu6' | 'sigmoid' | 'tanh';

/** out = activation(out + bias + residual), bias broadcast over the last axis (channels / columns). */
export interface Epilogue {
  bias?: FloatArray;
  activation?: FusedActivation;
  /**
   * conv2d only: an array of the output's size added before the activation (a residual block's
   * shortcut). With `residualInPlace` the result is written over it and returned: the caller gives
   * the array up.
   */
  residual?: FloatArray;
  residualInPlace?: boolean;
  /**
   * The filter's values never change while its array lives (inference weights folded from the
   * variables): a backend may keep a re-laid-out copy of it, keyed by the array.
   */
  constantFilter?: boolean;
}

/** One convolution of a fused sequence: its filter, geometry and epilogue. */
export interface ConvStage {
  filter: FloatArray;
  info: Conv2DInfo;
  epilogue: Epilogue;
}

export interface SoftmaxCrossEntropyResult {
  /** Per-row loss −log softmax(logits)[label]. */
  loss: FloatArray;
  /** Gradient of the sum of the row losses with respect to the logits: softmax − one-hot. */
  dlogits: FloatArray;
}

export interface Backend {
  readonly name: string;
  /**
   * Records the kernel calls of an inference pass for replay (backend/kernel_tape.ts), when the
   * backend can: only calls into compiled kernels are recorded, so the js backend has none.
   */
  readonly recording?: KernelRecorder;

  // ---- element-wise ----
  /** y = f(x) for each element; `alpha` parameterises elu. */
  unary(op: UnaryOp, x: FloatArray, alpha?: number): FloatArray;
  /**
   * dx = dy · f'(x) for each element. `y` is f(x) (already computed by the forward pass; kernels
   * may use it instead of x, e.g. sigmoid and tanh).
   */
  unaryGrad(op: UnaryOp, dy: FloatArray, x: FloatArray, y: FloatArray, alpha?: number): FloatArray;
  /** Keras ReLU with max_value / negative_slope / threshold; and its gradient. */
  relu(x: FloatArray, attrs: ReluAttrs): FloatArray;
  reluGrad(dy: FloatArray, x: FloatArray, attrs: ReluAttrs): FloatArray;
  /** Broadcasting binary op (numpy rules; shapes already validated and outShape computed). */
  binary(op: BinaryOp, a: DataArray, aShape: readonly number[], b: DataArray, bShape: readonly number[],
    outShape: readonly number[]): DataArray;
  /** Clamp into [lo, hi]. */
  clip(x: FloatArray, lo: number, hi: number): FloatArray;
  /** cond ? a : b, all of one shape. */
  where(cond: DataArray, a: FloatArray, b: FloatArray): FloatArray;
  cast(x: DataArray, dtype: 'float32' | 'float64' | 'int32'): DataArray;

  // ---- reductions ----
  /** Reduce over `axes` (sorted, unique); the result has the reduced axes removed. */
  reduce(op: ReduceOp, x: FloatArray, shape: readonly number[], axes: readonly number[]): FloatArray;
  /** Index of the max/min along one axis; the axis is removed. */
  argReduce(op: 'argmax' | 'argmin', x: DataArray, shape: readonly number[], axis: number): Int32Array;
  /** No element is NaN or ±∞ (always true for int32). */
  allFinite(x: DataArray): boolean;

  // ---- linear algebra ----
  /**
   * Batched matrix product C[b] = op(A[b]) · op(B[b]) with op = transpose when the flag is set.
   * A is batch×(m×k) (or k×m when transA), B is batch×(k×n) (or n×k when transB); batch of 1 for
   * plain 2-D. `bBatch` is 1 when B is shared by every batch entry.
   */
  matmul(a: FloatArray, b: FloatArray, batch: number, m: number, k: number, n: number,
    transA: boolean, transB: boolean, bBatch: number, epilogue?: Epilogue): FloatArray;

  // ---- data movement ----
  transpose(x: DataArray, shape: readonly number[], perm: readonly number[]): DataArray;
  slice(x: DataArray, shape: readonly number[], begin: readonly number[], size: readonly number[]): DataArray;
  concat(xs: readonly DataArray[], shapes: readonly (readonly number[])[], axis: number): DataArray;
  /** Constant padding; `paddings[i] = [before, after]`. */
  pad(x: DataArray, shape: readonly number[], paddings: readonly (readonly [number, number])[], value: number): DataArray;
  /** Take `indices` along `axis`. Indices are validated by the op. */
  gather(x: DataArray, shape: readonly number[], indices: Int32Array, axis: number): DataArray;
  /** Scatter-add `dy` (shape of gather's output) back into a zero array of `shape`: gather's gradient. */
  gatherGrad(dy: FloatArray, shape: readonly number[], indices: Int32Array, axis: number): FloatArray;
  /** Repeat to a broadcast-compatible larger shape (numpy broadcast_to). */
  broadcastTo(x: DataArray, shape: readonly number[], outShape: readonly number[]): DataArray;

  // ---- convolution (NHWC, HWIO) ----
  conv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue): FloatArray;
  conv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray;
  conv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray;
  /** Depthwise: filter is kH×kW×inC×multiplier, output channels = inC·multiplier (c·M + m). */
  depthwiseConv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue): FloatArray;
  depthwiseConv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray;
  depthwiseConv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray;
  /**
   * depthwiseConv2d(conv2d(x, pwFilter, pwInfo, pwEpilogue), dwFilter, dwInfo, dwEpilogue), where
   * pwInfo is a 1×1 convolution whose output is dwInfo's input (inference only: no gradient), and
   * with `projection` the 1×1 convolution conv2d(that, projection.filter, projection.info,
   * projection.epilogue) on the depthwise output (an inverted-residual block, its shortcut as the
   * epilogue's residual). Null pwFilter and pwInfo: a block without expansion, x is the depthwise
   * input. A backend may compute it without materialising the intermediates.
   */
  pointwiseDepthwiseConv2d(x: FloatArray, pwFilter: FloatArray | null, pwInfo: Conv2DInfo | null, pwEpilogue: Epilogue,
    dwFilter: FloatArray, dwInfo: Conv2DInfo, dwEpilogue: Epilogue, projection?: ConvStage): FloatArray;

  // ---- pooling (NHWC) ----
  /** Padding cells never win a max (they act as −∞). */
  maxPool(x: FloatArray, info: Pool2DInfo): FloatArray;
  /** Routes dy to the first maximal input of each window (TensorFlow's tie rule). */
  maxPoolBackprop(dy: FloatArray, x: FloatArray, info: Pool2DInfo): FloatArray;
  /** Averages only over cells inside the input (TensorFlow 'same' semantics: padding not counted). */
  avgPool(x: FloatArray, info: Pool2DInfo): FloatArray;
  avgPoolBackprop(dy: FloatArray, info: Pool2DInfo): FloatArray;

  // ---- softmax family (over the last axis of a [rows, cols] view) ----
  softmax(x: FloatArray, rows: number, cols: number): FloatArray;
  logSoftmax(x: FloatArray, rows: number, cols: number): FloatArray;
  /** Softmax cross-entropy against integer labels in [0, cols), computed from the logits in one pass. */
  sparseSoftmaxCrossEntropy(logits: FloatArray, labels: Int32Array, rows: number, cols: number): SoftmaxCrossEntropyResult;

  // ---- batch normalisation over the last axis (channels), x viewed as [rows, channels] ----
  /** Uses batch statistics; variance is the biased (population) variance, as Keras normalises with. */
  batchNormTrain(x: FloatArray, gamma: FloatArray, beta: FloatArray, channels: number, epsilon: number): BatchNormTrainResult;
  batchNormInference(x: FloatArray, mean: FloatArray, variance: FloatArray, gamma: FloatArray,
    beta: FloatArray, channels: number, epsilon: number): FloatArray;
  /** Gradient of batchNormTrain with respect to x, gamma and beta (batch statistics differentiated). */
  batchNormTrainGrad(dy: FloatArray, x: FloatArray, gamma: FloatArray, mean: FloatArray, variance: FloatArray,
    channels: number, epsilon: number): BatchNormGradResult;

  // ---- optimizer steps (in place on the variable and its slots) ----
  /**
   * Adam's update, Keras form: m += (g − m)·c1; v += (g² − v)·c2; w −= m·alpha/(√v + ε), with
   * c1 = 1 − β₁, c2 = 1 − β₂ and alpha the bias-corrected learning rate. w, m and v share one type.
   */
  adamUpdate(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, alpha: number, oneMinusBeta1: number,
    oneMinusBeta2: number, epsilon: number): void;
}
