// Direct convolution for layers with few taps and few filters — LeNet's first layer, 5×5×1 → 6.
// There the im2col GEMM has n = OC = 6 columns, too narrow for the GEMM's register tiles; here one
// vector holds all OC outputs of a position and the KH·KW·C filter rows stay in registers, so a
// position costs KKC broadcast-FMAs. Up to two vectors of filters (3×3×3 → 32, the first layer of
// MobileNetV2 and the CIFAR CNN) the same scheme beats im2col + GEMM, whose k = 27 is too short to
// amortise its packing. Semantics match kernels/conv.h; only the summation order differs (float
// rounding).
#pragma once
#include "common/activation.h"
#include "kernels/conv_shape.h"

namespace convkit {

// True when the active ISA has a direct kernel for this shape (the callers fall back to GEMM).
bool ConvSmallApplies(const ConvShape& s);
// The filter gradient also has a direct kernel for many taps (OC ≤ one AVX-512 vector, KKC a
// multiple of 24, 25 or 27 — LeNet's second layer), where the GEMM spends as long packing the patch
// matrix as multiplying it.
bool ConvSmallFilterApplies(const ConvShape& s);
// Requires ConvSmallApplies(s).
void ConvSmallForward(const ConvShape& s, const float* x, const float* filter, float* y, const float* bias, Act act);
// Requires ConvSmallFilterApplies(s).
void ConvSmallBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw);

}  // namespace convkit
