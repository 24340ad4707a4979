// Dispatch (ISA, threading) for pooling. Max-pool backprop with non-overlapping windows (stride ≥
// pool, the usual 2×2/2) is one pass over output rows that writes every dx cell exactly once.
// Overlapping windows run in two passes so both can be threaded without write races: the argmax of every window (independent per output), then the
// scatter of dy split by bands of input rows, each thread adding only into cells of its band. Within
// a band the windows are visited in the js order, so each dx cell receives the same float
// additions in the same order.
#include "kernels/pool.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/cpu.h"
#include "common/parallel.h"
#include "kernels/pool_internal.h"

namespace convkit {
namespace {

pool::Table ActiveTable() {
#if defined(__x86_64__)
  switch (ActiveIsa()) {
    case Isa::kAvx512: {
      // The max kernels are compare/select chains; with AVX-512 those go through mask registers
      // (cmp → k, kor, masked blend), which measured 15–30% slower on Zen 4 than the AVX2 form
      // (cmp → ymm, or, blendv) at every channel count tried (6, 8, 16, 32, 64). Averages are
      // plain adds and keep the wider vectors.
      pool::Table t = pool::Avx512Table();
      const pool::Table narrow = pool::Avx2Table();
      t.max_forward = narrow.max_forward;
      t.argmax = narrow.argmax;
      t.max_backprop_tiled = narrow.max_backprop_tiled;
      return t;
    }
    case Isa::kAvx2: return pool::Avx2Table();
    default: break;
  }
#endif
  return pool::GenericTable();
}

int64_t Grain(int64_t per_row) { return std::max<int64_t>(1, 65536 / std::max<int64_t>(per_row, 1)); }

void ScatterBand(const PoolShape& s, const float* dy, const int32_t* idx, float* dx, int64_t g0, int64_t g1) {
  const int64_t C = s.c;
  for (int64_t n = g0 / s.h; n < s.n && n * s.h < g1; n++) {
    for (int64_t oh = 0; oh < s.oh; oh++) {
      int64_t h0, h1;
      pool::Window(oh, s.sh, s.pt, s.ph, s.h, &h0, &h1);
      if (n * s.h + h1 <= g0 || n * s.h + h0 >= g1) continue;
      for (int64_t ow = 0; ow < s.ow; ow++) {
        int64_t w0, w1;
        pool::Window(ow, s.sw, s.pl, s.pw, s.w, &w0, &w1);
        const int64_t ww = w1 - w0;
        const int64_t o = ((n * s.oh + oh) * s.ow + ow) * C;
        for (int64_t c = 0; c < C; c++) {
          const int32_t k = idx[o + c];
          if (k < 0) continue;
          const int64_t g = n * s.h + h0 + k / ww;
          if (g < g0 || g >= g1) continue;
          dx[(g * s.w + w0 + k % ww) * C + c] += dy[o + c];
        }
      }
    }
  }
}

}  // namespace

void MaxPoolForward(const PoolShape& s, const float* x, float* y) {
  auto fn = ActiveTable().max_forward;
  ParallelFor(s.n * s.oh, Grain(s.ow * s.c * s.ph * s.pw), [&](int64_t b, int64_t e) { fn(s, x, y, b, e); });
}

void MaxPoolBackprop(const PoolShape& s, const float* dy, const float* x, float* dx) {
  if (s.sh >= s.ph && s.sw >= s.pw) {
    // Non-overlapping windows: one pass, each dx cell written once by the output row that owns it.
    auto tiled = ActiveTable().max_backprop_tiled;
    ParallelFor(s.n * s.oh, Grain(s.sh * s.w * s.c * 2),
                [&](int64_t b, int64_t e) { tiled(s, dy, x, dx, b, e); });
    return;
  }
  auto fn = ActiveTable().argmax;
  static thread_local std::vector<int32_t> idx_buf;
  const size_t outs = static_cast<size_t>(s.n * s.oh * s.ow * s.c);
  if (idx_buf.size() < outs) idx_buf.resize(outs);
  int32_t* idx = idx_buf.data();
  ParallelFor(s.n * s.oh, Grain(s.ow * s.c * s.ph * s.pw), [&](int64_t b, int64_t e) { fn(s, x, idx, b, e); });
  const int64_t rows = s.n * s.h;
  ParallelFor(rows, Grain(s.w * s.c * 4), [&](int64_t b, int64_t e) {
    std::memset(dx + b * s.w * s.c, 0, sizeof(float) * (e - b) * s.w * s.c);
    ScatterBand(s, dy, idx, dx, b, e);
  });
}

void AvgPoolForward(const PoolShape& s, const float* x, float* y) {
  auto fn = ActiveTable().avg_forward;
  ParallelFor(s.n * s.oh, Grain(s.ow * s.c * s.ph * s.pw), [&](int64_t b, int64_t e) { fn(s, x, y, b, e); });
}

void AvgPoolBackprop(const PoolShape& s, const float* dy, float* dx) {
  auto fn = ActiveTable().avg_backprop;
  const int64_t per_row = s.w * s.c * std::max<int64_t>(1, s.ph * s.pw / (s.sh * s.sw));
  ParallelFor(s.n * s.h, Grain(per_row), [&](int64_t b, int64_t e) { fn(s, dy, dx, b, e); });
}

}  // namespace convkit
