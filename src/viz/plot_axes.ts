/** Axis arithmetic for line plots: "nice" 1-2-5 ticks, data limits with margins, data → pixel maps. */

/** Step between ticks: 1, 2 or 5 × a power of ten, giving at most about `maxTicks` ticks over the span. */
export function niceStep(span: number, maxTicks = 6): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, maxTicks - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw * (1 - 1e-9)) return m * power;
  return 10 * power;
}

/** Multiples of a 1-2-5 step inside [lo, hi] (with a hair of tolerance for rounding), lowest first. */
export function niceTicks(lo: number, hi: number, maxTicks = 6, minStep = 0): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi < lo) return [];
  const step = Math.max(niceStep(hi - lo, maxTicks), minStep);
  const eps = step * 1e-9;
  const out: number[] = [];
  for (let k = Math.ceil((lo - eps) / step); k * step <= hi + eps; k++) {
    // k × step, rounded to the step's decimals so 0.1 × 3 prints 0.3.
    out.push(Number((k * step).toFixed(decimalsFor(step))));
  }
  return out;
}

/** Decimals needed to print multiples of `step` exactly (0.05 → 2, 20 → 0). */
export function decimalsFor(step: number): number {
  if (!(step > 0)) return 0;
  return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
}

/**
 * Limits that show every value with matplotlib's 5 % margins; a single value (or a flat series)
 * gets a span around it so the line is not on the frame.
 */
export function dataLimits(values: readonly number[], margin = 0.05): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (hi - lo === 0) {
    const pad = lo === 0 ? 0.5 : Math.abs(lo) * 0.05;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * margin;
  return [lo - pad, hi + pad];
}

/** Linear map from [d0, d1] to [p0, p1] (pixels may run backwards, as a y axis does). */
export function linearScale(d0: number, d1: number, p0: number, p1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (p1 - p0) / (d1 - d0);
  return (v) => p0 + (v - d0) * k;
}
