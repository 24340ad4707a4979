// pointwiseDepthwiseConv2d(x, w1|null, b1|null, act1, w2, b2|null, act2, out, pwInfo|null, dwInfo, packedW1|null,
//                          w3|null, b3|null, act3, packedW3|null, residual|null, projInfo|null):
// the 1×1 convolution pwInfo followed by the 3×3 depthwise convolution dwInfo on its output, in one
// pass (kernels/pointwise_depthwise.h), and with projInfo the 1×1 convolution projInfo (w3, b3, act3,
// plus the residual when given) on the depthwise output; `out` is the last stage's output. The infos
// are Conv2DInfo field arrays and must chain. packedW1 / packedW3 as conv2d's packedFilter. Without
// pwInfo (w1, b1, packedW1 null) there is no expansion: x is the depthwise input, and projInfo is required.
#include <string>

#include "bindings/conv_args.h"
#include "common/args.h"
#include "common/registry.h"
#include "kernels/pointwise_depthwise.h"

namespace convkit {
namespace {

// The identity 1×1 convolution on the depthwise input's shape: the expansion a block without one has.
ConvSizes Identity1x1(const ConvShape& d) {
  ConvSizes p{};
  p.s = ConvShape{d.n, d.h, d.w, d.c, d.h, d.w, d.c, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1};
  p.in = p.out = static_cast<size_t>(d.n * d.h * d.w * d.c);
  p.filter = static_cast<size_t>(d.c * d.c);
  return p;
}

Napi::Value PointwiseDepthwiseB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 17, "pointwiseDepthwiseConv2d");
  Napi::Env env = info.Env();
  const ConvSizes dw = ArgConvInfo(info, 9, true);
  const bool expanding = !info[8].IsNull() && !info[8].IsUndefined();
  const ConvSizes pw = expanding ? ArgConvInfo(info, 8, false) : Identity1x1(dw.s);
  if (!expanding && (!info[1].IsNull() || !info[2].IsNull() || !info[10].IsNull() || info[16].IsNull())) {
    ThrowType(env, "pointwiseDepthwiseConv2d: without pwInfo (no expansion), w1, b1 and packedW1 must be null and projInfo given");
  }
  if (!PointwiseDepthwiseApplies(pw.s, dw.s)) {
    ThrowRange(env, "pointwiseDepthwiseConv2d: pwInfo must be a 1×1 stride-1 unpadded convolution whose output is the "
                    "input of dwInfo, a 3×3 depthwise convolution (dilation 1, multiplier 1, stride 1 or 2, side padding ≤ 2)");
  }
  F32 x = ArgF32(info, 0, pw.in, "x");
  const float* w1 = expanding ? ArgF32(info, 1, pw.filter, "w1").data : nullptr;
  const float* b1 = nullptr;
  if (!info[2].IsNull() && !info[2].IsUndefined()) b1 = ArgF32(info, 2, pw.s.oc, "b1").data;
  const Act act1 = static_cast<Act>(ArgInt(info, 3, 0, 4, "act1"));
  F32 w2 = ArgF32(info, 4, dw.filter, "w2");
  const float* b2 = nullptr;
  if (!info[5].IsNull() && !info[5].IsUndefined()) b2 = ArgF32(info, 5, dw.s.oc, "b2").data;
  const Act act2 = static_cast<Act>(ArgInt(info, 6, 0, 4, "act2"));
  PackedB view;
  const PackedB* packed = expanding ? ArgPackedB(info, 10, pw.s.c, pw.s.oc, &view) : nullptr;
  const bool projecting = !info[16].IsNull() && !info[16].IsUndefined();
  if (!projecting) {
    F32 y = ArgF32(info, 7, dw.out, "out");
    PointwiseDepthwiseForward(pw.s, dw.s, x.data, w1, b1, act1, w2.data, b2, act2, y.data, packed);
    return env.Undefined();
  }
  const ConvSizes pj = ArgConvInfo(info, 16, false);
  if (!ProjectionApplies(dw.s, pj.s)) {
    ThrowRange(env, "pointwiseDepthwiseConv2d: projInfo must be a 1×1 stride-1 unpadded convolution whose input is the "
                    "output of dwInfo");
  }
  F32 y = ArgF32(info, 7, pj.out, "out");
  Projection proj;
  proj.s = pj.s;
  proj.w3 = ArgF32(info, 11, pj.filter, "w3").data;
  if (!info[12].IsNull() && !info[12].IsUndefined()) proj.b3 = ArgF32(info, 12, pj.s.oc, "b3").data;
  proj.act3 = static_cast<Act>(ArgInt(info, 13, 0, 4, "act3"));
  PackedB view3;
  proj.packed_w3 = ArgPackedB(info, 14, pj.s.c, pj.s.oc, &view3);
  if (!info[15].IsNull() && !info[15].IsUndefined()) proj.residual = ArgF32(info, 15, pj.out, "residual").data;
  // The block's input rows are read (with a halo) after other threads' output rows are written.
  if (y.data < x.data + pw.in && x.data < y.data + pj.out) ThrowRange(env, "pointwiseDepthwiseConv2d: out must not share memory with x");
  PointwiseDepthwiseForward(pw.s, dw.s, x.data, w1, b1, act1, w2.data, b2, act2, y.data, packed, &proj);
  return env.Undefined();
}

}  // namespace

CONVKIT_EXPORT("pointwiseDepthwiseConv2d", PointwiseDepthwiseB);

}  // namespace convkit
