// 2-D convolution, NHWC activations and HWIO filters, as GEMMs over im2col patches (kernels/gemm.h).
// Semantics match src/backend/js/conv.ts. Outputs are fully overwritten (no need to zero them).
#pragma once
#include <cstdint>

#include "common/activation.h"
#include "kernels/conv_shape.h"
#include "kernels/gemm.h"

namespace convkit {

// y[N·OH·OW, OC] = act(patches(x)·W + bias + residual); bias and residual may be null, residual may
// be y itself (the sum is then formed in place). `packed`, when not null, is the same filter
// (KH·KW·C × OC) packed ahead of time (PackBAhead), read instead of `filter` by the GEMM paths.
void Conv2dForward(const ConvShape& s, const float* x, const float* filter, float* y, const float* bias, Act act,
                   const PackedB* packed = nullptr, const float* residual = nullptr);
// dx = col2im(dy·Wᵀ).
void Conv2dBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx);
// dW[KH·KW·C, OC] = patches(x)ᵀ·dy.
void Conv2dBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw);

}  // namespace convkit
