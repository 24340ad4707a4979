// Element-wise kernels: unary, unaryGrad, relu, reluGrad, binary, clip, where, cast.
// Calling convention: inputs, preallocated output(s), then op codes / sizes / scalars.
#include "bindings/data_array_arg.h"
#include "common/registry.h"
#include "kernels/elementwise.h"

namespace convkit {
namespace {

// unary(op, x, y, alpha)
Napi::Value UnaryB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "unary");
  int op = static_cast<int>(ArgInt(info, 0, 0, kUnaryOpCount - 1, "op"));
  F32 x = ArgF32Any(info, 1, "x");
  F32 y = ArgF32(info, 2, x.length, "y");
  double alpha = ArgNum(info, 3, "alpha");
  Unary(op, x.data, y.data, static_cast<int64_t>(x.length), static_cast<float>(alpha));
  return info.Env().Undefined();
}

// unaryGrad(op, dy, x, y, dx, alpha)
Napi::Value UnaryGradB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 6, "unaryGrad");
  int op = static_cast<int>(ArgInt(info, 0, 0, kUnaryOpCount - 1, "op"));
  F32 dy = ArgF32Any(info, 1, "dy");
  F32 x = ArgF32(info, 2, dy.length, "x");
  F32 y = ArgF32(info, 3, dy.length, "y");
  F32 dx = ArgF32(info, 4, dy.length, "dx");
  double alpha = ArgNum(info, 5, "alpha");
  UnaryGrad(op, dy.data, x.data, y.data, dx.data, static_cast<int64_t>(dy.length), static_cast<float>(alpha));
  return info.Env().Undefined();
}

// relu(x, y, negativeSlope, threshold, hasMax, maxValue)
Napi::Value ReluB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 6, "relu");
  F32 x = ArgF32Any(info, 0, "x");
  F32 y = ArgF32(info, 1, x.length, "y");
  double slope = ArgNum(info, 2, "negativeSlope");
  double t = ArgNum(info, 3, "threshold");
  bool has_max = ArgBool(info, 4, "hasMax");
  double max = ArgNum(info, 5, "maxValue");
  Relu(x.data, y.data, static_cast<int64_t>(x.length), slope, t, has_max, max);
  return info.Env().Undefined();
}

// reluGrad(dy, x, dx, negativeSlope, threshold, hasMax, maxValue)
Napi::Value ReluGradB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 7, "reluGrad");
  F32 dy = ArgF32Any(info, 0, "dy");
  F32 x = ArgF32(info, 1, dy.length, "x");
  F32 dx = ArgF32(info, 2, dy.length, "dx");
  double slope = ArgNum(info, 3, "negativeSlope");
  double t = ArgNum(info, 4, "threshold");
  bool has_max = ArgBool(info, 5, "hasMax");
  double max = ArgNum(info, 6, "maxValue");
  ReluGrad(dy.data, x.data, dx.data, static_cast<int64_t>(dy.length), slope, t, has_max, max);
  return info.Env().Undefined();
}

void CheckBroadcast(Napi::Env env, const std::vector<int64_t>& s, const std::vector<int64_t>& out, const char* what) {
  if (s.size() > out.size()) ThrowRange(env, std::string(what) + " has a higher rank than the output");
  size_t off = out.size() - s.size();
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != 1 && s[i] != out[i + off]) {
      ThrowRange(env, std::string(what) + " does not broadcast to the output shape");
    }
  }
}

// binary(op, a, aShape, b, bShape, out, outShape)
Napi::Value BinaryB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 7, "binary");
  Napi::Env env = info.Env();
  int op = static_cast<int>(ArgInt(info, 0, 0, kBinaryOpCount - 1, "op"));
  std::vector<int64_t> as = ArgShape(info, 2, "aShape");
  std::vector<int64_t> bs = ArgShape(info, 4, "bShape");
  std::vector<int64_t> os = ArgShape(info, 6, "outShape");
  CheckBroadcast(env, as, os, "a");
  CheckBroadcast(env, bs, os, "b");
  DataArg a = ArgDataLen(info, 1, CheckedProduct(env, as, "a"), "a");
  DataArg b = ArgDataLen(info, 3, CheckedProduct(env, bs, "b"), "b");
  DataArg out = ArgDataLen(info, 5, CheckedProduct(env, os, "out"), "out");
  if (out.is_int != (a.is_int && b.is_int)) {
    ThrowType(env, std::string("out must be ") + (a.is_int && b.is_int ? "an Int32Array" : "a Float32Array"));
  }
  Binary(op, a.data, a.is_int, as, b.data, b.is_int, bs, out.data, os);
  return env.Undefined();
}

// clip(x, y, lo, hi)
Napi::Value ClipB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "clip");
  F32 x = ArgF32Any(info, 0, "x");
  F32 y = ArgF32(info, 1, x.length, "y");
  Clip(x.data, y.data, static_cast<int64_t>(x.length), ArgNum(info, 2, "lo"), ArgNum(info, 3, "hi"));
  return info.Env().Undefined();
}

// where(cond, a, b, y): cond Float32Array or Int32Array.
Napi::Value WhereB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "where");
  F32 a = ArgF32Any(info, 1, "a");
  DataArg cond = ArgDataLen(info, 0, a.length, "cond");
  F32 b = ArgF32(info, 2, a.length, "b");
  F32 y = ArgF32(info, 3, a.length, "y");
  Where(cond.data, cond.is_int, a.data, b.data, y.data, static_cast<int64_t>(a.length));
  return info.Env().Undefined();
}

// cast(x, y): between Float32Array and Int32Array (same type: copy).
Napi::Value CastB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 2, "cast");
  DataArg x = ArgData(info, 0, "x");
  DataArg y = ArgDataLen(info, 1, x.length, "y");
  int64_t n = static_cast<int64_t>(x.length);
  if (x.is_int == y.is_int) {
    std::copy_n(static_cast<const int32_t*>(x.data), n, static_cast<int32_t*>(y.data));
  } else if (x.is_int) {
    CastI32ToF32(static_cast<const int32_t*>(x.data), static_cast<float*>(y.data), n);
  } else {
    CastF32ToI32(static_cast<const float*>(x.data), static_cast<int32_t*>(y.data), n);
  }
  return info.Env().Undefined();
}

CONVKIT_EXPORT("unary", UnaryB);
CONVKIT_EXPORT("unaryGrad", UnaryGradB);
CONVKIT_EXPORT("relu", ReluB);
CONVKIT_EXPORT("reluGrad", ReluGradB);
CONVKIT_EXPORT("binary", BinaryB);
CONVKIT_EXPORT("clip", ClipB);
CONVKIT_EXPORT("where", WhereB);
CONVKIT_EXPORT("cast", CastB);

}  // namespace
}  // namespace convkit
