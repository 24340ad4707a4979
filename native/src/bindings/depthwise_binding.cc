// depthwiseConv2d(x, filter, bias|null, out, info, act), depthwiseConv2dBackpropInput(dy, filter, out, info),
// depthwiseConv2dBackpropFilter(x, dy, out, info). `info` is the 18 Conv2DInfo fields in
// declaration order, with outChannels = inChannels · channelMultiplier; `act` the Act code
// (0 linear … 4 tanh), as conv2d.
#include <string>

#include "common/args.h"
#include "common/registry.h"
#include "kernels/depthwise.h"

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
  if (!MakeConvShape(v.data(), true, &z.s, &err)) ThrowRange(info.Env(), "depthwiseConv2d info: " + err);
  const ConvShape& s = z.s;
  z.in = CheckedProduct(info.Env(), {s.n, s.h, s.w, s.c}, "input");
  z.out = CheckedProduct(info.Env(), {s.n, s.oh, s.ow, s.oc}, "output");
  z.filter = CheckedProduct(info.Env(), {s.kh, s.kw, s.c, s.m}, "filter");
  return z;
}

Napi::Value Forward(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 6, "depthwiseConv2d");
  Sizes z = ParseInfo(info, 4);
  int64_t act = ArgInt(info, 5, 0, 4, "act");
  F32 x = ArgF32(info, 0, z.in, "x");
  F32 f = ArgF32(info, 1, z.filter, "filter");
  const float* bias = nullptr;
  if (!info[2].IsNull() && !info[2].IsUndefined()) bias = ArgF32(info, 2, z.s.oc, "bias").data;
  F32 y = ArgF32(info, 3, z.out, "out");
  DepthwiseForward(z.s, x.data, f.data, y.data, bias, static_cast<Act>(act));
  return info.Env().Undefined();
}

Napi::Value BackpropInput(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "depthwiseConv2dBackpropInput");
  Sizes z = ParseInfo(info, 3);
  F32 dy = ArgF32(info, 0, z.out, "dy");
  F32 f = ArgF32(info, 1, z.filter, "filter");
  F32 dx = ArgF32(info, 2, z.in, "out");
  DepthwiseBackpropInput(z.s, dy.data, f.data, dx.data);
  return info.Env().Undefined();
}

Napi::Value BackpropFilter(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "depthwiseConv2dBackpropFilter");
  Sizes z = ParseInfo(info, 3);
  F32 x = ArgF32(info, 0, z.in, "x");
  F32 dy = ArgF32(info, 1, z.out, "dy");
  F32 df = ArgF32(info, 2, z.filter, "out");
  DepthwiseBackpropFilter(z.s, x.data, dy.data, df.data);
  return info.Env().Undefined();
}

CONVKIT_EXPORT("depthwiseConv2d", Forward);
CONVKIT_EXPORT("depthwiseConv2dBackpropInput", BackpropInput);
CONVKIT_EXPORT("depthwiseConv2dBackpropFilter", BackpropFilter);

}  // namespace
}  // namespace convkit
