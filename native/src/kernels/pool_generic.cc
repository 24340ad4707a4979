// Portable pooling path (scalar trait).
#define CONVKIT_POOL_TARGET
#define CONVKIT_POOL_TABLE GenericTable
#define CONVKIT_POOL_VEC simd::ScalarT
#include "kernels/pool_impl.h"
