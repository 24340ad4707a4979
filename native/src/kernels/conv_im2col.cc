#include "kernels/conv_im2col.h"

#include <array>
#include <cstring>
#include <utility>


namespace convkit {
namespace {

struct Pos {
  int64_t n, oh, ow;
};

Pos Decompose(const ConvShape& s, int64_t p) {
  return {p / (s.oh * s.ow), (p / s.ow) % s.oh, p % s.ow};
}

void Advance(const ConvShape& s, Pos* q) {
  if (++q->ow == s.ow) {
    q->ow = 0;
    if (++q->oh == s.oh) {
      q->oh = 0;
      q->n++;
    }
  }
}

// Runs are short (C or KW·C floats, often < 32): fixed-size copies compile to a few vector moves,
// where a memcpy call or a variable-length loop costs more than the copy itself.
template <int N>
inline void CopyFixed(float* dst, const float* src) {
  std::memcpy(dst, src, sizeof(float) * N);
}

template <int N>
inline void AddFixed(float* __restrict dst, const float* __restrict src) {
  for (int i = 0; i < N; i++) dst[i] += src[i];
}

using RunFn = void (*)(float*, const float*);

template <template <int> class Op, int... Ns>
constexpr std::array<RunFn, sizeof...(Ns)> RunTable(std::integer_sequence<int, Ns...>) {
  return {{Op<Ns>::Run...}};
}

template <int N>
struct CopyOp {
  static void Run(float* d, const float* s) { CopyFixed<N>(d, s); }
};
template <int N>
struct AddOp {
  static void Run(float* d, const float* s) { AddFixed<N>(d, s); }
};

constexpr int kFixedRuns = 33;
constexpr auto kCopy = RunTable<CopyOp>(std::make_integer_sequence<int, kFixedRuns>{});
constexpr auto kAdd = RunTable<AddOp>(std::make_integer_sequence<int, kFixedRuns>{});

inline void CopyRun(float* __restrict dst, const float* __restrict src, int64_t len) {
  if (len < kFixedRuns) kCopy[len](dst, src);
  else std::memcpy(dst, src, sizeof(float) * len);
}

inline void ZeroRun(float* dst, int64_t len) {
  for (int64_t i = 0; i < len; i++) dst[i] = 0.f;
}

inline void AddRun(float* __restrict dst, const float* __restrict src, int64_t len) {
  if (len < kFixedRuns) {
    kAdd[len](dst, src);
    return;
  }
  for (int64_t i = 0; i < len; i++) dst[i] += src[i];
}

}  // namespace

namespace {

// KWC > 0: the run length KW·C is that compile-time constant (small-channel first layers, where
// per-run overhead dominates); KWC == 0: any length.
template <int KWC>
void Im2colImpl(const ConvShape& s, const float* x, int64_t p0, int64_t count, float* cols) {
  const int64_t C = s.c, KW = s.kw, kwc = KWC > 0 ? KWC : KW * C, kkc = s.kh * kwc;
  Pos q = Decompose(s, p0);
  for (int64_t r = 0; r < count; r++, Advance(s, &q)) {
    float* row = cols + r * kkc;
    const int64_t ih0 = q.oh * s.sh - s.pt, iw0 = q.ow * s.sw - s.pl;
    // With dilation 1 and the window inside the row, the KW·C values are one contiguous run of x.
    const bool whole = s.dw == 1 && iw0 >= 0 && iw0 + KW <= s.w;
    const float* ximg = x + q.n * s.h * s.w * C;
    for (int64_t kh = 0; kh < s.kh; kh++) {
      float* d = row + kh * kwc;
      const int64_t ih = ih0 + kh * s.dh;
      if (ih < 0 || ih >= s.h) {
        ZeroRun(d, kwc);
        continue;
      }
      const float* xr = ximg + ih * s.w * C;
      if (whole) {
        if (KWC > 0) CopyFixed<KWC>(d, xr + iw0 * C);
        else CopyRun(d, xr + iw0 * C, kwc);
        continue;
      }
      for (int64_t kw = 0; kw < KW; kw++) {
        const int64_t iw = iw0 + kw * s.dw;
        if (iw < 0 || iw >= s.w) ZeroRun(d + kw * C, C);
        else CopyRun(d + kw * C, xr + iw * C, C);
      }
    }
  }
}

using Im2colFn = void (*)(const ConvShape&, const float*, int64_t, int64_t, float*);

template <int... Ns>
constexpr std::array<Im2colFn, sizeof...(Ns)> Im2colTable(std::integer_sequence<int, Ns...>) {
  return {{Im2colImpl<Ns>...}};
}

constexpr auto kIm2col = Im2colTable(std::make_integer_sequence<int, kFixedRuns>{});

}  // namespace

void Im2col(const ConvShape& s, const float* x, int64_t p0, int64_t count, float* cols) {
  const int64_t kwc = s.kw * s.c;
  kIm2col[kwc < kFixedRuns ? kwc : 0](s, x, p0, count, cols);
}

namespace {

template <int KWC>
void Col2imImpl(const ConvShape& s, const float* cols, int64_t p0, int64_t count, float* dx, int64_t row0,
                int64_t row1) {
  const int64_t C = s.c, KW = s.kw, kwc = KWC > 0 ? KWC : KW * C, kkc = s.kh * kwc;
  Pos q = Decompose(s, p0);
  for (int64_t r = 0; r < count; r++, Advance(s, &q)) {
    const float* row = cols + r * kkc;
    const int64_t ih0 = q.oh * s.sh - s.pt, iw0 = q.ow * s.sw - s.pl;
    const bool whole = s.dw == 1 && iw0 >= 0 && iw0 + KW <= s.w;
    for (int64_t kh = 0; kh < s.kh; kh++) {
      const int64_t ih = ih0 + kh * s.dh;
      const int64_t g = q.n * s.h + ih;
      if (ih < 0 || ih >= s.h || g < row0 || g >= row1) continue;
      const float* src = row + kh * kwc;
      float* xr = dx + g * s.w * C;
      if (whole) {
        // Through the table, not inlined: inlined fixed-size adds measured slower here (the
        // overlapping windows of consecutive positions chain their loads and stores).
        AddRun(xr + iw0 * C, src, kwc);
        continue;
      }
      for (int64_t kw = 0; kw < KW; kw++) {
        const int64_t iw = iw0 + kw * s.dw;
        if (iw >= 0 && iw < s.w) AddRun(xr + iw * C, src + kw * C, C);
      }
    }
  }
}

using Col2imFn = void (*)(const ConvShape&, const float*, int64_t, int64_t, float*, int64_t, int64_t);

template <int... Ns>
constexpr std::array<Col2imFn, sizeof...(Ns)> Col2imTable(std::integer_sequence<int, Ns...>) {
  return {{Col2imImpl<Ns>...}};
}

constexpr auto kCol2im = Col2imTable(std::make_integer_sequence<int, kFixedRuns>{});

}  // namespace

void Col2imRows(const ConvShape& s, const float* cols, int64_t p0, int64_t count, float* dx, int64_t row0,
                int64_t row1) {
  const int64_t kwc = s.kw * s.c;
  kCol2im[kwc < kFixedRuns ? kwc : 0](s, cols, p0, count, dx, row0, row1);
}

}  // namespace convkit
