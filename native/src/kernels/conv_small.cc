// Dispatch and threading of the direct small convolution. Forward splits output rows over the
// pool; the filter gradient gives each thread its own partial sum, added in thread order at the end.
#include "kernels/conv_small.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/cpu.h"
#include "common/parallel.h"
#include "kernels/conv_small_internal.h"

namespace convkit {
namespace {

bool ActiveTable(conv_small::Table* t) {
#if defined(__x86_64__)
  switch (ActiveIsa()) {
    case Isa::kAvx512: *t = conv_small::Avx512Table(); return true;
    case Isa::kAvx2: *t = conv_small::Avx2Table(); return true;
    default: break;
  }
#endif
  (void)t;
  return false;
}

// Output rows per task: below ~16K multiply-adds a second thread costs more than it saves.
int64_t RowGrain(const ConvShape& s) {
  return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, s.ow * s.Kkc() * s.oc));
}

}  // namespace

bool ConvSmallApplies(const ConvShape& s) {
  conv_small::Table t;
  // Wider layers (more filters or taps) are GEMM-shaped enough for the blocked GEMM.
  return ActiveTable(&t) && s.Kkc() <= conv_small::kMaxKkc && s.oc <= 2 * t.lanes && !s.Pointwise();
}

bool ConvSmallFilterApplies(const ConvShape& s) {
  conv_small::Table t;
  if (!ActiveTable(&t) || s.oc > t.lanes || s.Pointwise()) return false;
  return s.Kkc() <= conv_small::kMaxKkc || t.filter_block(s.Kkc()) > 0;
}

void ConvSmallForward(const ConvShape& s, const float* x, const float* filter, float* y, const float* bias, Act act) {
  conv_small::Table t;
  ActiveTable(&t);
  const int64_t kkc = s.Kkc();
  const bool wide = s.oc > t.lanes;
  const int64_t width = wide ? 2 * t.lanes : t.lanes;
  alignas(64) float wpad[conv_small::kMaxKkc * 32] = {};
  alignas(64) float bpad[32] = {};
  for (int64_t k = 0; k < kkc; k++) std::memcpy(wpad + k * width, filter + k * s.oc, sizeof(float) * s.oc);
  if (bias) std::memcpy(bpad, bias, sizeof(float) * s.oc);
  const auto forward = wide ? t.forward_wide : t.forward;
  ParallelFor(s.n * s.oh, RowGrain(s), [&](int64_t b, int64_t e) { forward(s, x, wpad, bpad, act, y, b, e); });
}

void ConvSmallBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw) {
  conv_small::Table t;
  ActiveTable(&t);
  const int64_t kkc = s.Kkc(), rows = s.n * s.oh;
  const int64_t per = kkc * t.lanes;
  const int tasks = static_cast<int>(std::min<int64_t>(NumThreads(), std::max<int64_t>(1, rows / RowGrain(s))));
  static thread_local std::vector<float> partial_buf;
  if (partial_buf.size() < static_cast<size_t>(per * tasks)) partial_buf.resize(per * tasks);
  float* partials = partial_buf.data();
  int used = 1;
  ParallelRun(tasks, [&](int i, int n) {
    if (i == 0) used = n;
    t.filter(s, x, dy, partials + i * per, rows * i / n, rows * (i + 1) / n);
  });
  for (int64_t k = 0; k < kkc; k++) {
    for (int64_t o = 0; o < s.oc; o++) {
      float v = partials[k * t.lanes + o];
      for (int i = 1; i < used; i++) v += partials[i * per + k * t.lanes + o];
      dw[k * s.oc + o] = v;
    }
  }
}

}  // namespace convkit
