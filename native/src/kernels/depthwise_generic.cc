// Portable depthwise path (scalar trait; the compiler may still vectorise).
#define CONVKIT_DW_TARGET
#define CONVKIT_DW_TABLE GenericTable
#define CONVKIT_DW_VEC simd::ScalarT
#include "kernels/depthwise_impl.h"
