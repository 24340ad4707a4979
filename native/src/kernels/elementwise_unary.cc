// Unary functions and their derivatives, op for op as src/backend/js/unary.ts. Cheap ops compute in
// float (their single rounding matches the js double-then-round); the erf/tanh GELUs go through
// double, as the js does, because their cancellation-prone forms need it.
#include <cmath>

#include "common/parallel.h"
#include "kernels/elementwise.h"
#include "kernels/elementwise_erf.h"
#include "kernels/elementwise_isa.h"

namespace convkit {
namespace {

const float kSeluAlpha = 1.6732632423543772848170429916717f;
const float kSeluScale = 1.0507009873554804934193349852946f;
const double kSqrt2OverPi = 0.79788456080286535588;
const double kInvSqrt2 = 0.70710678118654752440;
const double kInvSqrt2Pi = 0.39894228040143267794;
const double kGeluC = 0.044715;

CK_INLINE float Sigmoid(float v) {
  if (v >= 0) return 1.f / (1.f + std::exp(-v));
  float e = std::exp(v);
  return e / (1.f + e);
}
CK_INLINE float Sign(float v) { return v > 0 ? 1.f : v < 0 ? -1.f : v; }
CK_INLINE float Elu(float v, float alpha) { return v > 0 ? v : alpha * std::expm1(v); }

#define UNARY(Name, expr) \
  struct Name {           \
    static CK_INLINE float F(float v, float alpha) { return expr; } \
  };
UNARY(UNeg, -v)
UNARY(UAbs, std::fabs(v))
UNARY(USign, Sign(v))
UNARY(USquare, v * v)
UNARY(USqrt, std::sqrt(v))
UNARY(URsqrt, 1.f / std::sqrt(v))
UNARY(UExp, std::exp(v))
UNARY(ULog, std::log(v))
UNARY(ULog1p, std::log1p(v))
UNARY(UReciprocal, 1.f / v)
UNARY(URelu, v > 0 ? v : 0.f)
UNARY(URelu6, v != v ? v : v > 0 ? (v < 6.f ? v : 6.f) : 0.f)
UNARY(USigmoid, Sigmoid(v))
UNARY(UTanh, std::tanh(v))
UNARY(UElu, Elu(v, alpha))
UNARY(USelu, kSeluScale * Elu(v, kSeluAlpha))
UNARY(USoftplus, std::log1p(std::exp(-std::fabs(v))) + (v > 0 ? v : 0.f))
UNARY(USoftsign, v / (1.f + std::fabs(v)))
UNARY(UGelu, static_cast<float>(0.5 * v * Erfc(-v * kInvSqrt2)))
UNARY(UGeluTanh, static_cast<float>(0.5 * v * (1 + std::tanh(kSqrt2OverPi * (v + kGeluC * v * v * v)))))
UNARY(USwish, v * Sigmoid(v))
UNARY(UHardSigmoid, static_cast<float>((v != v ? v : v + 3.0 > 0 ? (v + 3.0 < 6 ? v + 3.0 : 6.0) : 0.0) / 6))
UNARY(UFloor, std::floor(v))
UNARY(UCeil, std::ceil(v))
UNARY(URound, std::nearbyint(v))  // default rounding mode: half to even, like the js roundHalfEven
UNARY(UStep, v > 0 ? 1.f : 0.f)
UNARY(UIsnan, v != v ? 1.f : 0.f)
#undef UNARY

double GeluGrad(double v) { return 0.5 * Erfc(-v * kInvSqrt2) + v * kInvSqrt2Pi * std::exp(-0.5 * v * v); }
double GeluTanhGrad(double v) {
  double t = std::tanh(kSqrt2OverPi * (v + kGeluC * v * v * v));
  return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * kSqrt2OverPi * (1 + 3 * kGeluC * v * v);
}

#define GRAD(Name, expr) \
  struct Name {          \
    static CK_INLINE float F(float g, float x, float y, float alpha) { return expr; } \
  };
GRAD(GNeg, -g)
GRAD(GAbs, g * Sign(x))
GRAD(GSquare, g * 2.f * x)
GRAD(GSqrt, g * 0.5f / y)
GRAD(GRsqrt, g * -0.5f * y * y * y)
GRAD(GExp, g * y)
GRAD(GLog, g / x)
GRAD(GLog1p, g / (1.f + x))
GRAD(GReciprocal, -g * y * y)
GRAD(GRelu, x > 0 ? g : 0.f)
GRAD(GRelu6, x > 0 && x < 6.f ? g : 0.f)
GRAD(GSigmoid, g * y * (1.f - y))
GRAD(GTanh, g * (1.f - y * y))
GRAD(GElu, x > 0 ? g : g * alpha * std::exp(x))
GRAD(GSelu, g * kSeluScale * (x > 0 ? 1.f : kSeluAlpha * std::exp(x)))
GRAD(GSoftplus, g * Sigmoid(x))
GRAD(GSoftsign, g / ((1.f + std::fabs(x)) * (1.f + std::fabs(x))))
GRAD(GGelu, static_cast<float>(g * GeluGrad(x)))
GRAD(GGeluTanh, static_cast<float>(g * GeluTanhGrad(x)))
GRAD(GSwish, g * (Sigmoid(x) + x * Sigmoid(x) * (1.f - Sigmoid(x))))
GRAD(GHardSigmoid, x > -3.f && x < 3.f ? g / 6.f : 0.f)
GRAD(GZero, 0.f)
#undef GRAD

template <class Op>
CK_INLINE void MapImpl(const float* x, float* y, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) y[i] = Op::F(x[i], alpha);
}
CK_ISA_VARIANTS(Map, MapImpl, (const float* x, float* y, int64_t n, float alpha), (x, y, n, alpha))

template <class Op>
CK_INLINE void GradImpl(const float* g, const float* x, const float* y, float* dx, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) dx[i] = Op::F(g[i], x[i], y[i], alpha);
}
CK_ISA_VARIANTS(Grad, GradImpl, (const float* g, const float* x, const float* y, float* dx, int64_t n, float alpha),
                (g, x, y, dx, n, alpha))

