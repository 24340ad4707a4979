/** The weight-norm penalties L1, L2 and L1L2 (keras/src/regularizers/regularizers.py). */
import { ValueError } from '../errors.js';
import { abs, add, fill, mul, square, sum } from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Regularizer } from './regularizer.js';

/** Keras's validate_float_arg: a finite, non-negative number. */
export function checkFactor(value: unknown, name: string, who: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`${who}: invalid value for '${name}': expected a non-negative finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkKeys(opts: object, allowed: readonly string[], who: string): void {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new ValueError(`${who}: options must be an object or a number, got ${JSON.stringify(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ValueError(`${who}: unknown option '${k}'. Valid options: ${allowed.join(', ')}`);
  }
}

function floatDType(x: Tensor): 'float32' | 'float64' {
  return x.dtype === 'float64' ? 'float64' : 'float32';
}

const l1Term = (x: Tensor, l1: number) => mul(sum(abs(x)), l1);
const l2Term = (x: Tensor, l2: number) => mul(sum(square(x)), l2);

export interface L1Options { l1?: number | null }
export interface L2Options { l2?: number | null }
export interface L1L2Options { l1?: number | null; l2?: number | null }

/** l1 · Σ|x| (Keras `L1(l1=0.01)`). */
export class L1 extends Regularizer {
  readonly className = 'L1';
  readonly l1: number;

  constructor(opts: L1Options | number = {}) {
    super();
    const o = typeof opts === 'number' ? { l1: opts } : opts;
    checkKeys(o, ['l1'], 'L1');
    this.l1 = checkFactor(o.l1 ?? 0.01, 'l1', 'L1');
  }

  apply(x: Tensor): Tensor {
    return l1Term(x, this.l1);
  }

  getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
}

/** l2 · Σx² (Keras `L2(l2=0.01)`; note: no factor ½). */
export class L2 extends Regularizer {
  readonly className = 'L2';
  readonly l2: number;

  constructor(opts: L2Options | number = {}) {
    super();
    const o = typeof opts === 'number' ? { l2: opts } : opts;
    checkKeys(o, ['l2'], 'L2');
    this.l2 = checkFactor(o.l2 ?? 0.01, 'l2', 'L2');
  }

  apply(x: Tensor): Tensor {
    return l2Term(x, this.l2);
  }

  getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

/**
 * l1 · Σ|x| + l2 · Σx² (Keras `L1L2(l1=0.0, l2=0.0)`). A zero factor's term is left out, as in
 * Keras; with both zero the penalty is a constant 0.
 */
export class L1L2 extends Regularizer {
  readonly className = 'L1L2';
  readonly l1: number;
  readonly l2: number;

  constructor(opts: L1L2Options = {}) {
    super();
    checkKeys(opts, ['l1', 'l2'], 'L1L2');
    this.l1 = checkFactor(opts.l1 ?? 0, 'l1', 'L1L2');
    this.l2 = checkFactor(opts.l2 ?? 0, 'l2', 'L1L2');
  }

  apply(x: Tensor): Tensor {
    let out: Tensor | null = null;
    if (this.l1 !== 0) out = l1Term(x, this.l1);
    if (this.l2 !== 0) {
      const t = l2Term(x, this.l2);
      out = out ? add(out, t) : t;
    }
    return out ?? fill([], 0, floatDType(x));
  }

  getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}
