// maxPool(x, out, info), maxPoolBackprop(dy, x, out, info), avgPool(x, out, info),
// avgPoolBackprop(dy, out, info). `info` is the 14 Pool2DInfo fields in declaration order.
#include <algorithm>
#include <string>

#include "common/args.h"
#include "common/registry.h"
#include "kernels/pool.h"

namespace convkit {
namespace {

struct Sizes {
  PoolShape s;
  size_t in, out;
};

Sizes ParseInfo(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int64_t> v = ArgInts(info, i, 0, (int64_t(1) << 31) - 1, kPoolFields, "info");
  Sizes z;
  std::string err;
  if (!MakePoolShape(v.data(), &z.s, &err)) ThrowRange(info.Env(), "pool info: " + err);
  const PoolShape& s = z.s;
  z.in = CheckedProduct(info.Env(), {s.n, s.h, s.w, s.c}, "input");
  z.out = CheckedProduct(info.Env(), {s.n, s.oh, s.ow, s.c}, "output");
  return z;
}

// maxPool / avgPool: (x, out, info).
Napi::Value RunPoolForward(const Napi::CallbackInfo& info, const char* fn,
                           void (*kernel)(const PoolShape&, const float*, float*)) {
  ExpectArgs(info, 3, fn);
  Sizes z = ParseInfo(info, 2);
  F32 x = ArgF32(info, 0, z.in, "x");
  F32 y = ArgF32(info, 1, z.out, "out");
  kernel(z.s, x.data, y.data);
  return info.Env().Undefined();
}

Napi::Value MaxPool(const Napi::CallbackInfo& info) { return RunPoolForward(info, "maxPool", MaxPoolForward); }

Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "maxPoolBackprop");
  Sizes z = ParseInfo(info, 3);
  // The argmax pass encodes a window cell in a float lane: exact up to 2^24 cells.
  const double cells = static_cast<double>(std::min(z.s.ph, z.s.h)) * static_cast<double>(std::min(z.s.pw, z.s.w));
  if (cells > 16777216.0) ThrowRange(info.Env(), "maxPoolBackprop: pooling windows above 2^24 cells are not supported");
  F32 dy = ArgF32(info, 0, z.out, "dy");
  F32 x = ArgF32(info, 1, z.in, "x");
  F32 dx = ArgF32(info, 2, z.in, "out");
  MaxPoolBackprop(z.s, dy.data, x.data, dx.data);
  return info.Env().Undefined();
}

Napi::Value AvgPool(const Napi::CallbackInfo& info) { return RunPoolForward(info, "avgPool", AvgPoolForward); }

Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 3, "avgPoolBackprop");
  Sizes z = ParseInfo(info, 2);
  F32 dy = ArgF32(info, 0, z.out, "dy");
  F32 dx = ArgF32(info, 1, z.in, "out");
  AvgPoolBackprop(z.s, dy.data, dx.data);
  return info.Env().Undefined();
}

CONVKIT_EXPORT("maxPool", MaxPool);
CONVKIT_EXPORT("maxPoolBackprop", MaxPoolGrad);
CONVKIT_EXPORT("avgPool", AvgPool);
CONVKIT_EXPORT("avgPoolBackprop", AvgPoolGrad);

}  // namespace
}  // namespace convkit
