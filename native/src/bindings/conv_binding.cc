// conv2d(x, filter, bias|null, out, info, act), conv2dBackpropInput(dy, filter, out, info),
// conv2dBackpropFilter(x, dy, out, info). `info` is the 18 Conv2DInfo fields in declaration order;
// `act` the Act code (0 linear … 4 tanh).
#include <string>

#include "common/args.h"
#include "common/registry.h"
#include "kernels/conv.h"

namespace convkit {
namespace {

struct Sizes {
  ConvShape s;
  size_t in, out, filter;
};

Sizes ParseInfo(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int64_t> v = ArgInts(info, i, 0, (int64_t(1) << 31) - 1, kConvFields, "info");
  Sizes z;
  std::string err;
  if (!MakeConvShape(v.data(), false, &z.s, &err)) ThrowRange(info.Env(), "conv2d info: " + err);
  const ConvShape& s = z.s;
  z.in = CheckedProduct(info.Env(), {s.n, s.h, s.w, s.c}, "input");
  z.out = CheckedProduct(info.Env(), {s.n, s.oh, s.ow, s.oc}, "output");
  z.filter = CheckedProduct(info.Env(), {s.kh, s.kw, s.c, s.oc}, "filter");
  return z;
}

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 6, "conv2d");
  Sizes z = ParseInfo(info, 4);
  int64_t act = ArgInt(info, 5, 0, 4, "act");
  F32 x = ArgF32(info, 0, z.in, "x");
  F32 f = ArgF32(info, 1, z.filter, "filter");
  const float* bias = nullptr;
  if (!info[2].IsNull() && !info[2].IsUndefined()) bias = ArgF32(info, 2, z.s.oc, "bias").data;
  F32 y = ArgF32(info, 3, z.out, "out");
  Conv2dForward(z.s, x.data, f.data, y.data, bias, static_cast<Act>(act));
  return info.Env().Undefined();
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "conv2dBackpropInput");
  Sizes z = ParseInfo(info, 3);
  F32 dy = ArgF32(info, 0, z.out, "dy");
  F32 f = ArgF32(info, 1, z.filter, "filter");
  F32 dx = ArgF32(info, 2, z.in, "out");
  Conv2dBackpropInput(z.s, dy.data, f.data, dx.data);
  return info.Env().Undefined();
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "conv2dBackpropFilter");
  Sizes z = ParseInfo(info, 3);
  F32 x = ArgF32(info, 0, z.in, "x");
  F32 dy = ArgF32(info, 1, z.out, "dy");
  F32 dw = ArgF32(info, 2, z.filter, "out");
  Conv2dBackpropFilter(z.s, x.data, dy.data, dw.data);
  return info.Env().Undefined();
}

CONVKIT_EXPORT("conv2d", Conv2d);
CONVKIT_EXPORT("conv2dBackpropInput", Conv2dBackpropInput);
CONVKIT_EXPORT("conv2dBackpropFilter", Conv2dBackpropFilter);

}  // namespace
}  // namespace convkit
