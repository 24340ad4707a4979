/**
 * Keras layers: classes (for subclassing and instanceof) and TensorFlow.js-style lower-case
 * factories (`layers.conv2d({...})`).
 */
import { Layer } from './layer.js';
import { InputLayer, Input, type InputArgs } from './input.js';
import { Dense, type DenseArgs, ActivationLayer, type ActivationArgs, Dropout, type DropoutArgs } from './core.js';
import { Conv2D, type Conv2DArgs, DepthwiseConv2D, type DepthwiseConv2DArgs } from './convolutional.js';
import { Conv1D, type Conv1DArgs } from './conv1d.js';
import { Conv2DTranspose, type Conv2DTransposeArgs } from './conv2d_transpose.js';
import { SeparableConv2D, type SeparableConv2DArgs } from './separable_conv2d.js';
import { MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, type Pooling2DArgs, type GlobalPooling2DArgs } from './pooling.js';
import { BatchNormalization, type BatchNormalizationArgs } from './normalization.js';
import { Flatten, Reshape, type ReshapeArgs, ZeroPadding2D, type ZeroPadding2DArgs } from './reshaping.js';
import { Add, Concatenate, type ConcatenateArgs, Merge, Multiply, Average, Maximum, Minimum, Subtract, mergeFactory, type MergeFactory } from './merging.js';
import { Cropping1D, type Cropping1DArgs, Cropping2D, type Cropping2DArgs } from './cropping.js';
import { UpSampling2D, type UpSampling2DArgs } from './upsampling.js';
import { ReLU, type ReLUArgs, Softmax, type SoftmaxArgs } from './activation_layers.js';
import type { LayerArgs } from './layer.js';
import { registerLayer } from './registry.js';
import { Rescaling, type RescalingArgs, Normalization, type NormalizationArgs } from './preprocessing.js';
import {
  RandomFlip, type RandomFlipArgs, RandomRotation, type RandomRotationArgs, RandomZoom, type RandomZoomArgs,
  RandomTranslation, type RandomTranslationArgs, RandomContrast, type RandomContrastArgs,
} from './random_image.js';
import { LayerNormalization, type LayerNormalizationArgs, RMSNormalization, type RMSNormalizationArgs } from './layer_normalization.js';
import { SpatialDropout2D, type SpatialDropout2DArgs } from './spatial_dropout.js';
import { StochasticPooling2D, type StochasticPooling2DArgs } from './stochastic_pooling.js';
import { LayerScale, type LayerScaleArgs } from './layer_scale.js';
import { StochasticDepth, type StochasticDepthArgs } from './stochastic_depth.js';

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

/** LayerNormalization, RMSNormalization, SpatialDropout2D (Keras 3) and StochasticPooling2D (seed 002; convkit's own). */
export { LayerNormalization, RMSNormalization, SpatialDropout2D, StochasticPooling2D };
export type { LayerNormalizationArgs, RMSNormalizationArgs, SpatialDropout2DArgs, StochasticPooling2DArgs };
for (const c of [LayerNormalization, RMSNormalization, SpatialDropout2D, StochasticPooling2D]) registerLayer(c.className, c as never);
export const layerNormalization = (a: LayerNormalizationArgs = {}) => new LayerNormalization(a);
export const rmsNormalization = (a: RMSNormalizationArgs = {}) => new RMSNormalization(a);
export const spatialDropout2d = (a: SpatialDropout2DArgs) => new SpatialDropout2D(a);
export const stochasticPooling2d = (a: StochasticPooling2DArgs = {}) => new StochasticPooling2D(a);

/** LayerScale and StochasticDepth: the custom layers of Keras's ConvNeXt, under Keras's class names. */
export { LayerScale, StochasticDepth };
export type { LayerScaleArgs, StochasticDepthArgs };
for (const c of [LayerScale, StochasticDepth]) registerLayer(c.className, c as never);
export const layerScale = (a: LayerScaleArgs) => new LayerScale(a);
export const stochasticDepth = (a: StochasticDepthArgs) => new StochasticDepth(a);

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

/** Conv1D, Conv2DTranspose, SeparableConv2D (Keras 3), with Keras's aliases. */
export { Conv1D, Conv2DTranspose, SeparableConv2D };
export { Conv1D as Convolution1D, Conv2DTranspose as Convolution2DTranspose, SeparableConv2D as SeparableConvolution2D };
export type { Conv1DArgs, Conv2DTransposeArgs, SeparableConv2DArgs };
for (const c of [Conv1D, Conv2DTranspose, SeparableConv2D]) registerLayer(c.className, c as never);
registerLayer('Convolution1D', Conv1D as never);
registerLayer('Convolution2DTranspose', Conv2DTranspose as never);
registerLayer('SeparableConvolution2D', SeparableConv2D as never);
export const conv1d = (a: Conv1DArgs) => new Conv1D(a);
export const conv2dTranspose = (a: Conv2DTransposeArgs) => new Conv2DTranspose(a);
export const separableConv2d = (a: SeparableConv2DArgs) => new SeparableConv2D(a);
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
/** `add(args?)` makes the layer; `add([a, b], args?)` also applies it (Keras's `keras.layers.add([a, b])`). */
export const add: MergeFactory<Add> = mergeFactory((a: LayerArgs) => new Add(a));
export const concatenate: MergeFactory<Concatenate, ConcatenateArgs> = mergeFactory((a: ConcatenateArgs) => new Concatenate(a));

/** Cropping, upsampling and Keras 3's element-wise merges (each merge factory also takes the input list, as `add`). */
export { Cropping1D, Cropping2D, UpSampling2D, Merge, Multiply, Average, Maximum, Minimum, Subtract };
export type { Cropping1DArgs, Cropping2DArgs, UpSampling2DArgs, MergeFactory };
for (const c of [Cropping1D, Cropping2D, UpSampling2D, Multiply, Average, Maximum, Minimum, Subtract]) registerLayer(c.className, c as never);
export const cropping1d = (a: Cropping1DArgs = {}) => new Cropping1D(a);
export const cropping2d = (a: Cropping2DArgs = {}) => new Cropping2D(a);
export const upSampling2d = (a: UpSampling2DArgs = {}) => new UpSampling2D(a);
export const multiply: MergeFactory<Multiply> = mergeFactory((a: LayerArgs) => new Multiply(a));
export const average: MergeFactory<Average> = mergeFactory((a: LayerArgs) => new Average(a));
export const maximum: MergeFactory<Maximum> = mergeFactory((a: LayerArgs) => new Maximum(a));
export const minimum: MergeFactory<Minimum> = mergeFactory((a: LayerArgs) => new Minimum(a));
export const subtract: MergeFactory<Subtract> = mergeFactory((a: LayerArgs) => new Subtract(a));
export const reLU = (a: ReLUArgs = {}) => new ReLU(a);
export const relu = reLU;
export const softmax = (a: SoftmaxArgs = {}) => new Softmax(a);
