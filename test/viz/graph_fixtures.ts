/** Small models the picture tests share. */
import * as L from '../../src/layers/index.js';
import { Input } from '../../src/layers/input.js';
import { Model } from '../../src/models/model.js';

/** A conv → conv → add(skip) block, the shape of a ResNet identity block. */
export function residualBlock(): Model {
  const input = Input({ shape: [8, 8, 4], name: 'image' });
  const a = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }).apply(input);
  const b = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv_b' }).apply(a);
  const sum = L.add({ name: 'skip_add' }).apply([b, input]);
  const pooled = L.globalAveragePooling2d({ name: 'gap' }).apply(sum);
  const out = L.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(pooled);
  return new Model({ inputs: input, outputs: out, name: 'residual' });
}
