/** Learning-rate schedules, and schedules / functions as an optimizer's learning rate. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/errors.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import {
  ExponentialDecay, getOptimizer, isLearningRateSchedule, sgd, adam, serializeOptimizer,
  CosineDecay, CosineDecayRestarts, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, SCHEDULE_NAMES,
  deserializeSchedule, serializeSchedule, nadam, type LearningRateSchedule,
} from '../../src/optimizers/index.js';
import { torchGolden } from './torch_golden.js';

const scalarVar = (v: number) => new Variable(Float64Array.of(v), 'w', true, []);
const scalar = (v: number) => new Tensor(Float64Array.of(v), []);

describe('ExponentialDecay', () => {
  it('is initial * rate ** (step / decaySteps)', () => {
    const s = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5 });
    for (const step of [0, 1, 2, 3, 4, 7, 100]) assert.equal(s(step), 0.1 * Math.pow(0.5, step / 4));
    assert.equal(s(4), 0.05);
    assert.ok(isLearningRateSchedule(s));
    assert.ok(s instanceof ExponentialDecay);
  });

  it('with staircase decays only at whole multiples of decaySteps', () => {
    const s = new ExponentialDecay({ initial_learning_rate: 1, decay_steps: 3, decay_rate: 0.1, staircase: true });
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((t) => s(t)), [1, 1, 1, 0.1, 0.1, 0.1, 1 * Math.pow(0.1, 2)]);
  });

  it('getConfig has the Keras keys', () => {
    const s = new ExponentialDecay({ initialLearningRate: 0.01, decaySteps: 1000, decayRate: 0.96, staircase: true });
    assert.deepEqual(s.getConfig(), { initial_learning_rate: 0.01, decay_steps: 1000, decay_rate: 0.96, staircase: true, name: 'ExponentialDecay' });
  });

  it('validates its arguments', () => {
    assert.throws(() => new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.5 }), (e: unknown) => e instanceof ValueError && /decaySteps/.test(e.message) && /> 0/.test(e.message));
    assert.throws(() => new ExponentialDecay({ initialLearningRate: 0.1, decayRate: 0.5 }), ValueError);
    assert.throws(() => new ExponentialDecay({ initialLearningRate: NaN, decaySteps: 1, decayRate: 0.5 }), ValueError);
  });
});

describe('a schedule as the learning rate', () => {
  it('is evaluated at the current iteration: step k uses schedule(k)', () => {
    const schedule = new ExponentialDecay({ initialLearningRate: 0.5, decaySteps: 1, decayRate: 0.5 });
    const w = scalarVar(0);
    const opt = sgd({ learningRate: schedule });
    const deltas: number[] = [];
    for (let k = 0; k < 5; k++) {
      assert.equal(opt.currentLearningRate(), schedule(k));
      const before = w.values[0];
      opt.applyGradients([[scalar(-1), w]]); // w += lr
      deltas.push(w.values[0] - before);
    }
    assert.deepEqual(deltas, [0.5, 0.25, 0.125, 0.0625, 0.03125]);
    assert.equal(opt.iterations, 5);
  });

  it('a plain function receives the step', () => {
    const seen: number[] = [];
    const w = scalarVar(1);
    const opt = adam({ learningRate: (step) => { seen.push(step); return 0.01; } });
    for (let k = 0; k < 3; k++) opt.applyGradients([[scalar(1), w]]);
    assert.deepEqual(seen, [0, 1, 2]);
  });

  it('serialises as a Keras schedule and deserialises through getOptimizer', () => {
    const opt = sgd({ learningRate: new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }), momentum: 0.5 });
    const config = opt.getConfig();
    assert.deepEqual(config.learning_rate, {
      module: 'keras.optimizers.schedules',
      class_name: 'ExponentialDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9, staircase: false, name: 'ExponentialDecay' },
      registered_name: null,
    });
    const again = getOptimizer(serializeOptimizer(opt));
    assert.ok(isLearningRateSchedule(again.learningRate));
    assert.equal((again.learningRate as ExponentialDecay)(20), 0.1 * 0.9 * 0.9);
    assert.deepEqual(again.getConfig(), config);
  });

  it('an optimizer built with a schedule cannot be given a number, as in Keras', () => {
    const opt = sgd({ learningRate: new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }) });
    assert.throws(() => { opt.learningRate = 0.5; }, (e: unknown) => e instanceof ValueError && /not settable/.test(e.message));
    const plain = sgd(0.1);
    plain.learningRate = 0.02;
    assert.equal(plain.currentLearningRate(), 0.02);
    assert.throws(() => { plain.learningRate = -1; }, ValueError);
  });

  it('a schedule returning an invalid rate stops the step with a ValueError', () => {
    const w = scalarVar(1);
    const opt = sgd({ learningRate: (step) => (step < 1 ? 0.1 : NaN) });
    opt.applyGradients([[scalar(1), w]]);
    assert.throws(() => opt.applyGradients([[scalar(1), w]]), (e: unknown) => e instanceof ValueError && /step 1/.test(e.message) && /NaN/.test(e.message));
    assert.equal(w.values[0], 0.9);
    assert.equal(opt.iterations, 1);
  });
});

// -------------------------------------------------------------------------------------------------
// The other Keras schedules. Each is checked against a float64 transcription of Keras's __call__
// written here (keras/src/optimizers/schedules/learning_rate_schedule.py), against values worked out
// by hand at the boundaries, and, where PyTorch has the same schedule, against torch's learning rates
// (test/optimizers/golden, scripts/golden/optimizer_golden.py).

/** |a − b| ≤ 1e-15·max(1, |b|) at every step, naming the first step that is not. */
function closeAtSteps(s: (step: number) => number, reference: (step: number) => number, steps: readonly number[], tol = 1e-15): void {
  for (const t of steps) {
    const got = s(t);
    const want = reference(t);
    assert.ok(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)), `step ${t}: ${got}, expected ${want}`);
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const keras = {
  piecewise: (b: number[], v: number[]) => (step: number) => {
    // Keras sums one indicator per interval: (step <= b0)·v0 + (step > b_last)·v_last + Σ (b_i < step <= b_i+1)·v_i+1.
    let out = (step <= b[0] ? 1 : 0) * v[0] + (step > b[b.length - 1] ? 1 : 0) * v[v.length - 1];
    for (let i = 0; i + 1 < b.length; i++) out += (step > b[i] && step <= b[i + 1] ? 1 : 0) * v[i + 1];
    return out;
  },
  polynomial: (init: number, ds: number, end: number, power: number, cycle: boolean) => (step: number) => {
    let g = step;
    let d = ds;
    if (cycle) d = d * (g === 0 ? 1 : Math.ceil(g / ds));
    else g = Math.min(g, d);
    return (init - end) * Math.pow(1 - g / d, power) + end;
  },
  inverseTime: (init: number, ds: number, rate: number, staircase: boolean) => (step: number) => {
    const p = staircase ? Math.floor(step / ds) : step / ds;
    return init / (1 + rate * p);
  },
  cosine: (init: number, ds: number, alpha: number, target: number | null, ws: number) => (step: number) => {
    const decay = (s: number, from: number) => from * ((1 - alpha) * (0.5 * (1 + Math.cos(Math.PI * (s / ds)))) + alpha);
    if (target === null) return decay(Math.min(step, ds), init);
    const s = Math.min(step, ds + ws);
    return s < ws ? (target - init) * (s / ws) + init : decay(s - ws, target);
  },
  /** Restarts found by walking the periods (first, first·t, first·t², …) in exact arithmetic, not by logarithms. */
  restarts: (init: number, first: number, tMul: number, mMul: number, alpha: number) => (step: number) => {
    let start = 0;
    let length = first;
    let i = 0;
    while (step >= start + length) {
      start += length;
      length *= tMul;
      i++;
    }
    const fraction = (step - start) / length;
    return init * ((1 - alpha) * (0.5 * Math.pow(mMul, i) * (1 + Math.cos(Math.PI * fraction))) + alpha);
  },
};

