// Data movement on Float32Array or Int32Array (the output must have the input's type):
// transpose(x, shape, perm, out), slice(x, shape, begin, size, out), concat(xs, shapes, axis, out),
// pad(x, shape, before, after, value, out), gather(x, shape, indices, axis, out),
// gatherGrad(dy, shape, indices, axis, dx) (float32 only), broadcastTo(x, shape, outShape, out).
#include <cstring>

#include "bindings/data_array_arg.h"
#include "common/registry.h"
#include "kernels/elementwise_strided.h"
#include "kernels/movement.h"

namespace convkit {
namespace {

const uint32_t* In(const DataArg& d) { return static_cast<const uint32_t*>(d.data); }
uint32_t* Out(const DataArg& d) { return static_cast<uint32_t*>(d.data); }

DataArg OutLike(const Napi::CallbackInfo& info, size_t i, size_t n, const DataArg& like) {
  DataArg out = ArgDataLen(info, i, n, "out");
  if (out.is_int != like.is_int) ThrowType(info.Env(), "out must have the same element type as the input");
  return out;
}

Napi::Value TransposeB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "transpose");
  Napi::Env env = info.Env();
  Shape shape = ArgShape(info, 1, "shape");
  Shape perm = ArgInts(info, 2, 0, static_cast<int64_t>(shape.size()) - 1, static_cast<long>(shape.size()), "perm");
  std::vector<bool> seen(shape.size(), false);
  for (int64_t p : perm) {
    if (seen[p]) ThrowRange(env, "perm must be a permutation of the axes");
    seen[p] = true;
  }
  size_t n = CheckedProduct(env, shape, "x");
  DataArg x = ArgDataLen(info, 0, n, "x");
  DataArg out = OutLike(info, 3, n, x);
  Transpose(In(x), shape, perm, Out(out));
  return env.Undefined();
}

// slice and pad: (x, shape, a, b, …) with a and b one non-negative integer per axis of shape.
struct PerAxisArgs {
  Shape shape, a, b;
};

PerAxisArgs ArgPerAxis(const Napi::CallbackInfo& info, size_t n, const char* fn, const char* a, const char* b) {
  ExpectArgs(info, n, fn);
  PerAxisArgs r;
  r.shape = ArgShape(info, 1, "shape");
  const long rank = static_cast<long>(r.shape.size());
  r.a = ArgInts(info, 2, 0, int64_t(1) << 40, rank, a);
  r.b = ArgInts(info, 3, 0, int64_t(1) << 40, rank, b);
  return r;
}

Napi::Value SliceB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [shape, begin, size] = ArgPerAxis(info, 5, "slice", "begin", "size");
  long rank = static_cast<long>(shape.size());
  for (long i = 0; i < rank; i++) {
    if (begin[i] + size[i] > shape[i]) ThrowRange(env, "slice exceeds the input along axis " + std::to_string(i));
  }
  DataArg x = ArgDataLen(info, 0, CheckedProduct(env, shape, "x"), "x");
  DataArg out = OutLike(info, 4, CheckedProduct(env, size, "out"), x);
  Slice(In(x), shape, begin, size, Out(out));
  return env.Undefined();
}

Napi::Value ConcatB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "concat");
  Napi::Env env = info.Env();
  if (!info[0].IsArray() || !info[1].IsArray()) ThrowType(env, "xs and shapes must be arrays");
  Napi::Array xs_arr = info[0].As<Napi::Array>(), shapes_arr = info[1].As<Napi::Array>();
  uint32_t k = xs_arr.Length();
  if (k == 0 || shapes_arr.Length() != k) ThrowRange(env, "concat needs as many shapes as inputs (at least one)");
  std::vector<Shape> shapes(k);
  for (uint32_t i = 0; i < k; i++) {
    Napi::Value s = shapes_arr.Get(i);
    if (!s.IsArray()) ThrowType(env, "shapes must be arrays of integers");
    Napi::Array sa = s.As<Napi::Array>();
    if (sa.Length() > 64) ThrowRange(env, "shape has too many dimensions");
    for (uint32_t d = 0; d < sa.Length(); d++) {
      Napi::Value v = sa.Get(d);
      double dv = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
      if (!(dv >= 0 && dv <= 1099511627776.0 && dv == static_cast<double>(static_cast<int64_t>(dv)))) {
        ThrowRange(env, "shape dimensions must be non-negative integers");
      }
      shapes[i].push_back(static_cast<int64_t>(dv));
    }
  }
  const int64_t rank = static_cast<int64_t>(shapes[0].size());
  int64_t axis = ArgInt(info, 2, 0, rank - 1, "axis");
  Shape out_shape = shapes[0];
  out_shape[axis] = 0;
  for (uint32_t i = 0; i < k; i++) {
    if (static_cast<int64_t>(shapes[i].size()) != rank) ThrowRange(env, "concat inputs must have the same rank");
    for (int64_t d = 0; d < rank; d++) {
      if (d != axis && shapes[i][d] != shapes[0][d]) ThrowRange(env, "concat inputs differ off the axis");
    }
    out_shape[axis] += shapes[i][axis];
  }
  std::vector<const uint32_t*> xs(k);
  Shape blocks(k);
  bool is_int = false;
  for (uint32_t i = 0; i < k; i++) {
    Napi::Value v = xs_arr.Get(i);
    if (!v.IsTypedArray()) ThrowType(env, "xs must hold Float32Arrays or Int32Arrays");
    Napi::TypedArray ta = v.As<Napi::TypedArray>();
    bool vi = ta.TypedArrayType() == napi_int32_array;
    if (!vi && ta.TypedArrayType() != napi_float32_array) ThrowType(env, "xs must hold Float32Arrays or Int32Arrays");
    if (i == 0) is_int = vi;
    else if (vi != is_int) ThrowType(env, "concat inputs must share one element type");
    size_t n = CheckedProduct(env, shapes[i], "x");
    if (ta.ElementLength() != n) ThrowRange(env, "xs[" + std::to_string(i) + "] does not match its shape");
    xs[i] = reinterpret_cast<const uint32_t*>(static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
    blocks[i] = 1;
    for (int64_t d = axis; d < rank; d++) blocks[i] *= shapes[i][d];
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; d++) outer *= shapes[0][d];
  DataArg out = ArgDataLen(info, 3, CheckedProduct(env, out_shape, "out"), "out");
  if (out.is_int != is_int) ThrowType(env, "out must have the inputs' element type");
  Concat(xs, blocks, outer, Out(out));
  return env.Undefined();
}

