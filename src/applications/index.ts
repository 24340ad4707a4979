/** Ready-made architectures: the seeds' CNNs and Keras applications (random weights). */
export {
  lenet5, seedCifarCnn, fashionModel1, fashionModel2, fashionBnModel, cifarBnModel, seed004Model,
  SEED_ARCHITECTURES, buildArchitecture, type SeedArchitecture,
} from './seed_models.js';
export { mobileNetV2, makeDivisible, type MobileNetV2Args } from './mobilenet_v2.js';
