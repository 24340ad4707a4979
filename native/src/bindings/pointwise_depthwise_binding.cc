// pointwiseDepthwiseConv2d(x, w1, b1|null, act1, w2, b2|null, act2, out, pwInfo, dwInfo, packedW1|null):
// the 1×1 convolution pwInfo followed by the 3×3 depthwise convolution dwInfo on its output, in one
// pass (kernels/pointwise_depthwise.h). Both infos are Conv2DInfo field arrays; the pair must chain.
// packedW1 as conv2d's packedFilter.
#include <string>

#include "bindings/conv_args.h"
#include "common/args.h"
#include "common/registry.h"
#include "kernels/pointwise_depthwise.h"

namespace convkit {
namespace {

Napi::Value PointwiseDepthwiseB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 11, "pointwiseDepthwiseConv2d");
  Napi::Env env = info.Env();
  const ConvSizes pw = ArgConvInfo(info, 8, false);
  const ConvSizes dw = ArgConvInfo(info, 9, true);
  if (!PointwiseDepthwiseApplies(pw.s, dw.s)) {
    ThrowRange(env, "pointwiseDepthwiseConv2d: pwInfo must be a 1×1 stride-1 unpadded convolution whose output is the "
                    "input of dwInfo, a 3×3 depthwise convolution (dilation 1, multiplier 1, stride 1 or 2, side padding ≤ 2)");
  }
  F32 x = ArgF32(info, 0, pw.in, "x");
  F32 w1 = ArgF32(info, 1, pw.filter, "w1");
  const float* b1 = nullptr;
  if (!info[2].IsNull() && !info[2].IsUndefined()) b1 = ArgF32(info, 2, pw.s.oc, "b1").data;
  const Act act1 = static_cast<Act>(ArgInt(info, 3, 0, 4, "act1"));
  F32 w2 = ArgF32(info, 4, dw.filter, "w2");
  const float* b2 = nullptr;
  if (!info[5].IsNull() && !info[5].IsUndefined()) b2 = ArgF32(info, 5, dw.s.oc, "b2").data;
  const Act act2 = static_cast<Act>(ArgInt(info, 6, 0, 4, "act2"));
  F32 y = ArgF32(info, 7, dw.out, "out");
  PackedB view;
  const PackedB* packed = ArgPackedB(info, 10, pw.s.c, pw.s.oc, &view);
  PointwiseDepthwiseForward(pw.s, dw.s, x.data, w1.data, b1, act1, w2.data, b2, act2, y.data, packed);
  return env.Undefined();
}

}  // namespace

CONVKIT_EXPORT("pointwiseDepthwiseConv2d", PointwiseDepthwiseB);

}  // namespace convkit