// Transcendental ops cost ~10x a load/store per element, so they split into smaller chunks.
int64_t GrainFor(int op) {
  switch (op) {
    case kNeg: case kAbs: case kSign: case kSquare: case kRelu: case kRelu6: case kFloor: case kCeil:
    case kRound: case kStep: case kIsnan: case kReciprocal: case kSqrt: case kRsqrt: case kHardSigmoid:
      return kElementwiseGrain;
    default:
      return 4096;
  }
}

template <class Op>
void RunMap(const float* x, float* y, int64_t n, float alpha, int64_t grain) {
  auto fn = MapPick<Op>();
  ParallelFor(n, grain, [&](int64_t b, int64_t e) { fn(x + b, y + b, e - b, alpha); });
}

template <class Op>
void RunGrad(const float* g, const float* x, const float* y, float* dx, int64_t n, float alpha, int64_t grain) {
  auto fn = GradPick<Op>();
  ParallelFor(n, grain, [&](int64_t b, int64_t e) { fn(g + b, x + b, y + b, dx + b, e - b, alpha); });
}

}  // namespace

void Unary(int op, const float* x, float* y, int64_t n, float alpha) {
  const int64_t g = GrainFor(op);
  switch (op) {
    case kNeg: return RunMap<UNeg>(x, y, n, alpha, g);
    case kAbs: return RunMap<UAbs>(x, y, n, alpha, g);
    case kSign: return RunMap<USign>(x, y, n, alpha, g);
    case kSquare: return RunMap<USquare>(x, y, n, alpha, g);
    case kSqrt: return RunMap<USqrt>(x, y, n, alpha, g);
    case kRsqrt: return RunMap<URsqrt>(x, y, n, alpha, g);
    case kExp: return RunMap<UExp>(x, y, n, alpha, g);
    case kLog: return RunMap<ULog>(x, y, n, alpha, g);
    case kLog1p: return RunMap<ULog1p>(x, y, n, alpha, g);
    case kReciprocal: return RunMap<UReciprocal>(x, y, n, alpha, g);
    case kRelu: return RunMap<URelu>(x, y, n, alpha, g);
    case kRelu6: return RunMap<URelu6>(x, y, n, alpha, g);
    case kSigmoid: return RunMap<USigmoid>(x, y, n, alpha, g);
    case kTanh: return RunMap<UTanh>(x, y, n, alpha, g);
    case kElu: return RunMap<UElu>(x, y, n, alpha, g);
    case kSelu: return RunMap<USelu>(x, y, n, alpha, g);
    case kSoftplus: return RunMap<USoftplus>(x, y, n, alpha, g);
    case kSoftsign: return RunMap<USoftsign>(x, y, n, alpha, g);
    case kGelu: return RunMap<UGelu>(x, y, n, alpha, g);
    case kGeluTanh: return RunMap<UGeluTanh>(x, y, n, alpha, g);
    case kSwish: return RunMap<USwish>(x, y, n, alpha, g);
    case kHardSigmoid: return RunMap<UHardSigmoid>(x, y, n, alpha, g);
    case kFloor: return RunMap<UFloor>(x, y, n, alpha, g);
    case kCeil: return RunMap<UCeil>(x, y, n, alpha, g);
    case kRound: return RunMap<URound>(x, y, n, alpha, g);
    case kStep: return RunMap<UStep>(x, y, n, alpha, g);
    case kIsnan: return RunMap<UIsnan>(x, y, n, alpha, g);
  }
}

