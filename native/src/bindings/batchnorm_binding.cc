// batchNormTrain(x, gamma, beta, y, mean, variance, channels, epsilon)
// batchNormInference(x, mean, variance, gamma, beta, y, channels, epsilon)
// batchNormTrainGrad(dy, x, gamma, mean, variance, dx, dgamma, dbeta, channels, epsilon)
#include "common/args.h"
#include "common/registry.h"
#include "kernels/batchnorm.h"

namespace convkit {
namespace {

// x must be whole rows of `channels`; returns the row count.
int64_t Rows(const Napi::CallbackInfo& info, const F32& x, int64_t channels) {
  if (x.length % static_cast<size_t>(channels) != 0) {
    ThrowRange(info.Env(), "x has " + std::to_string(x.length) + " elements, not a multiple of channels (" +
                               std::to_string(channels) + ")");
  }
  return static_cast<int64_t>(x.length) / channels;
}

const int64_t kMaxC = int64_t(1) << 31;

// The arguments every batch-norm binding shares: `channels` and `epsilon` last, and the input x
// (argument `x_index`) as whole rows of `channels`.
struct Common {
  int64_t c;
  double eps;
  F32 x;
  int64_t rows;
};

Common ArgCommon(const Napi::CallbackInfo& info, size_t n, const char* fn, size_t x_index) {
  ExpectArgs(info, n, fn);
  Common a;
  a.c = ArgInt(info, n - 2, 1, kMaxC, "channels");
  a.eps = ArgNum(info, n - 1, "epsilon");
  a.x = ArgF32Any(info, x_index, "x");
  a.rows = Rows(info, a.x, a.c);
  return a;
}

Napi::Value TrainB(const Napi::CallbackInfo& info) {
  const auto [c, eps, x, rows] = ArgCommon(info, 8, "batchNormTrain", 0);
  F32 gamma = ArgF32(info, 1, c, "gamma");
  F32 beta = ArgF32(info, 2, c, "beta");
  F32 y = ArgF32(info, 3, x.length, "y");
  F32 mean = ArgF32(info, 4, c, "mean");
  F32 var = ArgF32(info, 5, c, "variance");
  BatchNormTrain(x.data, gamma.data, beta.data, rows, c, eps, y.data, mean.data, var.data);
  return info.Env().Undefined();
}

Napi::Value InferenceB(const Napi::CallbackInfo& info) {
  const auto [c, eps, x, rows] = ArgCommon(info, 8, "batchNormInference", 0);
  F32 mean = ArgF32(info, 1, c, "mean");
  F32 var = ArgF32(info, 2, c, "variance");
  F32 gamma = ArgF32(info, 3, c, "gamma");
  F32 beta = ArgF32(info, 4, c, "beta");
  F32 y = ArgF32(info, 5, x.length, "y");
  BatchNormInference(x.data, mean.data, var.data, gamma.data, beta.data, rows, c, eps, y.data);
  return info.Env().Undefined();
}

Napi::Value TrainGradB(const Napi::CallbackInfo& info) {
  const auto [c, eps, x, rows] = ArgCommon(info, 10, "batchNormTrainGrad", 1);
  F32 dy = ArgF32(info, 0, x.length, "dy");
  F32 gamma = ArgF32(info, 2, c, "gamma");
  F32 mean = ArgF32(info, 3, c, "mean");
  F32 var = ArgF32(info, 4, c, "variance");
  F32 dx = ArgF32(info, 5, x.length, "dx");
  F32 dgamma = ArgF32(info, 6, c, "dgamma");
  F32 dbeta = ArgF32(info, 7, c, "dbeta");
  BatchNormTrainGrad(dy.data, x.data, gamma.data, mean.data, var.data, rows, c, eps, dx.data, dgamma.data,
                     dbeta.data);
  return info.Env().Undefined();
}

CONVKIT_EXPORT("batchNormTrain", TrainB);
CONVKIT_EXPORT("batchNormInference", InferenceB);
CONVKIT_EXPORT("batchNormTrainGrad", TrainGradB);

}  // namespace
}  // namespace convkit
