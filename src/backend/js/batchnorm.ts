/**
 * Batch normalisation over the last axis of x viewed as [rows, channels]. Statistics are computed
 * in float64 with two passes (mean, then squared deviations), which avoids the cancellation of the
 * one-pass E[x²] − E[x]² formula when |mean| ≫ std.
 */
import type { BatchNormGradResult, BatchNormTrainResult, FloatArray } from '../backend.js';
import { allocLike } from './util.js';

function channelMeanVar(x: FloatArray, channels: number): { mean: Float64Array; variance: Float64Array; rows: number } {
  const rows = x.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const off = r * channels;
    for (let c = 0; c < channels; c++) mean[c] += x[off + c];
  }
  for (let c = 0; c < channels; c++) mean[c] /= rows;
  for (let r = 0; r < rows; r++) {
    const off = r * channels;
    for (let c = 0; c < channels; c++) {
      const d = x[off + c] - mean[c];
      variance[c] += d * d;
    }
  }
  for (let c = 0; c < channels; c++) variance[c] /= rows; // biased, as Keras normalises with
  return { mean, variance, rows };
}

/**
 * y = (x − mean)·scale + beta with scale = gamma / sqrt(var + eps), per channel. The subtraction
 * comes first (not x·scale + (beta − mean·scale)) so a large mean does not cancel digits away.
 */
function normalize(x: FloatArray, mean: ArrayLike<number>, variance: ArrayLike<number>, gamma: FloatArray,
  beta: FloatArray, channels: number, epsilon: number): FloatArray {
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
  const y = allocLike(x, x.length);
  for (let off = 0; off < x.length; off += channels) {
    for (let c = 0; c < channels; c++) y[off + c] = (x[off + c] - mean[c]) * scale[c] + beta[c];
  }
  return y;
}

export function batchNormTrain(x: FloatArray, gamma: FloatArray, beta: FloatArray, channels: number,
  epsilon: number): BatchNormTrainResult {
  const { mean, variance } = channelMeanVar(x, channels);
  const y = normalize(x, mean, variance, gamma, beta, channels, epsilon);
  const m = allocLike(x, channels), v = allocLike(x, channels);
  m.set(mean);
  v.set(variance);
  return { y, mean: m, variance: v };
}

export function batchNormInference(x: FloatArray, mean: FloatArray, variance: FloatArray, gamma: FloatArray,
  beta: FloatArray, channels: number, epsilon: number): FloatArray {
  return normalize(x, mean, variance, gamma, beta, channels, epsilon);
}

/**
 * With x̂ = (x − μ)/σ, σ = sqrt(var + eps) and R rows, differentiating through μ and var gives
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/(σR) · (R·dy − dβ − x̂·dγ).
 */
export function batchNormTrainGrad(dy: FloatArray, x: FloatArray, gamma: FloatArray, mean: FloatArray,
  variance: FloatArray, channels: number, epsilon: number): BatchNormGradResult {
  const rows = x.length / channels;
  const invStd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) invStd[c] = 1 / Math.sqrt(variance[c] + epsilon);
  const sumDy = new Float64Array(channels);
  const sumDyXhat = new Float64Array(channels);
  for (let off = 0; off < x.length; off += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dy[off + c];
      sumDy[c] += g;
      sumDyXhat[c] += g * (x[off + c] - mean[c]) * invStd[c];
    }
  }
  const dx = allocLike(dy, x.length);
  for (let off = 0; off < x.length; off += channels) {
    for (let c = 0; c < channels; c++) {
      const xhat = (x[off + c] - mean[c]) * invStd[c];
      dx[off + c] = gamma[c] * invStd[c] / rows * (rows * dy[off + c] - sumDy[c] - xhat * sumDyXhat[c]);
    }
  }
  const dgamma = allocLike(dy, channels), dbeta = allocLike(dy, channels);
  dgamma.set(sumDyXhat);
  dbeta.set(sumDy);
  return { dx, dgamma, dbeta };
}
