// Per-ISA entry points of the depthwise kernels (channel multiplier 1; the dispatcher in
// depthwise.cc handles threading and the general multiplier). Each works on a range of rows so the
// dispatcher can hand disjoint ranges to threads.
#pragma once
#include <cstdint>

#include "common/activation.h"
#include "kernels/conv_shape.h"

namespace convkit {
namespace dw {

struct Table {
  // y rows r = n·OH + oh in [r0, r1): every output value written, as act(sum + bias) (bias may be null).
  void (*forward)(const ConvShape& s, const float* x, const float* f, const float* bias, Act act, float* y, int64_t r0,
                  int64_t r1);
  // dx rows r = n·H + ih in [r0, r1), gathered from dy: every value written.
  void (*backprop_input)(const ConvShape& s, const float* dy, const float* f, float* dx, int64_t r0, int64_t r1);
  // acc[KH·KW·C] += the filter gradient contributed by output rows [r0, r1).
  void (*backprop_filter)(const ConvShape& s, const float* x, const float* dy, double* acc, int64_t r0, int64_t r1);
  // One output row of a 3×3 undilated depthwise conv from three input rows already zero-padded on
  // both sides (channel-minor; any of them may be an all-zero row): y[ow] = act(Σ rows[kh][ow·stride
  // + kw]·f[kh][kw] + bias) for ow in [0, out_w). `stream`: y may be stored non-temporally.
  void (*row3x3)(const float* const rows[3], int64_t stride, int64_t out_w, int64_t C, const float* f,
                 const float* bias, Act act, bool stream, float* y);
};

// The table of the active instruction set.
Table ActiveTable();

Table GenericTable();
#if defined(__x86_64__)
Table Avx2Table();
Table Avx512Table();
#endif

// Taps k in [*lo, *hi) with 0 <= base + k·d < size (the range is contiguous because d > 0).
inline void TapRange(int64_t base, int64_t d, int64_t k, int64_t size, int64_t* lo, int64_t* hi) {
  *lo = base >= 0 ? 0 : (-base + d - 1) / d;
  *hi = size - 1 - base >= 0 ? (size - 1 - base) / d + 1 : 0;
  if (*hi > k) *hi = k;
  if (*hi < *lo) *hi = *lo;
}

// Output indices o in [0, out) and taps k with o·stride = i + pad − k·d: the windows that read
// input index i.
inline int ReadersOf(int64_t i, int64_t pad, int64_t k, int64_t d, int64_t stride, int64_t out, int64_t* ks,
                     int64_t* os) {
  int cnt = 0;
  for (int64_t kk = 0; kk < k; kk++) {
    const int64_t t = i + pad - kk * d;
    if (t < 0) break;
    if (t % stride == 0 && t / stride < out) {
      ks[cnt] = kk;
      os[cnt] = t / stride;
      cnt++;
    }
  }
  return cnt;
}

}  // namespace dw
}  // namespace convkit
