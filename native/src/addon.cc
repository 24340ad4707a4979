// The convkit addon's entry point: exports every function the bindings registered, plus the
// runtime facts `convkit info` prints.
#include <napi.h>

#include <cstdlib>
#include <cstring>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "common/args.h"
#include "common/cpu.h"
#include "common/parallel.h"
#include "common/registry.h"

namespace convkit {

std::vector<Binding>& bindings() {
  static std::vector<Binding> list;
  return list;
}

namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", IsaName(ActiveIsa()));
  o.Set("detectedIsa", IsaName(DetectedIsa()));
  o.Set("threads", NumThreads());
  o.Set("napiVersion", NAPI_VERSION);
#if defined(__GLIBC__)
  const char* tuning = std::getenv("CONVKIT_MALLOC_TUNING");
  o.Set("mallocTuning", !(tuning && std::strcmp(tuning, "0") == 0));
#else
  o.Set("mallocTuning", false);
#endif
#if defined(__clang__)
  o.Set("compiler", "clang " __clang_version__);
#elif defined(__GNUC__)
  o.Set("compiler", "gcc " __VERSION__);
#else
  o.Set("compiler", "unknown");
#endif
  Napi::Array names = Napi::Array::New(env, bindings().size());
  for (size_t i = 0; i < bindings().size(); i++) names.Set(i, bindings()[i].name);
  o.Set("kernels", names);
  return o;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 1, "setNumThreads");
  SetNumThreads(static_cast<int>(ArgInt(info, 0, 1, 256, "threads")));
  return Napi::Number::New(info.Env(), NumThreads());
}

Napi::Value SetIsaBinding(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 1, "setIsa");
  std::string name = ArgStr(info, 0, "isa");
  if (name == "generic") SetIsa(Isa::kGeneric);
  else if (name == "avx2") SetIsa(Isa::kAvx2);
  else if (name == "avx512") SetIsa(Isa::kAvx512);
  else ThrowRange(info.Env(), "isa must be 'generic', 'avx2' or 'avx512', got '" + name + "'");
  return Napi::String::New(info.Env(), IsaName(ActiveIsa()));
}

// Tensors are Float32Arrays whose memory V8 takes from malloc. With glibc's defaults every buffer
// above the (dynamic) mmap threshold is a fresh mapping that page-faults on first touch and goes back
// to the OS when freed, which dominates small CNN training (see research/PEERS.md). Keeping freed
// memory in the heap makes the next same-sized tensor reuse warm pages. The threshold cannot exceed
// 32 MiB, so larger buffers (batch-16 MobileNet's 77 MB expansions) would still be fresh mappings —
// 20K page faults, a third of the step in system time — unless mmap is off altogether (M_MMAP_MAX 0:
// everything from the heap, whose top is still trimmed past M_TRIM_THRESHOLD).
// CONVKIT_MALLOC_TUNING=0 opts out.
void TuneMalloc() {
#if defined(__GLIBC__)
  const char* env = std::getenv("CONVKIT_MALLOC_TUNING");
  if (env && std::strcmp(env, "0") == 0) return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TOP_PAD, 16 * 1024 * 1024);
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static bool tuned = (TuneMalloc(), true);
  (void)tuned;
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetThreads, "setNumThreads"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsaBinding, "setIsa"));
  for (const Binding& b : bindings()) exports.Set(b.name, Napi::Function::New(env, b.fn, b.name));
  return exports;
}

}  // namespace
}  // namespace convkit

static Napi::Object InitConvkit(Napi::Env env, Napi::Object exports) { return convkit::Init(env, exports); }

NODE_API_MODULE(convkit, InitConvkit)