Napi::Value PadB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [shape, before, after] = ArgPerAxis(info, 6, "pad", "before", "after");
  long rank = static_cast<long>(shape.size());
  double value = ArgNum(info, 4, "value");
  Shape out_shape(rank);
  for (long i = 0; i < rank; i++) out_shape[i] = shape[i] + before[i] + after[i];
  DataArg x = ArgDataLen(info, 0, CheckedProduct(env, shape, "x"), "x");
  DataArg out = OutLike(info, 5, CheckedProduct(env, out_shape, "out"), x);
  // The fill as the output's element: Int32Array stores through ToInt32, Float32Array rounds.
  uint32_t fill = 0;
  if (value != 0) {
    if (x.is_int) {
      int32_t v = JsToInt32(value);
      std::memcpy(&fill, &v, 4);
    } else {
      float v = static_cast<float>(value);
      std::memcpy(&fill, &v, 4);
    }
  }
  Pad(In(x), shape, before, after, fill, Out(out));
  return env.Undefined();
}

// shape[axis] = len; indices checked against [-len, len).
void CheckIndices(Napi::Env env, const I32& idx, int64_t len) {
  for (size_t i = 0; i < idx.length; i++) {
    if (idx.data[i] < -len || idx.data[i] >= len) {
      ThrowRange(env, "index " + std::to_string(idx.data[i]) + " is out of range for an axis of length " +
                          std::to_string(len));
    }
  }
}

void OuterInner(const Shape& shape, int64_t axis, int64_t* outer, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t i = 0; i < axis; i++) *outer *= shape[i];
  for (size_t i = axis + 1; i < shape.size(); i++) *inner *= shape[i];
}

// gather and gatherGrad: (data, shape, indices, axis, out), the indices checked against shape[axis].
struct GatherArgs {
  Shape shape;
  int64_t axis;
  I32 idx;
  int64_t outer, inner;
};

GatherArgs ArgGather(const Napi::CallbackInfo& info, const char* fn) {
  ExpectArgs(info, 5, fn);
  Napi::Env env = info.Env();
  GatherArgs g;
  g.shape = ArgShape(info, 1, "shape");
  if (g.shape.empty()) ThrowRange(env, std::string(fn) + " needs rank >= 1");
  g.axis = ArgInt(info, 3, 0, static_cast<int64_t>(g.shape.size()) - 1, "axis");
  g.idx = ArgI32Any(info, 2, "indices");
  CheckIndices(env, g.idx, g.shape[g.axis]);
  OuterInner(g.shape, g.axis, &g.outer, &g.inner);
  return g;
}

Napi::Value GatherB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [shape, axis, idx, outer, inner] = ArgGather(info, "gather");
  DataArg x = ArgDataLen(info, 0, CheckedProduct(env, shape, "x"), "x");
  DataArg out = OutLike(info, 4, CheckedProduct(env, {outer, static_cast<int64_t>(idx.length), inner}, "out"), x);
  Gather(In(x), outer, shape[axis], inner, idx.data, static_cast<int64_t>(idx.length), Out(out));
  return env.Undefined();
}

Napi::Value GatherGradB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const auto [shape, axis, idx, outer, inner] = ArgGather(info, "gatherGrad");
  F32 dy = ArgF32(info, 0, CheckedProduct(env, {outer, static_cast<int64_t>(idx.length), inner}, "dy"), "dy");
  F32 dx = ArgF32(info, 4, CheckedProduct(env, shape, "dx"), "dx");
  GatherGrad(dy.data, outer, shape[axis], inner, idx.data, static_cast<int64_t>(idx.length), dx.data);
  return env.Undefined();
}

Napi::Value BroadcastToB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "broadcastTo");
  Napi::Env env = info.Env();
  Shape shape = ArgShape(info, 1, "shape");
  Shape out_shape = ArgShape(info, 2, "outShape");
  if (shape.size() > out_shape.size()) ThrowRange(env, "broadcastTo cannot lower the rank");
  size_t off = out_shape.size() - shape.size();
  for (size_t i = 0; i < shape.size(); i++) {
    if (shape[i] != 1 && shape[i] != out_shape[i + off]) ThrowRange(env, "shape does not broadcast to outShape");
  }
  DataArg x = ArgDataLen(info, 0, CheckedProduct(env, shape, "x"), "x");
  DataArg out = OutLike(info, 3, CheckedProduct(env, out_shape, "out"), x);
  BroadcastTo(In(x), shape, out_shape, Out(out));
  return env.Undefined();
}

CONVKIT_EXPORT("transpose", TransposeB);
CONVKIT_EXPORT("slice", SliceB);
CONVKIT_EXPORT("concat", ConcatB);
CONVKIT_EXPORT("pad", PadB);
CONVKIT_EXPORT("gather", GatherB);
CONVKIT_EXPORT("gatherGrad", GatherGradB);
CONVKIT_EXPORT("broadcastTo", BroadcastToB);

}  // namespace
}  // namespace convkit
