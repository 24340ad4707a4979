#include "bindings/conv_args.h"

#include <string>
#include <vector>

#include "common/args.h"

namespace convkit {

ConvSizes ArgConvInfo(const Napi::CallbackInfo& info, size_t i, bool depthwise) {
  std::vector<int64_t> v = ArgInts(info, i, 0, (int64_t(1) << 31) - 1, kConvFields, "info");
  ConvSizes z;
  std::string err;
  if (!MakeConvShape(v.data(), depthwise, &z.s, &err)) {
    ThrowRange(info.Env(), std::string(depthwise ? "depthwiseConv2d" : "conv2d") + " info: " + err);
  }
  const ConvShape& s = z.s;
  z.in = CheckedProduct(info.Env(), {s.n, s.h, s.w, s.c}, "input");
  z.out = CheckedProduct(info.Env(), {s.n, s.oh, s.ow, s.oc}, "output");
  z.filter = CheckedProduct(info.Env(), {s.kh, s.kw, s.c, depthwise ? s.m : s.oc}, "filter");
  return z;
}

const PackedB* ArgPackedB(const Napi::CallbackInfo& info, size_t i, int64_t k, int64_t n, PackedB* view) {
  if (info[i].IsNull() || info[i].IsUndefined()) return nullptr;
  F32 buf = ArgF32Any(info, i, "packed operand");
  return ViewPackedB(buf.data, buf.length, k, n, view) ? view : nullptr;
}

Napi::Value RunConvForward(const Napi::CallbackInfo& info, bool depthwise, const char* fn, ConvForwardKernel k) {
  ExpectArgs(info, 8, fn);
  ConvSizes z = ArgConvInfo(info, 4, depthwise);
  int64_t act = ArgInt(info, 5, 0, 4, "act");
  F32 x = ArgF32(info, 0, z.in, "x");
  F32 f = ArgF32(info, 1, z.filter, "filter");
  const float* bias = nullptr;
  if (!info[2].IsNull() && !info[2].IsUndefined()) bias = ArgF32(info, 2, z.s.oc, "bias").data;
  F32 y = ArgF32(info, 3, z.out, "out");
  const auto given = [&](size_t i) { return !info[i].IsNull() && !info[i].IsUndefined(); };
  if (depthwise && given(6)) ThrowType(info.Env(), std::string(fn) + " takes no packed filter");
  if (depthwise && given(7)) ThrowType(info.Env(), std::string(fn) + " takes no residual");
  PackedB view;
  const PackedB* packed = depthwise ? nullptr : ArgPackedB(info, 6, z.s.Kkc(), z.s.oc, &view);
  const float* residual = given(7) ? ArgF32(info, 7, z.out, "residual").data : nullptr;
  k(z.s, x.data, f.data, y.data, bias, static_cast<Act>(act), packed, residual);
  return info.Env().Undefined();
}

Napi::Value RunConvBackprop(const Napi::CallbackInfo& info, bool depthwise, const char* fn, ConvGrad grad,
                            ConvBackpropKernel k) {
  ExpectArgs(info, 4, fn);
  ConvSizes z = ArgConvInfo(info, 3, depthwise);
  const bool dfilter = grad == ConvGrad::kFilter;
  F32 a = ArgF32(info, 0, dfilter ? z.in : z.out, dfilter ? "x" : "dy");
  F32 b = ArgF32(info, 1, dfilter ? z.out : z.filter, dfilter ? "dy" : "filter");
  F32 out = ArgF32(info, 2, dfilter ? z.filter : z.in, "out");
  k(z.s, a.data, b.data, out.data);
  return info.Env().Undefined();
}

}  // namespace convkit
