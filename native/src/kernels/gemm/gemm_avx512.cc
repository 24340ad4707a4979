// AVX-512 GEMM path. The 32 vector registers allow larger tiles than AVX2 (fewer loads per FMA):
// zmm 12×32 (24 accumulators) for wide outputs, zmm 14×16 for n ≤ 16 and ymm 14×8 (ymm16-31
// through AVX512VL) for n ≤ 8. On CPUs with full-width AVX-512 units (Zen 5) zmm doubles the
// AVX2 throughput; on 2×256-bit ones (Zen 4) it is at least no slower.
#if defined(__x86_64__)
#include <immintrin.h>

#define CONVKIT_GEMM_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#include "kernels/gemm/driver.h"

namespace convkit {
namespace gemm {
namespace {

// Max/Min use the maskz forms: the unmasked intrinsics trip a GCC 12 false -Wmaybe-uninitialized.
struct ZmmT {
  using V = __m512;
  static constexpr int W = 16;
  static constexpr bool kBroadcast = true;
  CONVKIT_GEMM_TARGET static V Zero() { return _mm512_setzero_ps(); }
  CONVKIT_GEMM_TARGET static V Set1(float x) { return _mm512_set1_ps(x); }
  CONVKIT_GEMM_TARGET static V Load(const float* p) { return _mm512_loadu_ps(p); }
  CONVKIT_GEMM_TARGET static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  CONVKIT_GEMM_TARGET static V Bcast(const float* p) { return _mm512_set1_ps(*p); }
  CONVKIT_GEMM_TARGET static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  CONVKIT_GEMM_TARGET static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  CONVKIT_GEMM_TARGET static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  CONVKIT_GEMM_TARGET static V Max(V a, V b) { return _mm512_maskz_max_ps(static_cast<__mmask16>(0xFFFF), a, b); }
  CONVKIT_GEMM_TARGET static V Min(V a, V b) { return _mm512_maskz_min_ps(static_cast<__mmask16>(0xFFFF), a, b); }
  CONVKIT_GEMM_TARGET static void Stream(float* p, V v) { _mm512_stream_ps(p, v); }
  CONVKIT_GEMM_TARGET static void Fence() { _mm_sfence(); }
};

struct Ymm32T {
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

using Avx512_12x32 = MicroKernel<ZmmT, 12, 2, 256, 144, 4096>;
using Avx512_14x16 = MicroKernel<ZmmT, 14, 1, 256, 140, 4096>;
using Avx512_14x8 = MicroKernel<Ymm32T, 14, 1, 256, 140, 4096>;

}  // namespace

Variant Avx512Variant(int64_t, int64_t n, int64_t) {
  if (n <= 8) return VariantOf<Avx512_14x8>();
  if (n <= 16) return VariantOf<Avx512_14x16>();
  return VariantOf<Avx512_12x32>();
}

}  // namespace gemm
}  // namespace convkit
#endif
