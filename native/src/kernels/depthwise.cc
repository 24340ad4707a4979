// Dispatch (ISA, threading) for the depthwise kernels, and the scalar path for channel
// multipliers above 1, which MobileNet-style models do not use.
#include "kernels/depthwise.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/cpu.h"
#include "common/parallel.h"
#include "kernels/depthwise_internal.h"

namespace convkit {

dw::Table dw::ActiveTable() {
#if defined(__x86_64__)
  switch (ActiveIsa()) {
    case Isa::kAvx512: return dw::Avx512Table();
    case Isa::kAvx2: return dw::Avx2Table();
    default: break;
  }
#endif
  return dw::GenericTable();
}

namespace {

// Rows per ParallelFor chunk so each chunk carries at least ~64K multiply-adds.
int64_t Grain(int64_t per_row) { return std::max<int64_t>(1, 65536 / std::max<int64_t>(per_row, 1)); }

void ForwardRowsM(const ConvShape& s, const float* x, const float* f, const float* bias, Act act, float* y, int64_t r0,
                  int64_t r1) {
  const int64_t C = s.c, M = s.m, CM = C * M;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.oh, oh = r % s.oh, ih0 = oh * s.sh - s.pt;
    int64_t kh0, kh1;
    dw::TapRange(ih0, s.dh, s.kh, s.h, &kh0, &kh1);
    for (int64_t ow = 0; ow < s.ow; ow++) {
      float* yp = y + (r * s.ow + ow) * CM;
      if (bias) {
        std::copy(bias, bias + CM, yp);
      } else {
        std::fill(yp, yp + CM, 0.f);
      }
      const int64_t iw0 = ow * s.sw - s.pl;
      int64_t kw0, kw1;
      dw::TapRange(iw0, s.dw, s.kw, s.w, &kw0, &kw1);
      for (int64_t kh = kh0; kh < kh1; kh++) {
        for (int64_t kw = kw0; kw < kw1; kw++) {
          const float* xp = x + ((n * s.h + ih0 + kh * s.dh) * s.w + iw0 + kw * s.dw) * C;
          const float* fp = f + (kh * s.kw + kw) * CM;
          for (int64_t c = 0; c < C; c++) {
            const float v = xp[c];
            for (int64_t m = 0; m < M; m++) yp[c * M + m] += v * fp[c * M + m];
          }
        }
      }
      if (act != Act::kLinear) {
        for (int64_t j = 0; j < CM; j++) yp[j] = ApplyAct(act, yp[j]);
      }
    }
  }
}

void BackpropInputRowsM(const ConvShape& s, const float* dy, const float* f, float* dx, int64_t r0, int64_t r1) {
  const int64_t C = s.c, M = s.m, CM = C * M;
  std::vector<int64_t> hk(s.kh), ho(s.kh), wk(s.kw), wo(s.kw);
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.h, ih = r % s.h;
    const int nh = dw::ReadersOf(ih, s.pt, s.kh, s.dh, s.sh, s.oh, hk.data(), ho.data());
    for (int64_t iw = 0; iw < s.w; iw++) {
      float* xp = dx + (r * s.w + iw) * C;
      std::fill(xp, xp + C, 0.f);
      const int nw = dw::ReadersOf(iw, s.pl, s.kw, s.dw, s.sw, s.ow, wk.data(), wo.data());
      for (int a = 0; a < nh; a++) {
        for (int b = 0; b < nw; b++) {
          const float* yp = dy + ((n * s.oh + ho[a]) * s.ow + wo[b]) * CM;
          const float* fp = f + (hk[a] * s.kw + wk[b]) * CM;
          for (int64_t c = 0; c < C; c++) {
            float sum = 0.f;
            for (int64_t m = 0; m < M; m++) sum += yp[c * M + m] * fp[c * M + m];
            xp[c] += sum;
          }
        }
      }
    }
  }
}

void BackpropFilterRowsM(const ConvShape& s, const float* x, const float* dy, double* acc, int64_t r0, int64_t r1) {
  const int64_t C = s.c, M = s.m, CM = C * M;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t n = r / s.oh, oh = r % s.oh;
    for (int64_t kh = 0; kh < s.kh; kh++) {
      const int64_t ih = oh * s.sh - s.pt + kh * s.dh;
      if (ih < 0 || ih >= s.h) continue;
      for (int64_t kw = 0; kw < s.kw; kw++) {
        const int64_t off = kw * s.dw - s.pl;
        int64_t ow0, ow1;
        dw::TapRange(off, s.sw, s.ow, s.w, &ow0, &ow1);
        double* ap = acc + (kh * s.kw + kw) * CM;
        for (int64_t ow = ow0; ow < ow1; ow++) {
          const float* xp = x + ((n * s.h + ih) * s.w + ow * s.sw + off) * C;
          const float* yp = dy + (r * s.ow + ow) * CM;
          for (int64_t c = 0; c < C; c++) {
            const double v = xp[c];
            for (int64_t m = 0; m < M; m++) ap[c * M + m] += v * yp[c * M + m];
          }
        }
      }
    }
  }
}

}  // namespace

void DepthwiseForward(const ConvShape& s, const float* x, const float* filter, float* y, const float* bias, Act act) {
  auto fn = s.m == 1 ? dw::ActiveTable().forward : ForwardRowsM;
  ParallelFor(s.n * s.oh, Grain(s.ow * s.oc * s.kh * s.kw),
              [&](int64_t b, int64_t e) { fn(s, x, filter, bias, act, y, b, e); });
}

void DepthwiseBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx) {
  auto fn = s.m == 1 ? dw::ActiveTable().backprop_input : BackpropInputRowsM;
  // Per input row, about KH·KW/(sh·sw) taps reach each pixel.
  const int64_t per_row = s.w * s.oc * std::max<int64_t>(1, s.kh * s.kw / (s.sh * s.sw));
  ParallelFor(s.n * s.h, Grain(per_row), [&](int64_t b, int64_t e) { fn(s, dy, filter, dx, b, e); });
}

void DepthwiseBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* df) {
  auto fn = s.m == 1 ? dw::ActiveTable().backprop_filter : BackpropFilterRowsM;
  const int64_t rows = s.n * s.oh;
  const size_t fsize = static_cast<size_t>(s.kh * s.kw * s.oc);
  const int64_t grain = Grain(s.ow * s.oc * s.kh * s.kw);
  const int tasks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(NumThreads(), rows / grain)));
  std::vector<double> acc(fsize * tasks, 0.0);
  ParallelRun(tasks, [&](int t, int tn) {
    fn(s, x, dy, acc.data() + t * fsize, rows * t / tn, rows * (t + 1) / tn);
  });
  ParallelFor(static_cast<int64_t>(fsize), 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double v = acc[i];
      for (int t = 1; t < tasks; t++) v += acc[t * fsize + i];
      df[i] = static_cast<float>(v);
    }
  });
}

}  // namespace convkit
