/**
 * Reads the golden files written by scripts/golden/vision_golden.py (NumPy/SciPy/scikit-image
 * references) and compares convkit's outputs with them, so the tests need no Python.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';

export interface GoldenArray {
  shape: number[];
  data: number[];
}

export type GoldenCase = Record<string, unknown> & { name: string; expected: GoldenArray };

/** The golden directory: beside this file's source (tests run from dist/test/vision/), else from the repo root. */
function goldenDir(): string {
  const fromDist = fileURLToPath(new URL('../../../test/vision/golden/', import.meta.url));
  if (existsSync(fromDist)) return fromDist;
  return join(process.cwd(), 'test', 'vision', 'golden');
}

/** The cases of one golden file with every {"ref": i} input replaced by the shared array it names. */
export function loadGolden(name: string): GoldenCase[] {
  const path = join(goldenDir(), `${name}.json`);
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { arrays: GoldenArray[]; cases: GoldenCase[] };
  for (const c of doc.cases) {
    for (const [key, value] of Object.entries(c)) {
      if (value && typeof value === 'object' && 'ref' in value) c[key] = doc.arrays[(value as { ref: number }).ref];
    }
  }
  assert.ok(doc.cases.length > 0, `${path} has no cases`);
  return doc.cases;
}

/** A golden array as a float32 Tensor (inputs were rounded to float32 by the generator, so this is exact). */
export function goldenTensor(a: GoldenArray): Tensor {
  return new Tensor(Float32Array.from(a.data), a.shape);
}

/** Asserts shape equality and |got − want| ≤ tol · max(1, |want|) element-wise. */
export function assertClose(got: Tensor, want: GoldenArray, what: string, tol = 1e-5): void {
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  const g = got.values;
  for (let i = 0; i < want.data.length; i++) {
    const err = Math.abs(g[i] - want.data[i]);
    if (!(err <= tol * Math.max(1, Math.abs(want.data[i])))) {
      assert.fail(`${what}: element ${i} is ${g[i]}, expected ${want.data[i]} (error ${err})`);
    }
  }
}
