/**
 * Output buffers for native kernels. `new Float32Array(n)` zero-fills its memory, a serial memset
 * (or page faults, for fresh memory) that costs as much as a cheap kernel on a large activation; a
 * kernel that writes every output element does not need it. allocOutput(n, false) returns
 * uninitialised memory (Buffer.allocUnsafeSlow: malloc'd, not from Node's shared small-buffer pool).
 * CONVKIT_POISON_OUTPUTS=1 fills such buffers with NaN instead, so a test run proves the kernels
 * really write every element (any element left unwritten shows up as NaN in the comparison).
 * Buffers come from tensor/recycle.ts, which reuses storage the inference executor has released.
 */
import { adoptStorage, takeStorage } from '../../tensor/recycle.js';

const poison = process.env.CONVKIT_POISON_OUTPUTS === '1';
const CACHE_LINE = 64;

/** How many bytes past a cache-line boundary an ArrayBuffer's memory starts (set by the loader). */
let alignmentOffset: ((b: ArrayBuffer) => number) | null = null;

export function setAlignmentProbe(probe: (b: ArrayBuffer) => number): void {
  alignmentOffset = probe;
}

/**
 * n floats starting on a 64-byte boundary: malloc aligns large blocks to 16 bytes only, and then
 * every 64-byte vector load or store of a kernel straddles two cache lines.
 */
export function allocAligned(n: number): Float32Array {
  if (!alignmentOffset) {
    const buf = Buffer.allocUnsafeSlow(n * 4);
    return new Float32Array(buf.buffer, buf.byteOffset, n);
  }
  const buf = Buffer.allocUnsafeSlow(n * 4 + CACHE_LINE);
  const skip = (CACHE_LINE - alignmentOffset(buf.buffer as ArrayBuffer)) % CACHE_LINE;
  return new Float32Array(buf.buffer, buf.byteOffset + skip, n);
}

/** Told of every output allocated while a kernel recording runs (backend/kernel_tape.ts). */
let observer: ((a: Float32Array, zeroed: boolean) => void) | null = null;

export function setAllocationObserver(fn: ((a: Float32Array, zeroed: boolean) => void) | null): void {
  observer = fn;
}

/** An output of n floats; `zeroed` when the kernel accumulates into it instead of writing every element. */
export function allocOutput(n: number, zeroed: boolean): Float32Array {
  let out: Float32Array;
  if (zeroed || n < 1024) {
    out = new Float32Array(n);
  } else {
    out = takeStorage(n) ?? adoptStorage(allocAligned(n));
    if (poison) out.fill(NaN);
  }
  if (observer) observer(out, zeroed);
  return out;
}
