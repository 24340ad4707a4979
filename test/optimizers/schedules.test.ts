/** Learning-rate schedules, and schedules / functions as an optimizer's learning rate. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/errors.js';
import { Tensor, Variable } from '../../src/tensor/tensor.js';
import { ExponentialDecay, getOptimizer, isLearningRateSchedule, sgd, adam, serializeOptimizer } from '../../src/optimizers/index.js';

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
