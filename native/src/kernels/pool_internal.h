// Per-ISA entry points of the pooling kernels; pool.cc threads them over row ranges. Windows are
// clipped to the input, which gives both TensorFlow rules: padding never wins a max, and averages
// divide by the number of in-bounds cells.
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels/conv_shape.h"

namespace convkit {
namespace pool {

struct Table {
  // Output rows r = n·OH + oh in [r0, r1).
  void (*max_forward)(const PoolShape& s, const float* x, float* y, int64_t r0, int64_t r1);
  // idx[output element] = window-local cell (row-major in the clipped window) of the first maximum,
  // −1 for a window wholly in the padding.
  void (*argmax)(const PoolShape& s, const float* x, int32_t* idx, int64_t r0, int64_t r1);
  // Non-overlapping windows only (stride ≥ pool on both axes): dx for output rows r = n·OH + oh in
  // [r0, r1), each writing exactly the input rows it owns (see pool_impl.h), zeros included.
  void (*max_backprop_tiled)(const PoolShape& s, const float* dy, const float* x, float* dx, int64_t r0, int64_t r1);
  void (*avg_forward)(const PoolShape& s, const float* x, float* y, int64_t r0, int64_t r1);
  // Input rows r = n·H + ih in [r0, r1), gathered from every window that covers them.
  void (*avg_backprop)(const PoolShape& s, const float* dy, float* dx, int64_t r0, int64_t r1);
};

Table GenericTable();
#if defined(__x86_64__)
Table Avx2Table();
Table Avx512Table();
#endif

// Clipped window [*start, *end) of output index o along one axis.
inline void Window(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t in, int64_t* start, int64_t* end) {
  const int64_t lo = o * stride - pad;
  *start = std::max<int64_t>(lo, 0);
  *end = std::max(*start, std::min(lo + k, in));
}

}  // namespace pool
}  // namespace convkit
