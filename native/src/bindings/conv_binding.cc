// conv2d(x, filter, bias|null, out, info, act, packedFilter|null, residual|null), conv2dBackpropInput(dy, filter, out, info),
// conv2dBackpropFilter(x, dy, out, info). `info` is the 18 Conv2DInfo fields in declaration order;
// `act` the Act code (0 linear … 4 tanh); packedFilter the filter as packGemmB(filter, KH·KW·C, OC)
// made it (a constant filter's sequential copy; ignored if made for another shape or ISA); residual
// an array of the output's size added before the activation (out itself: the sum in place).
#include "bindings/conv_args.h"
#include "common/registry.h"
#include "kernels/conv.h"

namespace convkit {
namespace {

Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return RunConvForward(info, false, "conv2d", Conv2dForward);
}

Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo& info) {
  return RunConvBackprop(info, false, "conv2dBackpropInput", ConvGrad::kInput, &convkit::Conv2dBackpropInput);
}

Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo& info) {
  return RunConvBackprop(info, false, "conv2dBackpropFilter", ConvGrad::kFilter, &convkit::Conv2dBackpropFilter);
}

CONVKIT_EXPORT("conv2d", Conv2d);
CONVKIT_EXPORT("conv2dBackpropInput", Conv2dBackpropInput);
CONVKIT_EXPORT("conv2dBackpropFilter", Conv2dBackpropFilter);

}  // namespace
}  // namespace convkit
