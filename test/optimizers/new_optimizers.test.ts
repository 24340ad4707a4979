/**
 * AdamW, Nadam and Adamax:
 *
 * - against a float64 scalar transcription of Keras 3's update rules written here (keras/src/optimizers/
 *   {adamw,adam,nadam,adamax}.py): float64 to 1e-12 and float32 exactly (the implementation and this
 *   reference both round only when Keras assigns a variable), every option combination changing the
 *   trajectory;
 * - against PyTorch 1.13 (golden trajectories from scripts/golden/optimizer_golden.py), agreeing where
 *   torch computes Keras's function and measurably apart where the script documents a real difference;
 * - Adamax against TensorFlow.js's tf.train.adamax, which computes Keras's function (including tfjs's
 *   `decay`, which is Keras's InverseTimeDecay);
 * - options, configs, getOptimizer, Keras's state order (getWeights) and a resumed run continuing
 *   bit-for-bit after setWeights, for every optimizer; the Keras/tfjs training-config readers.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import {
  Adam, Adamax, AdamW, Nadam, CosineDecay, InverseTimeDecay, PiecewiseConstantDecay, Optimizer,
  adadelta, adagrad, adam, adamax, adamw, getOptimizer, nadam, rmsprop, serializeOptimizer, sgd, schedules,
  type NamedTensor,
} from '../../src/optimizers/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/layers/core.js';
import { compileFromKeras } from '../../src/io/keras/training_config.js';
import { kerasTrainingConfigFromTfjs, tfjsTrainingConfig } from '../../src/io/tfjs/training_config.js';
import { initTfjs } from '../helpers/tfjs.js';
import { INIT, SHAPE, gradientSequence, maxRelDiff, runConvkit, type Dtype } from './keras_reference.js';
import { torchGolden } from './torch_golden.js';

// -------------------------------------------------------------------------------------------------
// The Keras reference

type Kind = 'adamw' | 'nadam' | 'adamax';

interface Options {
  learningRate?: number | ((step: number) => number);
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

/** Keras 3's constructor defaults, written down from the Keras sources independently of src/. */
const KERAS_DEFAULTS: Record<Kind, Required<Omit<Options, 'weightDecay'>> & { weightDecay: number | null }> = {
  adamw: { learningRate: 0.001, weightDecay: 0.004, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false },
  nadam: { learningRate: 0.001, weightDecay: null, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false },
  adamax: { learningRate: 0.001, weightDecay: null, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false },
};

const rounder = (dtype: Dtype) => (dtype === 'float32' ? Math.fround : (x: number) => x);

/**
 * Keras's update of several variables over several steps: `grads[step][variable]`; the values of every
 * variable after every step. Nadam's u_product has the first variable's dtype and advances once per step.
 */
function kerasReferenceVars(kind: Kind, opts: Options, init: readonly (readonly number[])[], grads: readonly (readonly (readonly number[])[])[], dtypes: readonly Dtype[]): number[][][] {
  const o = { ...KERAS_DEFAULTS[kind], ...opts };
  const w = init.map((v, k) => v.map(rounder(dtypes[k])));
  const zeros = () => init.map((v) => new Array<number>(v.length).fill(0));
  const m = zeros(); // momentum (all three)
  const v2 = zeros(); // adam/nadam velocity; adamax norm
  const vHat = zeros(); // adamw amsgrad
  let uProduct = 1;
  const out: number[][][] = [];
  for (let step = 0; step < grads.length; step++) {
    const lr = typeof o.learningRate === 'function' ? o.learningRate(step) : o.learningRate;
    const localStep = step + 1;
    if (kind === 'nadam') {
      // Nadam._backend_update_step, before any variable: u_product * beta_1 * (1 - 0.5 * 0.96^(it+1))
      uProduct = rounder(dtypes[0])(uProduct * o.beta1 * (1.0 - 0.5 * Math.pow(0.96, localStep)));
    }
    for (let k = 0; k < w.length; k++) {
      const r = rounder(dtypes[k]);
      const g = grads[step][k].map(r);
      const wk = w[k];
      if (o.weightDecay !== null) for (let i = 0; i < wk.length; i++) wk[i] = r(wk[i] - wk[i] * o.weightDecay * lr);
      for (let i = 0; i < wk.length; i++) {
        const gi = g[i];
        if (kind === 'adamw') {
          const alpha = (lr * Math.sqrt(1 - Math.pow(o.beta2, localStep))) / (1 - Math.pow(o.beta1, localStep));
          m[k][i] = r(m[k][i] + (gi - m[k][i]) * (1 - o.beta1));
          v2[k][i] = r(v2[k][i] + (gi * gi - v2[k][i]) * (1 - o.beta2));
          let v = v2[k][i];
          if (o.amsgrad) {
            vHat[k][i] = r(Math.max(vHat[k][i], v2[k][i]));
            v = vHat[k][i];
          }
          wk[i] = r(wk[i] - (m[k][i] * alpha) / (Math.sqrt(v) + o.epsilon));
        } else if (kind === 'nadam') {
          const uT = o.beta1 * (1.0 - 0.5 * Math.pow(0.96, localStep));
          const uT1 = o.beta1 * (1.0 - 0.5 * Math.pow(0.96, localStep + 1));
          const uProductT1 = uProduct * uT1;
          const beta2Power = Math.pow(o.beta2, localStep);
          m[k][i] = r(m[k][i] + (gi - m[k][i]) * (1 - o.beta1));
          v2[k][i] = r(v2[k][i] + (gi * gi - v2[k][i]) * (1 - o.beta2));
          const mHat = (uT1 * m[k][i]) / (1 - uProductT1) + ((1 - uT) * gi) / (1 - uProduct);
          const vHatI = v2[k][i] / (1 - beta2Power);
          wk[i] = r(wk[i] - (mHat * lr) / (Math.sqrt(vHatI) + o.epsilon));
        } else {
          const beta1Power = Math.pow(o.beta1, localStep);
          m[k][i] = r(m[k][i] + (gi - m[k][i]) * (1 - o.beta1));
          v2[k][i] = r(Math.max(o.beta2 * v2[k][i], Math.abs(gi)));
          wk[i] = r(wk[i] - (lr * m[k][i]) / ((1 - beta1Power) * (v2[k][i] + o.epsilon)));
        }
      }
    }
    out.push(w.map((x) => x.slice()));
  }
  return out;
}

