// AVX-512 pooling path: 16 channels per vector.
#if defined(__x86_64__)
#define CONVKIT_POOL_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define CONVKIT_POOL_TABLE Avx512Table
#define CONVKIT_POOL_VEC simd::Avx512T
#include "kernels/pool_impl.h"
#endif
