// Depthwise 2-D convolution, NHWC input, H×W×C×M filter, output channel c·M + m; semantics match
// src/backend/js/depthwise.ts. Direct loops (a GEMM would be mostly zeros), vectorised over
// channels and threaded over rows. Outputs are fully overwritten.
#pragma once
#include "common/activation.h"
#include "kernels/conv_shape.h"

namespace convkit {

// y = act(conv(x, filter) + bias): bias (length C·M, may be null) and act applied in registers
// before the single store of each output vector.
void DepthwiseForward(const ConvShape& s, const float* x, const float* filter, float* y, const float* bias = nullptr,
                      Act act = Act::kLinear);
void DepthwiseBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx);
// Each filter value sums N·OH·OW products: accumulated in float64 across rows, as the js kernel does.
void DepthwiseBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* df);

}  // namespace convkit
