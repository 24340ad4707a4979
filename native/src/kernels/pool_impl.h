// Pooling kernels written once over a vector trait V (kernels/conv_simd.h), compiled per ISA: each
// per-ISA .cc defines CONVKIT_POOL_TARGET, CONVKIT_POOL_TABLE and CONVKIT_POOL_VEC, then includes
// this file. Each output vector is reduced in registers over its window's cells (listed first as
// offsets) and stored once.
#include <algorithm>
#include <cstdint>
#include <cstring>
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

// Cell offsets (in x) of the clipped window of output column ow, given the window's input rows
// [h0, h1) of image n (hoisted per output row: the divisions and clipping cost more than a 2×2
// window's work); returns the count.
inline int RowCells(const PoolShape& s, int64_t n, int64_t h0, int64_t h1, int64_t ow, int64_t* xo) {
  int64_t w0, w1;
  Window(ow, s.sw, s.pl, s.pw, s.w, &w0, &w1);
  int cnt = 0;
  for (int64_t h = h0; h < h1; h++)
    for (int64_t w = w0; w < w1; w++) xo[cnt++] = ((n * s.h + h) * s.w + w) * s.c;
  return cnt;
}

// Window rows [*h0, *h1) and image *n of output row r = n·OH + oh.
inline void RowWindow(const PoolShape& s, int64_t r, int64_t* n, int64_t* h0, int64_t* h1) {
  *n = r / s.oh;
  Window(r % s.oh, s.sh, s.pt, s.ph, s.h, h0, h1);
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
// Tail: one partial vector of C − c < W lanes (after the full vectors).
// One step of the js max scan: the later value y wins when greater or NaN.
template <class T>
CONVKIT_POOL_TARGET inline typename T::V MaxFold(typename T::V x, typename T::V y) {
  return T::Select(T::Or(T::Gt(y, x), T::IsNan(y)), y, x);
}

// One step of the argmax scan over (value, cell) pairs: the later pair wins when greater, or NaN
// over a non-NaN.
template <class T>
CONVKIT_POOL_TARGET inline void ArgFold(typename T::V* bx, typename T::V* wx, typename T::V by, typename T::V wy) {
  const typename T::M take = T::Or(T::Gt(by, *bx), T::AndNot(T::IsNan(*bx), T::IsNan(by)));
  *bx = T::Select(take, by, *bx);
  *wx = T::Select(take, wy, *wx);
}

// NC > 0: the window has exactly NC cells (a compile-time count lets the cell loop unroll).
template <class T, int U, bool Tail = false, int NC = 0>
CONVKIT_POOL_TARGET inline int64_t MaxCells(const float* x, const int64_t* xo, int ncells, float* y, int64_t c,
                                            int64_t C) {
  const int nc = NC > 0 ? NC : ncells;
  constexpr int64_t kStep = U * T::W;
  for (; Tail ? c < C : c + kStep <= C; c += kStep) {
    const int lanes = static_cast<int>(C - c);
    typename T::V m[U];
    if constexpr (NC == 4) {
      // The fold is associative, so a tree in scan order gives the same result with half the
      // dependent compare-select latency; starting from cell 0 equals starting from −∞.
      for (int u = 0; u < U; u++) {
        const int64_t o = c + u * T::W;
        const typename T::V a = MaxFold<T>(LoadL<T, Tail>(x + xo[0] + o, lanes), LoadL<T, Tail>(x + xo[1] + o, lanes));
        const typename T::V b = MaxFold<T>(LoadL<T, Tail>(x + xo[2] + o, lanes), LoadL<T, Tail>(x + xo[3] + o, lanes));
        StoreL<T, Tail>(y + o, lanes, MaxFold<T>(a, b));
      }
      continue;
    }
    for (int u = 0; u < U; u++) m[u] = T::Set1(-std::numeric_limits<float>::infinity());
    for (int t = 0; t < nc; t++) {
      const float* xp = x + xo[t] + c;
      for (int u = 0; u < U; u++) {
        const typename T::V v = LoadL<T, Tail>(xp + u * T::W, lanes);
        m[u] = T::Select(T::Or(T::Gt(v, m[u]), T::IsNan(v)), v, m[u]);
      }
    }
    for (int u = 0; u < U; u++) StoreL<T, Tail>(y + c + u * T::W, lanes, m[u]);
  }
  return c;
}

// First maximum in scan order: strict > keeps the earlier cell; the first NaN wins and is kept.
// where[u] receives the window-local cell index (as a float) of each lane's winner.
template <class T, int U, bool Tail, int NC = 0>
CONVKIT_POOL_TARGET inline void ArgmaxVec(const float* x, const int64_t* xo, int ncells, int64_t c, int lanes,
                                          typename T::V* where) {
  const int nc = NC > 0 ? NC : ncells;
  if constexpr (NC == 4) {  // tree in scan order: the fold is associative
    for (int u = 0; u < U; u++) {
      const int64_t o = c + u * T::W;
      typename T::V b0 = LoadL<T, Tail>(x + xo[0] + o, lanes), w0 = T::Zero();
      typename T::V b2 = LoadL<T, Tail>(x + xo[2] + o, lanes), w2 = T::Set1(2.f);
      ArgFold<T>(&b0, &w0, LoadL<T, Tail>(x + xo[1] + o, lanes), T::Set1(1.f));
      ArgFold<T>(&b2, &w2, LoadL<T, Tail>(x + xo[3] + o, lanes), T::Set1(3.f));
      ArgFold<T>(&b0, &w0, b2, w2);
      where[u] = w0;
    }
    return;
  }
  typename T::V best[U];
  for (int u = 0; u < U; u++) {
    best[u] = LoadL<T, Tail>(x + xo[0] + c + u * T::W, lanes);
    where[u] = T::Zero();
  }
  for (int t = 1; t < nc; t++) {
    const float* xp = x + xo[t] + c;
    const typename T::V k = T::Set1(static_cast<float>(t));
    for (int u = 0; u < U; u++) {
      const typename T::V v = LoadL<T, Tail>(xp + u * T::W, lanes);
      const typename T::M take = T::Or(T::Gt(v, best[u]), T::AndNot(T::IsNan(best[u]), T::IsNan(v)));
      best[u] = T::Select(take, v, best[u]);
      where[u] = T::Select(take, k, where[u]);
    }
  }
}

template <class T, int U, bool Tail = false>
CONVKIT_POOL_TARGET inline int64_t ArgmaxCells(const float* x, const int64_t* xo, int nc, int32_t* idx, int64_t c,
                                               int64_t C) {
  constexpr int64_t kStep = U * T::W;
  alignas(64) float tmp[kStep];
  for (; Tail ? c < C : c + kStep <= C; c += kStep) {
    const int lanes = static_cast<int>(Tail ? C - c : kStep);
    if (nc == 0) {
      for (int64_t j = 0; j < lanes; j++) idx[c + j] = -1;
      continue;
    }
    typename T::V where[U];
    ArgmaxVec<T, U, Tail>(x, xo, nc, c, lanes, where);
    for (int u = 0; u < U; u++) T::Store(tmp + u * T::W, where[u]);
    for (int64_t j = 0; j < lanes; j++) idx[c + j] = static_cast<int32_t>(tmp[j]);
  }
  return c;
}

// Non-overlapping windows: every cell of the window gets dy at its lane's first maximum and 0
// elsewhere, written once (no zero-fill, no scatter). dy + 0 turns −0 into +0 like js's 0 + dy.
template <class T, int U, bool Tail = false, int NC = 0>
CONVKIT_POOL_TARGET inline int64_t RouteCells(const float* x, const int64_t* xo, int ncells, const float* dy,
                                              float* dx, int64_t c, int64_t C) {
  const int nc = NC > 0 ? NC : ncells;
  constexpr int64_t kStep = U * T::W;
  for (; Tail ? c < C : c + kStep <= C; c += kStep) {
    const int lanes = static_cast<int>(C - c);
    typename T::V where[U], g[U];
    ArgmaxVec<T, U, Tail, NC>(x, xo, nc, c, lanes, where);
    for (int u = 0; u < U; u++) g[u] = T::Add(LoadL<T, Tail>(dy + c + u * T::W, lanes), T::Zero());
    for (int t = 0; t < nc; t++) {
      const typename T::V k = T::Set1(static_cast<float>(t));
      float* dp = dx + xo[t] + c;
      for (int u = 0; u < U; u++) StoreL<T, Tail>(dp + u * T::W, lanes, T::Select(Part<T>::Eq(where[u], k), g[u], T::Zero()));
    }
  }
  return c;
}

template <class T, int U, bool Tail = false>
CONVKIT_POOL_TARGET inline int64_t SumCells(const float* x, const int64_t* xo, int nc, float* y, int64_t c, int64_t C) {
  constexpr int64_t kStep = U * T::W;
  const typename T::V count = T::Set1(static_cast<float>(nc));
  for (; Tail ? c < C : c + kStep <= C; c += kStep) {
    const int lanes = static_cast<int>(C - c);
    typename T::V a[U];
    for (int u = 0; u < U; u++) a[u] = T::Zero();
    for (int t = 0; t < nc; t++) {
      const float* xp = x + xo[t] + c;
      for (int u = 0; u < U; u++) a[u] = T::Add(a[u], LoadL<T, Tail>(xp + u * T::W, lanes));
    }
    // A window wholly in the padding averages nothing: 0.
    for (int u = 0; u < U; u++) StoreL<T, Tail>(y + c + u * T::W, lanes, nc > 0 ? T::Div(a[u], count) : T::Zero());
  }
  return c;
}

// out[c..] = Σ_t dy[yo[t] + c..]·scale[t].
template <class T, int U, bool Tail = false>
CONVKIT_POOL_TARGET inline int64_t ScaledSum(const float* dy, const int64_t* yo, const float* scale, int nt, float* out,
                                             int64_t c, int64_t C) {
  constexpr int64_t kStep = U * T::W;
  for (; Tail ? c < C : c + kStep <= C; c += kStep) {
    const int lanes = static_cast<int>(C - c);
    typename T::V a[U];
    for (int u = 0; u < U; u++) a[u] = T::Zero();
    for (int t = 0; t < nt; t++) {
      const float* yp = dy + yo[t] + c;
      const typename T::V sc = T::Set1(scale[t]);
      for (int u = 0; u < U; u++) a[u] = T::Fma(LoadL<T, Tail>(yp + u * T::W, lanes), sc, a[u]);
    }
    for (int u = 0; u < U; u++) StoreL<T, Tail>(out + c + u * T::W, lanes, a[u]);
  }
  return c;
}

using V = CONVKIT_POOL_VEC;

CONVKIT_POOL_TARGET void MaxForward(const PoolShape& s, const float* x, float* y, int64_t r0, int64_t r1) {
  std::vector<int64_t> cells(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  int64_t* xo = cells.data();
  for (int64_t r = r0; r < r1; r++) {
    int64_t n, h0, h1;
    RowWindow(s, r, &n, &h0, &h1);
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = RowCells(s, n, h0, h1, ow, xo);
      float* yp = y + (r * s.ow + ow) * s.c;
      if (nc == 4) {  // 2×2 windows, the common case
        int64_t c = MaxCells<V, 4, false, 4>(x, xo, nc, yp, 0, s.c);
        c = MaxCells<V, 1, false, 4>(x, xo, nc, yp, c, s.c);
        MaxCells<V, 1, V::W != 1, 4>(x, xo, nc, yp, c, s.c);
        continue;
      }
      int64_t c = MaxCells<V, 4>(x, xo, nc, yp, 0, s.c);
      c = MaxCells<V, 1>(x, xo, nc, yp, c, s.c);
      MaxCells<V, 1, V::W != 1>(x, xo, nc, yp, c, s.c);
    }
  }
}

CONVKIT_POOL_TARGET void Argmax(const PoolShape& s, const float* x, int32_t* idx, int64_t r0, int64_t r1) {
  std::vector<int64_t> xo(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  for (int64_t r = r0; r < r1; r++) {
    int64_t n, h0, h1;
    RowWindow(s, r, &n, &h0, &h1);
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = RowCells(s, n, h0, h1, ow, xo.data());
      int32_t* ip = idx + (r * s.ow + ow) * s.c;
      int64_t c = ArgmaxCells<V, 2>(x, xo.data(), nc, ip, 0, s.c);
      c = ArgmaxCells<V, 1>(x, xo.data(), nc, ip, c, s.c);
      ArgmaxCells<V, 1, V::W != 1>(x, xo.data(), nc, ip, c, s.c);
    }
  }
}

// Output rows r in [r0, r1) of non-overlapping windows (stride ≥ pool on both axes). Row r owns
// the input rows from its window's start (0 for oh = 0) up to the next window's start (H for the
// last oh), so row ranges partition dx; owned cells outside every window are zeroed here.
CONVKIT_POOL_TARGET void MaxBackpropTiled(const PoolShape& s, const float* dy, const float* x, float* dx, int64_t r0,
                                          int64_t r1) {
  std::vector<int64_t> cells(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  int64_t* xo = cells.data();
  const int64_t row = s.w * s.c;
  // Do the windows cover every column? Then covered rows need no zero-fill.
  bool cover = true;
  int64_t next = 0;
  for (int64_t ow = 0; ow < s.ow; ow++) {
    int64_t a, b;
    Window(ow, s.sw, s.pl, s.pw, s.w, &a, &b);
    if (a != next && b > a) cover = false;
    if (b > a) next = b;
  }
  if (next != s.w) cover = false;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.oh, oh = r % s.oh;
    int64_t h0, h1;
    Window(oh, s.sh, s.pt, s.ph, s.h, &h0, &h1);
    int64_t own0 = 0, own1 = s.h;
    if (oh > 0) own0 = std::min(std::max<int64_t>(oh * s.sh - s.pt, 0), s.h);
    if (oh + 1 < s.oh) own1 = std::min(std::max<int64_t>((oh + 1) * s.sh - s.pt, 0), s.h);
    float* img = dx + n * s.h * row;
    if (h1 <= h0) {
      if (own1 > own0) std::memset(img + own0 * row, 0, sizeof(float) * (own1 - own0) * row);
      continue;
    }
    if (h0 > own0) std::memset(img + own0 * row, 0, sizeof(float) * (h0 - own0) * row);
    if (own1 > h1) std::memset(img + h1 * row, 0, sizeof(float) * (own1 - h1) * row);
    if (!cover) std::memset(img + h0 * row, 0, sizeof(float) * (h1 - h0) * row);
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = RowCells(s, n, h0, h1, ow, xo);
      if (nc == 0) continue;
      const float* dyp = dy + (r * s.ow + ow) * s.c;
      if (nc == 4) {  // 2×2 windows, the common case
        int64_t c = RouteCells<V, 2, false, 4>(x, xo, nc, dyp, dx, 0, s.c);
        c = RouteCells<V, 1, false, 4>(x, xo, nc, dyp, dx, c, s.c);
        RouteCells<V, 1, V::W != 1, 4>(x, xo, nc, dyp, dx, c, s.c);
        continue;
      }
      int64_t c = RouteCells<V, 2>(x, xo, nc, dyp, dx, 0, s.c);
      c = RouteCells<V, 1>(x, xo, nc, dyp, dx, c, s.c);
      RouteCells<V, 1, V::W != 1>(x, xo, nc, dyp, dx, c, s.c);
    }
  }
}

CONVKIT_POOL_TARGET void AvgForward(const PoolShape& s, const float* x, float* y, int64_t r0, int64_t r1) {
  std::vector<int64_t> xo(std::min(s.ph, s.h) * std::min(s.pw, s.w));
  for (int64_t r = r0; r < r1; r++) {
    int64_t n, h0, h1;
    RowWindow(s, r, &n, &h0, &h1);
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int nc = RowCells(s, n, h0, h1, ow, xo.data());
      float* yp = y + (r * s.ow + ow) * s.c;
      int64_t c = SumCells<V, 4>(x, xo.data(), nc, yp, 0, s.c);
      c = SumCells<V, 1>(x, xo.data(), nc, yp, c, s.c);
      SumCells<V, 1, V::W != 1>(x, xo.data(), nc, yp, c, s.c);
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
      ScaledSum<V, 1, V::W != 1>(dy, yo.data(), scale.data(), nt, xp, c, s.c);
    }
  }
}

}  // namespace

Table CONVKIT_POOL_TABLE() { return {MaxForward, Argmax, MaxBackpropTiled, AvgForward, AvgBackprop}; }

}  // namespace pool
}  // namespace convkit
