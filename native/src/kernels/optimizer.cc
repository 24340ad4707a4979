#include "kernels/optimizer.h"

#include <cmath>

#include "common/parallel.h"
#include "kernels/elementwise_isa.h"

namespace convkit {
namespace {

struct AdamOp {};

template <class Op>
CK_INLINE void AdamImpl(float* w, const float* g, float* m, float* v, int64_t n, double alpha, double c1, double c2,
                        double eps) {
  for (int64_t i = 0; i < n; i++) {
    double gi = g[i];
    float mi = static_cast<float>(m[i] + (gi - m[i]) * c1);
    float vi = static_cast<float>(v[i] + (gi * gi - v[i]) * c2);
    m[i] = mi;
    v[i] = vi;
    w[i] = static_cast<float>(w[i] - (mi * alpha) / (std::sqrt(static_cast<double>(vi)) + eps));
  }
}
CK_ISA_VARIANTS(AdamRun, AdamImpl,
                (float* w, const float* g, float* m, float* v, int64_t n, double alpha, double c1, double c2, double eps),
                (w, g, m, v, n, alpha, c1, c2, eps))

}  // namespace

void AdamUpdate(float* w, const float* g, float* m, float* v, int64_t n, double alpha, double one_minus_b1,
                double one_minus_b2, double eps) {
  auto fn = AdamRunPick<AdamOp>();
  ParallelFor(n, 1 << 15, [&](int64_t b, int64_t e) {
    fn(w + b, g + b, m + b, v + b, e - b, alpha, one_minus_b1, one_minus_b2, eps);
  });
}

}  // namespace convkit
