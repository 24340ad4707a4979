// reduce(op, x, shape, axes, out), argReduce(isArgmax, x, shape, axis, out) and allFinite(x).
#include "bindings/data_array_arg.h"
#include "common/registry.h"
#include "kernels/reduce.h"

namespace convkit {
namespace {

Napi::Value ReduceB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 5, "reduce");
  Napi::Env env = info.Env();
  int op = static_cast<int>(ArgInt(info, 0, 0, kReduceOpCount - 1, "op"));
  std::vector<int64_t> shape = ArgShape(info, 2, "shape");
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes = ArgInts(info, 3, 0, rank - 1, -1, "axes");
  for (size_t i = 1; i < axes.size(); i++) {
    if (axes[i] <= axes[i - 1]) ThrowRange(env, "axes must be sorted and unique");
  }
  std::vector<int64_t> out_shape;
  for (int64_t i = 0, k = 0; i < rank; i++) {
    if (k < static_cast<int64_t>(axes.size()) && axes[k] == i) k++;
    else out_shape.push_back(shape[i]);
  }
  F32 x = ArgF32(info, 1, CheckedProduct(env, shape, "x"), "x");
  F32 out = ArgF32(info, 4, CheckedProduct(env, out_shape, "out"), "out");
  Reduce(op, x.data, shape, axes, out.data);
  return env.Undefined();
}

Napi::Value ArgReduceB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 5, "argReduce");
  Napi::Env env = info.Env();
  bool argmax = ArgBool(info, 0, "isArgmax");
  std::vector<int64_t> shape = ArgShape(info, 2, "shape");
  if (shape.empty()) ThrowRange(env, "argReduce needs rank >= 1");
  int64_t axis = ArgInt(info, 3, 0, static_cast<int64_t>(shape.size()) - 1, "axis");
  DataArg x = ArgDataLen(info, 1, CheckedProduct(env, shape, "x"), "x");
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < axis; i++) outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); i++) inner *= shape[i];
  I32 out = ArgI32(info, 4, static_cast<size_t>(outer * inner), "out");
  ArgReduce(argmax, x.data, x.is_int, outer, shape[axis], inner, out.data);
  return env.Undefined();
}

Napi::Value AllFiniteB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 1, "allFinite");
  F32 x = ArgF32Any(info, 0, "x");
  return Napi::Boolean::New(info.Env(), AllFinite(x.data, static_cast<int64_t>(x.length)));
}

CONVKIT_EXPORT("reduce", ReduceB);
CONVKIT_EXPORT("allFinite", AllFiniteB);
CONVKIT_EXPORT("argReduce", ArgReduceB);

}  // namespace
}  // namespace convkit
