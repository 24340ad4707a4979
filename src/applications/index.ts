/** Ready-made architectures: the seeds' CNNs and Keras applications (fresh weights, or Keras's ImageNet weights). */
export {
  lenet5, seedCifarCnn, fashionModel1, fashionModel2, fashionBnModel, cifarBnModel, seed004Model,
  SEED_ARCHITECTURES, buildArchitecture, type SeedArchitecture,
} from './seed_models.js';
export { mobileNetV2, MobileNetV2, makeDivisible, type MobileNetV2Args } from './mobilenet_v2.js';
export { mobileNet, MobileNet, type MobileNetArgs } from './mobilenet.js';
export { denseNet121, denseNet169, denseNet201, DenseNet121, DenseNet169, DenseNet201 } from './densenet.js';
export { inceptionV3, InceptionV3 } from './inception_v3.js';
export { vgg16, vgg19, VGG16, VGG19, type VGGArgs } from './vgg.js';
export { resNet50, resNet101, resNet152, ResNet50, ResNet101, ResNet152, type ResNetArgs } from './resnet.js';
export { resNet50V2, resNet101V2, resNet152V2, ResNet50V2, ResNet101V2, ResNet152V2 } from './resnet_v2.js';
export { type ApplicationArgs, type ApplicationBuilder, type ImageShape } from './common.js';
export * as imagenetUtils from './imagenet_utils.js';
export { decodePredictions, imagenetClass, type DecodedPrediction, type PreprocessMode } from './imagenet_utils.js';
export { kerasWeightsFile, KERAS_WEIGHTS_ARCHITECTURES, type KerasWeightsFile, type KerasWeightsOptions } from './weight_urls.js';