/** One [2, 3] variable (what runConvkit drives). */
function kerasReference(kind: Kind, opts: Options, init: readonly number[], grads: readonly (readonly number[])[], dtype: Dtype): number[][] {
  return kerasReferenceVars(kind, opts, [init], grads.map((g) => [g]), [dtype]).map((s) => s[0]);
}

const FACTORIES: Record<Kind, (o: Options) => Optimizer> = { adamw: (o) => adamw(o), nadam: (o) => nadam(o), adamax: (o) => adamax(o) };

// -------------------------------------------------------------------------------------------------
// Formulas

const decayingRate = (step: number) => 0.05 / (1 + 0.5 * step);

const COMBOS: Record<Kind, Options[]> = {
  adamw: [
    { learningRate: 0.01 },
    {},
    { learningRate: 0.01, weightDecay: 0.2 },
    { learningRate: 0.01, weightDecay: 0 },
    { learningRate: 0.02, beta1: 0.8, beta2: 0.95, amsgrad: true, weightDecay: 0.05 },
    { learningRate: 0.01, epsilon: 0.5 },
    { learningRate: decayingRate },
  ],
  nadam: [
    { learningRate: 0.01 },
    {},
    { learningRate: 0.02, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 },
    { learningRate: 0.01, epsilon: 0.5 },
    { learningRate: 0.01, weightDecay: 0.1 },
    { learningRate: 0.01, beta1: 0 },
    { learningRate: decayingRate },
  ],
  adamax: [
    { learningRate: 0.02 },
    {},
    { learningRate: 0.02, beta1: 0.5, beta2: 0.9 },
    { learningRate: 0.02, epsilon: 0.5 },
    { learningRate: 0.02, weightDecay: 0.1 },
    { learningRate: 0.02, beta2: 0 },
    { learningRate: decayingRate },
  ],
};

const STEPS = 9;
const GRADS = gradientSequence(STEPS, INIT.length);

function describeOptions(o: object): string {
  const parts = Object.entries(o).map(([k, v]) => `${k}=${typeof v === 'function' ? 'schedule' : String(v)}`);
  return parts.length ? parts.join(', ') : 'Keras defaults';
}

for (const kind of Object.keys(COMBOS) as Kind[]) {
  describe(`${kind} follows the Keras formula`, () => {
    const combos = COMBOS[kind];
    const baseline = runConvkit(FACTORIES[kind](combos[0]), INIT, GRADS, 'float64');
    for (const [index, combo] of combos.entries()) {
      it(`${describeOptions(combo)} (float64 to 1e-12, float32 exactly)`, () => {
        const got = runConvkit(FACTORIES[kind](combo), INIT, GRADS, 'float64');
        assert.ok(maxRelDiff(got.slice(-1), [INIT]) > 1e-6, 'the variable did not move');
        const d = maxRelDiff(got, kerasReference(kind, combo, INIT, GRADS, 'float64'));
        assert.ok(d <= 1e-12, `max relative difference from the Keras reference: ${d}`);
        if (index > 0) assert.ok(maxRelDiff(got, baseline) > 1e-9, 'this option combination gives the baseline trajectory: the option had no effect');
        assert.deepEqual(runConvkit(FACTORIES[kind](combo), INIT, GRADS, 'float32'), kerasReference(kind, combo, INIT, GRADS, 'float32'));
      });
    }
  });
}

