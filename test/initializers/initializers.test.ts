import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as initializers from '../../src/initializers/index.js';
import {
  Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform, Identity, Initializer, LecunNormal, LecunUniform, Ones,
  Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling, Zeros,
  getInitializer, serializeInitializer,
} from '../../src/initializers/index.js';
import { ShapeError, ValueError } from '../../src/errors.js';
import { setRandomSeed } from '../../src/tensor/random.js';

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

describe('constant initializers', () => {
  it('Zeros, Ones and Constant fill every element', () => {
    const z = new Zeros().apply([2, 3]);
    assert.deepEqual(z.shape, [2, 3]);
    assert.equal(z.dtype, 'float32');
    assert.deepEqual(Array.from(z.values), [0, 0, 0, 0, 0, 0]);
    const o = new Ones().apply([4], 'float64');
    assert.equal(o.dtype, 'float64');
    assert.deepEqual(Array.from(o.values), [1, 1, 1, 1]);
    assert.deepEqual(Array.from(new Constant({ value: 2.5 }).apply([3]).values), [2.5, 2.5, 2.5]);
    assert.deepEqual(Array.from(initializers.constant(-1).apply([2]).values), [-1, -1]);
    assert.deepEqual(Array.from(new Constant().apply([2]).values), [0, 0]);
    assert.deepEqual(new Zeros().apply([]).shape, []);
    assert.equal(new Ones().apply([]).values[0], 1);
  });

  it('Identity gives gain × the (rectangular) identity and rejects other ranks', () => {
    assert.deepEqual(new Identity().apply([2, 3]).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(new Identity({ gain: 3 }).apply([3, 2]).toArray(), [[3, 0], [0, 3], [0, 0]]);
    assert.throws(() => new Identity().apply([3, 3, 3]), ShapeError);
  });

  it('rejects non-float dtypes and bad values', () => {
    assert.throws(() => new Zeros().apply([2], 'int32' as never), ValueError);
    assert.throws(() => new Constant({ value: NaN }), ValueError);
    assert.throws(() => new Constant({ value: 'x' as never }), ValueError);
  });
});

describe('Orthogonal', () => {
  function gram(v: ArrayLike<number>, rows: number, cols: number, byRows: boolean): number[][] {
    const n = byRows ? rows : cols;
    const at = (i: number, j: number) => v[i * cols + j];
    const g: number[][] = [];
    for (let a = 0; a < n; a++) {
      g.push([]);
      for (let b = 0; b < n; b++) {
        let s = 0;
        if (byRows) for (let k = 0; k < cols; k++) s += at(a, k) * at(b, k);
        else for (let k = 0; k < rows; k++) s += at(k, a) * at(k, b);
        g[a].push(s);
      }
    }
    return g;
  }
  function assertScaledIdentity(g: number[][], gain: number, tol: number): void {
    for (let a = 0; a < g.length; a++) {
      for (let b = 0; b < g.length; b++) {
        const want = a === b ? gain * gain : 0;
        assert.ok(Math.abs(g[a][b] - want) <= tol, `gram[${a}][${b}] = ${g[a][b]}, expected ${want}`);
      }
    }
  }

  it('tall matrices have orthonormal columns', () => {
    const t = new Orthogonal({ seed: 1 }).apply([40, 12], 'float64');
    assertScaledIdentity(gram(t.values, 40, 12, false), 1, 1e-12);
  });

  it('wide matrices have orthonormal rows, scaled by gain', () => {
    const t = new Orthogonal({ gain: 2, seed: 2 }).apply([10, 30], 'float64');
    assertScaledIdentity(gram(t.values, 10, 30, true), 2, 1e-11);
  });

  it('conv kernels are flattened to [prod(shape[:-1]), shape[-1]]', () => {
    const t = new Orthogonal({ seed: 3 }).apply([3, 3, 4, 16]);
    assert.deepEqual(t.shape, [3, 3, 4, 16]);
    assertScaledIdentity(gram(t.values, 36, 16, false), 1, 1e-5);
  });

  it('rejects rank < 2 and is reproducible with a seed', () => {
    assert.throws(() => new Orthogonal().apply([5]), ShapeError);
    assert.ok(same(new Orthogonal({ seed: 7 }).apply([6, 6]).values, new Orthogonal({ seed: 7 }).apply([6, 6]).values));
    assert.ok(!same(new Orthogonal({ seed: 7 }).apply([6, 6]).values, new Orthogonal({ seed: 8 }).apply([6, 6]).values));
  });
});

describe('seeding', () => {
  const makers: [string, (seed?: number) => Initializer][] = [
    ['RandomNormal', (seed) => new RandomNormal({ seed })],
    ['RandomUniform', (seed) => new RandomUniform({ seed })],
    ['TruncatedNormal', (seed) => new TruncatedNormal({ seed })],
    ['VarianceScaling', (seed) => new VarianceScaling({ seed })],
    ['GlorotUniform', (seed) => initializers.glorotUniform({ seed })],
    ['GlorotNormal', (seed) => initializers.glorotNormal({ seed })],
    ['HeNormal', (seed) => initializers.heNormal({ seed })],
    ['HeUniform', (seed) => initializers.heUniform({ seed })],
    ['LecunNormal', (seed) => initializers.lecunNormal({ seed })],
    ['LecunUniform', (seed) => initializers.lecunUniform({ seed })],
    ['Orthogonal', (seed) => initializers.orthogonal({ seed })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: same seed → same values, different seeds differ`, () => {
      const shape = [3, 3, 4, 8];
      const a = make(42).apply(shape).values;
      const b = make(42).apply(shape).values;
      const again = make(42);
      assert.ok(same(a, b), 'two instances with the same seed differ');
      assert.ok(same(again.apply(shape).values, again.apply(shape).values), 'a seeded instance changed between calls');
      const c = make(43).apply(shape).values;
      assert.ok(!same(a, c), 'different seeds gave the same values');
      let equal = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === c[i]) equal++;
      assert.ok(equal < a.length / 10, `${equal} of ${a.length} values coincide across seeds`);
    });
  }

  it('unseeded initializers differ between calls but follow setRandomSeed', () => {
    const init = new GlorotUniform();
    setRandomSeed(123);
    const a = init.apply([20, 20]).values;
    const b = init.apply([20, 20]).values;
    assert.ok(!same(a, b), 'an unseeded initializer repeated its values');
    setRandomSeed(123);
    assert.ok(same(init.apply([20, 20]).values, a), 'setRandomSeed did not reproduce the first draw');
    assert.ok(same(init.apply([20, 20]).values, b), 'setRandomSeed did not reproduce the second draw');
  });

  it('rejects non-integer seeds', () => {
    assert.throws(() => new RandomNormal({ seed: 1.5 }), ValueError);
    assert.throws(() => new GlorotUniform({ seed: '1' as never }), ValueError);
  });
});

describe('getInitializer', () => {
  const names: [string, new (...a: never[]) => Initializer][] = [
    ['glorot_uniform', GlorotUniform], ['glorotUniform', GlorotUniform], ['GlorotUniform', GlorotUniform],
    ['glorot_normal', GlorotNormal], ['glorotNormal', GlorotNormal],
    ['he_normal', HeNormal], ['heNormal', HeNormal], ['HeNormal', HeNormal],
    ['he_uniform', HeUniform], ['lecun_normal', LecunNormal], ['leCunNormal', LecunNormal],
    ['lecun_uniform', LecunUniform], ['LecunUniform', LecunUniform],
    ['zeros', Zeros], ['Zeros', Zeros], ['zero', Zeros], ['ones', Ones], ['one', Ones], ['constant', Constant],
    ['random_normal', RandomNormal], ['randomNormal', RandomNormal], ['normal', RandomNormal],
    ['random_uniform', RandomUniform], ['uniform', RandomUniform], ['truncated_normal', TruncatedNormal],
    ['TruncatedNormal', TruncatedNormal], ['variance_scaling', VarianceScaling], ['identity', Identity],
    ['orthogonal', Orthogonal], ['Orthogonal', Orthogonal], ['OrthogonalInitializer', Orthogonal],
  ];
  for (const [name, cls] of names) {
    it(`resolves '${name}' to ${cls.name}`, () => {
      const init = getInitializer(name);
      assert.ok(init instanceof cls, `'${name}' gave ${init.className}`);
      assert.equal(init.className, cls.name);
    });
  }

  it('gives presets their own class, not the VarianceScaling parent', () => {
    assert.equal(getInitializer('he_uniform').className, 'HeUniform');
    assert.ok(!(getInitializer('variance_scaling') instanceof GlorotUniform));
  });

  it('returns instances unchanged', () => {
    const init = new HeNormal({ seed: 1 });
    assert.equal(getInitializer(init), init);
  });

  it('builds from {class_name, config} and {className, config}', () => {
    const a = getInitializer({ class_name: 'RandomNormal', config: { mean: 1, stddev: 2, seed: 3 } });
    assert.ok(a instanceof RandomNormal);
    assert.deepEqual(a.getConfig(), { seed: 3, mean: 1, stddev: 2 });
    const b = getInitializer({ className: 'VarianceScaling', config: { scale: 2, mode: 'fan_out', distribution: 'uniform', seed: null } });
    assert.deepEqual(b.getConfig(), { seed: null, scale: 2, mode: 'fan_out', distribution: 'uniform' });
    const c = getInitializer({ module: 'keras.initializers', class_name: 'Constant', config: { value: 0.5 }, registered_name: null });
    assert.deepEqual(Array.from(c.apply([2]).values), [0.5, 0.5]);
    assert.ok(getInitializer({ class_name: 'GlorotUniform' }) instanceof GlorotUniform);
  });

  it('throws a ValueError naming the valid initializers for unknown names', () => {
    assert.throws(() => getInitializer('glorot_unifrom'), (e: unknown) => {
      assert.ok(e instanceof ValueError);
      assert.match(e.message, /Unknown initializer "glorot_unifrom"/);
      assert.match(e.message, /glorot_uniform/);
      assert.match(e.message, /he_normal/);
      return true;
    });
    assert.throws(() => getInitializer({ class_name: 'Xyz', config: {} }), /Unknown initializer "Xyz"/);
    assert.throws(() => getInitializer(42 as never), ValueError);
    assert.throws(() => getInitializer({ config: {} }), ValueError);
  });

  it('rejects bad configs', () => {
    assert.throws(() => getInitializer({ class_name: 'RandomNormal', config: { stdev: 1 } }), /unknown option 'stdev'/);
    assert.throws(() => getInitializer({ class_name: 'GlorotUniform', config: { scale: 3 } }), /unknown option 'scale'/);
    assert.throws(() => new VarianceScaling({ mode: 'fan_sideways' as never }), /invalid mode/);
    assert.throws(() => new VarianceScaling({ distribution: 'cauchy' as never }), /invalid distribution/);
    assert.throws(() => new VarianceScaling({ scale: 0 }), /positive/);
    assert.throws(() => new RandomNormal({ stddev: -1 }), ValueError);
    assert.throws(() => new RandomUniform({ minval: 1, maxval: 0 }), ValueError);
  });

  it('accepts TensorFlow.js mode and distribution spellings', () => {
    const v = new VarianceScaling({ mode: 'fanAvg', distribution: 'truncatedNormal' });
    assert.equal(v.mode, 'fan_avg');
    assert.equal(v.distribution, 'truncated_normal');
  });
});

describe('serializeInitializer', () => {
  it('produces Keras {class_name, config}', () => {
    assert.deepEqual(serializeInitializer(new GlorotUniform()), { class_name: 'GlorotUniform', config: { seed: null } });
    assert.deepEqual(serializeInitializer(initializers.heNormal({ seed: 5 })), { class_name: 'HeNormal', config: { seed: 5 } });
    assert.deepEqual(serializeInitializer(getInitializer('zeros')), { class_name: 'Zeros', config: {} });
    assert.deepEqual(serializeInitializer(initializers.constant({ value: 3 })), { class_name: 'Constant', config: { value: 3 } });
    assert.deepEqual(serializeInitializer('random_uniform'), { class_name: 'RandomUniform', config: { seed: null, minval: -0.05, maxval: 0.05 } });
    assert.deepEqual(serializeInitializer('truncated_normal'), { class_name: 'TruncatedNormal', config: { seed: null, mean: 0, stddev: 0.05 } });
    assert.deepEqual(serializeInitializer(new VarianceScaling()), {
      class_name: 'VarianceScaling', config: { seed: null, scale: 1, mode: 'fan_in', distribution: 'truncated_normal' },
    });
    assert.deepEqual(serializeInitializer(new Orthogonal({ gain: 2 })), { class_name: 'Orthogonal', config: { seed: null, gain: 2 } });
    assert.deepEqual(serializeInitializer(new Identity()), { class_name: 'Identity', config: { gain: 1 } });
  });

  it('round-trips through JSON to an initializer that draws the same values', () => {
    const inits: Initializer[] = [
      new RandomNormal({ mean: 0.1, stddev: 0.2, seed: 11 }), new RandomUniform({ minval: -1, maxval: 2, seed: 12 }),
      new TruncatedNormal({ seed: 13 }), new VarianceScaling({ scale: 2, mode: 'fan_avg', distribution: 'uniform', seed: 14 }),
      new GlorotUniform({ seed: 15 }), new GlorotNormal({ seed: 16 }), new HeNormal({ seed: 17 }), new HeUniform({ seed: 18 }),
      new LecunNormal({ seed: 19 }), new LecunUniform({ seed: 20 }), new Orthogonal({ seed: 21, gain: 0.5 }),
      new Constant({ value: 7 }), new Zeros(), new Ones(), new Identity({ gain: 2 }),
    ];
    for (const init of inits) {
      const back = getInitializer(JSON.parse(JSON.stringify(serializeInitializer(init))));
      assert.equal(back.className, init.className);
      assert.deepEqual(back.getConfig(), init.getConfig());
      assert.ok(same(back.apply([4, 4]).values, init.apply([4, 4]).values), `${init.className} did not round-trip`);
    }
  });
});