describe('PiecewiseConstantDecay', () => {
  it("Keras's example: 1.0 through step 100000, 0.5 through 110000, then 0.1", () => {
    const s = new PiecewiseConstantDecay({ boundaries: [100000, 110000], values: [1.0, 0.5, 0.1] });
    const steps = [0, 1, 99999, 100000, 100001, 109999, 110000, 110001, 1e9];
    assert.deepEqual(steps.map((t) => s(t)), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.1, 0.1]);
    closeAtSteps(s, keras.piecewise([100000, 110000], [1.0, 0.5, 0.1]), steps, 0);
    const one = new PiecewiseConstantDecay({ boundaries: [3], values: [0.2, 0.02], name: 'steps' });
    assert.deepEqual(range(6).map((t) => one(t)), [0.2, 0.2, 0.2, 0.2, 0.02, 0.02]);
    assert.deepEqual(one.getConfig(), { boundaries: [3], values: [0.2, 0.02], name: 'steps' });
  });

  it('validates boundaries and values', () => {
    const bad = (o: unknown, ...fragments: string[]) => assert.throws(() => new PiecewiseConstantDecay(o as never), (e: unknown) => e instanceof ValueError && fragments.every((f) => e.message.includes(f)));
    bad({ boundaries: [1, 2], values: [1, 2] }, 'one more element', '2 boundaries', '2 values');
    bad({ boundaries: [5, 5], values: [1, 2, 3] }, 'strictly increasing', '5 then 5');
    bad({ boundaries: [], values: [1] }, 'at least one');
    bad({ values: [1, 2] }, 'boundaries', 'required');
    bad({ boundaries: [1], values: [1, -2] }, 'values[1]', '>= 0');
    bad({ boundaries: [1, NaN], values: [1, 2, 3] }, 'boundaries[1]');
    bad({ boundaries: [1], values: [1, 2], staircase: true }, 'unrecognized option "staircase"');
  });
});

