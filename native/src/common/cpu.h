// Instruction-set detection for runtime kernel dispatch. CONVKIT_ISA=generic|avx2|avx512 forces a
// lower level (never a higher one than the CPU has), so tests can exercise every code path.
#pragma once

namespace convkit {

enum class Isa { kGeneric = 0, kAvx2 = 1, kAvx512 = 2 };

Isa DetectedIsa();        // what the CPU supports
Isa ActiveIsa();          // what kernels use (DetectedIsa capped by CONVKIT_ISA / SetIsa)
void SetIsa(Isa isa);     // capped at DetectedIsa()
const char* IsaName(Isa isa);

}  // namespace convkit
