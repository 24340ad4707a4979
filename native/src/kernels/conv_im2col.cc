#include "kernels/conv_im2col.h"


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

// Runs are short (C or KW·C floats, often < 16): an inline loop beats a memcpy call.
inline void CopyRun(float* __restrict dst, const float* __restrict src, int64_t len) {
  for (int64_t i = 0; i < len; i++) dst[i] = src[i];
}

inline void ZeroRun(float* dst, int64_t len) {
  for (int64_t i = 0; i < len; i++) dst[i] = 0.f;
}

inline void AddRun(float* __restrict dst, const float* __restrict src, int64_t len) {
  for (int64_t i = 0; i < len; i++) dst[i] += src[i];
}

}  // namespace

void Im2col(const ConvShape& s, const float* x, int64_t p0, int64_t count, float* cols) {
  const int64_t C = s.c, KW = s.kw, kwc = KW * C, kkc = s.Kkc();
  Pos q = Decompose(s, p0);
  for (int64_t r = 0; r < count; r++, Advance(s, &q)) {
    float* row = cols + r * kkc;
    const int64_t ih0 = q.oh * s.sh - s.pt, iw0 = q.ow * s.sw - s.pl;
    // With dilation 1 and the window inside the row, the KW·C values are one contiguous run of x.
    const bool whole = s.dw == 1 && iw0 >= 0 && iw0 + KW <= s.w;
    for (int64_t kh = 0; kh < s.kh; kh++) {
      float* d = row + kh * kwc;
      const int64_t ih = ih0 + kh * s.dh;
      if (ih < 0 || ih >= s.h) {
        ZeroRun(d, kwc);
        continue;
      }
      const float* xr = x + (q.n * s.h + ih) * s.w * C;
      if (whole) {
        CopyRun(d, xr + iw0 * C, kwc);
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

void Col2imRows(const ConvShape& s, const float* cols, int64_t p0, int64_t count, float* dx, int64_t row0,
                int64_t row1) {
  const int64_t C = s.c, KW = s.kw, kwc = KW * C, kkc = s.Kkc();
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

}  // namespace convkit
