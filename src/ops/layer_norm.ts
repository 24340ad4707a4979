/**
 * Layer normalisation (Ba et al., 2016) with Keras 3's formula, as one op with an analytic gradient.
 *
 * Each sample is normalised over the `axis` axes (its "row" of `cols` values):
 *   μ = mean(x), σ² = mean((x − μ)²)  (biased), r = 1/√(σ² + ε)
 *   standard:    y = (x − μ)·r·γ + β
 *   rmsScaling:  y = x·r·γ            (Keras 3's deprecated rms_scaling: it scales by the *centred*
 *                                      variance and does not subtract the mean; no β)
 * `rmsNormalization` (Keras 3's RMSNormalization, Zhang & Sennrich 2019) uses uncentred statistics:
 *   μ := 0, r = 1/√(mean(x²) + ε), y = x·r·scale.
 * Backward, with g = dy·γ (or dy without γ), x̂ = (x − μ)·r and s the normalised value before γ
 * (s = x̂, or x·r with rmsScaling):
 *   dx = r·(g − mean(g) − x̂·mean(g·s))   standard
 *   dx = r·(g − x̂·mean(g·s))             rmsScaling, and rmsNormalization (where x̂ = s)
 *   dγ = Σ_rows dy·s,  dβ = Σ_rows dy.
 * The arithmetic runs on the backend's reduce/binary kernels on a [rows, cols] view. Axes that are
 * not the trailing ones are moved there with (differentiable) transposes first.
 */
import type { FloatArray } from '../backend/backend.js';
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { ShapeError, ValueError } from '../errors.js';
import { normAxis } from '../shape/broadcast.js';
import type { Tensor } from '../tensor/tensor.js';
import { floats, shapeStr, wrap } from './util.js';
import { reshape, transpose } from './movement.js';

export interface LayerNormOptions {
  /** Axis or axes to normalise over (default -1). */
  axis?: number | readonly number[];
  /** Added to the variance (default 1e-3, Keras's). */
  epsilon?: number;
  /** Keras 3's rms_scaling: y = x·γ/√(σ² + ε); β must then be null. */
  rmsScaling?: boolean;
}

function vec(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/**
 * Layer normalisation of `x` over `opts.axis`. `gamma` / `beta` (either may be null) hold one value
 * per normalised position: size = product of the normalised axes' sizes, laid out in increasing
 * axis order (any shape; Keras reshapes them to the broadcast shape the same way).
 */
export function layerNormalization(x: Tensor, gamma: Tensor | null, beta: Tensor | null, opts: LayerNormOptions = {}): Tensor {
  const rms = opts.rmsScaling ?? false;
  if (rms && beta) throw new ValueError('layerNormalization: rmsScaling takes no beta (Keras ignores center with rms_scaling)');
  return normalizeOver(x, gamma, beta, opts.axis, opts.epsilon ?? 1e-3, rms ? 'rms_scaling' : 'layer', 'layerNormalization');
}

/**
 * RMS normalisation (Keras 3's ops.rms_normalization / RMSNormalization layer): y = x·scale/√(mean(x²) + ε)
 * over `axis` (default -1); epsilon defaults to Keras's 1e-6. `scale` (or null) is laid out like
 * layerNormalization's gamma.
 */
export function rmsNormalization(x: Tensor, scale: Tensor | null, opts: { axis?: number | readonly number[]; epsilon?: number } = {}): Tensor {
  return normalizeOver(x, scale, null, opts.axis, opts.epsilon ?? 1e-6, 'rms', 'rmsNormalization');
}

type Mode = 'layer' | 'rms_scaling' | 'rms';

function normalizeOver(x: Tensor, gamma: Tensor | null, beta: Tensor | null, axisOpt: number | readonly number[] | undefined, epsilon: number, mode: Mode, op: string): Tensor {
  if (!(epsilon >= 0) || !Number.isFinite(epsilon)) throw new ValueError(`${op}: epsilon must be a finite number ≥ 0, got ${epsilon}`);
  const axisArg = axisOpt ?? -1;
  const list = typeof axisArg === 'number' ? [axisArg] : [...axisArg];
  if (list.length === 0) throw new ValueError(`${op}: axis must name at least one axis`);
  const axes = list.map((a) => normAxis(a, x.rank, op));
  if (new Set(axes).size !== axes.length) throw new ValueError(`${op}: duplicate axes in ${JSON.stringify(list)}`);
  axes.sort((a, b) => a - b);
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...keep, ...axes];
  const cols = axes.reduce((p, a) => p * x.shape[a], 1);
  for (const [name, p] of [['gamma', gamma], ['beta', beta]] as const) {
    if (p && p.size !== cols) throw new ShapeError(`${op}: ${name} of shape ${shapeStr(p.shape)} has ${p.size} values; the normalised axes [${axes.join(', ')}] of input ${shapeStr(x.shape)} hold ${cols}`);
  }
  const g = gamma && gamma.rank !== 1 ? reshape(gamma, [cols]) : gamma;
  const b = beta && beta.rank !== 1 ? reshape(beta, [cols]) : beta;
  if (perm.every((p, i) => p === i)) return normalizeRows(x, g, b, cols, epsilon, mode);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return transpose(normalizeRows(transpose(x, perm), g, b, cols, epsilon, mode), inverse);
}

