/**
 * Every optimizer and option combination against the scalar Keras reference in keras_reference.ts:
 * float64 to 1e-12, float32 exactly. Each combination is also checked to actually change the
 * trajectory relative to the optimizer's first (baseline) combination, so an option that is
 * silently ignored fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { adadelta, adagrad, adam, rmsprop, sgd, type Optimizer } from '../../src/optimizers/index.js';
import { INIT, gradientSequence, kerasReference, maxRelDiff, runConvkit, type Kind, type RefOptions } from './keras_reference.js';

type Options = Omit<RefOptions, 'learningRate'> & { learningRate?: RefOptions['learningRate'] };

const FACTORIES: Record<Kind, (o: Options) => Optimizer> = {
  sgd: (o) => sgd(o),
  adam: (o) => adam(o),
  rmsprop: (o) => rmsprop(o),
  adagrad: (o) => adagrad(o),
  adadelta: (o) => adadelta(o),
};

const decayingRate = (step: number) => 0.1 / (1 + 0.5 * step);

const COMBOS: Record<Kind, Options[]> = {
  sgd: [
    { learningRate: 0.1 },
    {},
    { learningRate: 0.1, momentum: 0.9 },
    { learningRate: 0.1, momentum: 0.9, nesterov: true },
    { learningRate: 0.1, momentum: 0.5, weightDecay: 0.05 },
    { learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.05 },
    { learningRate: 0.1, weightDecay: 0.2 },
    { learningRate: decayingRate, momentum: 0.9 },
    { learningRate: 0.1, clipnorm: 0.5 },
    { learningRate: 0.1, clipvalue: 0.3 },
    { learningRate: 0.1, globalClipnorm: 0.5 },
    { learningRate: 0.1, momentum: 1 },
  ],
  adam: [
    { learningRate: 0.01 },
    {},
    { learningRate: 0.01, amsgrad: true },
    { learningRate: 0.02, beta1: 0.5, beta2: 0.9, epsilon: 1e-3 },
    { learningRate: 0.01, weightDecay: 0.1 },
    { learningRate: 0.02, beta1: 0.8, beta2: 0.95, amsgrad: true, weightDecay: 0.05 },
    { learningRate: 0.01, epsilon: 0.5 },
    { learningRate: decayingRate },
    { learningRate: 0.01, beta1: 0 },
  ],
  rmsprop: [
    { learningRate: 0.01 },
    {},
    { learningRate: 0.01, momentum: 0.9 },
    { learningRate: 0.01, centered: true },
    { learningRate: 0.01, centered: true, momentum: 0.7 },
    { learningRate: 0.01, rho: 0.5, epsilon: 1e-3 },
    { learningRate: 0.01, weightDecay: 0.1, momentum: 0.5 },
    { learningRate: decayingRate, centered: true },
  ],
  adagrad: [
    { learningRate: 0.1 },
    {},
    { learningRate: 0.1, initialAccumulatorValue: 0, epsilon: 1e-3 },
    { learningRate: 0.1, initialAccumulatorValue: 1 },
    { learningRate: 0.1, weightDecay: 0.1 },
    { learningRate: decayingRate },
  ],
  adadelta: [
    { learningRate: 1 },
    {},
    { learningRate: 1, rho: 0.9, epsilon: 1e-6 },
    { learningRate: 0.5, weightDecay: 0.1 },
    { learningRate: 1, rho: 0 },
    { learningRate: decayingRate },
  ],
};

const STEPS = 7;
const GRADS = gradientSequence(STEPS, INIT.length);

function describeCombo(o: Options): string {
  const parts = Object.entries(o).map(([k, v]) => `${k}=${typeof v === 'function' ? 'schedule' : String(v)}`);
  return parts.length ? parts.join(', ') : 'Keras defaults';
}

for (const kind of Object.keys(COMBOS) as Kind[]) {
  describe(`${kind} follows the Keras formula`, () => {
    const combos = COMBOS[kind];
    const baseline = runConvkit(FACTORIES[kind](combos[0]), INIT, GRADS, 'float64');
    for (const [index, combo] of combos.entries()) {
      it(`${describeCombo(combo)} (float64, ${STEPS} steps, 1e-12)`, () => {
        const ref = kerasReference(kind, combo as RefOptions, INIT, GRADS, 'float64');
        const got = runConvkit(FACTORIES[kind](combo), INIT, GRADS, 'float64');
        // The trajectory must move away from the start, or the comparison would prove nothing.
        assert.ok(maxRelDiff(got.slice(-1), [INIT]) > 1e-7, 'the variable did not move');
        const d = maxRelDiff(got, ref);
        assert.ok(d <= 1e-12, `max relative difference from the Keras reference: ${d}`);
        if (index > 0) assert.ok(maxRelDiff(got, baseline) > 1e-9, 'this option combination gives the same trajectory as the baseline: the option had no effect');
      });
      it(`${describeCombo(combo)} (float32, exact)`, () => {
        const ref = kerasReference(kind, combo as RefOptions, INIT, GRADS, 'float32');
        const got = runConvkit(FACTORIES[kind](combo), INIT, GRADS, 'float32');
        assert.deepEqual(got, ref);
      });
    }
  });
}
