// 2-D max and average pooling (NHWC) and their gradients; semantics match src/backend/js/pool.ts.
// Outputs are fully overwritten.
#pragma once
#include "kernels/conv_shape.h"

namespace convkit {

// A window wholly in the padding yields −∞.
void MaxPoolForward(const PoolShape& s, const float* x, float* y);
// Each window's dy goes to its first maximal input (row-major scan); overlapping windows accumulate.
void MaxPoolBackprop(const PoolShape& s, const float* dy, const float* x, float* dx);
// Average over in-bounds cells; a window wholly in the padding yields 0.
void AvgPoolForward(const PoolShape& s, const float* x, float* y);
void AvgPoolBackprop(const PoolShape& s, const float* dy, float* dx);

}  // namespace convkit
