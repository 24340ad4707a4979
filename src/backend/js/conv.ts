/**
 * Convolution (NHWC input, HWIO filter) as matrix products: forward is patches·W, the filter
 * gradient patchesᵀ·dy, the input gradient col2im(dy·Wᵀ). Output positions are processed in
 * chunks so the patch matrix stays below CHUNK_ELEMS, and the patch buffers are reused scratch.
 * A 1×1 stride-1 unpadded convolution needs no patches: x itself is the [N·H·W, C] patch matrix.
 */
import type { Epilogue, FloatArray } from '../backend.js';
import { applyEpilogue } from './epilogue.js';
import type { Conv2DInfo } from '../../shape/conv.js';
import { gemm, gemmNN, transpose2d } from './gemm.js';
import { col2im, im2col } from './im2col.js';
import { scratch } from './scratch.js';
import { allocLike } from './util.js';

/** Largest patch matrix built at once (elements): 16 MB in float32. */
const CHUNK_ELEMS = 1 << 22;

function isPointwise(info: Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.padTop === 0 && info.padBottom === 0 && info.padLeft === 0 && info.padRight === 0;
}

interface Dims {
  /** Number of output positions N·OH·OW. */
  positions: number;
  /** Patch length KH·KW·C. */
  kkc: number;
  /** Output positions per chunk. */
  chunk: number;
}

function dims(info: Conv2DInfo): Dims {
  const kkc = info.filterHeight * info.filterWidth * info.inChannels;
  return {
    positions: info.batch * info.outHeight * info.outWidth,
    kkc,
    chunk: Math.max(1, Math.floor(CHUNK_ELEMS / Math.max(kkc, 1))),
  };
}

export function conv2d(x: FloatArray, filter: FloatArray, info: Conv2DInfo, epilogue?: Epilogue): FloatArray {
  const { positions, kkc, chunk } = dims(info);
  const oc = info.outChannels;
  const y = allocLike(x, positions * oc);
  if (isPointwise(info)) {
    gemmNN(x, 0, filter, 0, y, 0, positions, kkc, oc, false);
    return applyEpilogue(y, epilogue);
  }
  for (let p0 = 0; p0 < positions; p0 += chunk) {
    const count = Math.min(chunk, positions - p0);
    const cols = scratch(x, 'im2col', count * kkc);
    im2col(x, info, p0, count, cols);
    gemmNN(cols, 0, filter, 0, y, p0 * oc, count, kkc, oc, false);
  }
  return applyEpilogue(y, epilogue);
}

export function conv2dBackpropInput(dy: FloatArray, filter: FloatArray, info: Conv2DInfo): FloatArray {
  const { positions, kkc, chunk } = dims(info);
  const oc = info.outChannels;
  const dx = allocLike(dy, info.batch * info.inHeight * info.inWidth * info.inChannels);
  // Wᵀ ([OC, KKC]) is needed by every chunk: transpose it once.
  const wt = scratch(filter, 'transB', kkc * oc);
  transpose2d(filter, 0, kkc, oc, wt);
  if (isPointwise(info)) {
    gemmNN(dy, 0, wt, 0, dx, 0, positions, oc, kkc, false);
    return dx;
  }
  for (let p0 = 0; p0 < positions; p0 += chunk) {
    const count = Math.min(chunk, positions - p0);
    const dcols = scratch(dy, 'colGrad', count * kkc);
    gemmNN(dy, p0 * oc, wt, 0, dcols, 0, count, oc, kkc, false);
    col2im(dcols, info, p0, count, dx);
  }
  return dx;
}

export function conv2dBackpropFilter(x: FloatArray, dy: FloatArray, info: Conv2DInfo): FloatArray {
  const { positions, kkc, chunk } = dims(info);
  const oc = info.outChannels;
  const dw = allocLike(x, kkc * oc);
  const pointwise = isPointwise(info);
  for (let p0 = 0; p0 < positions; p0 += chunk) {
    const count = Math.min(chunk, positions - p0);
    // dW += patchesᵀ · dy over this chunk; for 1×1 the patches are the rows of x themselves.
    if (pointwise) {
      gemm(x, p0 * kkc, dy, p0 * oc, dw, 0, kkc, count, oc, true, false, true);
    } else {
      const cols = scratch(x, 'im2col', count * kkc);
      im2col(x, info, p0, count, cols);
      gemm(cols, 0, dy, p0 * oc, dw, 0, kkc, count, oc, true, false, true);
    }
  }
  return dw;
}
