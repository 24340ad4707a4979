// alignmentOffset(buffer: ArrayBuffer): how many bytes past a 64-byte boundary the buffer's memory
// starts. JavaScript cannot see addresses; tensor storage is then placed on a 64-byte boundary so a
// kernel's vector loads and stores never straddle two cache lines.
#include <cstdint>

#include "common/args.h"
#include "common/registry.h"

namespace convkit {
namespace {

Napi::Value AlignmentOffsetB(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsArrayBuffer()) ThrowType(env, "alignmentOffset expects (buffer: ArrayBuffer)");
  const auto address = reinterpret_cast<uintptr_t>(info[0].As<Napi::ArrayBuffer>().Data());
  return Napi::Number::New(env, static_cast<double>(address % 64));
}

}  // namespace

CONVKIT_EXPORT("alignmentOffset", AlignmentOffsetB);

}  // namespace convkit
