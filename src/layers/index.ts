/**
 * Keras layers: classes (for subclassing and instanceof) and TensorFlow.js-style lower-case
 * factories (`layers.conv2d({...})`).
 */
import { Layer } from './layer.js';
import { InputLayer, Input, type InputArgs } from './input.js';
import { Dense, type DenseArgs, ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs } from './core.js';
import { Conv2D, type Conv2DArgs, DepthwiseConv2D, type DepthwiseConv2DArgs } from './convolutional.js';
import { MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, type Pooling2DArgs, type GlobalPooling2DArgs } from './pooling.js';
import { BatchNormalization, type BatchNormalizationArgs } from './normalization.js';
import { Flatten, Reshape, type ReshapeArgs, ZeroPadding2D, type ZeroPadding2DArgs } from './reshaping.js';
import { Add, Concatenate, type ConcatenateArgs } from './merging.js';
import { ReLU, type ReLUArgs, Softmax, type SoftmaxArgs } from './activation_layers.js';
import type { LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import { Rescaling, type RescalingArgs, Normalization, type NormalizationArgs } from './preprocessing.js';
import {
  RandomFlip, type RandomFlipArgs, RandomRotation, type RandomRotationArgs, RandomZoom, type RandomZoomArgs,
  RandomTranslation, type RandomTranslationArgs, RandomContrast, type RandomContrastArgs,
} from './random_image.js';

/** Keras 3 preprocessing layers (random ones are active in training only). */
export { Rescaling, Normalization, RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast };
export type { RescalingArgs, NormalizationArgs, RandomFlipArgs, RandomRotationArgs, RandomZoomArgs, RandomTranslationArgs, RandomContrastArgs };
for (const c of [Rescaling, Normalization, RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast]) registerLayer(c.className, c as never);
export const rescaling = (a: RescalingArgs) => new Rescaling(a);
export const normalization = (a: NormalizationArgs = {}) => new Normalization(a);
export const randomFlip = (a: RandomFlipArgs = {}) => new RandomFlip(a);
export const randomRotation = (a: RandomRotationArgs) => new RandomRotation(a);
export const randomZoom = (a: RandomZoomArgs) => new RandomZoom(a);
export const randomTranslation = (a: RandomTranslationArgs) => new RandomTranslation(a);
export const randomContrast = (a: RandomContrastArgs) => new RandomContrast(a);

export {
  Layer, InputLayer, Input, Dense, ActivationLayer as Activation, Dropout, Conv2D, DepthwiseConv2D, MaxPooling2D,
  AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, BatchNormalization, Flatten, Reshape, ZeroPadding2D,
  Add, Concatenate, ReLU, Softmax,
};
/** Keras aliases. */
export { MaxPooling2D as MaxPool2D, AveragePooling2D as AvgPool2D, GlobalAveragePooling2D as GlobalAvgPool2D, GlobalMaxPooling2D as GlobalMaxPool2D };
export type {
  LayerArgs, InputArgs, DenseArgs, ActivationArgs, DropoutArgs, Conv2DArgs, DepthwiseConv2DArgs, Pooling2DArgs, GlobalPooling2DArgs,
  BatchNormalizationArgs, ReshapeArgs, ZeroPadding2DArgs, ConcatenateArgs, ReLUArgs, SoftmaxArgs,
};

for (const c of [InputLayer, Dense, ActivationLayer, Dropout, Conv2D, DepthwiseConv2D, MaxPooling2D, AveragePooling2D,
  GlobalAveragePooling2D, GlobalMaxPooling2D, BatchNormalization, Flatten, Reshape, ZeroPadding2D, Add, Concatenate, ReLU, Softmax]) {
  registerLayer(c.className, c as never);
}
registerLayer('MaxPool2D', MaxPooling2D as never);
registerLayer('AvgPool2D', AveragePooling2D as never);

export const input = Input;
export const inputLayer = (a: InputArgs) => new InputLayer(a);
export const dense = (a: DenseArgs) => new Dense(a);
export const activation = (a: ActivationArgs) => new ActivationLayer(a);
export const dropout = (a: DropoutArgs) => new Dropout(a);
export const conv2d = (a: Conv2DArgs) => new Conv2D(a);
export const depthwiseConv2d = (a: DepthwiseConv2DArgs) => new DepthwiseConv2D(a);
export const maxPooling2d = (a: Pooling2DArgs = {}) => new MaxPooling2D(a);
export const maxPool2d = maxPooling2d;
export const averagePooling2d = (a: Pooling2DArgs = {}) => new AveragePooling2D(a);
export const avgPool2d = averagePooling2d;
export const globalAveragePooling2d = (a: GlobalPooling2DArgs = {}) => new GlobalAveragePooling2D(a);
export const globalMaxPooling2d = (a: GlobalPooling2DArgs = {}) => new GlobalMaxPooling2D(a);
export const batchNormalization = (a: BatchNormalizationArgs = {}) => new BatchNormalization(a);
export const flatten = (a: LayerArgs = {}) => new Flatten(a);
export const reshape = (a: ReshapeArgs) => new Reshape(a);
export const zeroPadding2d = (a: ZeroPadding2DArgs = {}) => new ZeroPadding2D(a);
export const add = (a: LayerArgs = {}) => new Add(a);
export const concatenate = (a: ConcatenateArgs = {}) => new Concatenate(a);
export const reLU = (a: ReLUArgs = {}) => new ReLU(a);
export const relu = reLU;
export const softmax = (a: SoftmaxArgs = {}) => new Softmax(a);
