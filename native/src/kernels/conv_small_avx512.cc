// AVX-512 direct small convolution: OC ≤ 16, one zmm per position (OC ≤ 32: two).
#if defined(__x86_64__)
#include <immintrin.h>

#include "common/activation.h"

#define CONVKIT_CS_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

namespace convkit {
namespace conv_small {
namespace {
struct K512 {
  using V = __m512;
  static constexpr int kGroup = 4;
  static constexpr int W = 16;
  // forward_wide: two accumulators per position, 12 positions (+ a filter pair and a broadcast) fill the registers.
  static constexpr int kWideGroup = 12;
  CONVKIT_CS_TARGET static V Zero() { return _mm512_setzero_ps(); }
  CONVKIT_CS_TARGET static V Set1(float v) { return _mm512_set1_ps(v); }
  CONVKIT_CS_TARGET static V Load(const float* p) { return _mm512_loadu_ps(p); }
  CONVKIT_CS_TARGET static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  CONVKIT_CS_TARGET static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  CONVKIT_CS_TARGET static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  CONVKIT_CS_TARGET static __mmask16 Mask(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  CONVKIT_CS_TARGET static V LoadN(const float* p, int n) { return _mm512_maskz_loadu_ps(Mask(n), p); }
  CONVKIT_CS_TARGET static void StoreN(float* p, int n, V v) { _mm512_mask_storeu_ps(p, Mask(n), v); }
  // ApplyAct's `v > 0 ? v : 0` (NaN and −0 give +0), then `< 6 ? · : 6` for relu6.
  CONVKIT_CS_TARGET static V Activate(Act a, V v) {
    if (a != Act::kRelu && a != Act::kRelu6) return v;
    const V r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ), v);
    if (a == Act::kRelu) return r;
    const V six = _mm512_set1_ps(6.f);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(r, six, _CMP_LT_OQ), six, r);
  }
};
}  // namespace
}  // namespace conv_small
}  // namespace convkit

#define CONVKIT_CS_TABLE Avx512Table
#define CONVKIT_CS_TRAIT K512
#include "kernels/conv_small_impl.h"
#endif
