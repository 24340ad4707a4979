/** Native matmul: float32 through the addon's blocked SIMD GEMM; float64 (gradient checks) stays in js. */
import { allocOutput } from './alloc.js';
import type { Backend, Epilogue, FloatArray, FusedActivation } from '../backend.js';
import { jsFallback } from './recording.js';
import type { NativeAddon } from './addon.js';

type MatmulFn = (a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, k: number,
  n: number, transA: boolean, transB: boolean, bBatch: number, bias?: Float32Array | null, activation?: number) => void;

/** Activation codes of native/src/common/activation.h (Act). */
export const ACTIVATION_CODES: Record<FusedActivation, number> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, tanh: 4 };

export function matmulKernels(addon: NativeAddon): Pick<Backend, 'matmul'> {
  const native = addon.matmul as MatmulFn;
  return {
    matmul(a: FloatArray, b: FloatArray, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean,
      bBatch: number, epilogue?: Epilogue): FloatArray {
      const bias = epilogue?.bias;
      if (!(a instanceof Float32Array) || !(b instanceof Float32Array) || (bias !== undefined && !(bias instanceof Float32Array))) {
        return jsFallback.matmul(a, b, batch, m, k, n, transA, transB, bBatch, epilogue);
      }
      const out = allocOutput(batch * m * n, false);
      if (epilogue) {
        const code = ACTIVATION_CODES[epilogue.activation ?? 'linear'];
        if (code === undefined) throw new Error(`matmul: unknown fused activation '${String(epilogue.activation)}'`);
        native(a, b, out, batch, m, k, n, transA, transB, bBatch, bias ?? null, code);
      } else {
        native(a, b, out, batch, m, k, n, transA, transB, bBatch);
      }
      return out;
    },
  };
}
