// Depthwise kernels (multiplier 1) written once over a vector trait V (kernels/conv_simd.h) and
// compiled per ISA: each per-ISA .cc defines CONVKIT_DW_TARGET and CONVKIT_DW_TABLE, then includes
// this file. Every output vector is accumulated in registers over all its filter taps and stored
// once; the taps of a pixel are listed first (offsets into the two inputs) so the channel loop runs
// over a flat list whatever the padding, stride or dilation.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/conv_simd.h"
#include "kernels/depthwise_internal.h"
#include "kernels/nontemporal.h"

#ifndef CONVKIT_DW_TARGET
#error "define CONVKIT_DW_TARGET and CONVKIT_DW_TABLE before including kernels/depthwise_impl.h"
#endif

namespace convkit {
namespace dw {
namespace {

// The forward epilogue: per-channel bias folded into the accumulator's start value, and the
// activation applied before the store (sigmoid/tanh, rare after a depthwise conv, go through the
// scalar ApplyAct on the stored values).
struct Epi {
  const float* bias;
  Act act;
  bool stream = false;  // Run3x3 stores non-temporally (see ForwardRows)
};

template <class T>
CONVKIT_DW_TARGET inline typename T::V ClampAct(Act act, typename T::V v) {
  if (act == Act::kRelu || act == Act::kRelu6) {
    // NaN compares false, so it becomes 0 as in ApplyAct.
    v = T::Select(T::Gt(v, T::Zero()), v, T::Zero());
    if (act == Act::kRelu6) v = T::Select(T::Gt(v, T::Set1(6.f)), T::Set1(6.f), v);
  }
  return v;
}

// out[c..] = Σ_t a[ao[t] + c..]·b[bo[t] + c..] for channels [c, cend) in steps of U·W; returns the
// first channel not done.
template <class T, int U>
CONVKIT_DW_TARGET inline int64_t DotTaps(const float* a, const int64_t* ao, const float* b, const int64_t* bo, int nt,
                                         float* out, int64_t c, int64_t cend, Epi e) {
  constexpr int64_t kStep = U * T::W;
  const bool smooth = e.act == Act::kSigmoid || e.act == Act::kTanh;
  for (; c + kStep <= cend; c += kStep) {
    typename T::V acc[U];
    for (int u = 0; u < U; u++) acc[u] = e.bias ? T::Load(e.bias + c + u * T::W) : T::Zero();
    for (int t = 0; t < nt; t++) {
      const float* ap = a + ao[t] + c;
      const float* bp = b + bo[t] + c;
      for (int u = 0; u < U; u++) acc[u] = T::Fma(T::Load(ap + u * T::W), T::Load(bp + u * T::W), acc[u]);
    }
    for (int u = 0; u < U; u++) T::Store(out + c + u * T::W, ClampAct<T>(e.act, acc[u]));
    if (smooth) {
      for (int64_t j = 0; j < kStep; j++) out[c + j] = ApplyAct(e.act, out[c + j]);
    }
  }
  return c;
}

template <class V>
CONVKIT_DW_TARGET inline void DotTapsAll(const float* a, const int64_t* ao, const float* b, const int64_t* bo, int nt,
                                         float* out, int64_t C, Epi e = {nullptr, Act::kLinear}) {
  int64_t c = DotTaps<V, 4>(a, ao, b, bo, nt, out, 0, C, e);
  c = DotTaps<V, 2>(a, ao, b, bo, nt, out, c, C, e);
  c = DotTaps<V, 1>(a, ao, b, bo, nt, out, c, C, e);
  DotTaps<simd::ScalarT, 1>(a, ao, b, bo, nt, out, c, C, e);
}

// 3×3 undilated filters (MobileNet's): U channel vectors at a time, their 9 filter taps held in
// registers across a run of `count` interior pixels of one output row. The loop is kept simple on
// purpose (three row pointers and an output pointer, advanced per pixel): consecutive pixels' FMA
// chains are independent, so the out-of-order core overlaps them, whereas unrolled pixel blocks
// ran out of general registers and spilled their addresses (3-4× slower on 7×7×960 and 56×56×144).
// Each output is still a dependent chain of FMAs and adds, so the loop is bound by latency rather
// than by the FMA or load units: U = 2 (a second, independent channel vector sharing the pixel's row
// pointers) doubles the work in flight; its 18 filter vectors, two biases and six partial sums fit
// AVX-512's 32 registers, not AVX2's 16.
// rows[kh] points at input column iw0 of the run's first pixel, channel 0.
template <class T, int U = 1>
CONVKIT_DW_TARGET inline void Run3x3(const float* const rows[3], int64_t xstep, int64_t count, const float* f,
                                     int64_t C, int64_t c, Epi e, float* y) {
  using V = typename T::V;
  constexpr int64_t W = T::W;
  V g[U][9], bv[U];
  for (int u = 0; u < U; u++) {
    for (int k = 0; k < 9; k++) g[u][k] = T::Load(f + k * C + c + u * W);
    bv[u] = e.bias ? T::Load(e.bias + c + u * W) : T::Zero();
  }
  const float* a0 = rows[0] + c;
  const float* a1 = rows[1] + c;
  const float* a2 = rows[2] + c;
  float* out = y + c;
  const bool smooth = e.act == Act::kSigmoid || e.act == Act::kTanh;
  for (int64_t i = 0; i < count; i++, a0 += xstep, a1 += xstep, a2 += xstep, out += C) {
    // Three partial sums (one per filter row) shorten each dependent chain from 9 FMAs to 3 + 2 adds.
    V a[U], b[U], d[U];
    for (int u = 0; u < U; u++) {
      a[u] = T::Fma(T::Load(a0 + u * W), g[u][0], bv[u]);
      b[u] = T::Mul(T::Load(a1 + u * W), g[u][3]);
      d[u] = T::Mul(T::Load(a2 + u * W), g[u][6]);
    }
    for (int kw = 1; kw < 3; kw++) {
      for (int u = 0; u < U; u++) {
        a[u] = T::Fma(T::Load(a0 + kw * C + u * W), g[u][kw], a[u]);
        b[u] = T::Fma(T::Load(a1 + kw * C + u * W), g[u][3 + kw], b[u]);
        d[u] = T::Fma(T::Load(a2 + kw * C + u * W), g[u][6 + kw], d[u]);
      }
    }
    for (int u = 0; u < U; u++) {
      const V r = ClampAct<T>(e.act, T::Add(T::Add(a[u], b[u]), d[u]));
      if (e.stream) T::Stream(out + u * W, r);
      else T::Store(out + u * W, r);
    }
    if (smooth)
      for (int j = 0; j < U * W; j++) out[j] = ApplyAct(e.act, out[j]);
  }
}

// Channels [0, returned) of a run of interior pixels, two vectors at a time where the registers
// allow it, then one.
template <class T>
CONVKIT_DW_TARGET inline int64_t Run3x3Channels(const float* const rows[3], int64_t xstep, int64_t count,
                                                const float* f, int64_t C, Epi e, float* y) {
  int64_t c = 0;
  if constexpr (T::W >= 16) {
    for (; c + 2 * T::W <= C; c += 2 * T::W) Run3x3<T, 2>(rows, xstep, count, f, C, c, e, y);
  }
  for (; c + T::W <= C; c += T::W) Run3x3<T>(rows, xstep, count, f, C, c, e, y);
  return c;
}

// Interior pixels (every kw tap inside the row) share one tap list per row, with x offsets relative
// to the pixel's first input column; only edge pixels list their clipped taps individually.
template <class V>
CONVKIT_DW_TARGET void ForwardRows(const ConvShape& s, const float* x, const float* f, const float* bias, Act act,
                                   float* y, int64_t r0, int64_t r1) {
  const int64_t C = s.c;
  // A huge output goes out through non-temporal stores (kernels/nontemporal.h): the interior runs
  // store whole aligned vectors when y is vector-aligned and C is whole vectors.
  const bool stream = V::W > 1 && s.n * s.oh * s.ow * C * 4 >= kStreamMinBytes && C % V::W == 0 &&
                      reinterpret_cast<uintptr_t>(y) % (4 * V::W) == 0;
  const Epi e{bias, act, stream};
  std::vector<int64_t> xo(s.kh * s.kw), fo(s.kh * s.kw), xrel(s.kh * s.kw), frel(s.kh * s.kw);
  // ow with 0 <= ow·sw − pl and ow·sw − pl + (KW−1)·dw < W.
  const int64_t in_lo = std::min(s.ow, (s.pl + s.sw - 1) / s.sw);
  const int64_t last = s.w - 1 - (s.kw - 1) * s.dw + s.pl;
  const int64_t in_hi = std::max(in_lo, std::min(s.ow, last >= 0 ? last / s.sw + 1 : 0));
  // 3×3 fast path for the interior columns (SIMD builds only: with the scalar trait the strided
  // channel-at-a-time walk loses to the tap lists); rows above or below the image read a zero row,
  // which adds exact zeros to the sums.
  const bool fast3 = V::W > 1 && s.kh == 3 && s.kw == 3 && s.dh == 1 && s.dw == 1 && in_hi > in_lo;
  std::vector<float> zero_row(fast3 ? s.w * C : 0, 0.f);
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.oh, oh = r % s.oh;
    const int64_t ih0 = oh * s.sh - s.pt;
    int64_t kh0, kh1;
    TapRange(ih0, s.dh, s.kh, s.h, &kh0, &kh1);
    int nfull = 0;
    for (int64_t kh = kh0; kh < kh1; kh++) {
      for (int64_t kw = 0; kw < s.kw; kw++, nfull++) {
        xrel[nfull] = ((ih0 + kh * s.dh) * s.w + kw * s.dw) * C;
        frel[nfull] = (kh * s.kw + kw) * C;
      }
    }
    const float* ximg = x + n * s.h * s.w * C;
    int64_t cdone = 0;
    if (fast3) {
      const int64_t iw_lo = in_lo * s.sw - s.pl;
      const float* rows[3];
      for (int kh = 0; kh < 3; kh++) {
        const int64_t ih = ih0 + kh;
        rows[kh] = (ih >= 0 && ih < s.h ? ximg + ih * s.w * C : zero_row.data()) + iw_lo * C;
      }
      cdone = Run3x3Channels<V>(rows, s.sw * C, in_hi - in_lo, f, C, e, y + (r * s.ow + in_lo) * C);
    }
    for (int64_t ow = 0; ow < s.ow; ow++) {
      const int64_t iw0 = ow * s.sw - s.pl;
      float* out = y + (r * s.ow + ow) * C;
      if (ow >= in_lo && ow < in_hi) {
        if (cdone == 0) {
          DotTapsAll<V>(ximg + iw0 * C, xrel.data(), f, frel.data(), nfull, out, C, e);
        } else if (cdone < C) {
          DotTaps<simd::ScalarT, 1>(ximg + iw0 * C, xrel.data(), f, frel.data(), nfull, out, cdone, C, e);
        }
        continue;
      }
      int64_t kw0, kw1;
      TapRange(iw0, s.dw, s.kw, s.w, &kw0, &kw1);
      int nt = 0;
      for (int64_t kh = kh0; kh < kh1; kh++) {
        const int64_t xrow = (ih0 + kh * s.dh) * s.w;
        for (int64_t kw = kw0; kw < kw1; kw++, nt++) {
          xo[nt] = (xrow + iw0 + kw * s.dw) * C;
          fo[nt] = (kh * s.kw + kw) * C;
        }
      }
      DotTapsAll<V>(ximg, xo.data(), f, fo.data(), nt, out, C, e);
    }
  }
  if (stream) V::Fence();
}

// Gather form: each dx pixel sums dy·f over the windows that read it, so rows are independent.
// Columns whose readers are not clipped by the edges follow one of sw patterns (by the phase
// (iw + pl) mod sw) with dy offsets fixed relative to the pixel; those share a per-row tap list.
template <class V>
CONVKIT_DW_TARGET void BackpropInputRows(const ConvShape& s, const float* dy, const float* f, float* dx, int64_t r0,
                                         int64_t r1) {
  const int64_t C = s.c, KW = s.kw;
  std::vector<int64_t> hk(s.kh), ho(s.kh), wk(s.w * KW), wo(s.w * KW), wn(s.w);
  for (int64_t iw = 0; iw < s.w; iw++) wn[iw] = ReadersOf(iw, s.pl, KW, s.dw, s.sw, s.ow, &wk[iw * KW], &wo[iw * KW]);
  const bool phased = s.sw <= 16;
  const int64_t phases = phased ? s.sw : 0;
  // Per phase q: taps kw with kw·dw ≡ q (mod sw); their ow is (iw + pl − q)/sw + (q − kw·dw)/sw.
  std::vector<int64_t> phase_count(phases, 0);
  for (int64_t kw = 0; kw < KW && phased; kw++) phase_count[(kw * s.dw) % s.sw]++;
  std::vector<int64_t> yo(s.kh * KW), fo(s.kh * KW);
  std::vector<int64_t> prel(phases * s.kh * KW), pfo(phases * s.kh * KW), pn(phases);
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.h, ih = r % s.h;
    const int nh = ReadersOf(ih, s.pt, s.kh, s.dh, s.sh, s.oh, hk.data(), ho.data());
    for (int64_t q = 0; q < phases; q++) {
      int64_t cnt = 0;
      for (int a = 0; a < nh; a++) {
        for (int64_t kw = 0; kw < KW; kw++) {
          if ((kw * s.dw) % s.sw != q) continue;
          prel[q * s.kh * KW + cnt] = ((n * s.oh + ho[a]) * s.ow + (q - kw * s.dw) / s.sw) * C;
          pfo[q * s.kh * KW + cnt] = (hk[a] * KW + kw) * C;
          cnt++;
        }
      }
      pn[q] = cnt;
    }
    for (int64_t iw = 0; iw < s.w; iw++) {
      float* out = dx + (r * s.w + iw) * C;
      if (phased) {
        const int64_t q = (iw + s.pl) % s.sw;
        if (wn[iw] == phase_count[q]) {
          const int64_t base = (iw + s.pl - q) / s.sw;
          DotTapsAll<V>(dy + base * C, &prel[q * s.kh * KW], f, &pfo[q * s.kh * KW], static_cast<int>(pn[q]), out, C);
          continue;
        }
      }
      int nt = 0;
      for (int a = 0; a < nh; a++) {
        const int64_t yrow = (n * s.oh + ho[a]) * s.ow;
        for (int b = 0; b < wn[iw]; b++, nt++) {
          yo[nt] = (yrow + wo[iw * KW + b]) * C;
          fo[nt] = (hk[a] * KW + wk[iw * KW + b]) * C;
        }
      }
      DotTapsAll<V>(dy, yo.data(), f, fo.data(), nt, out, C);
    }
  }
}

// acc[c..] += Σ_i x[i·xs + c..]·dy[i·C + c..] over `count` pixels, summed in float (at most one
// output row) before being added to the float64 accumulator.
template <class T, int U>
CONVKIT_DW_TARGET inline int64_t RowDot(const float* x, int64_t xs, const float* dy, int64_t C, int64_t count,
                                        double* acc, int64_t c) {
  constexpr int64_t kStep = U * T::W;
  alignas(64) float tmp[kStep];
  for (; c + kStep <= C; c += kStep) {
    typename T::V a[U];
    for (int u = 0; u < U; u++) a[u] = T::Zero();
    for (int64_t i = 0; i < count; i++) {
      const float* xp = x + i * xs + c;
      const float* dp = dy + i * C + c;
      for (int u = 0; u < U; u++) a[u] = T::Fma(T::Load(xp + u * T::W), T::Load(dp + u * T::W), a[u]);
    }
    for (int u = 0; u < U; u++) T::Store(tmp + u * T::W, a[u]);
    for (int64_t j = 0; j < kStep; j++) acc[c + j] += tmp[j];
  }
  return c;
}

template <class V>
CONVKIT_DW_TARGET void BackpropFilterRows(const ConvShape& s, const float* x, const float* dy, double* acc, int64_t r0,
                                          int64_t r1) {
  const int64_t C = s.c;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.oh, oh = r % s.oh;
    const float* dyrow = dy + r * s.ow * C;
    for (int64_t kh = 0; kh < s.kh; kh++) {
      const int64_t ih = oh * s.sh - s.pt + kh * s.dh;
      if (ih < 0 || ih >= s.h) continue;
      const float* xrow = x + (n * s.h + ih) * s.w * C;
      for (int64_t kw = 0; kw < s.kw; kw++) {
        // Output columns whose input column ow·sw + off is inside the row.
        const int64_t off = kw * s.dw - s.pl;
        int64_t ow0, ow1;
        TapRange(off, s.sw, s.ow, s.w, &ow0, &ow1);
        if (ow0 >= ow1) continue;
        const float* xp = xrow + (ow0 * s.sw + off) * C;
        const float* dp = dyrow + ow0 * C;
        double* ap = acc + (kh * s.kw + kw) * C;
        int64_t c = RowDot<V, 4>(xp, s.sw * C, dp, C, ow1 - ow0, ap, 0);
        c = RowDot<V, 1>(xp, s.sw * C, dp, C, ow1 - ow0, ap, c);
        RowDot<simd::ScalarT, 1>(xp, s.sw * C, dp, C, ow1 - ow0, ap, c);
      }
    }
  }
}

template <class V>
CONVKIT_DW_TARGET void Row3x3(const float* const rows[3], int64_t stride, int64_t out_w, int64_t C, const float* f,
                              const float* bias, Act act, bool stream, float* y) {
  stream = stream && V::W > 1 && C % V::W == 0 && reinterpret_cast<uintptr_t>(y) % (4 * V::W) == 0;
  int64_t c = V::W > 1 ? Run3x3Channels<V>(rows, stride * C, out_w, f, C, Epi{bias, act, stream}, y) : 0;
  for (; c < C; c++) Run3x3<simd::ScalarT>(rows, stride * C, out_w, f, C, c, Epi{bias, act, false}, y);
  if (stream) V::Fence();
}

}  // namespace

Table CONVKIT_DW_TABLE() {
  return {ForwardRows<CONVKIT_DW_VEC>, BackpropInputRows<CONVKIT_DW_VEC>, BackpropFilterRows<CONVKIT_DW_VEC>,
          Row3x3<CONVKIT_DW_VEC>};
}

}  // namespace dw
}  // namespace convkit
