/**
 * Output buffers for native kernels. `new Float32Array(n)` zero-fills its memory, a serial memset
 * (or page faults, for fresh memory) that costs as much as a cheap kernel on a large activation; a
 * kernel that writes every output element does not need it. allocOutput(n, false) returns
 * uninitialised memory (Buffer.allocUnsafeSlow: malloc'd, not from Node's shared small-buffer pool).
 * CONVKIT_POISON_OUTPUTS=1 fills such buffers with NaN instead, so a test run proves the kernels
 * really write every element (any element left unwritten shows up as NaN in the comparison).
 */
const poison = process.env.CONVKIT_POISON_OUTPUTS === '1';

export function allocOutput(n: number, zeroed: boolean): Float32Array {
  if (zeroed || n < 1024) return new Float32Array(n);
  const buf = Buffer.allocUnsafeSlow(n * 4);
  const out = new Float32Array(buf.buffer, buf.byteOffset, n);
  if (poison) out.fill(NaN);
  return out;
}
