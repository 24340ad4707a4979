/**
 * What every learning-rate schedule is (keras.optimizers.schedules.LearningRateSchedule): a callable
 * from the optimizer's iteration count (the number of steps applied so far, so 0 for the first step)
 * to a learning rate, with `getConfig()` for serialisation and Keras's class name.
 *
 * The built-in schedules compute in float64 (Keras computes in the dtype of
 * `initial_learning_rate`, float32 by default, so Keras's values differ in the last float32 bits).
 */
import { ValueError } from '../../errors.js';
import { describeRange, label, type OptionReader, type Range } from '../options.js';

export interface LearningRateSchedule {
  (step: number): number;
  getConfig(): Record<string, unknown>;
  /** Keras class name used when serialising (`ExponentialDecay`). */
  readonly className?: string;
}

/** A schedule is a function that also has `getConfig`; a bare function is a plain callable rate. */
export function isLearningRateSchedule(x: unknown): x is LearningRateSchedule {
  return typeof x === 'function' && typeof (x as { getConfig?: unknown }).getConfig === 'function';
}

/**
 * Base of the built-in schedules. The constructor returns a function object with the subclass's
 * prototype, so an instance is both `schedule(step)`-callable (what an optimizer's learning rate
 * is) and an `instanceof` its class. A function's own `name` is not writable by assignment, so
 * Keras's `name` argument is kept as `scheduleName` (and also defined as the function's name).
 */
export interface ScheduleBase extends LearningRateSchedule {}
export abstract class ScheduleBase {
  declare readonly className: string;
  declare readonly scheduleName: string;

  protected constructor(className: string, scheduleName: string) {
    const self = ((step: number) => self.at(step)) as unknown as ScheduleBase;
    Object.setPrototypeOf(self, new.target.prototype);
    defineReadonly(self, { className, scheduleName });
    Object.defineProperty(self, 'name', { value: scheduleName });
    return self;
  }

  /** The learning rate at optimizer step `step` (0-based count of steps already applied). */
  abstract at(step: number): number;

  /** Keras's get_config: snake_case keys in Keras's order. */
  abstract getConfig(): Record<string, unknown>;
}

/** Sets each entry as an enumerable, non-writable own property (instances are immutable, like Keras's configs). */
export function defineReadonly(target: object, values: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(values)) Object.defineProperty(target, k, { value: v, enumerable: true });
}

/** A number option Keras requires (no default): absent is an error naming it and its range. */
export function requiredNumber(reader: OptionReader, keys: readonly string[], range: Range): number {
  if (reader.take(...keys) === undefined) {
    throw new ValueError(`${reader.owner}: option ${label(keys)} is required; it must be ${describeRange(range)}`);
  }
  return reader.number(keys, 0, range);
}
