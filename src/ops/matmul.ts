/** Matrix products: 2-D, batched, and N-D × 2-D (Dense on any rank). */
import { be } from '../backend/registry.js';
import { record } from '../autograd/tape.js';
import { ShapeError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { floats, shapeStr, wrap } from './util.js';
import { reshape, transpose } from './movement.js';
import { sum } from './reduce.js';

function mm(a: Tensor, b: Tensor, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, bBatch: number): Tensor {
  let av = floats(a);
  let bv = floats(b);
  if (av.constructor !== bv.constructor) {
    av = be().cast(av, 'float64') as Float64Array;
    bv = be().cast(bv, 'float64') as Float64Array;
  }
  return wrap(be().matmul(av, bv, batch, m, k, n, transA, transB, bBatch), [batch, m, n]);
}

/**
 * a·b with optional transposes of the last two axes. Ranks: 2×2; N×2 (b shared, e.g. Dense on a
 * sequence); N×N with equal leading (batch) dimensions.
 */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new ShapeError(`matMul: both operands need rank ≥ 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (b.rank > 2 && b.rank !== a.rank) throw new ShapeError(`matMul: batched operands must have equal rank, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const kb = transposeB ? bc : br;
  const n = transposeB ? br : bc;
  if (k !== kb) {
    throw new ShapeError(`matMul: inner dimensions differ: ${shapeStr(a.shape)}${transposeA ? 'ᵀ' : ''} · ${shapeStr(b.shape)}${transposeB ? 'ᵀ' : ''} (${k} vs ${kb})`);
  }
  const lead = a.shape.slice(0, -2);
  if (b.rank > 2 && b.shape.slice(0, -2).some((d, i) => d !== lead[i])) {
    throw new ShapeError(`matMul: batch dimensions differ: ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  }
  const batch = lead.reduce((p, d) => p * d, 1);
  const shared = b.rank === 2;
  let y: Tensor;
  if (shared && !transposeA) {
    // Fold the batch into the rows: one big GEMM instead of many small ones.
    y = reshape(mm(a, b, 1, batch * m, k, n, false, transposeB, 1), [...lead, m, n]);
  } else {
    y = reshape(mm(a, b, batch, m, k, n, transposeA, transposeB, shared ? 1 : batch), [...lead, m, n]);
  }
  return record('matMul', y, [a, b], (dy) => {
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (a.requiresGrad) {
      // dA = dY·op(B)ᵀ, transposed back when A was used transposed.
      const g = matMul(dy, b, false, !transposeB);
      ga = transposeA ? swapLastTwo(g) : g;
    }
    if (b.requiresGrad) {
      if (shared) {
        // Sum over the batch by folding it into the contraction dimension.
        const a2 = transposeA ? null : reshape(a, [batch * m, k]);
        const dy2 = reshape(dy, [batch * m, n]);
        if (a2) gb = transposeB ? matMul(dy2, a2, true, false) : matMul(a2, dy2, true, false);
        else {
          const per = transposeB ? matMul(dy, a, true, true) : matMul(a, dy, false, false);
          gb = reshape(sumLeading(per), b.shape);
        }
      } else {
        gb = transposeB ? matMul(dy, a, true, transposeA) : matMul(a, dy, !transposeA, false);
      }
    }
    return [ga, gb];
  });
}

function swapLastTwo(t: Tensor): Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return transpose(t, perm);
}

function sumLeading(t: Tensor): Tensor {
  return sum(t, t.shape.slice(0, -2).map((_, i) => i));
}