describe('Nadam u_product', () => {
  const shapes = [[2, 3], [4]];
  const init = [INIT, [0.25, -0.5, 1.5, -2]];
  const seq = gradientSequence(6, 10);
  const grads = seq.map((g) => [g.slice(0, 6), g.slice(6)]);

  function run(opt: Optimizer, dtypes: Dtype[]): number[][][] {
    const vars = init.map((v, k) => new Variable(dtypes[k] === 'float32' ? Float32Array.from(v) : Float64Array.from(v), `v${k}`, true, shapes[k]));
    return grads.map((gs) => {
      opt.applyGradients(gs.map((g, k) => [new Tensor(dtypes[k] === 'float32' ? Float32Array.from(g) : Float64Array.from(g), shapes[k]), vars[k]] as const));
      return vars.map((v) => Array.from(v.values));
    });
  }

  it('advances once per step, not once per variable (two variables, float64 and float32)', () => {
    for (const dtypes of [['float64', 'float64'], ['float32', 'float32']] as Dtype[][]) {
      const got = run(nadam({ learningRate: 0.02 }), dtypes);
      const ref = kerasReferenceVars('nadam', { learningRate: 0.02 }, init, grads, dtypes);
      if (dtypes[0] === 'float32') assert.deepEqual(got, ref);
      else assert.ok(maxRelDiff(got.flat(), ref.flat()) <= 1e-12, `${maxRelDiff(got.flat(), ref.flat())}`);
    }
  });

  it("has the first variable's dtype and is rounded to it when stored", () => {
    const mixed = nadam({ learningRate: 0.02 });
    const got = run(mixed, ['float32', 'float64']);
    assert.deepEqual(got, kerasReferenceVars('nadam', { learningRate: 0.02 }, init, grads, ['float32', 'float64']));
    const u = mixed.getWeights().find((w) => w.name === 'u_product')!;
    assert.equal(u.tensor.dtype, 'float32');
    let expected = 1;
    for (let t = 1; t <= grads.length; t++) expected = Math.fround(expected * 0.9 * (1 - 0.5 * Math.pow(0.96, t)));
    assert.equal(u.tensor.values[0], expected);
    const other = nadam();
    other.build([new Variable(Float64Array.of(1), 'x', true, [1])]);
    assert.equal(other.getWeights().at(-1)!.tensor.dtype, 'float64');
  });

  it('is left unchanged by a step that fails its checks', () => {
    const w = new Variable(Float64Array.of(1, 2), 'w', true, [2]);
    const opt = nadam(0.1);
    opt.applyGradients([[new Tensor(Float64Array.of(1, 1), [2]), w]]);
    const before = opt.getWeights();
    assert.throws(() => opt.applyGradients([[new Tensor(Float64Array.of(1, 1, 1), [3]), w]]), ShapeError);
    assert.deepEqual(opt.getWeights().map((x) => Array.from(x.tensor.values)), before.map((x) => Array.from(x.tensor.values)));
    assert.notEqual(before.at(-1)!.tensor.values[0], 1, 'the first step moved u_product');
  });
});

// -------------------------------------------------------------------------------------------------
// PyTorch

describe('against PyTorch 1.13 (golden trajectories, float64, 25 steps)', () => {
  const golden = torchGolden();
  /**
   * Where torch and Keras compute the same function, only the order of float64 operations differs
   * (torch: lr/bc₁ · m / (√v/√bc₂); Keras: lr·√bc₂/bc₁ · m / √v); over 25 steps that stays within a
   * few ulps (measured ≤ 1.1e-15). The documented differences measure 2e-5 (Adamax's ε placement,
   * which only matters while |g| + ε exceeds β₂·u) to 3e-2.
   */
  const TORCH_TOL = 1e-13;

  it('holds the inputs the tests assume', () => {
    assert.deepEqual(golden.shape, SHAPE);
    assert.deepEqual(golden.init, INIT);
    assert.equal(golden.grads.length, 25);
  });

  for (const c of golden.optimizers) {
    it(`${c.optimizer} ${describeOptions(c.options)}: ${c.agree ? 'agrees' : 'differs'} (${c.why})`, () => {
      const ours = runConvkit(FACTORIES[c.optimizer](c.options), golden.init, golden.grads, 'float64');
      const ref = kerasReference(c.optimizer, c.options, golden.init, golden.grads, 'float64');
      assert.ok(maxRelDiff(ours, ref) <= 1e-12, 'convkit must be the Keras formula');
      assert.ok(maxRelDiff(c.trajectory.slice(-1), [golden.init]) > 1e-3, 'torch did not move the variable');
      const d = maxRelDiff(ours, c.trajectory);
      if (c.agree) {
        assert.ok(d <= TORCH_TOL, `convkit vs torch: ${d} > ${TORCH_TOL}`);
        // The reference agrees with torch on its own, so it is not merely a copy of src/.
        assert.ok(maxRelDiff(ref, c.trajectory) <= TORCH_TOL);
      } else {
        assert.ok(d > 1e-6, `expected the documented difference to show, but convkit vs torch is only ${d}`);
      }
    });
  }
});

