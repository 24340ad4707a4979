// softmax(x, y, rows, cols), logSoftmax(x, y, rows, cols),
// sparseSoftmaxCrossEntropy(logits, labels, loss, dlogits, rows, cols).
#include "common/args.h"
#include "common/registry.h"
#include "kernels/softmax.h"

namespace convkit {
namespace {

const int64_t kMaxDim = int64_t(1) << 40;

template <void (*Kernel)(const float*, float*, int64_t, int64_t)>
Napi::Value RowwiseB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "softmax");
  int64_t rows = ArgInt(info, 2, 0, kMaxDim, "rows");
  int64_t cols = ArgInt(info, 3, 0, kMaxDim, "cols");
  size_t n = CheckedProduct(info.Env(), {rows, cols}, "x");
  F32 x = ArgF32(info, 0, n, "x");
  F32 y = ArgF32(info, 1, n, "y");
  Kernel(x.data, y.data, rows, cols);
  return info.Env().Undefined();
}

Napi::Value SparseSceB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 6, "sparseSoftmaxCrossEntropy");
  Napi::Env env = info.Env();
  int64_t rows = ArgInt(info, 4, 0, kMaxDim, "rows");
  int64_t cols = ArgInt(info, 5, 0, kMaxDim, "cols");
  size_t n = CheckedProduct(env, {rows, cols}, "logits");
  F32 logits = ArgF32(info, 0, n, "logits");
  I32 labels = ArgI32(info, 1, static_cast<size_t>(rows), "labels");
  F32 loss = ArgF32(info, 2, static_cast<size_t>(rows), "loss");
  F32 dlogits = ArgF32(info, 3, n, "dlogits");
  for (int64_t r = 0; r < rows; r++) {
    if (labels.data[r] < 0 || labels.data[r] >= cols) {
      ThrowRange(env, "label " + std::to_string(labels.data[r]) + " at row " + std::to_string(r) +
                          " is outside [0, " + std::to_string(cols) + ")");
    }
  }
  SparseSoftmaxCrossEntropy(logits.data, labels.data, loss.data, dlogits.data, rows, cols);
  return env.Undefined();
}

CONVKIT_EXPORT("softmax", RowwiseB<Softmax>);
CONVKIT_EXPORT("logSoftmax", RowwiseB<LogSoftmax>);
CONVKIT_EXPORT("sparseSoftmaxCrossEntropy", SparseSceB);

}  // namespace
}  // namespace convkit