void UnaryGrad(int op, const float* dy, const float* x, const float* y, float* dx, int64_t n, float alpha) {
  const int64_t g = GrainFor(op);
  switch (op) {
    case kNeg: return RunGrad<GNeg>(dy, x, y, dx, n, alpha, g);
    case kAbs: return RunGrad<GAbs>(dy, x, y, dx, n, alpha, g);
    case kSquare: return RunGrad<GSquare>(dy, x, y, dx, n, alpha, g);
    case kSqrt: return RunGrad<GSqrt>(dy, x, y, dx, n, alpha, g);
    case kRsqrt: return RunGrad<GRsqrt>(dy, x, y, dx, n, alpha, g);
    case kExp: return RunGrad<GExp>(dy, x, y, dx, n, alpha, g);
    case kLog: return RunGrad<GLog>(dy, x, y, dx, n, alpha, g);
    case kLog1p: return RunGrad<GLog1p>(dy, x, y, dx, n, alpha, g);
    case kReciprocal: return RunGrad<GReciprocal>(dy, x, y, dx, n, alpha, g);
    case kRelu: return RunGrad<GRelu>(dy, x, y, dx, n, alpha, g);
    case kRelu6: return RunGrad<GRelu6>(dy, x, y, dx, n, alpha, g);
    case kSigmoid: return RunGrad<GSigmoid>(dy, x, y, dx, n, alpha, g);
    case kTanh: return RunGrad<GTanh>(dy, x, y, dx, n, alpha, g);
    case kElu: return RunGrad<GElu>(dy, x, y, dx, n, alpha, g);
    case kSelu: return RunGrad<GSelu>(dy, x, y, dx, n, alpha, g);
    case kSoftplus: return RunGrad<GSoftplus>(dy, x, y, dx, n, alpha, g);
    case kSoftsign: return RunGrad<GSoftsign>(dy, x, y, dx, n, alpha, g);
    case kGelu: return RunGrad<GGelu>(dy, x, y, dx, n, alpha, g);
    case kGeluTanh: return RunGrad<GGeluTanh>(dy, x, y, dx, n, alpha, g);
    case kSwish: return RunGrad<GSwish>(dy, x, y, dx, n, alpha, g);
    case kHardSigmoid: return RunGrad<GHardSigmoid>(dy, x, y, dx, n, alpha, g);
    default: return RunGrad<GZero>(dy, x, y, dx, n, alpha, kElementwiseGrain);  // piecewise constant
  }
}

}  // namespace convkit
