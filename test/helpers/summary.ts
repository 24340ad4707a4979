/** Helpers for the application tests: fresh models' summaries and the rows in them. */
import assert from 'node:assert/strict';
import { clearSession } from '../../src/layers/naming.js';
import { Model } from '../../src/models/model.js';
import type { SummaryInfo } from '../../src/models/summary.js';
import type { Tensor } from '../../src/tensor/tensor.js';

export const quiet = { printFn: null };

/** Builds a fresh-weights model in a clean naming session (so automatic names are Keras's first ones). */
export function buildFresh(build: () => unknown): Model {
  clearSession();
  const m = build();
  assert.ok(m instanceof Model, 'no weights requested: a Model, not a Promise');
  return m;
}

/** Builds, summarises and drops the model (at most one big model alive at a time). */
export function summarise(build: () => unknown): SummaryInfo {
  return buildFresh(build).summary(quiet);
}

/** [total, trainable, non-trainable] parameters. */
export function totals(s: SummaryInfo): [number, number, number] {
  return [s.totalParams, s.trainableParams, s.nonTrainableParams];
}

export function layer(s: SummaryInfo, name: string) {
  const l = s.layers.find((x) => x.name === name);
  assert.ok(l, `layer ${name} is missing`);
  return l;
}

export function last(s: SummaryInfo) {
  return s.layers[s.layers.length - 1]!;
}

/** [name, className, output shape, params] rows to find in a summary. */
export type Row = [string, string, (number | null)[], number];

export function expectRows(s: SummaryInfo, rows: Row[]): void {
  for (const [name, className, shape, params] of rows) {
    const l = layer(s, name);
    assert.equal(l.className, className, name);
    assert.deepEqual(l.outputShape, shape, name);
    assert.equal(l.params, params, name);
  }
}

export function values(t: Tensor): number[] {
  return Array.from(t.dataSync() as Float32Array);
}
