/**
 * The CNNs of the seed tutorials, ported line by line from their Keras listings. Each builder
 * returns an uncompiled model; `compileAsSeed` applies the optimizer/loss/metrics the seed used.
 */
import { Input } from '../layers/input.js';
import * as L from '../layers/index.js';
import { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';
import { ValueError } from '../errors.js';
import * as initializers from '../initializers/index.js';

/** Seed 003 LeNet-5 (as Sequential so it can be saved): the `convkit train` default. */
export function lenet5(numClasses = 10, inputShape: number[] = [28, 28, 1]): Sequential {
  return new Sequential({
    name: 'lenet5',
    layers: [
      L.conv2d({ filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', inputShape }),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 120, activation: 'relu' }),
      L.dense({ units: 84, activation: 'relu' }),
      L.dense({ units: numClasses, activation: 'softmax' }),
    ],
  });
}

/** Seed 000 CIFAR-10 Sequential CNN: 122,570 parameters. */
export function seedCifarCnn(): Sequential {
  const model = new Sequential();
  model.add(L.conv2d({ filters: 32, kernelSize: [3, 3], activation: 'relu', inputShape: [32, 32, 3] }));
  model.add(L.maxPooling2d({ poolSize: [2, 2] }));
  model.add(L.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }));
  model.add(L.maxPooling2d({ poolSize: [2, 2] }));
  model.add(L.conv2d({ filters: 64, kernelSize: [3, 3], activation: 'relu' }));
  model.add(L.flatten());
  model.add(L.dense({ units: 64, activation: 'relu' }));
  model.add(L.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** Seed 003 Fashion-MNIST build_model(): three same-padded convs, 3,239,114 parameters. */
export function fashionModel1(): Model {
  const input = Input({ shape: [28, 28, 1] });
  let output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(input);
  output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(output);
  output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(output);
  output = L.flatten().apply(output);
  output = L.dense({ units: 128, activation: 'relu' }).apply(output);
  output = L.dense({ units: 64, activation: 'relu' }).apply(output);
  output = L.dense({ units: 10, activation: 'softmax' }).apply(output);
  return new Model({ inputs: [input], outputs: output });
}

/** Seed 003 Fashion-MNIST build_model2(): pooling and dropout, 228,554 parameters. */
export function fashionModel2(): Model {
  const input = Input({ shape: [28, 28, 1] });
  let output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(input);
  output = L.maxPooling2d({ strides: 2 }).apply(output);
  output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(output);
  output = L.maxPooling2d({ strides: 2 }).apply(output);
  output = L.dropout({ rate: 0.4 }).apply(output);
  output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(output);
  output = L.dropout({ rate: 0.4 }).apply(output);
  output = L.flatten().apply(output);
  output = L.dense({ units: 128, activation: 'relu' }).apply(output);
  output = L.dense({ units: 64, activation: 'relu' }).apply(output);
  output = L.dense({ units: 10, activation: 'softmax' }).apply(output);
  return new Model({ inputs: [input], outputs: output });
}

/** Seed 003 Fashion-MNIST build_model3(): BatchNormalization, 2,589,834 parameters (1,728 non-trainable). */
export function fashionBnModel(): Model {
  const input = Input({ shape: [28, 28, 1] });
  let output = L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(input);
  output = L.batchNormalization().apply(output);
  output = L.maxPooling2d({ strides: 2 }).apply(output);
  output = L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', padding: 'valid' }).apply(output);
  output = L.batchNormalization().apply(output);
  output = L.maxPooling2d({ strides: 2 }).apply(output);
  output = L.dropout({ rate: 0.4 }).apply(output);
  output = L.conv2d({ filters: 128, kernelSize: 3, activation: 'relu', padding: 'same' }).apply(output);
  output = L.dropout({ rate: 0.4 }).apply(output);
  output = L.flatten().apply(output);
  output = L.dense({ units: 512, activation: 'relu' }).apply(output);
  output = L.batchNormalization().apply(output);
  output = L.dense({ units: 256, activation: 'relu' }).apply(output);
  output = L.batchNormalization().apply(output);
  output = L.dense({ units: 10, activation: 'softmax' }).apply(output);
  return new Model({ inputs: [input], outputs: output });
}

/** Seed 003 CIFAR-10 model_build(): 652,874 parameters (448 non-trainable). */
export function cifarBnModel(): Model {
  const input = Input({ shape: [32, 32, 3] });
  let output = input;
  for (const filters of [32, 64, 128]) {
    output = L.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(output);
    output = L.batchNormalization().apply(output);
    output = L.maxPool2d({ poolSize: 2, strides: 2, padding: 'same' }).apply(output);
    output = L.dropout({ rate: 0.3 }).apply(output);
  }
  output = L.flatten().apply(output);
  output = L.dense({ units: 256, activation: 'relu' }).apply(output);
  output = L.dense({ units: 128, activation: 'relu' }).apply(output);
  output = L.dense({ units: 10, activation: 'softmax' }).apply(output);
  return new Model({ inputs: input, outputs: output });
}

/** Seed 004 MNIST: Conv2D(5, 3×3, stride 2, same, RandomNormal(0.01)) → MaxPool2D(2, 2, same) → Dense. */
export function seed004Model(): Sequential {
  return new Sequential({
    layers: [
      L.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: initializers.randomNormal({ stddev: 0.01 }), inputShape: [28, 28, 1] }),
      L.maxPool2d({ poolSize: 2, strides: 2, padding: 'same' }),
      L.flatten(),
      L.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

export interface SeedArchitecture {
  build: () => Model;
  description: string;
  /** Input shape of one sample. */
  inputShape: number[];
}

export const SEED_ARCHITECTURES: Record<string, SeedArchitecture> = {
  'lenet5': { build: () => lenet5(), description: 'LeNet-5 from seed 003 (28x28x1, 10 classes)', inputShape: [28, 28, 1] },
  'seed-cifar': { build: seedCifarCnn, description: 'seed 000 CIFAR-10 Sequential CNN (32x32x3)', inputShape: [32, 32, 3] },
  'fashion-model1': { build: fashionModel1, description: 'seed 003 Fashion-MNIST build_model()', inputShape: [28, 28, 1] },
  'fashion-model2': { build: fashionModel2, description: 'seed 003 Fashion-MNIST build_model2() with dropout', inputShape: [28, 28, 1] },
  'fashion-bn': { build: fashionBnModel, description: 'seed 003 Fashion-MNIST build_model3() with BatchNormalization', inputShape: [28, 28, 1] },
  'cifar-bn': { build: cifarBnModel, description: 'seed 003 CIFAR-10 model_build() with BatchNormalization', inputShape: [32, 32, 3] },
  'seed004': { build: seed004Model, description: 'seed 004 MNIST: strided conv + same max pooling', inputShape: [28, 28, 1] },
};

export function buildArchitecture(name: string): Model {
  const a = SEED_ARCHITECTURES[name.toLowerCase()];
  if (!a) throw new ValueError(`Unknown architecture ${JSON.stringify(name)}. Known: ${Object.keys(SEED_ARCHITECTURES).join(', ')}`);
  return a.build();
}
