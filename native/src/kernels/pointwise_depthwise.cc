#include "kernels/pointwise_depthwise.h"

#include <algorithm>

#include "common/parallel.h"
#include "common/scratch.h"
#include "kernels/depthwise_internal.h"
#include "kernels/gemm.h"
#include "kernels/nontemporal.h"

namespace convkit {

bool PointwiseDepthwiseApplies(const ConvShape& pw, const ConvShape& dw) {
  return pw.Pointwise() && dw.kh == 3 && dw.kw == 3 && dw.dh == 1 && dw.dw == 1 && dw.m == 1 && dw.sh == dw.sw &&
         dw.sh <= 2 && dw.n == pw.n && dw.h == pw.oh && dw.w == pw.ow && dw.c == pw.oc && dw.pl <= 2 && dw.pr <= 2;
}

void PointwiseDepthwiseForward(const ConvShape& pw, const ConvShape& d, const float* x, const float* w1,
                               const float* b1, Act act1, const float* w2, const float* b2, Act act2, float* y,
                               const PackedB* packed_w1) {
  const dw::Table table = dw::ActiveTable();
  const int64_t C = d.c, H = d.h, W = d.w, cin = pw.c;
  // Ring rows carry the horizontal zero padding, so every output column reads three full taps.
  const int64_t row_floats = (d.pl + W + d.pr) * C;
  constexpr int64_t kRing = 4;  // rows ih0 … ih0+2 of the current output row survive computing ih0+3 (stride ≤ 2)
  const int nt = NumThreads();
  // Whole images per task when there are enough; otherwise bands of output rows (a band recomputes
  // at most two expanded rows of its neighbour's).
  const int64_t bands = d.n >= nt ? 1 : std::min<int64_t>(d.oh, (nt + d.n - 1) / d.n);
  const bool stream = d.n * d.oh * d.ow * C * 4 >= kStreamMinBytes;
  ParallelFor(d.n * bands, 1, [&](int64_t t0, int64_t t1) {
    float* ring = Scratch(kScratchTemp, static_cast<size_t>((kRing + 1) * row_floats));
    float* zero = ring + kRing * row_floats;
    std::fill(zero, zero + row_floats, 0.f);
    for (int64_t r = 0; r < kRing; r++) {
      float* slot = ring + r * row_floats;
      std::fill(slot, slot + d.pl * C, 0.f);
      std::fill(slot + (d.pl + W) * C, slot + row_floats, 0.f);
    }
    for (int64_t task = t0; task < t1; task++) {
      const int64_t n = task / bands, band = task % bands;
      const int64_t oh0 = d.oh * band / bands, oh1 = d.oh * (band + 1) / bands;
      int64_t have = 0;  // expanded rows below `have` are done (the last kRing of them kept)
      for (int64_t oh = oh0; oh < oh1; oh++) {
        const int64_t ih0 = oh * d.sh - d.pt;
        const int64_t need = std::min(H, ih0 + 3);
        for (int64_t ih = std::max({have, ih0, int64_t(0)}); ih < need; ih++) {
          float* slot = ring + (ih % kRing) * row_floats + d.pl * C;
          const float* xrow = x + (n * H + ih) * W * cin;
          if (packed_w1) SgemmPackedB(W, xrow, cin, *packed_w1, 0.f, slot, C, GemmEpilogue{b1, act1});
          else Sgemm(false, false, W, C, cin, 1.f, xrow, cin, w1, C, 0.f, slot, C, GemmEpilogue{b1, act1});
        }
        have = std::max(have, need);
        const float* rows[3];
        for (int64_t kh = 0; kh < 3; kh++) {
          const int64_t ih = ih0 + kh;
          rows[kh] = ih >= 0 && ih < H ? ring + (ih % kRing) * row_floats : zero;
        }
        table.row3x3(rows, d.sw, d.ow, C, w2, b2, act2, stream, y + (n * d.oh + oh) * d.ow * C);
      }
    }
  });
}

}  // namespace convkit
