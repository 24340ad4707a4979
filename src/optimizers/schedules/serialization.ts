/**
 * Keras's serialised form of a schedule, `{module, class_name, config, registered_name}`, and
 * rebuilding a built-in schedule from it by Keras class name (as an optimizer config's
 * `learning_rate` holds it).
 */
import { unknownName, ValueError } from '../../errors.js';
import { CosineDecay, CosineDecayRestarts } from './cosine.js';
import { ExponentialDecay, InverseTimeDecay, PolynomialDecay } from './decay.js';
import { PiecewiseConstantDecay } from './piecewise_constant.js';
import { isLearningRateSchedule, type LearningRateSchedule } from './schedule.js';

type ScheduleClass = (new (options: Record<string, unknown>) => LearningRateSchedule) & { readonly className: string };

const CLASSES: readonly ScheduleClass[] = [ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay, InverseTimeDecay, CosineDecay, CosineDecayRestarts];

/** Keras class names of the built-in schedules, which deserializeSchedule accepts (in any case). */
export const SCHEDULE_NAMES: readonly string[] = CLASSES.map((c) => c.className);

const BY_NAME = new Map(CLASSES.map((c) => [c.className.toLowerCase(), c]));

/** Keras's serialised form: `{module, class_name, config, registered_name}`. */
export function serializeSchedule(s: LearningRateSchedule): Record<string, unknown> {
  return {
    module: 'keras.optimizers.schedules',
    class_name: s.className ?? 'LearningRateSchedule',
    config: s.getConfig(),
    registered_name: null,
  };
}

/**
 * Rebuilds a schedule from `{class_name | className, config}` (as serializeSchedule and Keras write
 * it; config keys in snake_case or camelCase). A schedule instance is returned as it is.
 */
export function deserializeSchedule(spec: unknown): LearningRateSchedule {
  if (isLearningRateSchedule(spec)) return spec;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new ValueError(`Cannot read a learning rate schedule from ${JSON.stringify(spec) ?? String(spec)}; expected {class_name, config}`);
  const o = spec as Record<string, unknown>;
  const name = o.class_name ?? o.className;
  const cls = typeof name === 'string' ? BY_NAME.get(name.toLowerCase()) : undefined;
  if (!cls) throw unknownName('learning rate schedule', name, SCHEDULE_NAMES);
  const config = o.config ?? {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new ValueError(`${cls.className}: the serialised config must be an object; got ${JSON.stringify(config)}`);
  return new cls(config as Record<string, unknown>);
}
