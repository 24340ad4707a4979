/**
 * PiecewiseConstantDecay (keras.optimizers.schedules.PiecewiseConstantDecay): `values[0]` while
 * step ≤ boundaries[0], `values[i]` while boundaries[i−1] < step ≤ boundaries[i], and the last value
 * after the last boundary. A boundary step still uses the value before it.
 */
import { ValueError } from '../../errors.js';
import { OptionReader } from '../options.js';
import { defineReadonly, ScheduleBase } from './schedule.js';

export interface PiecewiseConstantDecayOptions {
  /** Strictly increasing steps; at least one. */
  boundaries?: readonly number[];
  /** One more value than boundaries, each a finite number >= 0. */
  values?: readonly number[];
  /** Default 'PiecewiseConstant' (Keras's default). */
  name?: string;
}

function numberList(owner: string, option: string, v: unknown, check: (x: number) => boolean, what: string): number[] {
  if (!Array.isArray(v)) throw new ValueError(`${owner}: option ${option} is required and must be an array of numbers; got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || !check(x)) throw new ValueError(`${owner}: ${option}[${i}] must be ${what}; got ${JSON.stringify(x) ?? String(x)}`);
  });
  return [...(v as number[])];
}

export class PiecewiseConstantDecay extends ScheduleBase {
  static readonly className = 'PiecewiseConstantDecay';
  declare readonly boundaries: readonly number[];
  declare readonly values: readonly number[];

  constructor(options: PiecewiseConstantDecayOptions) {
    const owner = 'PiecewiseConstantDecay';
    const r = new OptionReader(owner, options);
    const boundaries = numberList(owner, 'boundaries', r.take('boundaries'), () => true, 'a finite number');
    const values = numberList(owner, 'values', r.take('values'), (x) => x >= 0, 'a finite number >= 0');
    const name = r.string(['name'], 'PiecewiseConstant');
    r.finish();
    if (boundaries.length === 0) throw new ValueError(`${owner}: boundaries must hold at least one step (with one value there is nothing to schedule; use a number learning rate)`);
    if (values.length !== boundaries.length + 1) {
      throw new ValueError(`${owner}: values must have one more element than boundaries; got ${boundaries.length} boundaries ${JSON.stringify(boundaries)} and ${values.length} values ${JSON.stringify(values)}`);
    }
    for (let i = 1; i < boundaries.length; i++) {
      if (!(boundaries[i] > boundaries[i - 1])) throw new ValueError(`${owner}: boundaries must be strictly increasing; got ${boundaries[i - 1]} then ${boundaries[i]} in ${JSON.stringify(boundaries)}`);
    }
    super(owner, name);
    defineReadonly(this, { boundaries: Object.freeze(boundaries), values: Object.freeze(values) });
  }

  at(step: number): number {
    const b = this.boundaries;
    let i = 0;
    while (i < b.length && step > b[i]) i++;
    return this.values[i];
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.scheduleName };
  }
}
