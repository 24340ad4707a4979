#include "common/cpu.h"

#include <cstdlib>
#include <cstring>

namespace convkit {
namespace {

Isa Detect() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma")) {
    return Isa::kAvx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::kAvx2;
#endif
  return Isa::kGeneric;
}

Isa Cap(Isa want) {
  Isa have = DetectedIsa();
  return static_cast<int>(want) < static_cast<int>(have) ? want : have;
}

Isa FromEnv() {
  const char* env = std::getenv("CONVKIT_ISA");
  if (!env) return DetectedIsa();
  if (!std::strcmp(env, "generic")) return Cap(Isa::kGeneric);
  if (!std::strcmp(env, "avx2")) return Cap(Isa::kAvx2);
  return Cap(Isa::kAvx512);
}

Isa active = FromEnv();

}  // namespace

Isa DetectedIsa() {
  static const Isa isa = Detect();
  return isa;
}

Isa ActiveIsa() { return active; }

void SetIsa(Isa isa) { active = Cap(isa); }

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    default: return "generic";
  }
}

}  // namespace convkit
