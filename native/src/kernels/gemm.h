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

}  // namespace convkit