// -------------------------------------------------------------------------------------------------
// TensorFlow.js

describe('Adamax against TensorFlow.js tf.train.adamax (float32, 20 steps)', () => {
  before(initTfjs);
  const steps = 20;
  const grads = gradientSequence(steps, INIT.length);
  /** tfjs rounds every op to float32 and accumulates β₁ᵗ by multiplication (see tfjs.test.ts). */
  const FLOAT32_TOL = 3e-6;
  let counter = 0;

  function runTfjs(opt: tf.Optimizer): number[][] {
    const name = `convkit_adamax_test_${counter++}`;
    const v = tf.variable(tf.tensor(INIT, SHAPE, 'float32'), true, name);
    const out: number[][] = [];
    for (const g of grads) {
      const gt = tf.tensor(g, SHAPE, 'float32');
      opt.applyGradients({ [name]: gt });
      gt.dispose();
      out.push(Array.from(v.dataSync()));
    }
    v.dispose();
    opt.dispose();
    return out;
  }

  const cases: { title: string; options: Options; convkit: () => Optimizer; tfjs: () => tf.Optimizer }[] = [
    { title: 'lr 0.02', options: { learningRate: 0.02 }, convkit: () => adamax(0.02), tfjs: () => tf.train.adamax(0.02, 0.9, 0.999, 1e-7) },
    {
      title: 'epsilon 0.1 (tfjs adds epsilon to u as Keras does)', options: { learningRate: 0.02, epsilon: 0.1 },
      convkit: () => adamax({ learningRate: 0.02, epsilon: 0.1 }), tfjs: () => tf.train.adamax(0.02, 0.9, 0.999, 0.1),
    },
    {
      title: 'beta1 0.8, beta2 0.9', options: { learningRate: 0.05, beta1: 0.8, beta2: 0.9 },
      convkit: () => adamax({ learningRate: 0.05, beta1: 0.8, beta2: 0.9 }), tfjs: () => tf.train.adamax(0.05, 0.8, 0.9, 1e-7),
    },
    {
      title: "tfjs's decay 0.5 is InverseTimeDecay(decaySteps 1, decayRate 0.5)",
      options: { learningRate: (step) => 0.05 / (1 + 0.5 * step) },
      convkit: () => adamax({ learningRate: new InverseTimeDecay({ initialLearningRate: 0.05, decaySteps: 1, decayRate: 0.5 }) }),
      tfjs: () => tf.train.adamax(0.05, 0.9, 0.999, 1e-7, 0.5),
    },
  ];

  for (const c of cases) {
    it(c.title, () => {
      const ours = runConvkit(c.convkit(), INIT, grads, 'float32');
      assert.deepEqual(ours, kerasReference('adamax', c.options, INIT, grads, 'float32'), 'convkit must equal the Keras reference exactly');
      const theirs = runTfjs(c.tfjs());
      assert.ok(maxRelDiff(theirs.slice(-1), [INIT]) > 1e-3, 'tfjs did not move the variable');
      const d = maxRelDiff(ours, theirs);
      assert.ok(d <= FLOAT32_TOL, `convkit vs tfjs: ${d}`);
    });
  }

  it('the tolerance is tight enough to see a different epsilon', () => {
    const d = maxRelDiff(runConvkit(adamax({ learningRate: 0.02, epsilon: 0.1 }), INIT, grads, 'float32'), runTfjs(tf.train.adamax(0.02, 0.9, 0.999, 0.05)));
    assert.ok(d > 10 * FLOAT32_TOL, `${d}`);
  });
});

// -------------------------------------------------------------------------------------------------
// Options and configs

function throwsValue(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ValueError, `expected a ValueError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} should mention ${JSON.stringify(f)}`);
    return true;
  });
}

const BASE_DEFAULTS = {
  clipnorm: null,
  global_clipnorm: null,
  clipvalue: null,
  use_ema: false,
  ema_momentum: 0.99,
  ema_overwrite_frequency: null,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
};

