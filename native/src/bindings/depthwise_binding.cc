// depthwiseConv2d(x, filter, bias|null, out, info, act, null, null), depthwiseConv2dBackpropInput(dy, filter, out, info),
// depthwiseConv2dBackpropFilter(x, dy, out, info). `info` is the 18 Conv2DInfo fields in
// declaration order, with outChannels = inChannels · channelMultiplier; `act` the Act code
// (0 linear … 4 tanh), as conv2d.
#include "bindings/conv_args.h"
#include "common/registry.h"
#include "kernels/depthwise.h"

namespace convkit {
namespace {

Napi::Value Forward(const Napi::CallbackInfo& info) {
  return RunConvForward(info, true, "depthwiseConv2d",
                        [](const ConvShape& s, const float* x, const float* filter, float* y, const float* bias, Act act,
                           const PackedB*, const float*) { DepthwiseForward(s, x, filter, y, bias, act); });
}

Napi::Value BackpropInput(const Napi::CallbackInfo& info) {
  return RunConvBackprop(info, true, "depthwiseConv2dBackpropInput", ConvGrad::kInput, DepthwiseBackpropInput);
}

Napi::Value BackpropFilter(const Napi::CallbackInfo& info) {
  return RunConvBackprop(info, true, "depthwiseConv2dBackpropFilter", ConvGrad::kFilter, DepthwiseBackpropFilter);
}

CONVKIT_EXPORT("depthwiseConv2d", Forward);
CONVKIT_EXPORT("depthwiseConv2dBackpropInput", BackpropInput);
CONVKIT_EXPORT("depthwiseConv2dBackpropFilter", BackpropFilter);

}  // namespace
}  // namespace convkit
