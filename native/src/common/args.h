// Argument checking for bindings. TypeScript validates shapes before every call; these checks are
// the second line: a binding that receives the wrong type, a buffer shorter than its shape implies,
// or a nonsensical size throws a JS TypeError/RangeError instead of touching memory it must not.
#pragma once
#include <napi.h>
#include <cstdint>
#include <string>
#include <vector>

namespace convkit {

struct F32 {
  float* data;
  size_t length;
};

struct I32 {
  int32_t* data;
  size_t length;
};

[[noreturn]] void ThrowType(Napi::Env env, const std::string& msg);
[[noreturn]] void ThrowRange(Napi::Env env, const std::string& msg);

// Argument `i` must be a Float32Array of exactly `expected` elements (`what` names it in errors).
F32 ArgF32(const Napi::CallbackInfo& info, size_t i, size_t expected, const char* what);
// Argument `i` must be a Float32Array of at least `min_len` elements; its length is returned.
F32 ArgF32Any(const Napi::CallbackInfo& info, size_t i, const char* what);
I32 ArgI32(const Napi::CallbackInfo& info, size_t i, size_t expected, const char* what);
I32 ArgI32Any(const Napi::CallbackInfo& info, size_t i, const char* what);
// Argument `i` must be an integer in [lo, hi].
int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, int64_t lo, int64_t hi, const char* what);
double ArgNum(const Napi::CallbackInfo& info, size_t i, const char* what);
bool ArgBool(const Napi::CallbackInfo& info, size_t i, const char* what);
std::string ArgStr(const Napi::CallbackInfo& info, size_t i, const char* what);
// Argument `i` must be an array of integers, each in [lo, hi], of length `expected_len` (-1: any).
std::vector<int64_t> ArgInts(const Napi::CallbackInfo& info, size_t i, int64_t lo, int64_t hi,
                             long expected_len, const char* what);
// Throws unless info.Length() == n.
void ExpectArgs(const Napi::CallbackInfo& info, size_t n, const char* fn);
// Product of dims with overflow check (throws RangeError past 2^40 elements).
size_t CheckedProduct(Napi::Env env, const std::vector<int64_t>& dims, const char* what);

}  // namespace convkit
