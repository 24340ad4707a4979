import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GlorotNormal, GlorotUniform, HeNormal, HeUniform, type Initializer, LecunNormal, LecunUniform,
  RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, computeFans,
} from '../../src/initializers/index.js';
import { assertMoments, stats } from './stats.js';

/** Standard deviation of N(0, 1) truncated to [-2, 2]. */
const TRUNC_SD = 0.87962566103423978;

/** Kernel shapes with fans worked out by hand (Keras compute_fans). */
const SHAPES = [
  { name: 'dense [300, 200]', shape: [300, 200], fanIn: 300, fanOut: 200 },
  { name: 'conv2d [3, 3, 64, 128]', shape: [3, 3, 64, 128], fanIn: 3 * 3 * 64, fanOut: 3 * 3 * 128 },
  { name: 'depthwise [5, 5, 256, 4]', shape: [5, 5, 256, 4], fanIn: 5 * 5 * 256, fanOut: 5 * 5 * 4 },
] as const;

type Dist = 'uniform' | 'truncated' | 'normal';

/** Checks moments and support of a sample against a zero-mean distribution with variance `variance`. */
function checkZeroMean(init: Initializer, shape: readonly number[], dist: Dist, variance: number, what: string): void {
  const t = init.apply(shape);
  assert.deepEqual(t.shape, shape);
  assert.equal(t.dtype, 'float32');
  const s = stats(t.values);
  assertMoments(s, 0, variance, what);
  const sd = Math.sqrt(variance);
  if (dist === 'uniform') {
    const limit = Math.sqrt(3) * sd;
    assert.ok(s.maxAbs <= Math.fround(limit), `${what}: |x| = ${s.maxAbs} exceeds the limit ${limit}`);
    assert.ok(s.min < -0.99 * limit && s.max > 0.99 * limit, `${what}: samples [${s.min}, ${s.max}] do not fill [-${limit}, ${limit}]`);
  } else if (dist === 'truncated') {
    const bound = (2 * sd) / TRUNC_SD;
    assert.ok(s.maxAbs <= bound * (1 + 1e-6), `${what}: |x| = ${s.maxAbs} beyond the truncation bound ${bound}`);
    assert.ok(s.maxAbs > 0.97 * bound, `${what}: max |x| = ${s.maxAbs} far inside the truncation bound ${bound}`);
  } else {
    assert.ok(s.maxAbs > 2.5 * sd, `${what}: max |x| = ${s.maxAbs} suggests truncation, expected a full normal`);
  }
}

describe('computeFans (Keras compute_fans)', () => {
  it('handles scalars, vectors, dense and conv/depthwise kernels', () => {
    assert.deepEqual(computeFans([]), { fanIn: 1, fanOut: 1 });
    assert.deepEqual(computeFans([7]), { fanIn: 7, fanOut: 7 });
    for (const c of SHAPES) assert.deepEqual(computeFans(c.shape), { fanIn: c.fanIn, fanOut: c.fanOut }, c.name);
    assert.deepEqual(computeFans([5, 16, 32]), { fanIn: 80, fanOut: 160 });
  });
});

describe('fixed-parameter random initializers', () => {
  it('RandomNormal defaults to N(0, 0.05²)', () => {
    const s = stats(new RandomNormal({ seed: 1 }).apply([300, 200]).values);
    assertMoments(s, 0, 0.05 ** 2, 'RandomNormal()');
    assert.ok(s.maxAbs > 2.5 * 0.05, 'RandomNormal must not be truncated');
  });

  it('RandomNormal honours mean and stddev', () => {
    const s = stats(new RandomNormal({ mean: 1.5, stddev: 2, seed: 2 }).apply([3, 3, 64, 128]).values);
    assertMoments(s, 1.5, 4, 'RandomNormal(1.5, 2)');
  });

  it('RandomUniform defaults to U[-0.05, 0.05)', () => {
    const s = stats(new RandomUniform({ seed: 3 }).apply([300, 200]).values);
    assertMoments(s, 0, 0.1 ** 2 / 12, 'RandomUniform()');
    assert.ok(s.min >= -0.05 && s.max < Math.fround(0.05) + 1e-9, `range [${s.min}, ${s.max}]`);
    assert.ok(s.min < -0.0499 && s.max > 0.0499);
  });

  it('RandomUniform honours minval and maxval', () => {
    const s = stats(new RandomUniform({ minval: 2, maxval: 5, seed: 4 }).apply([3, 3, 64, 128]).values);
    assertMoments(s, 3.5, 9 / 12, 'RandomUniform(2, 5)');
    assert.ok(s.min >= 2 && s.max <= 5 && s.min < 2.01 && s.max > 4.99, `range [${s.min}, ${s.max}]`);
  });

  it('TruncatedNormal defaults to stddev 0.05 cut at two stddevs', () => {
    const s = stats(new TruncatedNormal({ seed: 5 }).apply([300, 200]).values);
    assertMoments(s, 0, (0.05 * TRUNC_SD) ** 2, 'TruncatedNormal()');
    assert.ok(s.maxAbs <= 0.1 * (1 + 1e-6), `|x| = ${s.maxAbs} beyond 2 stddev`);
    assert.ok(s.maxAbs > 0.097, `max |x| = ${s.maxAbs}: the tails near 2 stddev are missing`);
  });

  it('TruncatedNormal truncates around the mean', () => {
    const s = stats(new TruncatedNormal({ mean: -3, stddev: 0.5, seed: 6 }).apply([3, 3, 64, 128]).values);
    assertMoments(s, -3, (0.5 * TRUNC_SD) ** 2, 'TruncatedNormal(-3, 0.5)');
    assert.ok(s.min >= -4 - 1e-6 && s.max <= -2 + 1e-6, `range [${s.min}, ${s.max}] not within mean ± 2 stddev`);
  });
});

