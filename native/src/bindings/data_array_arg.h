// Binding helpers for kernels that accept either Float32Array or Int32Array (4-byte elements) and
// for shape arguments, shared by the element-wise, reduction and movement bindings.
#pragma once
#include <string>
#include <vector>

#include "common/args.h"

namespace convkit {

struct DataArg {
  void* data;
  size_t length;
  bool is_int;
};

// Argument `i` must be a Float32Array or an Int32Array.
inline DataArg ArgData(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsTypedArray()) {
    ThrowType(info.Env(), std::string(what) + " must be a Float32Array or Int32Array");
  }
  Napi::TypedArray arr = info[i].As<Napi::TypedArray>();
  if (arr.TypedArrayType() == napi_float32_array) {
    auto f = arr.As<Napi::Float32Array>();
    return {f.Data(), f.ElementLength(), false};
  }
  if (arr.TypedArrayType() == napi_int32_array) {
    auto n = arr.As<Napi::Int32Array>();
    return {n.Data(), n.ElementLength(), true};
  }
  ThrowType(info.Env(), std::string(what) + " must be a Float32Array or Int32Array");
}

inline DataArg ArgDataLen(const Napi::CallbackInfo& info, size_t i, size_t expected, const char* what) {
  DataArg d = ArgData(info, i, what);
  if (d.length != expected) {
    ThrowRange(info.Env(), std::string(what) + " has " + std::to_string(d.length) + " elements, expected " +
                               std::to_string(expected));
  }
  return d;
}

// A shape: non-negative integer dimensions, at most 64 of them.
inline std::vector<int64_t> ArgShape(const Napi::CallbackInfo& info, size_t i, const char* what) {
  return ArgInts(info, i, 0, int64_t(1) << 40, -1, what);
}

}  // namespace convkit
