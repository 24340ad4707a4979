/**
 * Learning-rate schedules (keras.optimizers.schedules): callables from the optimizer's iteration
 * count (0 for the first step) to a learning rate, usable as any optimizer's `learningRate`, with
 * Keras's option names, defaults, get_config and serialisation. The classes live in schedules/.
 */
export { isLearningRateSchedule, type LearningRateSchedule } from './schedules/schedule.js';
export {
  ExponentialDecay,
  InverseTimeDecay,
  PolynomialDecay,
  type ExponentialDecayOptions,
  type InverseTimeDecayOptions,
  type PolynomialDecayOptions,
} from './schedules/decay.js';
export { PiecewiseConstantDecay, type PiecewiseConstantDecayOptions } from './schedules/piecewise_constant.js';
export { CosineDecay, CosineDecayRestarts, type CosineDecayOptions, type CosineDecayRestartsOptions } from './schedules/cosine.js';
export { SCHEDULE_NAMES, serializeSchedule, deserializeSchedule } from './schedules/serialization.js';
/** Keras's `keras.optimizers.schedules.serialize` / `deserialize` spellings. */
export { serializeSchedule as serialize, deserializeSchedule as deserialize } from './schedules/serialization.js';
