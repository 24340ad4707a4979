/**
 * convkit: convolutional neural networks for Node.js with Keras semantics.
 *
 *   import { Sequential, layers, datasets } from 'convkit';
 */
import './ops/index.js';

export { Tensor, Variable, type Shape, type NestedArray } from './tensor/tensor.js';
export type { DType } from './tensor/dtype.js';
export { Random, setRandomSeed } from './tensor/random.js';
export {
  tensor, scalar, zeros, ones, fill, zerosLike, onesLike, randomNormal, randomUniform, truncatedNormal, range, eye,
  type TensorLike,
} from './ops/creation.js';
export * as ops from './ops/index.js';
export { noGrad, valueAndGrads, gradients } from './autograd/tape.js';
export { setBackend, getBackend, listBackends, registerBackend } from './backend/registry.js';
export type { Backend } from './backend/backend.js';
export { ConvkitError, ShapeError, ValueError, FormatError } from './errors.js';

export * as layers from './layers/index.js';
export { Layer, type LayerArgs, type CallContext } from './layers/layer.js';
export { Input, InputLayer } from './layers/input.js';
export { SymbolicTensor } from './layers/symbolic.js';
export { clearSession } from './layers/naming.js';
export { Model, type ModelArgs } from './models/model.js';
export { Sequential, type SequentialArgs } from './models/sequential.js';
export type { SummaryInfo } from './models/summary.js';
export type { CompileArgs, FitArgs, EvaluateArgs, PredictArgs } from './models/trainer.js';
export { type BatchSource, type Batch, isBatchSource } from './data/batch_source.js';

export * as activations from './activations/index.js';
export * as initializers from './initializers/index.js';
export * as regularizers from './regularizers/index.js';
export * as optimizers from './optimizers/index.js';
export * as losses from './losses/index.js';
export * as metrics from './metrics/index.js';
export * as callbacks from './callbacks/index.js';
export * as datasets from './data/datasets.js';
export * as image from './data/image.js';
export { imageDatasetFromDirectory, ImageDirectoryDataset, type ImageDatasetOptions } from './data/image_dataset.js';
export * as utils from './data/utils.js';
export { ImageDataGenerator, FlowIterator, type ImageDataGeneratorOptions, type FlowOptions, type TransformParams } from './data/augment/index.js';
export * as applications from './applications/index.js';
export * as vision from './vision/index.js';
export * as viz from './viz/index.js';
export { startDashboard } from './dashboard/server.js';

export { loadModel, loadWeights, saveWeights, loadWeightsFromUrl, SAVE_FORMATS, type LoadOptions, type SaveOptions, type SaveFormat } from './io/model_io.js';
export type { TfjsArtifacts } from './io/tfjs/tfjs_io.js';
export { getFile, type GetFileOptions } from './io/download/get_file.js';
export { DownloadError, HashMismatchError } from './io/download/errors.js';
export { CONVKIT_VERSION } from './version.js';
export { modelFromConfig, modelToConfig } from './io/model_config.js';
