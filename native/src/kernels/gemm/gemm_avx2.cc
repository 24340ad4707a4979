// AVX2+FMA GEMM path: 6×16 tiles (12 ymm accumulators, the classic Haswell/Zen shape) and 12×8 for
// narrow outputs (n ≤ 8, e.g. a 6-channel conv), where a 16-wide tile would be mostly padding.
#if defined(__x86_64__)
#include <immintrin.h>

#define CONVKIT_GEMM_TARGET __attribute__((target("avx2,fma")))
#include "kernels/gemm/driver.h"

namespace convkit {
namespace gemm {
namespace {

struct YmmT {
  using V = __m256;
  static constexpr int W = 8;
  static constexpr bool kBroadcast = true;
  CONVKIT_GEMM_TARGET static V Zero() { return _mm256_setzero_ps(); }
  CONVKIT_GEMM_TARGET static V Set1(float x) { return _mm256_set1_ps(x); }
  CONVKIT_GEMM_TARGET static V Load(const float* p) { return _mm256_loadu_ps(p); }
  CONVKIT_GEMM_TARGET static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  CONVKIT_GEMM_TARGET static V Bcast(const float* p) { return _mm256_broadcast_ss(p); }
  CONVKIT_GEMM_TARGET static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  CONVKIT_GEMM_TARGET static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  CONVKIT_GEMM_TARGET static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  CONVKIT_GEMM_TARGET static V Max(V a, V b) { return _mm256_max_ps(a, b); }
  CONVKIT_GEMM_TARGET static V Min(V a, V b) { return _mm256_min_ps(a, b); }
  CONVKIT_GEMM_TARGET static void Stream(float* p, V v) { _mm256_stream_ps(p, v); }
  CONVKIT_GEMM_TARGET static void Fence() { _mm_sfence(); }
};

using Avx2_6x16 = MicroKernel<YmmT, 6, 2, 256, 144, 4096>;
using Avx2_12x8 = MicroKernel<YmmT, 12, 1, 256, 144, 4096>;

}  // namespace

Variant Avx2Variant(int64_t, int64_t n, int64_t) {
  if (n <= 8) return VariantOf<Avx2_12x8>();
  return VariantOf<Avx2_6x16>();
}

}  // namespace gemm
}  // namespace convkit
#endif
