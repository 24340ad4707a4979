/**
 * Iteration over an output shape with operands read through (possibly zero) strides: the machinery
 * behind numpy broadcasting in binary ops and broadcastTo.
 */

export interface StridedLoop {
  /** Coalesced output dimensions (at least one). */
  dims: number[];
  /** Per operand, its stride for each coalesced dimension. */
  strides: number[][];
}

/**
 * Merges adjacent dimensions that every operand walks contiguously (or all broadcast), so the inner
 * loop runs over as many elements as possible, e.g. [N,H,W,C] + [C] becomes [N·H·W, C].
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): StridedLoop {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue; // size-1 dimensions never move the offsets
    const last = dims.length - 1;
    const mergeable = last >= 0 && strides.every((s, k) => out[k][last] === s[d] * shape[d]);
    if (mergeable) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => { out[k][last] = s[d]; });
    } else {
      dims.push(shape[d]);
      strides.forEach((s, k) => { out[k].push(s[d]); });
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    out.forEach((s) => s.push(0));
  }
  return { dims, strides: out };
}

/**
 * Calls `row(outOffset, operandOffsets, length)` for every innermost row of `loop`, in row-major
 * order; operand k advances by loop.strides[k][last] within a row.
 */
export function forEachRow(loop: StridedLoop, row: (outOff: number, offs: readonly number[], len: number) => void): void {
  const { dims, strides } = loop;
  const rank = dims.length;
  const inner = dims[rank - 1];
  let total = 1;
  for (const d of dims) total *= d;
  if (total === 0) return;
  const rows = total / inner;
  const idx = new Array<number>(rank).fill(0);
  const offs = strides.map(() => 0);
  for (let r = 0; r < rows; r++) {
    row(r * inner, offs, inner);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += strides[k][d];
      if (idx[d] < dims[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= strides[k][d] * dims[d];
      idx[d] = 0;
    }
  }
}