describe('PolynomialDecay', () => {
  it('decays from initial to end over decaySteps and stays at end (linear and power 0.5)', () => {
    const lin = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10, endLearningRate: 0.01 });
    assert.equal(lin(0), 0.1);
    assert.ok(Math.abs(lin(5) - 0.055) < 1e-17);
    assert.equal(lin(10), 0.01);
    assert.equal(lin(25), 0.01);
    closeAtSteps(lin, keras.polynomial(0.1, 10, 0.01, 1, false), range(30));
    const sqrt = new PolynomialDecay({ initial_learning_rate: 0.1, decay_steps: 10000, end_learning_rate: 0.01, power: 0.5 });
    closeAtSteps(sqrt, keras.polynomial(0.1, 10000, 0.01, 0.5, false), [0, 1, 2500, 9999, 10000, 20000]);
    assert.ok(Math.abs(sqrt(7500) - (0.09 * 0.5 + 0.01)) < 1e-17);
  });

  it('with cycle reaches end at every multiple of decaySteps and jumps back up on the next step', () => {
    const s = new PolynomialDecay({ initialLearningRate: 1, decaySteps: 4, endLearningRate: 0, power: 1, cycle: true });
    assert.deepEqual(range(10).map((t) => s(t)), [1, 0.75, 0.5, 0.25, 0, 1 - 5 / 8, 1 - 6 / 8, 1 - 7 / 8, 0, 1 - 9 / 12]);
    closeAtSteps(s, keras.polynomial(1, 4, 0, 1, true), range(40));
    const p2 = new PolynomialDecay({ initialLearningRate: 0.3, decaySteps: 7, endLearningRate: 0.05, power: 2, cycle: true });
    closeAtSteps(p2, keras.polynomial(0.3, 7, 0.05, 2, true), range(60));
  });

  it('has Keras defaults (end 0.0001, power 1, no cycle) and config keys', () => {
    const s = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 100 });
    assert.deepEqual(s.getConfig(), { initial_learning_rate: 0.1, decay_steps: 100, end_learning_rate: 0.0001, power: 1, cycle: false, name: 'PolynomialDecay' });
    assert.equal(s(1000), 0.0001);
  });
});

