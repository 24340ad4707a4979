/** Bias, residual and activation applied in place after a conv/matmul kernel (Backend `Epilogue`). */
import type { Epilogue, FloatArray } from '../backend.js';
import { sigmoid } from './unary.js';

export function applyEpilogue(out: FloatArray, epilogue: Epilogue | undefined): FloatArray {
  if (!epilogue) return out;
  const { bias, activation = 'linear', residual } = epilogue;
  if (bias) {
    const c = bias.length;
    for (let i = 0; i < out.length; i += c) for (let j = 0; j < c; j++) out[i + j] += bias[j];
  }
  if (residual) {
    if (residual.length !== out.length) throw new Error(`convkit internal error: residual has ${residual.length} elements, the output ${out.length}`);
    for (let i = 0; i < out.length; i++) out[i] += residual[i];
  }
  switch (activation) {
    case 'relu': for (let i = 0; i < out.length; i++) out[i] = out[i] > 0 ? out[i] : 0; break;
    case 'relu6': for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(out[i], 0), 6); break;
    case 'sigmoid': for (let i = 0; i < out.length; i++) out[i] = sigmoid(out[i]); break;
    case 'tanh': for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i]); break;
    default: break;
  }
  if (residual && epilogue.residualInPlace && residual.constructor === out.constructor) {
    residual.set(out);
    return residual;
  }
  return out;
}
