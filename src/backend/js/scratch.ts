/**
 * Module-level growable scratch buffers, one per (purpose, element type). Convolution and matmul
 * need large temporary buffers on every call (im2col patches, transposed operands); allocating
 * them fresh each time costs more than the arithmetic on this runtime, so they are kept and grown.
 * Kernels are synchronous, so a slot is never in use by two calls at once; each purpose has its own
 * slot because a kernel may hold one slot while calling another kernel that uses a different one.
 */
import type { FloatArray } from '../backend.js';

export type ScratchSlot = 'im2col' | 'colGrad' | 'transA' | 'transB';

const pools = new Map<string, FloatArray>();

/** A view of exactly `n` elements of the slot's buffer (contents unspecified). */
export function scratch<T extends FloatArray>(like: T, slot: ScratchSlot, n: number): T {
  const f32 = like instanceof Float32Array;
  const key = f32 ? `${slot}:f32` : `${slot}:f64`;
  let buf = pools.get(key);
  if (buf === undefined || buf.length < n) {
    // Grow geometrically so a sequence of slightly larger requests does not reallocate each time.
    const len = Math.max(n, buf === undefined ? 0 : Math.ceil(buf.length * 1.5));
    buf = f32 ? new Float32Array(len) : new Float64Array(len);
    pools.set(key, buf);
  }
  return buf.subarray(0, n) as T;
}

/** Drops all scratch buffers (e.g. after a one-off huge convolution). */
export function releaseScratch(): void {
  pools.clear();
}
