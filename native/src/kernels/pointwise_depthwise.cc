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

bool ProjectionApplies(const ConvShape& dw, const ConvShape& proj) {
  return proj.Pointwise() && proj.n == dw.n && proj.h == dw.oh && proj.w == dw.ow && proj.c == dw.oc;
}

namespace {

// Depthwise rows gathered for one projection GEMM: enough pixels to keep the micro-kernel's rows busy.
constexpr int64_t kProjectMinPixels = 160;

// z rows [oh0, oh1) of image n from the depthwise rows in `rows` (contiguous, ow·C floats each).
void Project(const Projection& p, int64_t n, int64_t oh0, int64_t oh1, const float* rows, float* z, int64_t out_bytes) {
  const int64_t ow = p.s.w, oc = p.s.oc;
  const int64_t m = (oh1 - oh0) * ow;
  float* zr = z + (n * p.s.h + oh0) * ow * oc;
  if (p.residual && p.residual != z) std::copy(p.residual + (zr - z), p.residual + (zr - z) + m * oc, zr);
  const float beta = p.residual ? 1.f : 0.f;
  const GemmEpilogue epi{p.b3, p.act3, out_bytes};
  if (p.packed_w3) SgemmPackedB(m, rows, p.s.c, *p.packed_w3, beta, zr, oc, epi);
  else Sgemm(false, false, m, oc, p.s.c, 1.f, rows, p.s.c, p.w3, oc, beta, zr, oc, epi);
}

}  // namespace

void PointwiseDepthwiseForward(const ConvShape& pw, const ConvShape& d, const float* x, const float* w1,
                               const float* b1, Act act1, const float* w2, const float* b2, Act act2, float* y,
                               const PackedB* packed_w1, const Projection* proj) {
  const dw::Table table = dw::ActiveTable();
  const int64_t C = d.c, H = d.h, W = d.w, cin = pw.c;
  // Ring rows carry the horizontal zero padding, so every output column reads three full taps.
  const int64_t row_floats = (d.pl + W + d.pr) * C;
  constexpr int64_t kRing = 4;  // rows ih0 … ih0+2 of the current output row survive computing ih0+3 (stride ≤ 2)
  const int nt = NumThreads();
  // Whole images per task when there are enough; otherwise bands of output rows (a band recomputes
  // at most two expanded rows of its neighbour's).
  const int64_t bands = d.n >= nt ? 1 : std::min<int64_t>(d.oh, (nt + d.n - 1) / d.n);
  const bool stream = !proj && d.n * d.oh * d.ow * C * 4 >= kStreamMinBytes;
  const int64_t out_bytes = proj ? proj->s.n * proj->s.h * proj->s.w * proj->s.oc * 4 : 0;
  // Output rows gathered per projection GEMM.
  const int64_t group = proj ? std::max<int64_t>(1, (kProjectMinPixels + d.ow - 1) / d.ow) : 1;
  ParallelFor(d.n * bands, 1, [&](int64_t t0, int64_t t1) {
    float* ring = Scratch(kScratchTemp, static_cast<size_t>((kRing + 1) * row_floats + (proj ? group * d.ow * C : 0)));
    float* zero = ring + kRing * row_floats;
    float* dw_rows = zero + row_floats;  // the depthwise rows awaiting projection
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
          else if (w1) Sgemm(false, false, W, C, cin, 1.f, xrow, cin, w1, C, 0.f, slot, C, GemmEpilogue{b1, act1});
          else std::copy(xrow, xrow + W * C, slot);  // no expansion: the depthwise reads x itself
        }
        have = std::max(have, need);
        const float* rows[3];
        for (int64_t kh = 0; kh < 3; kh++) {
          const int64_t ih = ih0 + kh;
          rows[kh] = ih >= 0 && ih < H ? ring + (ih % kRing) * row_floats : zero;
        }
        if (!proj) {
          table.row3x3(rows, d.sw, d.ow, C, w2, b2, act2, stream, y + (n * d.oh + oh) * d.ow * C);
          continue;
        }
        const int64_t g0 = oh0 + (oh - oh0) / group * group;  // first row of this projection group
        table.row3x3(rows, d.sw, d.ow, C, w2, b2, act2, false, dw_rows + (oh - g0) * d.ow * C);
        if (oh + 1 == oh1 || oh + 1 - g0 == group) Project(*proj, n, g0, oh + 1, dw_rows, y, out_bytes);
      }
    }
  });
}

}  // namespace convkit