/** Keras 3's get_config() of each constructed with no arguments. */
const KERAS_DEFAULT_CONFIGS: Record<string, Record<string, unknown>> = {
  AdamW: { name: 'adamw', learning_rate: 0.001, weight_decay: 0.004, ...BASE_DEFAULTS, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
  Nadam: { name: 'nadam', learning_rate: 0.001, weight_decay: null, ...BASE_DEFAULTS, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
  Adamax: { name: 'adamax', learning_rate: 0.001, weight_decay: null, ...BASE_DEFAULTS, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 },
};

describe('AdamW, Nadam and Adamax: names, options and configs', () => {
  it('getOptimizer knows them by name (any case) with Keras defaults; factories and classes agree', () => {
    const spellings: [string, new () => Optimizer][] = [
      ['adamw', AdamW], ['AdamW', AdamW], ['ADAMW', AdamW], ['nadam', Nadam], ['Nadam', Nadam], ['adamax', Adamax], ['Adamax', Adamax],
    ];
    for (const [name, cls] of spellings) {
      const opt = getOptimizer(name);
      assert.ok(opt instanceof cls, name);
      assert.deepEqual(opt.getConfig(), KERAS_DEFAULT_CONFIGS[opt.className], name);
    }
    for (const opt of [new AdamW(), new Nadam(), new Adamax(), adamw(), nadam(), adamax()]) {
      assert.deepEqual(opt.getConfig(), KERAS_DEFAULT_CONFIGS[opt.className], opt.className);
    }
    assert.ok(new AdamW() instanceof Adam, 'AdamW is an Adam, as in Keras');
    assert.equal(new AdamW().className, 'AdamW');
    assert.equal(new Adam().className, 'Adam');
    assert.equal(new Adam().weightDecay, null, "AdamW's default must not leak into Adam");
  });

  it('getConfig round-trips through getOptimizer, also with a schedule as the learning rate', () => {
    const opts = [
      adamw({ learningRate: 0.003, weightDecay: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, clipnorm: 1, name: 'w' }),
      nadam({ learningRate: new CosineDecay({ initialLearningRate: 0.01, decaySteps: 100, warmupTarget: 0.1, warmupSteps: 10 }), beta_1: 0.85, epsilon: 1e-5, global_clipnorm: 2 }),
      adamax({ learning_rate: new PiecewiseConstantDecay({ boundaries: [10, 20], values: [0.1, 0.01, 0.001] }), beta2: 0.95, weightDecay: 0.1 }),
    ];
    for (const opt of opts) {
      const config = opt.getConfig();
      for (const key of Object.keys(config)) assert.match(key, /^[a-z0-9_]+$/);
      const again = getOptimizer(serializeOptimizer(opt));
      assert.equal(again.constructor, opt.constructor);
      assert.deepEqual(again.getConfig(), config);
      assert.notDeepEqual(config, KERAS_DEFAULT_CONFIGS[opt.className]);
    }
    const cfg = opts[1].getConfig().learning_rate as Record<string, unknown>;
    assert.equal(cfg.class_name, 'CosineDecay');
  });

  it('accept camelCase and Keras snake_case spellings', () => {
    assert.deepEqual(nadam({ beta_1: 0.5, beta_2: 0.6, learning_rate: 0.3 }).getConfig(), nadam({ beta1: 0.5, beta2: 0.6, learningRate: 0.3 }).getConfig());
    assert.deepEqual(adamax({ beta_1: 0.5, weight_decay: 0.2 }).getConfig(), adamax({ beta1: 0.5, weightDecay: 0.2 }).getConfig());
    assert.equal(adamw({ weight_decay: 0.3 }).weightDecay, 0.3);
    assert.equal(adamw(0.5).learningRate, 0.5);
    throwsValue(() => adamax({ beta1: 0.5, beta_1: 0.6 }), 'Adamax', 'beta1', 'beta_1');
  });

  it('reject out-of-range values and unknown options, naming the optimizer, option and range', () => {
    throwsValue(() => adamw({ beta1: 1 }), 'AdamW', 'beta1 (beta_1)', '[0, 1)');
    throwsValue(() => adamw({ learningRate: -1 }), 'AdamW', 'learningRate', '>= 0');
    throwsValue(() => adamw({ weightDecay: -0.1 }), 'AdamW', 'weightDecay (weight_decay)', '>= 0');
    throwsValue(() => nadam({ beta_2: 1.5 }), 'Nadam', 'beta2 (beta_2)', '[0, 1)');
    throwsValue(() => nadam({ epsilon: NaN }), 'Nadam', 'epsilon', '>= 0');
    throwsValue(() => adamax({ beta2: -0.1 }), 'Adamax', 'beta2 (beta_2)', '[0, 1)');
    throwsValue(() => adamax({ epsilon: -1 }), 'Adamax', 'epsilon');
    throwsValue(() => nadam({ amsgrad: true } as never), 'Nadam', 'unrecognized option "amsgrad"', 'beta1');
    throwsValue(() => adamax({ momentumDecay: 0.004 } as never), 'Adamax', 'unrecognized option "momentumDecay"');
    throwsValue(() => adamw({ amsgrad: 'yes' as never }), 'AdamW', 'amsgrad', 'true or false');
  });

  it('AdamW needs a weight decay, as in Keras', () => {
    throwsValue(() => adamw({ weightDecay: null }), 'AdamW', 'weightDecay (weight_decay)', 'null');
    throwsValue(() => getOptimizer({ class_name: 'AdamW', config: { weight_decay: null } }), 'AdamW', 'weight_decay');
    const opt = adamw();
    throwsValue(() => { opt.weightDecay = null; }, 'AdamW', 'weightDecay');
    opt.weightDecay = 0.5;
    assert.equal(opt.getConfig().weight_decay, 0.5);
    // Adam keeps accepting null.
    assert.equal(adam({ weightDecay: null }).weightDecay, null);
  });
});

// -------------------------------------------------------------------------------------------------
// State: order and resume

function names(w: NamedTensor[]): string[] {
  return w.map((x) => x.name);
}

describe("optimizer state in Keras's variable order", () => {
  const kernel = () => new Variable(Float32Array.from(INIT), 'dense/kernel', true, [2, 3]);
  const bias = () => new Variable(new Float32Array(3), 'dense/bias', true, [3]);

  it('Adamax: momentum and norm interleaved per variable', () => {
    const opt = adamax();
    opt.build([kernel(), bias()]);
    assert.deepEqual(names(opt.getWeights()), ['iteration', 'learning_rate', 'dense_kernel_momentum', 'dense_kernel_norm', 'dense_bias_momentum', 'dense_bias_norm']);
  });

  it('Nadam: momentum and velocity interleaved, then u_product (a float scalar starting at 1)', () => {
    const opt = nadam();
    assert.deepEqual(names(opt.getWeights()), ['iteration', 'learning_rate'], 'no state before build, as in Keras');
    opt.build([kernel(), bias()]);
    const w = opt.getWeights();
    assert.deepEqual(names(w), ['iteration', 'learning_rate', 'dense_kernel_momentum', 'dense_kernel_velocity', 'dense_bias_momentum', 'dense_bias_velocity', 'u_product']);
    assert.deepEqual(w.at(-1)!.tensor.shape, []);
    assert.equal(w.at(-1)!.tensor.values[0], 1);
    const scheduled = nadam({ learningRate: new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }) });
    scheduled.build([bias()]);
    assert.deepEqual(names(scheduled.getWeights()), ['iteration', 'dense_bias_momentum', 'dense_bias_velocity', 'u_product']);
  });

  it('AdamW: as Adam (momentum and velocity interleaved, then the velocity_hat block)', () => {
    const opt = adamw({ amsgrad: true });
    opt.build([kernel(), bias()]);
    assert.deepEqual(names(opt.getWeights()), [
      'iteration', 'learning_rate', 'dense_kernel_momentum', 'dense_kernel_velocity', 'dense_bias_momentum', 'dense_bias_velocity',
      'dense_kernel_velocity_hat', 'dense_bias_velocity_hat',
    ]);
  });

  it("Adam's state has the shapes of a real Keras 3.11 .keras file's optimizer/vars", () => {
    // ../shared/fixtures/keras/mnist_cnn_keras3.keras (Keras 3.11.3, Adam): optimizer/vars/0..13 as h5py
    // lists them; vars 2, 4, … hold signed values (momentum), 3, 5, … non-negative ones (velocity).
    const fromFile = [[], [], [3, 3, 1, 8], [3, 3, 1, 8], [8], [8], [1352, 16], [1352, 16], [16], [16], [16, 10], [16, 10], [10], [10]];
    const shapes = [[3, 3, 1, 8], [8], [1352, 16], [16], [16, 10], [10]];
    const opt = adam();
    opt.build(shapes.map((s, i) => new Variable(new Float32Array(s.reduce((a, b) => a * b, 1)), `v${i}`, true, s)));
    const w = opt.getWeights();
    assert.deepEqual(w.map((x) => x.tensor.shape), fromFile);
    assert.deepEqual(names(w).slice(2, 6), ['v0_momentum', 'v0_velocity', 'v1_momentum', 'v1_velocity']);
  });

  it('Adadelta: accumulated_grad and accumulated_delta_var interleaved; RMSprop kinds stay in blocks', () => {
    const a = adadelta();
    a.build([kernel(), bias()]);
    assert.deepEqual(names(a.getWeights()).slice(2), ['dense_kernel_accumulated_grad', 'dense_kernel_accumulated_delta_var', 'dense_bias_accumulated_grad', 'dense_bias_accumulated_delta_var']);
    const r = rmsprop({ momentum: 0.5, centered: true });
    r.build([kernel(), bias()]);
    assert.deepEqual(names(r.getWeights()).slice(2), [
      'dense_kernel_velocity', 'dense_bias_velocity', 'dense_kernel_momentum', 'dense_bias_momentum', 'dense_kernel_average_gradient', 'dense_bias_average_gradient',
    ]);
  });

  it('setWeights names the missing u_product when counts differ', () => {
    const opt = nadam();
    opt.build([bias()]);
    const w = opt.getWeights();
    throwsValue(() => opt.setWeights(w.slice(0, -1)), 'Nadam', `got ${w.length - 1} weights`, 'u_product');
  });
});

