/**
 * Stochastic pooling (Zeiler & Fergus, 2013; seed 002's 확률적 풀링), NHWC, with gradients.
 *
 * Each window of non-negative activations a_1…a_n (only cells inside the input; 'same' padding adds
 * none) defines probabilities p_i = a_i / Σa.
 *  - training (`stochasticPool2d`): the output is one a_k, k drawn with probability p_k (one uniform
 *    draw per output element from the caller's generator, in output order); the gradient goes to
 *    that element only.
 *  - inference (`stochasticPool2dInference`): the probability-weighted average Σ p_i·a_i = Σa²/Σa,
 *    whose gradient is ∂y/∂a_i = (2·a_i − y)/Σa.
 * An all-zero window gives 0 and passes no gradient (Σa²/Σa is not differentiable there).
 * Negative inputs have no meaning as probabilities and are an error naming the first one found; a
 * NaN or infinite window gives NaN (so non-finite values still surface downstream).
 *
 * There is no backend kernel for this yet: the windows are walked here, with float64 sums.
 */
import { record } from '../autograd/tape.js';
import { ValueError } from '../errors.js';
import { checkPositiveInts, pair, type Padding, pool2dInfo, type Pool2DInfo } from '../shape/conv.js';
import type { Random } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FloatArray } from '../backend/backend.js';
import { floats, wrap } from './util.js';
import { type Pool2DOptions, pool2dGeometry } from './pool.js';

/** Window, strides, padding, and the caller's name for errors, as max pooling takes them. */
export type StochasticPool2DOptions = Pool2DOptions;

const info = pool2dGeometry;

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Calls fn(outIndex, h0, h1, w0, w1, inBase) for each output position (b, oh, ow); channels are handled by fn. */
function forEachWindow(p: Pool2DInfo, fn: (o: number, h0: number, h1: number, w0: number, w1: number, base: number) => void): void {
  const { inHeight: H, inWidth: W, channels: C } = p;
  let o = 0;
  for (let b = 0; b < p.batch; b++) {
    const base = b * H * W * C;
    for (let oh = 0; oh < p.outHeight; oh++) {
      const top = oh * p.strideHeight - p.padTop;
      const h0 = Math.max(0, top);
      const h1 = Math.min(H, top + p.poolHeight);
      for (let ow = 0; ow < p.outWidth; ow++) {
        const left = ow * p.strideWidth - p.padLeft;
        fn(o, h0, h1, Math.max(0, left), Math.min(W, left + p.poolWidth), base);
        o += C;
      }
    }
  }
}

/** Per-channel Σa (and Σa² when `sq` is given) over one window; throws on a negative input. */
function windowSums(xv: FloatArray, p: Pool2DInfo, h0: number, h1: number, w0: number, w1: number, base: number,
  s1: Float64Array, sq: Float64Array | null, name: string): void {
  const { inWidth: W, channels: C } = p;
  s1.fill(0);
  sq?.fill(0);
  for (let h = h0; h < h1; h++) {
    for (let w = w0; w < w1; w++) {
      const at = base + (h * W + w) * C;
      for (let c = 0; c < C; c++) {
        const v = xv[at + c];
        if (v < 0) {
          const b = Math.floor(base / (p.inHeight * W * C));
          throw new ValueError(`${name}: stochastic pooling needs non-negative inputs (they are sampling weights), got ${v} at (${b}, ${h}, ${w}, ${c}); put a ReLU or another non-negative activation before it`);
        }
        s1[c] += v;
        if (sq) sq[c] += v * v;
      }
    }
  }
}

const outShape = (p: Pool2DInfo) => [p.batch, p.outHeight, p.outWidth, p.channels];

/**
 * Training-mode stochastic pooling: each output is one element of its window, drawn with
 * probability proportional to its value using `rng` (one `uniform()` per output element).
 */
export function stochasticPool2d(x: Tensor, rng: Random, opts: StochasticPool2DOptions = {}): Tensor {
  const name = opts.name ?? 'stochasticPool2d';
  const p = info(x, opts, 'stochasticPool2d');
  const xv = floats(x);
  const C = p.channels;
  const W = p.inWidth;
  const n = p.batch * p.outHeight * p.outWidth * C;
  const yv = alloc(xv, n);
  const picked = new Int32Array(n).fill(-1);
  const s1 = new Float64Array(C);
  const target = new Float64Array(C);
  const cum = new Float64Array(C);
  forEachWindow(p, (o, h0, h1, w0, w1, base) => {
    windowSums(xv, p, h0, h1, w0, w1, base, s1, null, name);
    let open = 0;
    for (let c = 0; c < C; c++) {
      const u = rng.uniform();
      const s = s1[c];
      if (s > 0 && Number.isFinite(s)) {
        target[c] = u * s;
        open++;
      } else {
        target[c] = Infinity; // nothing to draw: 0 for an all-zero window, NaN for a non-finite one
        yv[o + c] = s === 0 ? 0 : NaN;
      }
    }
    cum.fill(0);
    for (let h = h0; h < h1 && open > 0; h++) {
      for (let w = w0; w < w1 && open > 0; w++) {
        const at = base + (h * W + w) * C;
        for (let c = 0; c < C; c++) {
          if (picked[o + c] >= 0 || target[c] === Infinity) continue;
          cum[c] += xv[at + c];
          // The first element whose running sum passes u·Σa: chosen with probability a_k/Σa (zeros never).
          if (cum[c] > target[c]) {
            picked[o + c] = at + c;
            yv[o + c] = xv[at + c];
            open--;
          }
        }
      }
    }
  });
  const y = wrap(yv, outShape(p));
  return record('stochasticPool2d', y, [x], (dyT) => {
    const dy = floats(dyT);
    const dx = alloc(dy, x.size);
    for (let o = 0; o < n; o++) if (picked[o] >= 0) dx[picked[o]] += dy[o];
    return [wrap(dx, x.shape)];
  });
}

/** Inference-mode stochastic pooling: Σa²/Σa over each window (0 for an all-zero window). */
export function stochasticPool2dInference(x: Tensor, opts: StochasticPool2DOptions = {}): Tensor {
  const name = opts.name ?? 'stochasticPool2dInference';
  const p = info(x, opts, 'stochasticPool2dInference');
  const xv = floats(x);
  const C = p.channels;
  const n = p.batch * p.outHeight * p.outWidth * C;
  const yv = alloc(xv, n);
  const sums = new Float64Array(n);
  const s1 = new Float64Array(C);
  const sq = new Float64Array(C);
  forEachWindow(p, (o, h0, h1, w0, w1, base) => {
    windowSums(xv, p, h0, h1, w0, w1, base, s1, sq, name);
    for (let c = 0; c < C; c++) {
      sums[o + c] = s1[c];
      yv[o + c] = s1[c] === 0 ? 0 : sq[c] / s1[c];
    }
  });
  const y = wrap(yv, outShape(p));
  return record('stochasticPool2dInference', y, [x], (dyT) => {
    const dy = floats(dyT);
    const dx = alloc(dy, x.size);
    const W = p.inWidth;
    forEachWindow(p, (o, h0, h1, w0, w1, base) => {
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) {
          const at = base + (h * W + w) * C;
          for (let c = 0; c < C; c++) {
            const s = sums[o + c];
            if (s === 0) continue;
            // ∂(Σa²/Σa)/∂a_i = (2·a_i − y)/Σa
            dx[at + c] += dy[o + c] * (2 * xv[at + c] - yv[o + c]) / s;
          }
        }
      }
    });
    return [wrap(dx, x.shape)];
  });
}
