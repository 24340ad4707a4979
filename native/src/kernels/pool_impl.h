// Pooling kernels written once over a vector trait V (kernels/conv_simd.h), compiled per ISA: each
// per-ISA .cc defines CONVKIT_POOL_TARGET, CONVKIT_POOL_TABLE and CONVKIT_POOL_VEC, then includes
// this file. Each output vector is reduced in registers over its window's cells (listed first as
// offsets) and stored once.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/conv_simd.h"
#include "kernels/pool_internal.h"

#ifndef CONVKIT_POOL_TARGET
#error "define CONVKIT_POOL_TARGET, CONVKIT_POOL_TABLE and CONVKIT_POOL_VEC before including kernels/pool_impl.h"
#endif

namespace convkit {
namespace pool {
namespace {

// Cell offsets (in x) of the clipped window of output pixel (n, oh, ow); returns the count.
inline int WindowCells(const PoolShape& s, int64_t n, int64_t oh, int64_t ow, int64_t* xo) {
  int64_t h0, h1, w0, w1;
  Window(oh, s.sh, s.pt, s.ph, s.h, &h0, &h1);
  Window(ow, s.sw, s.pl, s.pw, s.w, &w0, &w1);
  int cnt = 0;
  for (int64_t h = h0; h < h1; h++)
    for (int64_t w = w0; w < w1; w++) xo[cnt++] = ((n * s.h + h) * s.w + w) * s.c;
  return cnt;
}

// Partial vectors: the first n < W lanes, for the channel tail (C mod W), so small channel counts
// (LeNet's 6, 16 under AVX-512) stay in vector registers instead of a scalar loop per channel.
// Masked-off lanes are never read from or written to memory.
template <class T>
struct Part;

template <>
struct Part<simd::ScalarT> {
  static float Load(const float* p, int) { return *p; }
  static void Store(float* p, int, float v) { *p = v; }
  static bool Eq(float a, float b) { return a == b; }
};

#if defined(__x86_64__)
alignas(32) constexpr int32_t kLaneMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

template <>
struct Part<simd::Avx2T> {
  CONVKIT_SIMD_AVX2 static __m256i Mask(int n) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLaneMask + 8 - n));
  }
  CONVKIT_SIMD_AVX2 static __m256 Load(const float* p, int n) { return _mm256_maskload_ps(p, Mask(n)); }
  CONVKIT_SIMD_AVX2 static void Store(float* p, int n, __m256 v) { _mm256_maskstore_ps(p, Mask(n), v); }
  CONVKIT_SIMD_AVX2 static __m256 Eq(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
};

template <>
struct Part<simd::Avx512T> {
  CONVKIT_SIMD_AVX512 static __mmask16 Mask(int n) { return static_cast<__mmask16>((1u << n) - 1); }
  CONVKIT_SIMD_AVX512 static __m512 Load(const float* p, int n) { return _mm512_maskz_loadu_ps(Mask(n), p); }
  CONVKIT_SIMD_AVX512 static void Store(float* p, int n, __m512 v) { _mm512_mask_storeu_ps(p, Mask(n), v); }
  CONVKIT_SIMD_AVX512 static __mmask16 Eq(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
};
#endif

// Loads/stores W lanes, or only the first `lanes` when the vector is a channel tail.
template <class T, bool Tail>
CONVKIT_POOL_TARGET inline typename T::V LoadL(const float* p, int lanes) {
  if constexpr (Tail) return Part<T>::Load(p, lanes);
  else return T::Load(p);
}
template <class T, bool Tail>
CONVKIT_POOL_TARGET inline void StoreL(float* p, int lanes, typename T::V v) {
  if constexpr (Tail) Part<T>::Store(p, lanes, v);
  else T::Store(p, v);
}

// NaN propagates like the js kernel: `v > m || v is NaN` replaces m, so a NaN once held stays.
template <class T, int U>
CONVKIT_POOL_TARGET inline int64_t MaxCells(const float* x, const int64_t* xo, int nc, float* y, int64_t c, int64_t C) {
  constexpr int64_t kStep = U * T::W;
  for (; c + kStep <= C; c += kStep) {
    typename T::V m[U];
    for (int u = 0; u < U; u++) m[u] = T::Set1(-std::numeric_limits<float>::infinity());
    for (int t = 0; t < nc; t++) {
      const float* xp = x + xo[t] + c;
      for (int u = 0; u < U; u++) {
        const typename T::V v = T::Load(xp + u * T::W);
        m[u] = T::Select(T::Or(T::Gt(v, m[u]), T::IsNan(v)), v, m[u]);
      }
    }
    for (int u = 0; u < U; u++) T::Store(y + c + u * T::W, m[u]);
  }
  return c;
}

// First maximum in scan order: strict > keeps the earlier cell; the first NaN wins and is kept.
template <class T, int U>
CONVKIT_POOL_TARGET inline int64_t ArgmaxCells(const float* x, const int64_t* xo, int nc, int32_t* idx, int64_t c,
                                               int64_t C) {
  constexpr int64_t kStep = U * T::W;
  alignas(64) float tmp[kStep];
  for (; c + kStep <= C; c += kStep) {
    if (nc == 0) {
      for (int64_t j = 0; j < kStep; j++) idx[c + j] = -1;
      continue;
    }
    typename T::V best[U], where[U];
    for (int u = 0; u < U; u++) {
      best[u] = T::Load(x + xo[0] + c + u * T::W);
      where[u] = T::Zero();
    }
    for (int t = 1; t < nc; t++) {
      const float* xp = x + xo[t] + c;
      const typename T::V k = T::Set1(static_cast<float>(t));
      for (int u = 0; u < U; u++) {
        const typename T::V v = T::Load(xp + u * T::W);
        const typename T::M take = T::Or(T::Gt(v, best[u]), T::AndNot(T::IsNan(best[u]), T::IsNan(v)));
        best[u] = T::Select(take, v, best[u]);
        where[u] = T::Select(take, k, where[u]);
      }
    }
    for (int u = 0; u < U; u++) T::Store(tmp + u * T::W, where[u]);
    for (int64_t j = 0; j < kStep; j++) idx[c + j] = static_cast<int32_t>(tmp[j]);
  }
  return c;
}

template <class T, int U>
CONVKIT_POOL_TARGET inline int64_t SumCells(const float* x, const int64_t* xo, int nc, float* y, int64_t c, int64_t C) {
  constexpr int64_t kStep = U * T::W;
  const typename T::V count = T::Set1(static_cast<float>(nc));
  for (; c + kStep <= C; c += kStep) {
    typename T::V a[U];
    for (int u = 0; u < U; u++) a[u] = T::Zero();
    for (int t = 0; t < nc; t++) {
      const float* xp = x + xo[t] + c;
      for (int u = 0; u < U; u++) a[u] = T::Add(a[u], T::Load(xp + u * T::W));
    }
    // A window wholly in the padding averages nothing: 0.
    for (int u = 0; u < U; u++) T::Store(y + c + u * T::W, nc > 0 ? T::Div(a[u], count) : T::Zero());
  }
  return c;
}

// out[c..] = Σ_t dy[yo[t] + c..]·scale[t].
template <class T, int U>
CONVKIT_POOL_TARGET inline int64_t ScaledSum(const float* dy, const int64_t* yo, const float* scale, int nt, float* out,
                                             int64_t c, int64_t C) {
  constexpr int64_t kStep = U * T::W;
  for (; c + kStep <= C; c += kStep) {
    typename T::V a[U];
    for (int u = 0; u < U; u++) a[u] = T::Zero();
    for (int t = 0; t < nt; t++) {
      const float* yp = dy + yo[t] + c;
      const typename T::V sc = T::Set1(scale[t]);
      for (int u = 0; u < U; u++) a[u] = T::Fma(T::Load(yp + u * T::W), sc, a[u]);
    }
    for (int u = 0; u < U; u++) T::Store(out + c + u * T::W, a[u]);
  }
  return c;
}

using V = CONVKIT_POOL_VEC;

CONVKIT_POOL_TARGET void MaxForward(const PoolShape& s, const float* x, float* y, int64_t r0, int64_t r1) {
  std::vector<int64_t> xo(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  for (int64_t r = r0; r < r1; r++) {
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = WindowCells(s, r / s.oh, r % s.oh, ow, xo.data());
      float* yp = y + (r * s.ow + ow) * s.c;
      int64_t c = MaxCells<V, 4>(x, xo.data(), nc, yp, 0, s.c);
      c = MaxCells<V, 1>(x, xo.data(), nc, yp, c, s.c);
      MaxCells<simd::ScalarT, 1>(x, xo.data(), nc, yp, c, s.c);
    }
  }
}

CONVKIT_POOL_TARGET void Argmax(const PoolShape& s, const float* x, int32_t* idx, int64_t r0, int64_t r1) {
  std::vector<int64_t> xo(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  for (int64_t r = r0; r < r1; r++) {
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = WindowCells(s, r / s.oh, r % s.oh, ow, xo.data());
      int32_t* ip = idx + (r * s.ow + ow) * s.c;
      int64_t c = ArgmaxCells<V, 2>(x, xo.data(), nc, ip, 0, s.c);
      c = ArgmaxCells<V, 1>(x, xo.data(), nc, ip, c, s.c);
      ArgmaxCells<simd::ScalarT, 1>(x, xo.data(), nc, ip, c, s.c);
    }
  }
}

CONVKIT_POOL_TARGET void AvgForward(const PoolShape& s, const float* x, float* y, int64_t r0, int64_t r1) {
  std::vector<int64_t> xo(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  for (int64_t r = r0; r < r1; r++) {
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = WindowCells(s, r / s.oh, r % s.oh, ow, xo.data());
      float* yp = y + (r * s.ow + ow) * s.c;
      int64_t c = SumCells<V, 4>(x, xo.data(), nc, yp, 0, s.c);
      c = SumCells<V, 1>(x, xo.data(), nc, yp, c, s.c);
      SumCells<simd::ScalarT, 1>(x, xo.data(), nc, yp, c, s.c);
    }
  }
}

// Output indices whose (unclipped) window [o·stride − pad, o·stride − pad + k) contains i.
inline void CoveringOutputs(int64_t i, int64_t stride, int64_t pad, int64_t k, int64_t out, int64_t* lo, int64_t* hi) {
  const int64_t a = i + pad - k + 1;  // o·stride ≥ a
  *lo = a <= 0 ? 0 : (a + stride - 1) / stride;
  *hi = std::min(out, (i + pad) / stride + 1);
}

CONVKIT_POOL_TARGET void AvgBackprop(const PoolShape& s, const float* dy, float* dx, int64_t r0, int64_t r1) {
  // 1 / (in-bounds cells) per output column and row; a cell's windows are never empty.
  std::vector<int64_t> rows_of(s.oh), cols_of(s.ow);
  for (int64_t o = 0; o < s.oh; o++) {
    int64_t a, b;
    Window(o, s.sh, s.pt, s.ph, s.h, &a, &b);
    rows_of[o] = b - a;
  }
  for (int64_t o = 0; o < s.ow; o++) {
    int64_t a, b;
    Window(o, s.sw, s.pl, s.pw, s.w, &a, &b);
    cols_of[o] = b - a;
  }
  const int64_t most = ((s.ph + s.sh - 1) / s.sh + 1) * ((s.pw + s.sw - 1) / s.sw + 1);
  std::vector<int64_t> yo(most);
  std::vector<float> scale(most);
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.h, ih = r % s.h;
    int64_t oh0, oh1;
    CoveringOutputs(ih, s.sh, s.pt, s.ph, s.oh, &oh0, &oh1);
    for (int64_t iw = 0; iw < s.w; iw++) {
      int64_t ow0, ow1;
      CoveringOutputs(iw, s.sw, s.pl, s.pw, s.ow, &ow0, &ow1);
      int nt = 0;
      for (int64_t oh = oh0; oh < oh1; oh++) {
        for (int64_t ow = ow0; ow < ow1; ow++, nt++) {
          yo[nt] = ((n * s.oh + oh) * s.ow + ow) * s.c;
          scale[nt] = static_cast<float>(1.0 / static_cast<double>(rows_of[oh] * cols_of[ow]));
        }
      }
      float* xp = dx + (r * s.w + iw) * s.c;
      int64_t c = ScaledSum<V, 4>(dy, yo.data(), scale.data(), nt, xp, 0, s.c);
      c = ScaledSum<V, 1>(dy, yo.data(), scale.data(), nt, xp, c, s.c);
      ScaledSum<simd::ScalarT, 1>(dy, yo.data(), scale.data(), nt, xp, c, s.c);
    }
  }
}

}  // namespace

Table CONVKIT_POOL_TABLE() { return {MaxForward, Argmax, AvgForward, AvgBackprop}; }

}  // namespace pool
}  // namespace convkit
