/** getOptimizer, configs, option validation, applyGradients contract, state (getWeights/setWeights). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError } from '../../src/errors.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import {
  Adadelta, Adagrad, Adam, Optimizer, OPTIMIZER_NAMES, RMSprop, SGD,
  adadelta, adagrad, adam, getOptimizer, rmsprop, serializeOptimizer, sgd,
} from '../../src/optimizers/index.js';

const BASE_DEFAULTS = {
  weight_decay: null,
  clipnorm: null,
  global_clipnorm: null,
  clipvalue: null,
  use_ema: false,
  ema_momentum: 0.99,
  ema_overwrite_frequency: null,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
};

/** Keras 3's get_config() of each optimizer constructed with no arguments. */
const KERAS_DEFAULT_CONFIGS: Record<string, Record<string, unknown>> = {
  SGD: { name: 'SGD', learning_rate: 0.01, ...BASE_DEFAULTS, momentum: 0, nesterov: false },
  Adam: { name: 'adam', learning_rate: 0.001, ...BASE_DEFAULTS, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
  RMSprop: { name: 'rmsprop', learning_rate: 0.001, ...BASE_DEFAULTS, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
  Adagrad: { name: 'adagrad', learning_rate: 0.001, ...BASE_DEFAULTS, initial_accumulator_value: 0.1, epsilon: 1e-7 },
  Adadelta: { name: 'adadelta', learning_rate: 0.001, ...BASE_DEFAULTS, rho: 0.95, epsilon: 1e-7 },
};

function f64(values: number[], shape: number[] = [values.length]): Float64Array {
  assert.equal(values.length, shape.reduce((a, b) => a * b, 1));
  return Float64Array.from(values);
}

function variable(values: number[], name = 'w', shape?: number[]): Variable {
  return new Variable(f64(values), name, true, shape ?? [values.length]);
}

function tensor(values: number[], shape?: number[]): Tensor {
  return new Tensor(f64(values), shape ?? [values.length]);
}

function throwsValue(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ValueError, `expected a ValueError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} should mention ${JSON.stringify(f)}`);
    return true;
  });
}

describe('getOptimizer', () => {
  const spellings: [string, new () => Optimizer][] = [
    ['sgd', SGD], ['SGD', SGD], ['Sgd', SGD],
    ['adam', Adam], ['Adam', Adam], ['ADAM', Adam],
    ['rmsprop', RMSprop], ['RMSprop', RMSprop], ['RMSProp', RMSprop],
    ['adagrad', Adagrad], ['Adagrad', Adagrad],
    ['adadelta', Adadelta], ['Adadelta', Adadelta],
  ];
  for (const [name, cls] of spellings) {
    it(`'${name}' gives ${cls.name} with Keras defaults`, () => {
      const opt = getOptimizer(name);
      assert.ok(opt instanceof cls);
      assert.deepEqual(opt.getConfig(), KERAS_DEFAULT_CONFIGS[opt.className]);
    });
  }

  it('the classes and factories with no arguments have the Keras default config', () => {
    for (const opt of [new SGD(), new Adam(), new RMSprop(), new Adagrad(), new Adadelta(), sgd(), adam(), rmsprop(), adagrad(), adadelta()]) {
      assert.deepEqual(opt.getConfig(), KERAS_DEFAULT_CONFIGS[opt.className], opt.className);
      assert.equal(opt.iterations, 0);
    }
  });

  it('an unknown name throws a ValueError listing the valid names', () => {
    throwsValue(() => getOptimizer('lamb'), 'Unknown optimizer "lamb"', ...OPTIMIZER_NAMES);
    throwsValue(() => getOptimizer({ className: 'Lion', config: {} }), 'Lion', 'sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta');
    assert.deepEqual([...OPTIMIZER_NAMES], ['sgd', 'adam', 'adamw', 'nadam', 'adamax', 'rmsprop', 'adagrad', 'adadelta']);
  });

  it('returns an Optimizer instance unchanged', () => {
    const opt = adam(0.01);
    assert.equal(getOptimizer(opt), opt);
  });

  it('builds from {className, config} and from Keras {class_name, config} with snake_case keys', () => {
    const a = getOptimizer({ className: 'Adam', config: { learning_rate: 0.01, beta_1: 0.8, amsgrad: true } }) as Adam;
    assert.ok(a instanceof Adam);
    assert.equal(a.learningRate, 0.01);
    assert.equal(a.beta1, 0.8);
    assert.equal(a.amsgrad, true);
    const s = getOptimizer({ class_name: 'SGD', config: { learningRate: 0.2, momentum: 0.5, nesterov: true } }) as SGD;
    assert.ok(s instanceof SGD);
    assert.deepEqual([s.learningRate, s.momentum, s.nesterov], [0.2, 0.5, true]);
    throwsValue(() => getOptimizer({ config: {} }), 'className');
    throwsValue(() => getOptimizer({ className: 'SGD', config: { lr: 0.1 } }), 'unrecognized option "lr"');
    throwsValue(() => getOptimizer(42 as unknown as string), 'expected an optimizer name');
  });

  it('getConfig round-trips through getOptimizer for every optimizer', () => {
    const opts = [
      sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01, clipnorm: 1, name: 'my_sgd' }),
      adam({ learningRate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, globalClipnorm: 2 }),
      rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-5, centered: true, clipvalue: 0.5 }),
      adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.5, epsilon: 1e-6, weightDecay: 0.1 }),
      adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-6 }),
    ];
    for (const opt of opts) {
      const config = opt.getConfig();
      for (const key of Object.keys(config)) assert.match(key, /^[a-z0-9_]+$/, `config key ${key} is not snake_case`);
      const again = getOptimizer(serializeOptimizer(opt));
      assert.equal(again.constructor, opt.constructor);
      assert.deepEqual(again.getConfig(), config);
      assert.notDeepEqual(config, KERAS_DEFAULT_CONFIGS[opt.className]);
    }
  });
});

