// AVX-512 depthwise path: 16 channels per vector, 4 vectors per register block.
#if defined(__x86_64__)
#define CONVKIT_DW_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define CONVKIT_DW_TABLE Avx512Table
#define CONVKIT_DW_VEC simd::Avx512T
#include "kernels/depthwise_impl.h"
#endif
