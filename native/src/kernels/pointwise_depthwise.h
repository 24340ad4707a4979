// The expand → depthwise pair of an inverted-residual block (MobileNetV2, EfficientNet) in one pass:
// y = act2(depthwise3×3(act1(x·W1 + b1)) + b2), computed a few rows at a time so the expanded
// activation (6× the block's width) never leaves the cache: each thread keeps the last four
// expanded rows in a ring and produces every output row from three of them.
#pragma once
#include <cstdint>

#include "common/activation.h"
#include "kernels/conv_shape.h"
#include "kernels/gemm.h"

namespace convkit {

// pw: the 1×1 convolution (N, H, W, Cin) → (N, H, W, C); dw: the 3×3 depthwise convolution on its
// output (dilation 1, multiplier 1, stride 1 or 2, any padding). b1, b2 may be null; `packed_w1`, when
// not null, is w1 packed ahead of time (PackBAhead) and read instead of it.
bool PointwiseDepthwiseApplies(const ConvShape& pw, const ConvShape& dw);
void PointwiseDepthwiseForward(const ConvShape& pw, const ConvShape& dw, const float* x, const float* w1,
                               const float* b1, Act act1, const float* w2, const float* b2, Act act2, float* y,
                               const PackedB* packed_w1 = nullptr);

}  // namespace convkit