describe('options', () => {
  it('accepts Keras snake_case spellings as well as camelCase', () => {
    assert.deepEqual(new Adam({ beta_1: 0.5, beta_2: 0.6, learning_rate: 0.3 }).getConfig(), new Adam({ beta1: 0.5, beta2: 0.6, learningRate: 0.3 }).getConfig());
    assert.deepEqual(new Adagrad({ initial_accumulator_value: 0.7 }).getConfig(), new Adagrad({ initialAccumulatorValue: 0.7 }).getConfig());
    assert.equal(new SGD({ weight_decay: 0.1 }).weightDecay, 0.1);
    assert.equal(new Adam({ global_clipnorm: 3 }).globalClipnorm, 3);
    // Both spellings with the same value are fine; different values are an error.
    assert.equal(new Adam({ beta1: 0.5, beta_1: 0.5 }).beta1, 0.5);
    throwsValue(() => new Adam({ beta1: 0.5, beta_1: 0.6 }), 'beta1', 'beta_1');
  });

  it('a number argument is the learning rate', () => {
    assert.equal(sgd(0.3).learningRate, 0.3);
    assert.equal(new RMSprop(0.02).learningRate, 0.02);
    assert.equal(adam(0.5).beta1, 0.9);
  });

  it('rejects out-of-range and non-finite values, naming the option and the range', () => {
    throwsValue(() => sgd({ learningRate: -0.1 }), 'learningRate', 'learning_rate', '>= 0', '-0.1');
    throwsValue(() => adam({ learningRate: NaN }), 'learningRate', 'NaN');
    throwsValue(() => adam({ learningRate: Infinity }), 'learningRate', 'Infinity');
    throwsValue(() => sgd({ momentum: 1.5 }), 'SGD', 'momentum', '[0, 1]', '1.5');
    throwsValue(() => sgd({ momentum: -0.1 }), 'momentum', '[0, 1]');
    throwsValue(() => rmsprop({ momentum: 2 }), 'RMSprop', 'momentum', '[0, 1]');
    throwsValue(() => adam({ beta1: 1 }), 'beta1 (beta_1)', '[0, 1)');
    throwsValue(() => adam({ beta_2: -0.5 }), 'beta2 (beta_2)', '[0, 1)');
    throwsValue(() => adam({ epsilon: NaN }), 'epsilon', '>= 0');
    throwsValue(() => rmsprop({ rho: 1.1 }), 'rho', '[0, 1]');
    throwsValue(() => adadelta({ rho: -1 }), 'rho', '[0, 1]');
    throwsValue(() => adagrad({ initialAccumulatorValue: -1 }), 'initialAccumulatorValue (initial_accumulator_value)', '>= 0');
    throwsValue(() => sgd({ weightDecay: -1 }), 'weightDecay (weight_decay)', '>= 0');
    throwsValue(() => sgd({ clipnorm: 0 }), 'clipnorm', '> 0');
    throwsValue(() => sgd({ nesterov: 'yes' as unknown as boolean }), 'nesterov', 'true or false');
    throwsValue(() => sgd({ momentum: '0.9' as unknown as number }), 'momentum', '"0.9"');
    throwsValue(() => sgd({ learningRate: '0.1' as unknown as number }), 'learningRate');
  });

  it('rejects unknown options, conflicting clipping and unsupported Keras features', () => {
    throwsValue(() => adam({ betaOne: 0.9 } as never), 'unrecognized option "betaOne"', 'beta1');
    throwsValue(() => sgd({ clipnorm: 1, clipvalue: 1 }), 'only one of clipnorm, clipvalue and globalClipnorm');
    throwsValue(() => sgd({ use_ema: true }), 'use_ema');
    throwsValue(() => sgd({ gradient_accumulation_steps: 4 }), 'gradient_accumulation_steps');
    throwsValue(() => sgd({ loss_scale_factor: 128 }), 'loss_scale_factor');
    throwsValue(() => sgd([] as never), 'must be an object');
  });
});

