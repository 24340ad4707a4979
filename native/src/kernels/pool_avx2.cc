// AVX2 pooling path: 8 channels per vector.
#if defined(__x86_64__)
#define CONVKIT_POOL_TARGET __attribute__((target("avx2,fma")))
#define CONVKIT_POOL_TABLE Avx2Table
#define CONVKIT_POOL_VEC simd::Avx2T
#include "kernels/pool_impl.h"
#endif
