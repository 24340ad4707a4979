/** Ready-made architectures: the seeds' CNNs and Keras applications (fresh weights, or Keras's ImageNet weights). */
export {
  lenet5, seedCifarCnn, fashionModel1, fashionModel2, fashionBnModel, cifarBnModel, seed004Model,
  SEED_ARCHITECTURES, buildArchitecture, type SeedArchitecture,
} from './seed_models.js';
export { mobileNetV2, MobileNetV2, makeDivisible, type MobileNetV2Args } from './mobilenet_v2.js';
export { mobileNet, MobileNet, type MobileNetArgs } from './mobilenet.js';
export { mobileNetV3Small, mobileNetV3Large, MobileNetV3Small, MobileNetV3Large, type MobileNetV3Args } from './mobilenet_v3.js';
export {
  convNeXtTiny, convNeXtSmall, convNeXtBase, convNeXtLarge, convNeXtXLarge,
  ConvNeXtTiny, ConvNeXtSmall, ConvNeXtBase, ConvNeXtLarge, ConvNeXtXLarge,
  CONVNEXT_CONFIGS, type ConvNeXtArgs, type ConvNeXtVariant,
} from './convnext.js';
export { denseNet121, denseNet169, denseNet201, DenseNet121, DenseNet169, DenseNet201 } from './densenet.js';
export { inceptionV3, InceptionV3 } from './inception_v3.js';
export { xception, Xception } from './xception.js';
export { inceptionResNetV2, InceptionResNetV2, CustomScaleLayer, type CustomScaleLayerArgs } from './inception_resnet_v2.js';
export { nasNetMobile, nasNetLarge, NASNetMobile, NASNetLarge } from './nasnet.js';
export {
  LeNet5, alexNet, AlexNet, googLeNet, GoogLeNet, GOOGLENET_INCEPTION_TABLE,
  type LeNet5Args, type GoogLeNetArgs, type InceptionFilters,
} from './classic.js';
export { vgg16, vgg19, VGG16, VGG19, type VGGArgs } from './vgg.js';
export { resNet50, resNet101, resNet152, ResNet50, ResNet101, ResNet152, type ResNetArgs } from './resnet.js';
export { resNet50V2, resNet101V2, resNet152V2, ResNet50V2, ResNet101V2, ResNet152V2 } from './resnet_v2.js';
export {
  efficientNetB0, efficientNetB1, efficientNetB2, efficientNetB3, efficientNetB4, efficientNetB5, efficientNetB6, efficientNetB7,
  EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3, EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7,
} from './efficientnet.js';
export {
  efficientNetV2B0, efficientNetV2B1, efficientNetV2B2, efficientNetV2B3, efficientNetV2S, efficientNetV2M, efficientNetV2L,
  EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3, EfficientNetV2S, EfficientNetV2M, EfficientNetV2L,
  type EfficientNetV2Args,
} from './efficientnet_v2.js';
export { type ApplicationArgs, type ApplicationBuilder, type ImageShape } from './common.js';
export * as imagenetUtils from './imagenet_utils.js';
export { decodePredictions, imagenetClass, type DecodedPrediction, type PreprocessMode } from './imagenet_utils.js';
export { kerasWeightsFile, KERAS_WEIGHTS_ARCHITECTURES, type KerasWeightsFile, type KerasWeightsOptions } from './weight_urls.js';
