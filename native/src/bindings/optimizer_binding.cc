// adamUpdate(w, g, m, v, alpha, oneMinusBeta1, oneMinusBeta2, epsilon): in place on w, m, v.
#include "common/args.h"
#include "common/registry.h"
#include "kernels/optimizer.h"

namespace convkit {
namespace {

Napi::Value AdamUpdateB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 8, "adamUpdate");
  F32 w = ArgF32Any(info, 0, "w");
  F32 g = ArgF32(info, 1, w.length, "g");
  F32 m = ArgF32(info, 2, w.length, "m");
  F32 v = ArgF32(info, 3, w.length, "v");
  double alpha = ArgNum(info, 4, "alpha");
  double c1 = ArgNum(info, 5, "oneMinusBeta1");
  double c2 = ArgNum(info, 6, "oneMinusBeta2");
  double eps = ArgNum(info, 7, "epsilon");
  AdamUpdate(w.data, g.data, m.data, v.data, static_cast<int64_t>(w.length), alpha, c1, c2, eps);
  return info.Env().Undefined();
}

CONVKIT_EXPORT("adamUpdate", AdamUpdateB);

}  // namespace
}  // namespace convkit
