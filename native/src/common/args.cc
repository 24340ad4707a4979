#include "common/args.h"

#include <cmath>
#include <limits>

namespace convkit {

void ThrowType(Napi::Env env, const std::string& msg) {
  throw Napi::TypeError::New(env, "convkit native: " + msg);
}

void ThrowRange(Napi::Env env, const std::string& msg) {
  throw Napi::RangeError::New(env, "convkit native: " + msg);
}

void ExpectArgs(const Napi::CallbackInfo& info, size_t n, const char* fn) {
  if (info.Length() != n) {
    ThrowType(info.Env(), std::string(fn) + " expects " + std::to_string(n) + " arguments, got " +
                              std::to_string(info.Length()));
  }
}

// The data and length of typed-array argument i of the given type. One napi_get_typedarray_info
// answers both and the type check; node-addon-api's wrappers make three Node-API calls for the same
// (IsTypedArray, then the info once for the type and again for the typed view), and a kernel call
// reads up to seven arrays, ~50 times per batch-1 MobileNetV2 pass.
static void* TypedArg(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* type_name,
                      const char* what, size_t* length) {
  napi_typedarray_type actual;
  void* data = nullptr;
  if (i >= info.Length() ||
      napi_get_typedarray_info(info.Env(), info[i], &actual, length, &data, nullptr, nullptr) != napi_ok ||
      actual != type) {
    ThrowType(info.Env(), std::string(what) + " must be a " + type_name);
  }
  return data;
}

F32 ArgF32Any(const Napi::CallbackInfo& info, size_t i, const char* what) {
  size_t n = 0;
  float* data = static_cast<float*>(TypedArg(info, i, napi_float32_array, "Float32Array", what, &n));
  return {data, n};
}

static void CheckLength(const Napi::CallbackInfo& info, size_t length, size_t expected, const char* what) {
  if (length != expected) {
    ThrowRange(info.Env(), std::string(what) + " has " + std::to_string(length) + " elements, expected " +
                               std::to_string(expected));
  }
}

F32 ArgF32(const Napi::CallbackInfo& info, size_t i, size_t expected, const char* what) {
  F32 v = ArgF32Any(info, i, what);
  CheckLength(info, v.length, expected, what);
  return v;
}

I32 ArgI32Any(const Napi::CallbackInfo& info, size_t i, const char* what) {
  size_t n = 0;
  int32_t* data = static_cast<int32_t*>(TypedArg(info, i, napi_int32_array, "Int32Array", what, &n));
  return {data, n};
}

I32 ArgI32(const Napi::CallbackInfo& info, size_t i, size_t expected, const char* what) {
  I32 v = ArgI32Any(info, i, what);
  CheckLength(info, v.length, expected, what);
  return v;
}

double ArgNum(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsNumber()) ThrowType(info.Env(), std::string(what) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, int64_t lo, int64_t hi, const char* what) {
  double d = ArgNum(info, i, what);
  if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    ThrowRange(info.Env(), std::string(what) + " must be an integer in [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "], got " + std::to_string(d));
  }
  return static_cast<int64_t>(d);
}

bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsBoolean()) ThrowType(info.Env(), std::string(what) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string ArgStr(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (i >= info.Length() || !info[i].IsString()) ThrowType(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> ArgInts(const Napi::CallbackInfo& info, size_t i, int64_t lo, int64_t hi, long expected_len,
                             const char* what) {
  // An Int32Array is read in one step: a plain array costs two Node-API calls per entry, about a
  // microsecond for a conv's 18 fields, on every kernel call.
  napi_typedarray_type type;
  size_t typed_len = 0;
  void* typed_data = nullptr;
  const bool typed = i < info.Length() &&
                     napi_get_typedarray_info(info.Env(), info[i], &type, &typed_len, &typed_data, nullptr, nullptr) ==
                         napi_ok &&
                     type == napi_int32_array;
  if (i >= info.Length() || (!typed && !info[i].IsArray())) {
    ThrowType(info.Env(), std::string(what) + " must be an array of integers or an Int32Array");
  }
  const uint32_t n = typed ? static_cast<uint32_t>(typed_len) : info[i].As<Napi::Array>().Length();
  if (expected_len >= 0 && n != static_cast<uint32_t>(expected_len)) {
    ThrowRange(info.Env(), std::string(what) + " must have " + std::to_string(expected_len) + " entries, got " +
                               std::to_string(n));
  }
  if (n > 64) ThrowRange(info.Env(), std::string(what) + " has too many entries (" + std::to_string(n) + ")");
  std::vector<int64_t> out(n);
  if (typed) {
    const int32_t* v = static_cast<const int32_t*>(typed_data);
    for (uint32_t k = 0; k < n; k++) {
      if (v[k] < lo || v[k] > hi) {
        ThrowRange(info.Env(), std::string(what) + "[" + std::to_string(k) + "] must be an integer in [" +
                                   std::to_string(lo) + ", " + std::to_string(hi) + "]");
      }
      out[k] = v[k];
    }
    return out;
  }
  Napi::Array arr = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = arr.Get(k);
    if (!v.IsNumber()) ThrowType(info.Env(), std::string(what) + "[" + std::to_string(k) + "] must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
      ThrowRange(info.Env(), std::string(what) + "[" + std::to_string(k) + "] must be an integer in [" +
                                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

size_t CheckedProduct(Napi::Env env, const std::vector<int64_t>& dims, const char* what) {
  const double limit = std::pow(2.0, 40);
  double p = 1;
  for (int64_t d : dims) {
    if (d < 0) ThrowRange(env, std::string(what) + ": negative dimension");
    p *= static_cast<double>(d);
    if (p > limit) ThrowRange(env, std::string(what) + ": too many elements");
  }
  return static_cast<size_t>(p);
}

}  // namespace convkit
