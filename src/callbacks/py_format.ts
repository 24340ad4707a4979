/**
 * Python's format-spec mini-language for the two kinds of values Keras puts into checkpoint file
 * names: ints (`epoch`, `batch`) and floats (every logs value, which Keras turns into a Python
 * float), plus Python's `repr(float)` (what `str.format` prints with no spec, and what `csv` and
 * `print` write for a float).
 *
 * Supported spec: `[[fill]align][sign][0][width][.precision][type]` with align `<>^=`, sign `+- `,
 * and types d (ints only, as in Python), f F e E g G % n, and for ints b o x X. Python's `#`, `z`
 * and digit grouping (`,` `_`) are rejected with a ValueError rather than approximated.
 * Rounding is Python's: exact binary value, half to even (see progbar_format.ts).
 */
import { ValueError } from '../errors.js';
import { pyFormatExp, pyFormatFixed } from './progbar_format.js';

/** A value as Python would hold it: `int` for counters, `float` for logged metrics. */
export type PyValue = { kind: 'int'; value: number } | { kind: 'float'; value: number };

export const pyInt = (value: number): PyValue => ({ kind: 'int', value });
export const pyFloat = (value: number): PyValue => ({ kind: 'float', value });

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

/** Python `repr(x)` for a float: shortest round-trip digits, `1e-05`, `1e+16`, `1.0`, `nan`, `inf`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = isNegative(x) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  // JS and Python both pick the shortest digit string that round-trips; only the layout differs.
  const [mant, expText] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  return `${sign}${intPart}.${digits.slice(exp + 1) || '0'}`;
}

/** Python `str(n)` for an int held in a JS number. */
function intText(n: number): string {
  return BigInt(Math.trunc(n)).toString();
}

interface Spec {
  fill: string;
  align: '<' | '>' | '^' | '=' | null;
  sign: '+' | '-' | ' ';
  zero: boolean;
  width: number;
  precision: number | null;
  type: string;
}

const SPEC_RE = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/su;

function parseSpec(spec: string, what: string): Spec {
  // A lone align character is ambiguous with "fill + align"; the regex's optional fill handles it.
  const m = SPEC_RE.exec(spec);
  if (!m) throw new ValueError(`${what}: invalid format spec ${JSON.stringify(spec)}; expected [[fill]align][sign][0][width][.precision][type], e.g. "02d", ".4f", ">8.2e"`);
  if (m[4]) throw new ValueError(`${what}: the '#' (alternate form) option in format spec ${JSON.stringify(spec)} is not supported`);
  if (m[7]) throw new ValueError(`${what}: digit grouping ('${m[7]}') in format spec ${JSON.stringify(spec)} is not supported`);
  const zero = Boolean(m[5]);
  return {
    fill: m[1] ?? (zero ? '0' : ' '),
    align: (m[2] as Spec['align']) ?? (zero ? '=' : null),
    sign: (m[3] as Spec['sign']) ?? '-',
    zero,
    width: m[6] ? Number(m[6]) : 0,
    precision: m[8] !== undefined ? Number(m[8]) : null,
    type: m[9] ?? '',
  };
}

function upper(s: string): string {
  return s.toUpperCase();
}

/** Python's 'g': fixed or scientific by the exponent after rounding, trailing zeros dropped. */
function formatGeneral(x: number, precision: number, addDot0: boolean): string {
  if (!Number.isFinite(x)) return pyFormatFixed(x, 0);
  const p = precision === 0 ? 1 : precision;
  const sci = pyFormatExp(x, p - 1);
  const exp = Number(sci.slice(sci.indexOf('e') + 1));
  // With no type letter, Python switches to scientific one digit earlier (format(100.0, '.3') is '1e+02').
  const limit = addDot0 ? p - 1 : p;
  let body: string;
  if (exp >= -4 && exp < limit) {
    body = pyFormatFixed(x, p - 1 - exp);
    if (body.includes('.')) body = body.replace(/0+$/, '').replace(/\.$/, '');
    if (addDot0 && !body.includes('.')) body += '.0';
  } else {
    const [m, e] = sci.split('e') as [string, string];
    body = `${m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m}e${e}`;
  }
  return body;
}

function formatFloatBody(x: number, spec: Spec, what: string, original: string, kind = 'a float'): string {
  const p = spec.precision;
  switch (spec.type) {
    case '': return p === null ? pyFloatRepr(x) : formatGeneral(x, p, true);
    case 'f': return pyFormatFixed(x, p ?? 6);
    case 'F': return upper(pyFormatFixed(x, p ?? 6));
    case 'e': return pyFormatExp(x, p ?? 6);
    case 'E': return upper(pyFormatExp(x, p ?? 6));
    case 'g': case 'n': return formatGeneral(x, p ?? 6, false);
    case 'G': return upper(formatGeneral(x, p ?? 6, false));
    case '%': return `${pyFormatFixed(x * 100, p ?? 6)}%`;
    default:
      throw new ValueError(`${what}: unknown format code '${spec.type}' for ${kind} in ${JSON.stringify(original)}; ${kind === 'a float' ? 'floats take f, F, e, E, g, G, n or % (d is for integers only, as in Python)' : 'integers take d, n, b, o, x, X, f, F, e, E, g, G or %'}`);
  }
}

function formatIntBody(n: number, spec: Spec, what: string, original: string): string {
  const intTypes: Record<string, number> = { '': 10, d: 10, n: 10, b: 2, o: 8, x: 16, X: 16 };
  const radix = intTypes[spec.type];
  if (radix !== undefined) {
    if (spec.precision !== null) throw new ValueError(`${what}: precision is not allowed in an integer format spec (${JSON.stringify(original)}); use e.g. "03d" for zero padding or ".2f" for decimals`);
    const t = Math.trunc(n);
    const digits = radix === 10 ? intText(Math.abs(t)) : BigInt(Math.abs(t)).toString(radix);
    return `${t < 0 ? '-' : ''}${spec.type === 'X' ? upper(digits) : digits}`;
  }
  // Python converts the int to a float for the float presentation types.
  return formatFloatBody(n, spec, what, original, 'an integer');
}

/** Python `format(value, spec)`; `what` prefixes error messages. */
export function pyFormat(v: PyValue, spec: string, what = 'format'): string {
  const s = parseSpec(spec, what);
  let body = v.kind === 'int' ? formatIntBody(v.value, s, what, spec) : formatFloatBody(v.value, s, what, spec);
  let sign = '';
  if (body.startsWith('-')) {
    sign = '-';
    body = body.slice(1);
  } else if (s.sign !== '-') {
    sign = s.sign;
  }
  const len = Array.from(sign + body).length;
  if (s.width <= len) return sign + body;
  const pad = s.width - len;
  switch (s.align ?? '>') {
    case '<': return sign + body + s.fill.repeat(pad);
    case '^': return s.fill.repeat(Math.floor(pad / 2)) + sign + body + s.fill.repeat(pad - Math.floor(pad / 2));
    case '=': return sign + s.fill.repeat(pad) + body;
    default: return s.fill.repeat(pad) + sign + body;
  }
}