describe('applyGradients', () => {
  it('updates variables in place and counts iterations', () => {
    const w = variable([1, 2, 3]);
    const data = w.values;
    const opt = sgd({ learningRate: 0.5, momentum: 0.5 });
    assert.equal(opt.applyGradients([[tensor([1, 1, 1]), w]]), 1);
    const slot = opt.getSlot(w, 'momentum');
    assert.ok(slot);
    const slotData = slot.values;
    opt.applyGradients([[tensor([1, 1, 1]), w]]);
    assert.equal(opt.iterations, 2);
    assert.equal(w.values, data, 'the variable keeps its typed array');
    assert.equal(opt.getSlot(w, 'momentum'), slot, 'slots are created once');
    assert.equal(slot.values, slotData);
    // v1 = -0.5, w = 0.5; v2 = -0.25 - 0.5 = -0.75, w = -0.25
    assert.deepEqual(Array.from(w.values), [-0.25, 0.75, 1.75]);
    assert.deepEqual(Array.from(slot.values), [-0.75, -0.75, -0.75]);
    assert.equal(opt.getSlot(w, 'velocity'), undefined);
  });

  it('skips null gradients but still counts the step', () => {
    const a = variable([1, 2], 'a');
    const b = variable([3, 4], 'b');
    const opt = sgd(0.1);
    opt.applyGradients([[null, a], [tensor([1, -1]), b]]);
    assert.deepEqual(Array.from(a.values), [1, 2]);
    assert.deepEqual(Array.from(b.values), [2.9, 4.1]);
    assert.equal(opt.iterations, 1);
    opt.applyGradients([[tensor([10, 10]), a], [undefined, b]]);
    assert.deepEqual(Array.from(a.values), [0, 1]);
    assert.deepEqual(Array.from(b.values), [2.9, 4.1]);
    assert.equal(opt.iterations, 2);
  });

  it('an empty list is a no-op; a list of only null gradients is an error', () => {
    const opt = adam();
    assert.equal(opt.applyGradients([]), 0);
    assert.equal(opt.iterations, 0);
    throwsValue(() => opt.applyGradients([[null, variable([1], 'lonely')]]), 'no gradients', 'lonely');
    assert.equal(opt.iterations, 0);
  });

  it('checks every shape before changing anything', () => {
    const a = variable([1, 2, 3, 4], 'a', [2, 2]);
    const b = variable([1, 2, 3, 4], 'dense/kernel', [2, 2]);
    const opt = sgd(0.1);
    assert.throws(() => opt.applyGradients([[tensor([1, 1, 1, 1], [2, 2]), a], [tensor([1, 1, 1, 1], [4]), b]]), (e: unknown) => {
      assert.ok(e instanceof ShapeError);
      assert.match(e.message, /'dense\/kernel'/);
      assert.match(e.message, /\[4\]/);
      assert.match(e.message, /\[2, 2\]/);
      return true;
    });
    assert.deepEqual(Array.from(a.values), [1, 2, 3, 4], 'a valid earlier pair must not have been applied');
    assert.equal(opt.iterations, 0);
  });

  it('rejects non-tensor gradients and integer variables', () => {
    const opt = sgd();
    throwsValue(() => opt.applyGradients([[[1, 2] as unknown as Tensor, variable([1, 2])]]), 'must be a Tensor or null');
    const ints = new Variable(Int32Array.of(1, 2), 'step', true, [2]);
    throwsValue(() => opt.applyGradients([[new Tensor(Int32Array.of(1, 1), [2]), ints]]), 'int32', 'step');
  });

  it('apply(grads, variables) zips the lists', () => {
    const a = variable([1], 'a');
    const opt = sgd(1);
    opt.apply([tensor([0.25])], [a]);
    assert.deepEqual(Array.from(a.values), [0.75]);
    throwsValue(() => opt.apply([], [a]), '0 gradients for 1 variables');
  });
});

