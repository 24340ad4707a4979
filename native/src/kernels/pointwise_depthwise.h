// The expand → depthwise pair of an inverted-residual block (MobileNetV2, EfficientNet) in one pass:
// y = act2(depthwise3×3(act1(x·W1 + b1)) + b2), computed a few rows at a time so the expanded
// activation (6× the block's width) never leaves the cache: each thread keeps the last four
// expanded rows in a ring and produces every output row from three of them. With a projection, the
// block's closing 1×1 convolution runs on each thread's depthwise rows while they are still in its
// cache, so the depthwise output is never written out either (at batch 16 it is tens of MB a layer).
#pragma once
#include <cstdint>

#include "common/activation.h"
#include "kernels/conv_shape.h"
#include "kernels/gemm.h"

namespace convkit {

// pw: the 1×1 convolution (N, H, W, Cin) → (N, H, W, C); dw: the 3×3 depthwise convolution on its
// output (dilation 1, multiplier 1, stride 1 or 2, any padding). b1, b2 may be null; `packed_w1`, when
// not null, is w1 packed ahead of time (PackBAhead) and read instead of it. With neither w1 nor
// packed_w1 there is no expansion: x is the depthwise input and pw the identity on its shape (1×1,
// C → C), and the kernel is depthwise → projection in one pass.
bool PointwiseDepthwiseApplies(const ConvShape& pw, const ConvShape& dw);

// The optional third stage: z = act3(y·W3 + b3 [+ residual]), `s` a 1×1 stride-1 unpadded
// convolution whose input is the depthwise output. `packed_w3`, when not null, is read instead of w3;
// residual (z's size, or null) may be z itself or x; z must not share memory with x.
struct Projection {
  ConvShape s;
  const float* w3 = nullptr;
  const PackedB* packed_w3 = nullptr;
  const float* b3 = nullptr;
  Act act3 = Act::kLinear;
  const float* residual = nullptr;
};
bool ProjectionApplies(const ConvShape& dw, const ConvShape& proj);

// y is the depthwise output, or with `proj` the projection's output.
void PointwiseDepthwiseForward(const ConvShape& pw, const ConvShape& dw, const float* x, const float* w1,
                               const float* b1, Act act1, const float* w2, const float* b2, Act act2, float* y,
                               const PackedB* packed_w1 = nullptr, const Projection* proj = nullptr);

}  // namespace convkit
