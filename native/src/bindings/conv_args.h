// Argument parsing shared by the conv2d and depthwiseConv2d bindings: both take the 18 Conv2DInfo
// fields as `info`, the forward (x, filter, bias|null, out, info, act) and the backprop
// (dy, filter, out, info) / (x, dy, out, info) argument lists. Each Run* checks the arguments, then
// calls the kernel.
#pragma once
#include <napi.h>

#include "common/activation.h"
#include "kernels/conv_shape.h"
#include "kernels/gemm.h"

namespace convkit {

using ConvForwardKernel = void (*)(const ConvShape& s, const float* x, const float* filter, float* y,
                                   const float* bias, Act act, const PackedB* packed, const float* residual);
using ConvBackpropKernel = void (*)(const ConvShape& s, const float* a, const float* b, float* out);

// Which gradient a backprop binding computes: kInput (dy, filter, out = dx, info) or
// kFilter (x, dy, out = dfilter, info).
enum class ConvGrad { kInput, kFilter };

// A Conv2DInfo argument (the 18 fields) as a checked shape with its input, output and filter sizes;
// throws a RangeError naming what is inconsistent.
struct ConvSizes {
  ConvShape s;
  size_t in, out, filter;
};
ConvSizes ArgConvInfo(const Napi::CallbackInfo& info, size_t i, bool depthwise);

// Argument i: null, or a k×n GEMM operand packed ahead of time (packGemmB). Returns `view` filled in,
// or null when the argument is null or was packed for another shape or instruction set (the caller
// then reads the plain operand: same result, no re-layout). Not a Float32Array → TypeError.
const PackedB* ArgPackedB(const Napi::CallbackInfo& info, size_t i, int64_t k, int64_t n, PackedB* view);

// Forward: (x, filter, bias|null, out, info, act, packedFilter|null, residual|null); a packed filter
// and a residual (the output's size, possibly out itself) only for conv2d.
// `fn` names the binding in the argument-count error; `depthwise` selects the depthwise shape rules
// (filter H×W×C×M, "depthwiseConv2d info:" errors) over the conv2d ones (H×W×C×OC, "conv2d info:").
Napi::Value RunConvForward(const Napi::CallbackInfo& info, bool depthwise, const char* fn, ConvForwardKernel k);
Napi::Value RunConvBackprop(const Napi::CallbackInfo& info, bool depthwise, const char* fn, ConvGrad grad,
                            ConvBackpropKernel k);

}  // namespace convkit
