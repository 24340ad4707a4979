/** Ready-made architectures: the seeds' CNNs and Keras applications (fresh weights, or Keras's ImageNet weights). */
export {
  lenet5, seedCifarCnn, fashionModel1, fashionModel2, fashionBnModel, cifarBnModel, seed004Model,
  SEED_ARCHITECTURES, buildArchitecture, type SeedArchitecture,
} from './seed_models.js';
export { mobileNetV2, makeDivisible, type MobileNetV2Args } from './mobilenet_v2.js';
export { kerasWeightsFile, KERAS_WEIGHTS_ARCHITECTURES, type KerasWeightsFile, type KerasWeightsOptions } from './weight_urls.js';
