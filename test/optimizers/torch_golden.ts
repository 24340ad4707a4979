/**
 * Reads test/optimizers/golden/torch_optimizers.json, written by scripts/golden/optimizer_golden.py
 * with PyTorch 1.13 in float64 (optimizer trajectories and learning rates), so the tests need no Python.
 * The script's docstring lists where PyTorch and Keras compute different functions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export interface TorchOptimizerCase {
  optimizer: 'adamw' | 'nadam' | 'adamax';
  /** The Keras options the torch settings correspond to. */
  options: Record<string, number | boolean>;
  /** Whether PyTorch computes Keras's function for these settings. */
  agree: boolean;
  why: string;
  /** The weights after every step. */
  trajectory: number[][];
}

export interface TorchScheduleCase {
  class_name: string;
  config: Record<string, unknown>;
  /** The learning rate torch used for steps 0, 1, … */
  lr: number[];
}

export interface TorchGolden {
  versions: { torch: string };
  init: number[];
  shape: number[];
  grads: number[][];
  optimizers: TorchOptimizerCase[];
  schedules: TorchScheduleCase[];
}

/** The golden directory: beside this file's source (tests run from dist/test/optimizers/), else from the repo root. */
function goldenDir(): string {
  const fromDist = fileURLToPath(new URL('../../../test/optimizers/golden/', import.meta.url));
  if (existsSync(fromDist)) return fromDist;
  return join(process.cwd(), 'test', 'optimizers', 'golden');
}

let cached: TorchGolden | null = null;

export function torchGolden(): TorchGolden {
  if (cached) return cached;
  const doc = JSON.parse(readFileSync(join(goldenDir(), 'torch_optimizers.json'), 'utf8')) as TorchGolden;
  assert.ok(doc.optimizers.length > 0 && doc.schedules.length > 0, 'the torch golden file has no cases');
  assert.equal(doc.init.length, doc.shape.reduce((a, b) => a * b, 1));
  cached = doc;
  return doc;
}
