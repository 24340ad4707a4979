/**
 * Patch extraction for GEMM-based convolution. Output positions are numbered p = (n·OH + oh)·OW + ow;
 * the patch of position p is one row of KH·KW·C values ordered (kh, kw, c), which is exactly the
 * row order of an HWIO filter viewed as a [KH·KW·C, OC] matrix. Cells that fall in the padding are 0.
 */
import type { FloatArray } from '../backend.js';
import type { Conv2DInfo } from '../../shape/conv.js';

/** cols[r·KKC ...] = patch of position p0 + r, for r < count. */
export function im2col(x: FloatArray, info: Conv2DInfo, p0: number, count: number, cols: FloatArray): void {
  forEachPatchCell(info, p0, count, (colOff, xOff, c) => {
    if (xOff < 0) cols.fill(0, colOff, colOff + c);
    else for (let i = 0; i < c; i++) cols[colOff + i] = x[xOff + i];
  });
}

/** The adjoint of im2col: dx[cell] += cols[patch entry] for every in-bounds patch cell. */
export function col2im(cols: FloatArray, info: Conv2DInfo, p0: number, count: number, dx: FloatArray): void {
  forEachPatchCell(info, p0, count, (colOff, xOff, c) => {
    if (xOff >= 0) for (let i = 0; i < c; i++) dx[xOff + i] += cols[colOff + i];
  });
}

/**
 * Visits every (position, kh, kw) of positions [p0, p0+count): `cell(colOff, xOff, C)` gets the
 * offset of the C-long run in the patch matrix and in x, or xOff = −1 for a padding cell.
 */
function forEachPatchCell(info: Conv2DInfo, p0: number, count: number,
  cell: (colOff: number, xOff: number, c: number) => void): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padTop, padLeft } = info;
  const kkc = KH * KW * C;
  let ow = p0 % OW;
  let oh = Math.floor(p0 / OW) % OH;
  let n = Math.floor(p0 / (OW * OH));
  for (let r = 0; r < count; r++) {
    const rowOff = r * kkc;
    const ih0 = oh * sh - padTop, iw0 = ow * sw - padLeft;
    for (let kh = 0; kh < KH; kh++) {
      const ih = ih0 + kh * dh;
      const inRow = ih >= 0 && ih < H;
      const xRow = (n * H + ih) * W;
      for (let kw = 0; kw < KW; kw++) {
        const iw = iw0 + kw * dw;
        const colOff = rowOff + (kh * KW + kw) * C;
        cell(colOff, inRow && iw >= 0 && iw < W ? (xRow + iw) * C : -1, C);
      }
    }
    if (++ow === OW) {
      ow = 0;
      if (++oh === OH) {
        oh = 0;
        n++;
      }
    }
  }
}
