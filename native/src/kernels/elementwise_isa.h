// Run-time ISA selection for simple element-wise loops: the loop body is an always-inline template
// compiled three times (baseline SSE2, AVX2, AVX-512) and picked on ActiveIsa(). Lambdas do not
// inherit target attributes, so the selected function pointer is what ParallelFor chunks call.
#pragma once
#include "common/cpu.h"
#include "kernels/elementwise_strided.h"

// CK_ISA_VARIANTS(Name, Impl, params, args) defines Name##Generic/Avx2/Avx512 calling Impl(args)
// and Name##Pick() returning the one for the active ISA. Used inside a template<class Op> context.
#if defined(__x86_64__)
#define CK_ISA_VARIANTS(Name, Impl, PARAMS, ARGS)                                 \
  template <class Op> void Name##Generic PARAMS { Impl<Op> ARGS; }                \
  template <class Op> CK_TARGET_AVX2 void Name##Avx2 PARAMS { Impl<Op> ARGS; }     \
  template <class Op> CK_TARGET_AVX512 void Name##Avx512 PARAMS { Impl<Op> ARGS; } \
  template <class Op> auto Name##Pick() -> decltype(&Name##Generic<Op>) {         \
    switch (::convkit::ActiveIsa()) {                                             \
      case ::convkit::Isa::kAvx512: return &Name##Avx512<Op>;                     \
      case ::convkit::Isa::kAvx2: return &Name##Avx2<Op>;                         \
      default: return &Name##Generic<Op>;                                         \
    }                                                                             \
  }
#else
#define CK_ISA_VARIANTS(Name, Impl, PARAMS, ARGS)                          \
  template <class Op> void Name##Generic PARAMS { Impl<Op> ARGS; }         \
  template <class Op> auto Name##Pick() -> decltype(&Name##Generic<Op>) { \
    return &Name##Generic<Op>;                                             \
  }
#endif
