/** Image augmentation: Keras's ImageDataGenerator and the affine warp it shares with the random preprocessing layers. */
export { ImageDataGenerator, type ImageDataGeneratorOptions } from './image_data_generator.js';
export { FlowIterator, type FlowOptions } from './flow.js';
export { inverseAffineFor, type TransformParams } from './transform.js';
export { warpImage, type FillMode, type Interpolation, type InverseAffine, type WarpSpec } from './warp.js';