describe('InverseTimeDecay', () => {
  it('is initial / (1 + rate · step / decaySteps), floored with staircase', () => {
    const s = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });
    assert.deepEqual([0, 1, 2, 4].map((t) => s(t)), [0.1, 0.1 / 1.5, 0.1 / 2, 0.1 / 3]);
    closeAtSteps(s, keras.inverseTime(0.1, 1, 0.5, false), range(50));
    const st = new InverseTimeDecay({ initial_learning_rate: 2, decay_steps: 3, decay_rate: 1, staircase: true });
    assert.deepEqual(range(7).map((t) => st(t)), [2, 2, 2, 1, 1, 1, 2 / 3]);
    closeAtSteps(st, keras.inverseTime(2, 3, 1, true), range(50));
    assert.deepEqual(st.getConfig(), { initial_learning_rate: 2, decay_steps: 3, decay_rate: 1, staircase: true, name: 'InverseTimeDecay' });
  });
});

describe('CosineDecay', () => {
  it('without warm-up: initial at 0, halfway at decaySteps/2, alpha·initial from decaySteps on', () => {
    const s = new CosineDecay({ initialLearningRate: 0.1, decaySteps: 20, alpha: 0.1 });
    assert.equal(s(0), 0.1);
    assert.ok(Math.abs(s(10) - 0.1 * (0.9 * 0.5 + 0.1)) < 1e-16);
    assert.ok(Math.abs(s(20) - 0.01) < 1e-17);
    assert.equal(s(20), s(1000));
    closeAtSteps(s, keras.cosine(0.1, 20, 0.1, null, 0), range(40));
    assert.deepEqual(new CosineDecay({ initialLearningRate: 0.1, decaySteps: 20 }).getConfig(), {
      initial_learning_rate: 0.1, decay_steps: 20, alpha: 0, name: 'CosineDecay', warmup_target: null, warmup_steps: 0,
    });
  });

  it("with Keras 3's warm-up: linear from initial to warmupTarget over warmupSteps, then the cosine from the target", () => {
    const s = new CosineDecay({ initialLearningRate: 0, decaySteps: 10, warmupTarget: 0.1, warmupSteps: 4, alpha: 0.2 });
    closeAtSteps(s, (t) => [0, 0.025, 0.05, 0.075][t], [0, 1, 2, 3]);
    assert.equal(s(4), 0.1, 'the warm-up ends at the target');
    assert.ok(Math.abs(s(9) - 0.1 * (0.8 * 0.5 + 0.2)) < 1e-16);
    assert.ok(Math.abs(s(14) - 0.02) < 1e-17);
    assert.equal(s(14), s(500));
    closeAtSteps(s, keras.cosine(0, 10, 0.2, 0.1, 4), range(30));
    const fromNonZero = new CosineDecay({ initial_learning_rate: 0.01, decay_steps: 7, warmup_target: 0.05, warmup_steps: 3 });
    closeAtSteps(fromNonZero, keras.cosine(0.01, 7, 0, 0.05, 3), range(20));
    // A target with no warm-up steps decays from the target right away.
    const noSteps = new CosineDecay({ initialLearningRate: 0.01, decaySteps: 10, warmupTarget: 0.2 });
    assert.equal(noSteps(0), 0.2);
    closeAtSteps(noSteps, keras.cosine(0.01, 10, 0, 0.2, 0), range(15));
    assert.deepEqual(s.getConfig(), { initial_learning_rate: 0, decay_steps: 10, alpha: 0.2, name: 'CosineDecay', warmup_target: 0.1, warmup_steps: 4 });
  });

  it('validates its options', () => {
    assert.throws(() => new CosineDecay({ initialLearningRate: 0.1 }), (e: unknown) => e instanceof ValueError && /CosineDecay: option decaySteps \(decay_steps\) is required/.test(e.message) && /> 0/.test(e.message));
    assert.throws(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: -1 }), (e: unknown) => e instanceof ValueError && /decaySteps/.test(e.message) && /-1/.test(e.message));
    assert.throws(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 5, warmupSteps: -2 }), (e: unknown) => e instanceof ValueError && /warmupSteps \(warmup_steps\)/.test(e.message));
    assert.throws(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 5, warmupTarget: NaN }), (e: unknown) => e instanceof ValueError && /warmupTarget/.test(e.message));
    assert.throws(() => new CosineDecay({ initialLearningRate: 0.1, decaySteps: 5, warmup: 3 } as never), (e: unknown) => e instanceof ValueError && /unrecognized option "warmup"/.test(e.message));
  });
});

