// AVX2 direct small convolution: OC ≤ 8, one ymm per position.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>

#include "common/activation.h"

#define CONVKIT_CS_TARGET __attribute__((target("avx2,fma")))

namespace convkit {
namespace conv_small {
namespace {
struct K256 {
  using V = __m256;
  static constexpr int W = 8;
  CONVKIT_CS_TARGET static V Zero() { return _mm256_setzero_ps(); }
  CONVKIT_CS_TARGET static V Set1(float v) { return _mm256_set1_ps(v); }
  CONVKIT_CS_TARGET static V Load(const float* p) { return _mm256_loadu_ps(p); }
  CONVKIT_CS_TARGET static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  CONVKIT_CS_TARGET static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  CONVKIT_CS_TARGET static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  CONVKIT_CS_TARGET static __m256i Mask(int n) {
    alignas(32) static const int32_t kLanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLanes + 8 - n));
  }
  CONVKIT_CS_TARGET static V LoadN(const float* p, int n) { return _mm256_maskload_ps(p, Mask(n)); }
  CONVKIT_CS_TARGET static void StoreN(float* p, int n, V v) { _mm256_maskstore_ps(p, Mask(n), v); }
  // max(v, 0) returns the 0 for NaN and for −0, like ApplyAct's `v > 0 ? v : 0`.
  CONVKIT_CS_TARGET static V Act(Act a, V v) {
    if (a == Act::kRelu) return _mm256_max_ps(v, _mm256_setzero_ps());
    if (a == Act::kRelu6) return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(6.f));
    return v;
  }
};
}  // namespace
}  // namespace conv_small
}  // namespace convkit

#define CONVKIT_CS_TABLE Avx2Table
#define CONVKIT_CS_TRAIT K256
#include "kernels/conv_small_impl.h"
#endif
