/** A tiny Dense classifier and random data for the callback tests (fast on both backends). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as L from '../../src/layers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { randomUniform } from '../../src/ops/creation.js';
import { tensor } from '../../src/ops/creation.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { Optimizer } from '../../src/optimizers/optimizer.js';
import type { MetricSpec } from '../../src/metrics/index.js';

export function tinyModel(opts: { optimizer?: string | Optimizer; metrics?: MetricSpec[] } = {}): Sequential {
  const model = new Sequential([L.dense({ units: 6, activation: 'relu', inputShape: [4] }), L.dense({ units: 3, activation: 'softmax' })]);
  model.compile({ optimizer: opts.optimizer ?? 'sgd', loss: 'sparse_categorical_crossentropy', metrics: opts.metrics ?? ['accuracy'] });
  return model;
}

/** n samples of 4 features with labels 0..2. */
export function tinyData(n: number, seed: number): [Tensor, Tensor] {
  const x = randomUniform([n, 4], -1, 1, { seed });
  const y = tensor(Array.from({ length: n }, (_, i) => i % 3));
  return [x, y];
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'convkit-cb-'));
}

/** Every weight as plain numbers, for exact comparisons. */
export function weightValues(model: { getWeights(): Tensor[] }): number[][] {
  return model.getWeights().map((t) => Array.from(t.values as ArrayLike<number>));
}
