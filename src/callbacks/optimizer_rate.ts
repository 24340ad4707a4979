/**
 * The optimizer whose learning rate a callback rewrites. Keras can only overwrite a rate that is a
 * plain number (a schedule's rate "is not settable"); checking at train begin turns what would be
 * a failure at the first reduction, possibly hours in, into an immediate, explained error.
 */
import { ValueError } from '../errors.js';
import type { Model } from '../models/model.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { isLearningRateSchedule } from '../optimizers/schedules.js';

export function optimizerWithSettableRate(model: Model | null, owner: string): Optimizer {
  if (!model) throw new ValueError(`${owner}: no model; pass the callback to fit() (or give it one with setModel)`);
  const optimizer = model.compiled?.optimizer;
  if (!optimizer) throw new ValueError(`${owner}: model "${model.name}" is not compiled; call compile({optimizer, loss}) before fit()`);
  const lr = optimizer.learningRate;
  if (typeof lr !== 'number') {
    const kind = isLearningRateSchedule(lr) ? 'a LearningRateSchedule' : 'a function of the step';
    throw new ValueError(`${owner}: the ${optimizer.className} optimizer's learning rate is ${kind}, so ${owner} cannot set it; compile with a number learning rate (e.g. { learningRate: 0.01 }) to use ${owner}, or keep the schedule without ${owner}`);
  }
  return optimizer;
}