describe('weight decay', () => {
  it('is decoupled and applied before the update: w ← w − w·wd·lr, then the SGD step', () => {
    const w = variable([2, -4]);
    const opt = sgd({ learningRate: 0.1, weightDecay: 0.5 });
    opt.applyGradients([[tensor([1, 1]), w]]);
    // Before: 2 − 2·0.5·0.1 = 1.9, then − 0.1 → 1.8. (After-update decay would give 1.805.)
    assert.deepEqual(Array.from(w.values), [2 - 2 * 0.5 * 0.1 - 1 * 0.1, -4 - -4 * 0.5 * 0.1 - 1 * 0.1]);
  });

  it('shrinks weights geometrically under zero gradients (Adam: m stays 0)', () => {
    const w = variable([1, -2, 3]);
    const opt = adam({ learningRate: 0.01, weightDecay: 0.1 });
    const expected = [1, -2, 3];
    for (let step = 0; step < 5; step++) {
      opt.applyGradients([[tensor([0, 0, 0]), w]]);
      for (let i = 0; i < 3; i++) expected[i] = expected[i] - expected[i] * 0.1 * 0.01;
    }
    assert.deepEqual(Array.from(w.values), expected);
    assert.notDeepEqual(expected, [1, -2, 3]);
  });

  it('uses the scheduled learning rate of the current step', () => {
    const w = variable([1]);
    const opt = sgd({ learningRate: (step) => 0.1 * (step + 1), weightDecay: 1 });
    opt.applyGradients([[tensor([0]), w]]); // lr 0.1
    opt.applyGradients([[tensor([0]), w]]); // lr 0.2
    const afterFirst = 1 - 1 * 1 * 0.1;
    assert.deepEqual(Array.from(w.values), [afterFirst - afterFirst * 1 * 0.2]);
  });

  it('excludeFromWeightDecay by variable or by name pattern', () => {
    const kernel = variable([1, 1], 'dense/kernel');
    const bias = variable([1, 1], 'dense/bias');
    const other = variable([1, 1], 'other');
    const opt = sgd({ learningRate: 0.1, weightDecay: 1 });
    opt.excludeFromWeightDecay({ varNames: ['bias'], variables: [other] });
    opt.applyGradients([[tensor([0, 0]), kernel], [tensor([0, 0]), bias], [tensor([0, 0]), other]]);
    assert.deepEqual(Array.from(kernel.values), [0.9, 0.9]);
    assert.deepEqual(Array.from(bias.values), [1, 1]);
    assert.deepEqual(Array.from(other.values), [1, 1]);
  });

  it('can be switched on later and is validated', () => {
    const w = variable([1]);
    const opt = sgd(0.5);
    opt.weightDecay = 0.2;
    opt.applyGradients([[tensor([0]), w]]);
    assert.deepEqual(Array.from(w.values), [0.9]);
    assert.equal(opt.getConfig().weight_decay, 0.2);
    throwsValue(() => { opt.weightDecay = NaN; }, 'weightDecay');
  });
});