describe('CosineDecayRestarts', () => {
  it('tMul 2: restarts at steps 10, 30, 70 with mMul^i of the initial rate', () => {
    const s = new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 10, mMul: 0.5, alpha: 0.1 });
    assert.equal(s(0), 1);
    assert.equal(s(10), 0.9 * 0.5 + 0.1, 'step 10 starts the second period');
    assert.equal(s(30), 0.9 * 0.25 + 0.1);
    assert.equal(s(70), 0.9 * 0.125 + 0.1);
    assert.ok(Math.abs(s(20) - (0.9 * 0.5 * 0.5 + 0.1)) < 1e-16, 'halfway through the 20-step second period');
    assert.ok(s(9) < 0.15 && s(29) < 0.15, 'just before a restart the rate is near alpha · initial');
    closeAtSteps(s, keras.restarts(1, 10, 2, 0.5, 0.1), range(160));
    assert.deepEqual(s.getConfig(), { initial_learning_rate: 1, first_decay_steps: 10, t_mul: 2, m_mul: 0.5, alpha: 0.1, name: 'SGDRDecay' });
  });

  it('tMul 1: equal periods', () => {
    const s = new CosineDecayRestarts({ initial_learning_rate: 0.1, first_decay_steps: 5, t_mul: 1, m_mul: 0.8 });
    assert.deepEqual([0, 5, 10, 15].map((t) => s(t)), [0.1, 0.1 * 0.8, 0.1 * 0.8 * 0.8, 0.1 * Math.pow(0.8, 3)]);
    closeAtSteps(s, keras.restarts(0.1, 5, 1, 0.8, 0), range(60));
  });

  it('a step exactly on a restart starts the new period even where the logarithms round the wrong way (tMul 1.5)', () => {
    // Periods of 16·1.5^i steps start at 0, 16, 40, 76, 130, 211, 332.5…: log(1 − f·(1 − 1.5))/log(1.5)
    // is 4.999999999999999 at step 211 in float64.
    const s = new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 16, tMul: 1.5 });
    assert.equal(s(211), 1);
    assert.ok(s(210) < 1e-3);
    closeAtSteps(s, keras.restarts(1, 16, 1.5, 1, 0), range(600), 1e-14);
  });

  it('validates its options', () => {
    assert.throws(() => new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 0 }), (e: unknown) => e instanceof ValueError && /firstDecaySteps \(first_decay_steps\)/.test(e.message) && /> 0/.test(e.message));
    assert.throws(() => new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 5, tMul: 0 }), (e: unknown) => e instanceof ValueError && /tMul \(t_mul\)/.test(e.message));
    assert.throws(() => new CosineDecayRestarts({ firstDecaySteps: 5 }), (e: unknown) => e instanceof ValueError && /initialLearningRate \(initial_learning_rate\) is required/.test(e.message));
  });
});

describe('schedules against PyTorch 1.13 (golden learning rates)', () => {
  const golden = torchGolden();
  for (const c of golden.schedules) {
    it(`${c.class_name} ${JSON.stringify(c.config)} over ${c.lr.length} steps`, () => {
      const s = deserializeSchedule({ class_name: c.class_name, config: c.config });
      assert.equal(s.className, c.class_name);
      // torch evaluates CosineAnnealingWarmRestarts in closed form and PolynomialLR as a running
      // product of per-step factors; both stay within an ulp or so of Keras's closed forms (measured ≤ 1e-16).
      closeAtSteps(s, (t) => c.lr[t], range(c.lr.length), 1e-15);
      assert.ok(new Set(c.lr).size >= 10, 'the golden rates must actually vary');
    });
  }
});

