/**
 * Reading optimizer options: every option may be spelled in camelCase (`beta1`, `learningRate`)
 * or with its Keras name (`beta_1`, `learning_rate`), values are range-checked with a message that
 * names the option and the accepted range, and unrecognised keys are an error (as Keras's
 * `Argument(s) not recognized`), so a typo never silently falls back to a default.
 */
import { ValueError } from '../errors.js';

/** A closed or half-open interval an option must lie in. */
export interface Range {
  readonly min?: number;
  readonly max?: number;
  /** Whether `min` itself is excluded. */
  readonly minOpen?: boolean;
  /** Whether `max` itself is excluded. */
  readonly maxOpen?: boolean;
}

export const NON_NEGATIVE: Range = { min: 0 };
export const POSITIVE: Range = { min: 0, minOpen: true };
export const UNIT_CLOSED: Range = { min: 0, max: 1 };
export const UNIT_HALF_OPEN: Range = { min: 0, max: 1, maxOpen: true };

export function describeRange(r: Range): string {
  const lo = r.min === undefined ? '(-Infinity' : `${r.minOpen ? '(' : '['}${r.min}`;
  const hi = r.max === undefined ? 'Infinity)' : `${r.max}${r.maxOpen ? ')' : ']'}`;
  if (r.max === undefined && r.min !== undefined) return `a finite number ${r.minOpen ? '>' : '>='} ${r.min}`;
  return `a finite number in ${lo}, ${hi}`;
}

function show(v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Throws a ValueError unless `value` is a finite number inside `range`. */
export function checkNumber(owner: string, option: string, value: unknown, range: Range): number {
  const ok = typeof value === 'number' && Number.isFinite(value)
    && (range.min === undefined || (range.minOpen ? value > range.min : value >= range.min))
    && (range.max === undefined || (range.maxOpen ? value < range.max : value <= range.max));
  if (!ok) throw new ValueError(`${owner}: option ${option} must be ${describeRange(range)}; got ${show(value)}`);
  return value as number;
}

/**
 * Collects the options of one constructor call. `take` marks a key as understood; `finish` throws
 * for every key nobody took.
 */
export class OptionReader {
  private readonly raw: Readonly<Record<string, unknown>>;
  private readonly seen = new Set<string>();

  constructor(readonly owner: string, raw: object | undefined) {
    if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
      throw new ValueError(`${owner}: options must be an object (or a learning-rate number); got ${show(raw)}`);
    }
    this.raw = (raw ?? {}) as Record<string, unknown>;
  }

  /** The option's value under any of its spellings (undefined when absent); conflicting spellings throw. */
  take(...keys: string[]): unknown {
    let found: string | undefined;
    let value: unknown;
    for (const k of keys) {
      this.seen.add(k);
      if (!Object.prototype.hasOwnProperty.call(this.raw, k) || this.raw[k] === undefined) continue;
      if (found !== undefined && !Object.is(this.raw[k], value)) {
        throw new ValueError(`${this.owner}: options ${found} and ${k} are two spellings of the same option but have different values (${show(value)} and ${show(this.raw[k])})`);
      }
      found = k;
      value = this.raw[k];
    }
    return value;
  }

  /** A number option (`null` is not accepted). `label` names it in messages. */
  number(keys: readonly string[], fallback: number, range: Range): number {
    const v = this.take(...keys);
    if (v === undefined) return fallback;
    return checkNumber(this.owner, label(keys), v, range);
  }

  /** A number option that `null` (Keras's None) switches off. */
  optionalNumber(keys: readonly string[], range: Range): number | null {
    const v = this.take(...keys);
    if (v === undefined || v === null) return null;
    return checkNumber(this.owner, label(keys), v, range);
  }

  boolean(keys: readonly string[], fallback: boolean): boolean {
    const v = this.take(...keys);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw new ValueError(`${this.owner}: option ${label(keys)} must be true or false; got ${show(v)}`);
    return v;
  }

  string(keys: readonly string[], fallback: string): string {
    const v = this.take(...keys);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v.length === 0) throw new ValueError(`${this.owner}: option ${label(keys)} must be a non-empty string; got ${show(v)}`);
    return v;
  }

  /** Throws for every option key that was never taken. */
  finish(): void {
    const unknown = Object.keys(this.raw).filter((k) => !this.seen.has(k));
    if (unknown.length > 0) {
      const valid = [...this.seen].sort();
      throw new ValueError(`${this.owner}: unrecognized option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}. Valid options: ${valid.join(', ')}`);
    }
  }
}

/** `beta1 (beta_1)` — the camelCase spelling with the Keras spelling when they differ. */
export function label(keys: readonly string[]): string {
  const [first, ...rest] = keys;
  const other = rest.find((k) => k.includes('_'));
  return other ? `${first} (${other})` : first;
}
