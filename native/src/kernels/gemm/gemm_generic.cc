// Portable GEMM path: the same blocked driver over plain float "vectors" of width 1; the compiler
// vectorises the MR×NR accumulator block with whatever the baseline ISA offers (SSE2, NEON).
#define CONVKIT_GEMM_TARGET
#include "kernels/gemm/driver.h"

namespace convkit {
namespace gemm {
namespace {

struct ScalarT {
  using V = float;
  static constexpr int W = 1;
  static constexpr bool kBroadcast = false;
  static V Zero() { return 0.f; }
  static V Set1(float x) { return x; }
  static V Load(const float* p) { return *p; }
  static void Store(float* p, V v) { *p = v; }
  static V Bcast(const float* p) { return *p; }
  static V Fma(V a, V b, V c) { return a * b + c; }
  static V Mul(V a, V b) { return a * b; }
  static V Add(V a, V b) { return a + b; }
  static V Max(V a, V b) { return a > b ? a : b; }
  static V Min(V a, V b) { return a < b ? a : b; }
};

using Generic4x8 = MicroKernel<ScalarT, 4, 8, 256, 128, 4096>;

}  // namespace

Variant GenericVariant(int64_t, int64_t, int64_t) {
  return VariantOf<Generic4x8>();
}

}  // namespace gemm
}  // namespace convkit
