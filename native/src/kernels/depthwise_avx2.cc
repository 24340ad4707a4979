// AVX2+FMA depthwise path: 8 channels per vector, 4 vectors per register block.
#if defined(__x86_64__)
#define CONVKIT_DW_TARGET __attribute__((target("avx2,fma")))
#define CONVKIT_DW_TABLE Avx2Table
#define CONVKIT_DW_VEC simd::Avx2T
#include "kernels/depthwise_impl.h"
#endif