describe('variance-scaling initializers match the Keras formulas', () => {
  const cases: { name: string; make: (seed: number) => Initializer; dist: Dist; variance: (fi: number, fo: number) => number }[] = [
    { name: 'GlorotUniform', make: (seed) => new GlorotUniform({ seed }), dist: 'uniform', variance: (fi, fo) => 2 / (fi + fo) },
    { name: 'GlorotNormal', make: (seed) => new GlorotNormal({ seed }), dist: 'truncated', variance: (fi, fo) => 2 / (fi + fo) },
    { name: 'HeNormal', make: (seed) => new HeNormal({ seed }), dist: 'truncated', variance: (fi) => 2 / fi },
    { name: 'HeUniform', make: (seed) => new HeUniform({ seed }), dist: 'uniform', variance: (fi) => 2 / fi },
    { name: 'LecunNormal', make: (seed) => new LecunNormal({ seed }), dist: 'truncated', variance: (fi) => 1 / fi },
    { name: 'LecunUniform', make: (seed) => new LecunUniform({ seed }), dist: 'uniform', variance: (fi) => 1 / fi },
    { name: 'VarianceScaling()', make: (seed) => new VarianceScaling({ seed }), dist: 'truncated', variance: (fi) => 1 / fi },
    {
      name: 'VarianceScaling(3, fan_out, untruncated_normal)',
      make: (seed) => new VarianceScaling({ scale: 3, mode: 'fan_out', distribution: 'untruncated_normal', seed }),
      dist: 'normal', variance: (_fi, fo) => 3 / fo,
    },
    {
      name: 'VarianceScaling(0.5, fan_avg, uniform)',
      make: (seed) => new VarianceScaling({ scale: 0.5, mode: 'fan_avg', distribution: 'uniform', seed }),
      dist: 'uniform', variance: (fi, fo) => 0.5 / ((fi + fo) / 2),
    },
    {
      name: "VarianceScaling(2, fan_in, 'normal' = truncated)",
      make: (seed) => new VarianceScaling({ scale: 2, distribution: 'normal', seed }),
      dist: 'truncated', variance: (fi) => 2 / fi,
    },
  ];
  let seed = 100;
  for (const c of cases) {
    for (const sh of SHAPES) {
      const s = seed++;
      it(`${c.name} on ${sh.name}`, () => {
        checkZeroMean(c.make(s), sh.shape, c.dist, c.variance(sh.fanIn, sh.fanOut), `${c.name} ${sh.name}`);
      });
    }
  }

  it('uses max(1, n) for tiny fans', () => {
    // fan_in of a [0, 1000] kernel is 0: Keras divides by max(1, 0) = 1.
    const init = new VarianceScaling({ scale: 1, mode: 'fan_in', distribution: 'uniform' });
    assert.equal(init.varianceFor([0, 1000]), 1);
    assert.equal(init.varianceFor([]), 1);
    assert.equal(init.varianceFor([4, 6]), 0.25);
  });

  it('float64 samples follow the same law', () => {
    const t = new HeNormal({ seed: 9 }).apply([3, 3, 64, 128], 'float64');
    assert.equal(t.dtype, 'float64');
    assertMoments(stats(t.values), 0, 2 / 576, 'HeNormal float64');
  });
});
