// Keras ReLU, clip, where and cast, matching src/backend/js/elementwise.ts. ReLU's general form runs
// in double like the js (threshold and slope are doubles); plain relu takes a float fast path.
#include <cmath>

#include "common/parallel.h"
#include "kernels/elementwise.h"
#include "kernels/elementwise_isa.h"

namespace convkit {
namespace {

struct ReluParams {
  double slope, t, max;
  bool has_max;
};

CK_INLINE float KerasRelu(float xf, const ReluParams& p) {
  double v = xf;
  double q = v > p.t ? v : 0;
  if (p.has_max) q = q > p.max ? p.max : q < 0 ? 0 : q;
  double y = (p.t > v ? q - p.slope * (p.t - v) : q) + 0.0;
  return v != v ? xf : static_cast<float>(y);
}

CK_INLINE float KerasReluGrad(float g, float xf, const ReluParams& p) {
  double v = xf;
  if (v != v) return xf;
  bool pass = v > p.t;
  if (pass && p.has_max && (v >= p.max || v <= 0)) pass = false;
  return static_cast<float>((pass ? double(g) : 0.0) + (v < p.t ? p.slope * g : 0.0) + 0.0);
}

// The Op parameter only selects the loop; ReLU variants share these bodies.
struct PlainRelu {};
template <class Op>
CK_INLINE void PlainReluImpl(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    // 0·(0 − v) keeps the js formula's NaN for v = −∞ (slope 0 times ∞).
    y[i] = v > 0 ? v : v < 0 ? (0.f - 0.f * (0.f - v)) + 0.f : v != v ? v : 0.f;
  }
}
CK_ISA_VARIANTS(PlainReluRun, PlainReluImpl, (const float* x, float* y, int64_t n), (x, y, n))

template <class Op>
CK_INLINE void PlainReluGradImpl(const float* g, const float* x, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    dx[i] = v > 0 ? g[i] : v < 0 ? 0.f * g[i] + 0.f : v != v ? v : 0.f;
  }
}
CK_ISA_VARIANTS(PlainReluGradRun, PlainReluGradImpl, (const float* g, const float* x, float* dx, int64_t n),
                (g, x, dx, n))

// ReLU capped at a positive float-exact max (ReLU(6.) in MobileNets): the general formula reduces
// to min(max(v, 0), m) with NaN passed through, which vectorises in float.
template <class Op>
CK_INLINE void CappedReluImpl(const float* x, float* y, int64_t n, float m) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    float q = v > 0.f ? v : 0.f;
    q = q > m ? m : q;
    // The general formula gives NaN for NaN and for −∞ (slope 0 times ∞); keep both.
    y[i] = v != v ? v : v == -__builtin_inff() ? __builtin_nanf("") : q;
  }
}
CK_ISA_VARIANTS(CappedReluRun, CappedReluImpl, (const float* x, float* y, int64_t n, float m), (x, y, n, m))

}  // namespace

void Relu(const float* x, float* y, int64_t n, double slope, double threshold, bool has_max, double max_value) {
  if (slope == 0 && threshold == 0 && !has_max) {
    auto fn = PlainReluRunPick<PlainRelu>();
    ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) { fn(x + b, y + b, e - b); });
    return;
  }
  if (slope == 0 && threshold == 0 && has_max && max_value > 0 && static_cast<double>(static_cast<float>(max_value)) == max_value) {
    auto fn = CappedReluRunPick<PlainRelu>();
    const float m = static_cast<float>(max_value);
    ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) { fn(x + b, y + b, e - b, m); });
    return;
  }
  ReluParams p{slope, threshold, max_value, has_max};
  ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) y[i] = KerasRelu(x[i], p);
  });
}

void ReluGrad(const float* dy, const float* x, float* dx, int64_t n, double slope, double threshold, bool has_max,
              double max_value) {
  if (slope == 0 && threshold == 0 && !has_max) {
    auto fn = PlainReluGradRunPick<PlainRelu>();
    ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) { fn(dy + b, x + b, dx + b, e - b); });
    return;
  }
  ReluParams p{slope, threshold, max_value, has_max};
  ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) dx[i] = KerasReluGrad(dy[i], x[i], p);
  });
}

void Clip(const float* x, float* y, int64_t n, double lo, double hi) {
  const float lof = static_cast<float>(lo), hif = static_cast<float>(hi);
  ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      double v = x[i];
      y[i] = v < lo ? lof : v > hi ? hif : x[i];
    }
  });
}

void Where(const void* cond, bool cond_int, const float* a, const float* b, float* y, int64_t n) {
  ParallelFor(n, kElementwiseGrain, [&](int64_t s, int64_t e) {
    if (cond_int) {
      const int32_t* c = static_cast<const int32_t*>(cond);
      for (int64_t i = s; i < e; i++) y[i] = c[i] != 0 ? a[i] : b[i];
    } else {
      // NaN !== 0 holds in js, and NaN != 0 in C++: a NaN condition picks `a`.
      const float* c = static_cast<const float*>(cond);
      for (int64_t i = s; i < e; i++) y[i] = c[i] != 0 ? a[i] : b[i];
    }
  });
}

void CastF32ToI32(const float* x, int32_t* y, int64_t n) {
  ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) y[i] = JsToInt32(x[i]);
  });
}

void CastI32ToF32(const int32_t* x, float* y, int64_t n) {
  ParallelFor(n, kElementwiseGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) y[i] = static_cast<float>(x[i]);
  });
}

}  // namespace convkit
