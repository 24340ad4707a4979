/**
 * Element-wise unary functions and their exact derivatives. Each op has its own loop (rather than a
 * shared loop calling a function table) so every call site stays monomorphic and V8 can inline it.
 * Non-differentiable points (relu at 0, abs at 0, …) get the derivative of the left branch, 0 for
 * relu-like ops; piecewise-constant ops (floor, ceil, round, sign, step, isnan) have derivative 0.
 */
import type { FloatArray, UnaryOp } from '../backend.js';
import { erfc } from './erf.js';
import { allocLike } from './util.js';

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_C = 0.044715;

/** Stable logistic: never evaluates exp of a large positive number. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** log(1 + eˣ) without overflow for large x or loss of precision for very negative x. */
function softplus(v: number): number {
  return Math.log1p(Math.exp(-Math.abs(v))) + Math.max(v, 0);
}

/** Round half to even, as numpy / TensorFlow / Keras round do (Math.round rounds half up). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function elu(v: number, alpha: number): number {
  return v > 0 ? v : alpha * Math.expm1(v);
}

/** Exact GELU; erfc form so the negative tail stays accurate: 0.5·x·(1+erf(x/√2)) = 0.5·x·erfc(−x/√2). */
function gelu(v: number): number {
  return 0.5 * v * erfc(-v * INV_SQRT_2);
}

function geluTanh(v: number): number {
  return 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v)));
}

function hardSigmoid(v: number): number {
  return Math.min(Math.max(v + 3, 0), 6) / 6;
}

export function unary(op: UnaryOp, x: FloatArray, alpha = 1): FloatArray {
  const n = x.length;
  const y = allocLike(x, n);
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) y[i] = -x[i]; break;
    case 'abs': for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]); break;
    case 'sign': for (let i = 0; i < n; i++) y[i] = Math.sign(x[i]); break;
    case 'square': for (let i = 0; i < n; i++) y[i] = x[i] * x[i]; break;
    case 'sqrt': for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]); break;
    case 'rsqrt': for (let i = 0; i < n; i++) y[i] = 1 / Math.sqrt(x[i]); break;
    case 'exp': for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) y[i] = Math.log(x[i]); break;
    case 'log1p': for (let i = 0; i < n; i++) y[i] = Math.log1p(x[i]); break;
    case 'reciprocal': for (let i = 0; i < n; i++) y[i] = 1 / x[i]; break;
    case 'relu': for (let i = 0; i < n; i++) { const v = x[i]; y[i] = v > 0 ? v : 0; } break;
    case 'relu6': for (let i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], 0), 6); break;
    case 'sigmoid': for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]); break;
    case 'elu': for (let i = 0; i < n; i++) y[i] = elu(x[i], alpha); break;
    case 'selu': for (let i = 0; i < n; i++) y[i] = SELU_SCALE * elu(x[i], SELU_ALPHA); break;
    case 'softplus': for (let i = 0; i < n; i++) y[i] = softplus(x[i]); break;
    case 'softsign': for (let i = 0; i < n; i++) y[i] = x[i] / (1 + Math.abs(x[i])); break;
    case 'gelu': for (let i = 0; i < n; i++) y[i] = gelu(x[i]); break;
    case 'gelu_tanh': for (let i = 0; i < n; i++) y[i] = geluTanh(x[i]); break;
    case 'swish': for (let i = 0; i < n; i++) y[i] = x[i] * sigmoid(x[i]); break;
    case 'hard_sigmoid': for (let i = 0; i < n; i++) y[i] = hardSigmoid(x[i]); break;
    case 'floor': for (let i = 0; i < n; i++) y[i] = Math.floor(x[i]); break;
    case 'ceil': for (let i = 0; i < n; i++) y[i] = Math.ceil(x[i]); break;
    case 'round': for (let i = 0; i < n; i++) y[i] = roundHalfEven(x[i]); break;
    case 'step': for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? 1 : 0; break;
    case 'isnan': for (let i = 0; i < n; i++) y[i] = Number.isNaN(x[i]) ? 1 : 0; break;
    default: throw new Error(`js backend: unknown unary op ${String(op satisfies never)}`);
  }
  return y;
}

/** d/dx of exact GELU: Φ(x) + x·φ(x). */
function geluGrad(v: number): number {
  return 0.5 * erfc(-v * INV_SQRT_2) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
}

function geluTanhGrad(v: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
  return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * v * v);
}

function swishGrad(v: number): number {
  const s = sigmoid(v);
  return s + v * s * (1 - s);
}

/** dx = dy · f'(x); uses the forward output `y` where that is cheaper or more accurate. */
export function unaryGrad(op: UnaryOp, dy: FloatArray, x: FloatArray, y: FloatArray, alpha = 1): FloatArray {
  const n = dy.length;
  const dx = allocLike(dy, n);
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) dx[i] = -dy[i]; break;
    case 'abs': for (let i = 0; i < n; i++) dx[i] = dy[i] * Math.sign(x[i]); break;
    case 'square': for (let i = 0; i < n; i++) dx[i] = dy[i] * 2 * x[i]; break;
    case 'sqrt': for (let i = 0; i < n; i++) dx[i] = dy[i] * 0.5 / y[i]; break;
    // d(x^-1/2)/dx = -1/2 x^-3/2 = -1/2 y³
    case 'rsqrt': for (let i = 0; i < n; i++) dx[i] = dy[i] * -0.5 * y[i] * y[i] * y[i]; break;
    case 'exp': for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i]; break;
    case 'log': for (let i = 0; i < n; i++) dx[i] = dy[i] / x[i]; break;
    case 'log1p': for (let i = 0; i < n; i++) dx[i] = dy[i] / (1 + x[i]); break;
    case 'reciprocal': for (let i = 0; i < n; i++) dx[i] = -dy[i] * y[i] * y[i]; break;
    case 'relu': for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0; break;
    case 'relu6': for (let i = 0; i < n; i++) dx[i] = x[i] > 0 && x[i] < 6 ? dy[i] : 0; break;
    case 'sigmoid': for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]); break;
    case 'tanh': for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]); break;
    case 'elu': for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * alpha * Math.exp(x[i]); break;
    case 'selu':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * SELU_SCALE * (x[i] > 0 ? 1 : SELU_ALPHA * Math.exp(x[i]));
      break;
    case 'softplus': for (let i = 0; i < n; i++) dx[i] = dy[i] * sigmoid(x[i]); break;
    case 'softsign':
      for (let i = 0; i < n; i++) { const d = 1 + Math.abs(x[i]); dx[i] = dy[i] / (d * d); }
      break;
    case 'gelu': for (let i = 0; i < n; i++) dx[i] = dy[i] * geluGrad(x[i]); break;
    case 'gelu_tanh': for (let i = 0; i < n; i++) dx[i] = dy[i] * geluTanhGrad(x[i]); break;
    case 'swish': for (let i = 0; i < n; i++) dx[i] = dy[i] * swishGrad(x[i]); break;
    case 'hard_sigmoid': for (let i = 0; i < n; i++) dx[i] = x[i] > -3 && x[i] < 3 ? dy[i] / 6 : 0; break;
    case 'sign': case 'floor': case 'ceil': case 'round': case 'step': case 'isnan':
      break; // piecewise constant: zero gradient (dx is already zeroed)
    default: throw new Error(`js backend: unknown unary op ${String(op satisfies never)}`);
  }
  return dx;
}
