/** Sample statistics with tolerances derived from the sample size. */
import assert from 'node:assert/strict';

export interface Stats { n: number; mean: number; variance: number; maxAbs: number; min: number; max: number }

export function stats(values: ArrayLike<number>): Stats {
  const n = values.length;
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { n, mean, variance: ss / (n - 1), maxAbs: Math.max(Math.abs(min), Math.abs(max)), min, max };
}

/**
 * Mean within 5 standard errors (σ/√n) of `mean`, variance within 5 standard errors of `variance`.
 * The variance's standard error is σ²·√((κ−1)/n); κ = 3 (the normal's kurtosis) bounds it for
 * the normal, truncated normal and uniform distributions used here.
 */
export function assertMoments(s: Stats, mean: number, variance: number, what: string): void {
  const seMean = Math.sqrt(variance / s.n);
  const seVar = variance * Math.sqrt(2 / s.n);
  assert.ok(Math.abs(s.mean - mean) <= 5 * seMean, `${what}: sample mean ${s.mean} vs expected ${mean} (tolerance ${5 * seMean})`);
  assert.ok(Math.abs(s.variance - variance) <= 5 * seVar, `${what}: sample variance ${s.variance} vs expected ${variance} (tolerance ${5 * seVar})`);
}