describe('a run resumed from getWeights continues bit-for-bit (K = 5 steps, then M = 6)', () => {
  const K = 5;
  const M = 6;
  const seq = gradientSequence(K + M, 10).map((g) => [g.slice(0, 6), g.slice(6)]);
  const shapes = [[2, 3], [4]];

  const makeVars = (values: number[][]) => values.map((v, k) => new Variable(Float32Array.from(v), `layer/w${k}`, true, shapes[k]));
  const step = (opt: Optimizer, vars: Variable[], k: number) => {
    opt.applyGradients(seq[k].map((g, i) => [new Tensor(Float32Array.from(g), shapes[i]), vars[i]] as const));
  };
  const valuesOf = (vars: Variable[]) => vars.map((v) => Array.from(v.values));
  const stateOf = (opt: Optimizer) => opt.getWeights().map((w) => [w.name, Array.from(w.tensor.values)]);

  const cases: [string, () => Optimizer][] = [
    ['SGD (Nesterov momentum)', () => sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam (amsgrad)', () => adam({ learningRate: 0.01, amsgrad: true })],
    ['AdamW (CosineDecay with warm-up)', () => adamw({ learningRate: new CosineDecay({ initialLearningRate: 0.001, decaySteps: 8, warmupTarget: 0.02, warmupSteps: 3 }), weightDecay: 0.1 })],
    ['Nadam', () => nadam({ learningRate: 0.02 })],
    ['Nadam (PiecewiseConstantDecay)', () => nadam({ learningRate: new PiecewiseConstantDecay({ boundaries: [3, 7], values: [0.03, 0.01, 0.003] }) })],
    ['Adamax', () => adamax({ learningRate: 0.03, weightDecay: 0.05 })],
    ['RMSprop (centered, momentum)', () => rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 })],
    ['Adagrad', () => adagrad({ learningRate: 0.1 })],
    ['Adadelta', () => adadelta({ learningRate: 1 })],
  ];

  for (const [title, make] of cases) {
    it(title, () => {
      const init = [INIT, [0.25, -0.5, 1.5, -2]];
      const a = makeVars(init);
      const optA = make();
      for (let k = 0; k < K; k++) step(optA, a, k);
      const saved = optA.getWeights();
      const savedValues = valuesOf(a);

      // A fresh optimizer rebuilt from the config, given the saved state and a copy of the weights.
      const b = makeVars(savedValues);
      const optB = getOptimizer(serializeOptimizer(optA));
      optB.build(b);
      optB.setWeights(saved);
      assert.deepEqual(stateOf(optB), stateOf(optA));

      // Control: the same weights with a fresh optimizer state.
      const c = makeVars(savedValues);
      const optC = make();

      for (let k = K; k < K + M; k++) {
        step(optA, a, k);
        step(optB, b, k);
        step(optC, c, k);
      }
      assert.deepEqual(valuesOf(b), valuesOf(a));
      assert.deepEqual(stateOf(optB), stateOf(optA));
      assert.equal(optB.iterations, K + M);
      assert.notDeepEqual(valuesOf(c), valuesOf(a), 'without the saved state the run must differ, or this test proves nothing');
    });
  }

  it("Nadam's u_product is part of what makes the resume exact", () => {
    const a = makeVars([INIT, [0.25, -0.5, 1.5, -2]]);
    const optA = nadam({ learningRate: 0.02 });
    for (let k = 0; k < K; k++) step(optA, a, k);
    const saved = optA.getWeights();
    assert.equal(saved.at(-1)!.name, 'u_product');
    const b = makeVars(valuesOf(a));
    const optB = nadam({ learningRate: 0.02 });
    optB.build(b);
    optB.setWeights([...saved.slice(0, -1), { name: 'u_product', tensor: new Tensor(Float32Array.of(1), []) }]);
    for (let k = K; k < K + M; k++) {
      step(optA, a, k);
      step(optB, b, k);
    }
    assert.notDeepEqual(valuesOf(b), valuesOf(a));
  });
});