/** The fused op on x viewed as [rows, cols] (the normalised values are each row's last `cols`). */
function normalizeRows(x: Tensor, gamma: Tensor | null, beta: Tensor | null, cols: number, epsilon: number, mode: Mode): Tensor {
  const B = be();
  const rows = cols === 0 ? 0 : x.size / cols;
  const m2 = [rows, cols];
  const col = [rows, 1];
  const row = [cols];
  const xv = floats(x);
  // RMS normalisation takes its statistics about 0 (x̂ = s = x·r).
  const xc = mode === 'rms' ? xv : B.binary('sub', xv, m2, B.reduce('mean', xv, m2, [1]), col, m2) as FloatArray;
  const variance = B.reduce('mean', B.binary('mul', xc, m2, xc, m2, m2) as FloatArray, m2, [1]);
  const inv = vec(xv, rows);
  for (let i = 0; i < rows; i++) inv[i] = 1 / Math.sqrt(variance[i] + epsilon);
  const xhat = B.binary('mul', xc, m2, inv, col, m2) as FloatArray;
  const s = mode === 'rms_scaling' ? B.binary('mul', xv, m2, inv, col, m2) as FloatArray : xhat;
  const gv = gamma ? floats(gamma) : null;
  let yv = gv ? B.binary('mul', s, m2, gv, row, m2) as FloatArray : s;
  if (beta) yv = B.binary('add', yv, m2, floats(beta), row, m2) as FloatArray;
  const y = wrap(yv, x.shape);
  const inputs = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
  return record(mode === 'rms' ? 'rmsNormalization' : 'layerNormalization', y, inputs, (dyT) => {
    const dy = floats(dyT);
    const grads: (Tensor | null)[] = [];
    if (x.requiresGrad) {
      const g = gv ? B.binary('mul', dy, m2, gv, row, m2) as FloatArray : dy;
      const mgs = B.reduce('mean', B.binary('mul', g, m2, s, m2, m2) as FloatArray, m2, [1]);
      const t = mode !== 'layer' ? g : B.binary('sub', g, m2, B.reduce('mean', g, m2, [1]), col, m2) as FloatArray;
      const u = B.binary('sub', t, m2, B.binary('mul', xhat, m2, mgs, col, m2), m2, m2) as FloatArray;
      grads.push(wrap(B.binary('mul', u, m2, inv, col, m2), x.shape));
    } else grads.push(null);
    if (gamma) grads.push(gamma.requiresGrad ? wrap(B.reduce('sum', B.binary('mul', dy, m2, s, m2, m2) as FloatArray, m2, [0]), gamma.shape) : null);
    if (beta) grads.push(beta.requiresGrad ? wrap(B.reduce('sum', dy, m2, [0]), beta.shape) : null);
    return grads;
  });
}
