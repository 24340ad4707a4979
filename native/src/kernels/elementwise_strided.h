// Strided iteration shared by the broadcasting, reduction and movement kernels: the C++ twin of
// src/backend/js/broadcast.ts (coalesce + forEachRow), plus a walker over any flat sub-range so a
// ParallelFor chunk can start in the middle of a row.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#define CK_INLINE inline __attribute__((always_inline))
#if defined(__x86_64__)
#define CK_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define CK_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#endif

namespace convkit {

// Elements per ParallelFor chunk for memory-bound loops: below this, waking threads costs more than it saves.
constexpr int64_t kElementwiseGrain = 32768;

// A loop over `dims` (row-major) with up to two operands read through their own strides.
struct StridedLoop {
  std::vector<int64_t> dims;
  std::vector<int64_t> s0, s1;
  int64_t Total() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
  int64_t Inner() const { return dims.back(); }
};

// Merges adjacent dimensions both operands walk contiguously (or both broadcast) and drops size-1
// dimensions, exactly as broadcast.ts's coalesce does; always leaves at least one dimension.
StridedLoop Coalesce(const std::vector<int64_t>& shape, const std::vector<int64_t>& s0,
                     const std::vector<int64_t>& s1);

std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& shape);
// Strides reading `shape` as the numpy-broadcast `out_shape` (0 on broadcast dimensions).
std::vector<int64_t> BroadcastStrides(const std::vector<int64_t>& shape, const std::vector<int64_t>& out_shape);

// Calls fn(pos, off0, off1, len) for the pieces of rows covering flat positions [begin, end) of the
// loop; inside a piece operand k advances by its innermost stride.
template <class Fn>
void ForRows(const StridedLoop& L, int64_t begin, int64_t end, Fn&& fn) {
  if (begin >= end) return;
  const int rank = static_cast<int>(L.dims.size());
  const int64_t inner = L.dims[rank - 1];
  const int64_t i0 = L.s0[rank - 1], i1 = L.s1[rank - 1];
  int64_t idx[64];
  int64_t off0 = 0, off1 = 0;
  int64_t rem = begin / inner, j = begin % inner;
  for (int d = rank - 2; d >= 0; d--) {
    idx[d] = rem % L.dims[d];
    rem /= L.dims[d];
    off0 += idx[d] * L.s0[d];
    off1 += idx[d] * L.s1[d];
  }
  int64_t pos = begin;
  while (pos < end) {
    int64_t len = std::min(inner - j, end - pos);
    fn(pos, off0 + j * i0, off1 + j * i1, len);
    pos += len;
    j = 0;
    for (int d = rank - 2; d >= 0; d--) {
      idx[d]++;
      off0 += L.s0[d];
      off1 += L.s1[d];
      if (idx[d] < L.dims[d]) break;
      off0 -= L.s0[d] * L.dims[d];
      off1 -= L.s1[d] * L.dims[d];
      idx[d] = 0;
    }
  }
}

// JavaScript's ToInt32 (what storing a number into an Int32Array does): truncate, wrap modulo 2^32,
// NaN and ±Infinity become 0.
CK_INLINE int32_t JsToInt32(double d) {
  if (d >= -2147483648.0 && d <= 2147483647.0) return static_cast<int32_t>(d);
  if (!std::isfinite(d)) return 0;
  double m = std::fmod(std::trunc(d), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(m)));
}

}  // namespace convkit
