// Per-ISA entry points of the direct small convolution (kernels/conv_small.h); conv_small.cc
// dispatches and threads them over output rows r = n·OH + oh.
#pragma once
#include <cstdint>

#include "common/activation.h"
#include "kernels/conv_shape.h"

namespace convkit {
namespace conv_small {

// Largest KH·KW·C handled: the filter rows (one vector each) must fit the register file.
constexpr int kMaxKkc = 32;

struct Table {
  int lanes;  // vector width: OC must be ≤ lanes (≤ 2·lanes for forward_wide)
  // y rows [r0, r1): wpad is the filter as [KKC][lanes] (zero-padded columns), bpad [lanes].
  void (*forward)(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act, float* y,
                  int64_t r0, int64_t r1);
  // As forward for lanes < OC ≤ 2·lanes: wpad is [KKC][2·lanes], bpad [2·lanes].
  void (*forward_wide)(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act, float* y,
                       int64_t r0, int64_t r1);
  // acc[KKC][lanes] = Σ over output rows [r0, r1) of patchᵀ·dy (overwritten, not accumulated).
  void (*filter)(const ConvShape& s, const float* x, const float* dy, float* acc, int64_t r0, int64_t r1);
  // Tap-block size for filter gradients with KKC > kMaxKkc (KKC a multiple of it); 0: none.
  int (*filter_block)(int64_t kkc);
};

#if defined(__x86_64__)
Table Avx2Table();
Table Avx512Table();
#endif

}  // namespace conv_small
}  // namespace convkit
