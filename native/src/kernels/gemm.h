// Single-precision GEMM, row-major: C = alpha·op(A)·op(B) + beta·C, then an optional epilogue
// (per-column bias, activation). op(A) is m×k, op(B) is k×n. lda/ldb/ldc are row strides in floats.
// Multi-threaded over the pool unless called from inside a parallel region.
#pragma once
#include <cstdint>

#include "common/activation.h"

namespace convkit {

struct GemmEpilogue {
  const float* bias = nullptr;  // n values added to every row of C, or null
  Act act = Act::kLinear;
  // Size of the whole output this C is a slice of (a conv's im2col chunks), when larger than C:
  // decides non-temporal stores (kernels/nontemporal.h).
  int64_t output_bytes = 0;
};

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const GemmEpilogue& epi = {});

// A constant B (inference weights: k×n, row-major) laid out ahead of time for the active kernels, in
// panels one vector wide and k rows long, each contiguous: every call then streams B sequentially
// (the hardware prefetcher's best case, which matters when weights come from DRAM) and packs nothing.
// The buffer starts with a header naming the shape and panel width it was made for.
struct PackedB {
  const float* panels;
  int64_t k, n;
  int width;
};

// Floats of a packed k×n B, or 0 when the active kernels take none (the portable ones).
size_t PackedBFloats(int64_t k, int64_t n);
// Writes b (k×n, row stride n) into dst, which holds PackedBFloats(k, n) floats.
void PackBAhead(const float* b, int64_t k, int64_t n, float* dst);
// A packed B of `floats` floats as made for a k×n B and the active kernels; false if it was not
// (another shape, another instruction set's width, not a packed B at all).
bool ViewPackedB(const float* buf, size_t floats, int64_t k, int64_t n, PackedB* out);
// C = A·B + beta·C with B packed: A m×k row-major (row stride lda).
void SgemmPackedB(int64_t m, const float* a, int64_t lda, const PackedB& b, float beta, float* c, int64_t ldc,
                  const GemmEpilogue& epi = {});

}  // namespace convkit
