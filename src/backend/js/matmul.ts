/** Batched matrix product (Backend.matmul) on top of the shared gemm core. */
import type { Epilogue, FloatArray } from '../backend.js';
import { applyEpilogue } from './epilogue.js';
import { gemm, transpose2d } from './gemm.js';
import { scratch } from './scratch.js';
import { allocLike } from './util.js';

export function matmul(a: FloatArray, b: FloatArray, batch: number, m: number, k: number, n: number,
  transA: boolean, transB: boolean, bBatch: number, epilogue?: Epilogue): FloatArray {
  const out = allocLike(a, batch * m * n);
  const aSize = m * k, bSize = k * n, cSize = m * n;
  if (bBatch === 1 && transB && batch > 1) {
    // B is shared: transpose it once rather than once per batch entry.
    const bt = scratch(b, 'transB', bSize);
    transpose2d(b, 0, n, k, bt);
    for (let i = 0; i < batch; i++) gemm(a, i * aSize, bt, 0, out, i * cSize, m, k, n, transA, false, false);
    return applyEpilogue(out, epilogue);
  }
  for (let i = 0; i < batch; i++) {
    const bOff = bBatch === 1 ? 0 : i * bSize;
    gemm(a, i * aSize, b, bOff, out, i * cSize, m, k, n, transA, transB, false);
  }
  return applyEpilogue(out, epilogue);
}
