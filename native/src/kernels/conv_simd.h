// Float vector traits for the direct (non-GEMM) kernels: depthwise convolution and pooling. Each
// per-ISA .cc instantiates the same templates with one of these; ScalarT also serves the channel
// tails (C not a multiple of the vector width) inside the SIMD files. Mask type M is what the
// comparisons return and Select consumes.
#pragma once
#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace convkit {
namespace simd {

struct ScalarT {
  using V = float;
  using M = bool;
  static constexpr int W = 1;
  static V Zero() { return 0.f; }
  static V Set1(float x) { return x; }
  static V Load(const float* p) { return *p; }
  static void Store(float* p, V v) { *p = v; }
  static void Stream(float* p, V v) { *p = v; }
  static void Fence() {}
  static V Fma(V a, V b, V c) { return a * b + c; }
  static V Add(V a, V b) { return a + b; }
  static V Mul(V a, V b) { return a * b; }
  static V Div(V a, V b) { return a / b; }
  static M Gt(V a, V b) { return a > b; }
  static M IsNan(V a) { return a != a; }
  static M Or(M a, M b) { return a || b; }
  static M AndNot(M a, M b) { return !a && b; }  // (not a) and b
  static V Select(M m, V t, V f) { return m ? t : f; }
};

#if defined(__x86_64__)
#define CONVKIT_SIMD_AVX2 __attribute__((target("avx2,fma")))
#define CONVKIT_SIMD_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))

struct Avx2T {
  using V = __m256;
  using M = __m256;
  static constexpr int W = 8;
  CONVKIT_SIMD_AVX2 static V Zero() { return _mm256_setzero_ps(); }
  CONVKIT_SIMD_AVX2 static V Set1(float x) { return _mm256_set1_ps(x); }
  CONVKIT_SIMD_AVX2 static V Load(const float* p) { return _mm256_loadu_ps(p); }
  CONVKIT_SIMD_AVX2 static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  // Non-temporal store (p 32-byte aligned) and the fence that orders such stores before a join.
  CONVKIT_SIMD_AVX2 static void Stream(float* p, V v) { _mm256_stream_ps(p, v); }
  CONVKIT_SIMD_AVX2 static void Fence() { _mm_sfence(); }
  CONVKIT_SIMD_AVX2 static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  CONVKIT_SIMD_AVX2 static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  CONVKIT_SIMD_AVX2 static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  CONVKIT_SIMD_AVX2 static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  CONVKIT_SIMD_AVX2 static M Gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  CONVKIT_SIMD_AVX2 static M IsNan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  CONVKIT_SIMD_AVX2 static M Or(M a, M b) { return _mm256_or_ps(a, b); }
  CONVKIT_SIMD_AVX2 static M AndNot(M a, M b) { return _mm256_andnot_ps(a, b); }
  CONVKIT_SIMD_AVX2 static V Select(M m, V t, V f) { return _mm256_blendv_ps(f, t, m); }
};

struct Avx512T {
  using V = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  CONVKIT_SIMD_AVX512 static V Zero() { return _mm512_setzero_ps(); }
  CONVKIT_SIMD_AVX512 static V Set1(float x) { return _mm512_set1_ps(x); }
  CONVKIT_SIMD_AVX512 static V Load(const float* p) { return _mm512_loadu_ps(p); }
  CONVKIT_SIMD_AVX512 static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  // Non-temporal store (p 64-byte aligned) and the fence that orders such stores before a join.
  CONVKIT_SIMD_AVX512 static void Stream(float* p, V v) { _mm512_stream_ps(p, v); }
  CONVKIT_SIMD_AVX512 static void Fence() { _mm_sfence(); }
  CONVKIT_SIMD_AVX512 static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  CONVKIT_SIMD_AVX512 static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  CONVKIT_SIMD_AVX512 static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  CONVKIT_SIMD_AVX512 static V Div(V a, V b) { return _mm512_div_ps(a, b); }
  CONVKIT_SIMD_AVX512 static M Gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  CONVKIT_SIMD_AVX512 static M IsNan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  CONVKIT_SIMD_AVX512 static M Or(M a, M b) { return static_cast<M>(a | b); }
  CONVKIT_SIMD_AVX512 static M AndNot(M a, M b) { return static_cast<M>(~a & b); }
  CONVKIT_SIMD_AVX512 static V Select(M m, V t, V f) { return _mm512_mask_blend_ps(m, f, t); }
};
#endif

}  // namespace simd
}  // namespace convkit