describe('optimizer state: getWeights / setWeights', () => {
  it("lists iteration, learning_rate, then the slots in Keras's creation order", () => {
    const kernel = variable([1, 2, 3, 4, 5, 6], 'dense/kernel', [2, 3]);
    const bias = variable([0, 0, 0], 'dense/bias');
    const opt = adam({ amsgrad: true });
    assert.deepEqual(opt.getWeights().map((w) => w.name), ['iteration', 'learning_rate']);
    opt.build([kernel, bias]);
    const weights = opt.getWeights();
    // Keras 3 creates momentum and velocity together per variable (a Keras 3.11 .keras file lists
    // kernel_momentum, kernel_velocity, bias_momentum, bias_velocity), then the velocity_hat block.
    assert.deepEqual(weights.map((w) => w.name), [
      'iteration', 'learning_rate',
      'dense_kernel_momentum', 'dense_kernel_velocity',
      'dense_bias_momentum', 'dense_bias_velocity',
      'dense_kernel_velocity_hat', 'dense_bias_velocity_hat',
    ]);
    assert.deepEqual(weights.map((w) => w.tensor.shape), [[], [], [2, 3], [2, 3], [3], [3], [2, 3], [3]]);
    assert.equal(weights[0].tensor.dtype, 'int32');
    assert.equal(weights[2].tensor.dtype, 'float64');
    assert.deepEqual(rmsprop({ momentum: 0.5, centered: true }).getWeights().length, 2);
    const r = rmsprop({ momentum: 0.5, centered: true });
    r.build([bias]);
    assert.deepEqual(r.getWeights().map((w) => w.name), ['iteration', 'learning_rate', 'dense_bias_velocity', 'dense_bias_momentum', 'dense_bias_average_gradient']);
    const s = sgd({ learningRate: (step) => 1 / (step + 1) });
    s.build([bias]);
    assert.deepEqual(s.getWeights().map((w) => w.name), ['iteration'], 'no learning_rate entry for a schedule, no slot without momentum');
    const g = adagrad({ initialAccumulatorValue: 0.25 });
    g.build([bias]);
    assert.deepEqual(Array.from(g.getWeights()[2].tensor.values), [0.25, 0.25, 0.25]);
  });

  it('setWeights restores the state so training continues identically', () => {
    const grads = [[0.5, -1], [2, 0.25], [-0.5, 0.75], [1, 1], [0.1, -0.3], [-2, 0.5]];
    const make = () => adam({ learningRate: 0.05, amsgrad: true });
    const a = variable([1, -1], 'w');
    const optA = make();
    for (const g of grads.slice(0, 3)) optA.applyGradients([[tensor(g), a]]);
    const saved = optA.getWeights();
    assert.equal(saved[0].tensor.values[0], 3);

    const snapshot = Array.from(a.values);
    const b = variable(snapshot, 'w');
    const optB = make();
    optB.build([b]);
    optB.setWeights(saved);
    assert.equal(optB.iterations, 3);
    // The same weights with a fresh optimizer (zero slots, iteration 0) must end elsewhere.
    const c = variable(snapshot, 'w');
    const fresh = make();
    for (const g of grads.slice(3)) {
      optA.applyGradients([[tensor(g), a]]);
      optB.applyGradients([[tensor(g), b]]);
      fresh.applyGradients([[tensor(g), c]]);
    }
    assert.deepEqual(Array.from(b.values), Array.from(a.values));
    assert.notDeepEqual(Array.from(c.values), Array.from(a.values));
  });

  it('setWeights restores the learning rate and checks counts and shapes first', () => {
    const w = variable([1, 2]);
    const opt = sgd({ learningRate: 0.1, momentum: 0.9 });
    opt.build([w]);
    const weights = opt.getWeights();
    const other = sgd({ learningRate: 0.5, momentum: 0.9 });
    throwsValue(() => other.setWeights(weights), 'got 3 weights', 'has 2', 'build');
    other.build([variable([0, 0])]);
    other.setWeights(weights);
    assert.equal(other.learningRate, 0.1);
    const bad = [weights[0], weights[1], { name: 'x', tensor: tensor([1, 2, 3]) }];
    assert.throws(() => opt.setWeights(bad), ShapeError);
    throwsValue(() => opt.setWeights([{ name: 'iteration', tensor: new Tensor(Int32Array.of(-1), []) }, weights[1], weights[2]]), 'iteration');
  });

  it('iterations can be set (e.g. when resuming) and is validated', () => {
    const opt = adam();
    opt.iterations = 10;
    assert.equal(opt.iterations, 10);
    throwsValue(() => { opt.iterations = 1.5; }, 'iterations');
  });
});