describe('every schedule', () => {
  const all: LearningRateSchedule[] = [
    new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 3, decayRate: 0.5, staircase: true }),
    new PiecewiseConstantDecay({ boundaries: [2, 5], values: [0.3, 0.2, 0.1] }),
    new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 4, cycle: true, power: 2 }),
    new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 1 }),
    new CosineDecay({ initialLearningRate: 0.01, decaySteps: 6, warmupTarget: 0.1, warmupSteps: 2, alpha: 0.1 }),
    new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 3, mMul: 0.9 }),
  ];

  it('is callable, an instance of its class, a LearningRateSchedule, and immutable', () => {
    assert.deepEqual(all.map((s) => s.className), SCHEDULE_NAMES);
    for (const s of all) {
      assert.equal(typeof s, 'function');
      assert.ok(isLearningRateSchedule(s));
      assert.equal(typeof s(3), 'number');
      const keys = Object.keys(s);
      assert.ok(keys.includes('className') && keys.includes('scheduleName') && keys.length >= 4, keys.join(', '));
      for (const key of keys) assert.throws(() => { (s as unknown as Record<string, unknown>)[key] = 0; }, TypeError, key);
    }
    assert.ok(all[4] instanceof CosineDecay && !(all[4] instanceof CosineDecayRestarts));
  });

  it('serialises as Keras does and deserialises by class name (any case, camelCase className too)', () => {
    for (const s of all) {
      const spec = serializeSchedule(s);
      assert.equal(spec.module, 'keras.optimizers.schedules');
      assert.equal(spec.class_name, s.className);
      assert.equal(spec.registered_name, null);
      const again = deserializeSchedule(spec);
      assert.equal(again.constructor, s.constructor);
      assert.deepEqual(again.getConfig(), s.getConfig());
      assert.deepEqual(range(12).map((t) => again(t)), range(12).map((t) => s(t)));
      const lower = deserializeSchedule({ className: String(s.className).toLowerCase(), config: s.getConfig() });
      assert.equal(lower.constructor, s.constructor);
    }
    assert.throws(() => deserializeSchedule({ class_name: 'OneCycle', config: {} }), (e: unknown) => e instanceof ValueError && /OneCycle/.test(e.message) && SCHEDULE_NAMES.every((n) => e.message.includes(n)));
    assert.throws(() => deserializeSchedule({ class_name: 'CosineDecay', config: [] }), (e: unknown) => e instanceof ValueError && /config must be an object/.test(e.message));
    // Keras's documented example config, with name None.
    const doc = deserializeSchedule({ class_name: 'PolynomialDecay', config: { cycle: false, decay_steps: 10000, end_learning_rate: 0.01, initial_learning_rate: 0.1, name: null, power: 0.5 } });
    assert.ok(doc instanceof PolynomialDecay);
    assert.equal(doc(10000), 0.01);
  });

  it('drives any optimizer: step k uses schedule(k), and survives getConfig → getOptimizer', () => {
    for (const s of all) {
      const opt = sgd({ learningRate: s });
      const w = scalarVar(0);
      const deltas: number[] = [];
      for (let k = 0; k < 10; k++) {
        const before = w.values[0];
        opt.applyGradients([[scalar(-1), w]]); // w += lr
        deltas.push(w.values[0] - before);
      }
      range(10).forEach((k) => assert.ok(Math.abs(deltas[k] - s(k)) <= 1e-15, `${s.className} step ${k}: moved ${deltas[k]}, schedule says ${s(k)}`));
      const config = nadam({ learningRate: s, beta1: 0.8 }).getConfig();
      const again = getOptimizer({ class_name: 'Nadam', config });
      assert.deepEqual(again.getConfig(), config);
      assert.equal(again.learningRate.constructor, s.constructor);
      again.iterations = 7;
      assert.equal(again.currentLearningRate(), s(7));
    }
  });
});