// -------------------------------------------------------------------------------------------------
// Training configs in model files

function tinyModel(): Sequential {
  return new Sequential({ layers: [new Dense({ units: 1, inputShape: [2] })] });
}

describe('training configs', () => {
  const base = { clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, loss_scale_factor: null, gradient_accumulation_steps: null };

  it("Keras 3 compile_config: AdamW, Nadam and Adamax as Keras writes them", () => {
    const configs = [
      { class_name: 'AdamW', config: { name: 'adamw', learning_rate: 0.002, weight_decay: 0.004, ...base, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } },
      { class_name: 'Nadam', config: { name: 'nadam', learning_rate: 0.001, weight_decay: null, ...base, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } },
      { class_name: 'Adamax', config: { name: 'adamax', learning_rate: 0.001, weight_decay: null, ...base, beta_1: 0.8, beta_2: 0.999, epsilon: 1e-7 } },
    ];
    for (const c of configs) {
      const model = tinyModel();
      assert.equal(compileFromKeras(model, { optimizer: { module: 'keras.optimizers', ...c, registered_name: null }, loss: 'mean_squared_error', metrics: [] }, 'test'), true, c.class_name);
      const opt = model.compiled!.optimizer;
      assert.equal(opt.className, c.class_name);
      assert.deepEqual(opt.getConfig(), c.config);
    }
  });

  it("Keras 2: tf.keras's AdamW (Custom>, jit_compile) and legacy Adamax (lr, decay 0)", () => {
    const m1 = tinyModel();
    assert.ok(compileFromKeras(m1, { optimizer_config: { class_name: 'Custom>AdamW', config: { name: 'AdamW', weight_decay: 0.01, jit_compile: true, is_legacy_optimizer: false, learning_rate: 0.001, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false } }, loss: 'mse' }, 'test'));
    assert.ok(m1.compiled!.optimizer instanceof AdamW);
    assert.equal(m1.compiled!.optimizer.weightDecay, 0.01);
    const m2 = tinyModel();
    assert.ok(compileFromKeras(m2, { optimizer_config: { class_name: 'Adamax', config: { name: 'Adamax', lr: 0.002, decay: 0, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } }, loss: 'mse' }, 'test'));
    assert.ok(m2.compiled!.optimizer instanceof Adamax);
    assert.equal(m2.compiled!.optimizer.learningRate, 0.002);
  });

  it("Keras 2's legacy Nadam (decay = its schedule_decay 0.004) continues as Keras 3's Nadam, with a warning", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code}: ${w.message}`);
    process.on('warning', onWarning);
    const m = tinyModel();
    const ok = compileFromKeras(m, { optimizer_config: { class_name: 'Nadam', config: { name: 'Nadam', learning_rate: 0.002, decay: 0.004, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 } }, loss: 'mse' }, 'test');
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    assert.equal(ok, true);
    assert.ok(m.compiled!.optimizer instanceof Nadam);
    assert.ok(warnings.some((w) => w.startsWith('CONVKIT_NADAM_SCHEDULE') && w.includes('0.004')), warnings.join('\n'));
  });

  it("tfjs: Adamax is written as tfjs's Adamax and read back; tfjs's decay becomes InverseTimeDecay", async () => {
    const model = tinyModel();
    model.compile({ optimizer: adamax({ learningRate: 0.01, beta1: 0.8 }), loss: 'mse' });
    const tc = tfjsTrainingConfig(model)!;
    assert.deepEqual(tc.optimizer_config, { class_name: 'Adamax', config: { learningRate: 0.01, beta1: 0.8, beta2: 0.999, epsilon: 1e-7, decay: 0 } });
    // tfjs itself accepts it.
    await initTfjs();
    const tfModel = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    tfModel.loadTrainingConfig(tc as never);
    assert.equal(tfModel.optimizer.getClassName(), 'Adamax');
    tfModel.dispose();

    const back = tinyModel();
    assert.ok(compileFromKeras(back, kerasTrainingConfigFromTfjs(tc), 'test'));
    assert.deepEqual(back.compiled!.optimizer.getConfig(), model.compiled!.optimizer.getConfig());

    const decayed = tinyModel();
    const withDecay = { ...tc, optimizer_config: { class_name: 'Adamax', config: { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0.5 } } };
    assert.ok(compileFromKeras(decayed, kerasTrainingConfigFromTfjs(withDecay), 'test'));
    const lr = decayed.compiled!.optimizer.learningRate;
    assert.ok(lr instanceof InverseTimeDecay);
    assert.deepEqual([0, 1, 2, 3].map((s) => lr(s)), [0, 1, 2, 3].map((s) => 0.01 / (1 + 0.5 * s)));
  });

  it('tfjs has no AdamW or Nadam: the model.json gets no training config, with a warning', async () => {
    for (const opt of [adamw(), nadam()]) {
      const warnings: string[] = [];
      const onWarning = (w: Error & { code?: string }) => warnings.push(`${w.code}: ${w.message}`);
      process.on('warning', onWarning);
      const model = tinyModel();
      model.compile({ optimizer: opt, loss: 'mse' });
      const tc = tfjsTrainingConfig(model);
      await new Promise((r) => setImmediate(r));
      process.off('warning', onWarning);
      assert.equal(tc, null, opt.className);
      assert.ok(warnings.some((w) => w.startsWith('CONVKIT_TFJS_NO_OPTIMIZER') && w.includes(opt.className)), warnings.join('\n'));
    }
  });
});

describe('the optimizers namespace', () => {
  it('exposes the schedules as optimizers.schedules, as keras.optimizers.schedules', () => {
    assert.equal(schedules.CosineDecay, CosineDecay);
    assert.equal(typeof schedules.serialize, 'function');
    assert.equal(typeof schedules.deserialize, 'function');
    const s = schedules.deserialize(schedules.serialize(new schedules.PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10 })));
    assert.ok(s instanceof schedules.PolynomialDecay);
  });
});
