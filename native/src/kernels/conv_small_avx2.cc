// AVX2 direct small convolution: OC ≤ 8, one ymm per position (OC ≤ 16: two).
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
  // 8 positions per group: 25 filter rows do not fit 16 ymm registers, so each row is loaded once
  // per group and more positions share that load.
  static constexpr int kGroup = 8;
  static constexpr int W = 8;
  // forward_wide: two accumulators per position, 6 positions (+ a filter pair and a broadcast) fill the registers.
  static constexpr int kWideGroup = 6;
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
  // ApplyAct's `v > 0 ? v : 0` (NaN and −0 give +0), then `< 6 ? · : 6` for relu6.
  CONVKIT_CS_TARGET static V Activate(Act a, V v) {
    if (a != Act::kRelu && a != Act::kRelu6) return v;
    const V r = _mm256_and_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ), v);
    if (a == Act::kRelu) return r;
    const V six = _mm256_set1_ps(6.f);
    return _mm256_blendv_ps(six, r, _mm256_cmp_ps(r, six, _CMP_LT_OQ));
  }
};
}  // namespace
}  // namespace conv_small
}  // namespace convkit

#define CONVKIT_CS_TABLE Avx2Table
#define CONVKIT_CS_TRAIT K256
#include "kernels/conv_small_impl.h"
#endif
