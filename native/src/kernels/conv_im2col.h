// Patch extraction for GEMM convolution. Output positions are numbered p = (n·OH + oh)·OW + ow;
// the patch of p is one row of KH·KW·C values ordered (kh, kw, c) — the row order of an HWIO filter
// viewed as a [KH·KW·C, OC] matrix. Padding cells are 0.
#pragma once
#include <cstdint>

#include "kernels/conv_shape.h"

namespace convkit {

// cols[r·KKC ...] = patch of position p0 + r, r < count.
void Im2col(const ConvShape& s, const float* x, int64_t p0, int64_t count, float* cols);

// The adjoint of Im2col restricted to input rows: dx[cell] += cols[entry] for every in-bounds patch
// cell whose global input row n·H + ih lies in [row0, row1). Callers that own disjoint row ranges
// can therefore scatter the same patch matrix concurrently without write races.
void Col2imRows(const ConvShape& s, const float* cols, int64_t p0, int64_t count, float* dx, int64_t row0,
                int64_t row1);

}  // namespace convkit
