// Softmax family over the last axis of a [rows, cols] float32 view (src/backend/js/softmax.ts):
// the row maximum is subtracted first, row sums are accumulated in double.
#pragma once
#include <cstdint>

namespace convkit {

void Softmax(const float* x, float* y, int64_t rows, int64_t cols);
void LogSoftmax(const float* x, float* y, int64_t rows, int64_t cols);
// labels must already be validated to lie in [0, cols).
void SparseSoftmaxCrossEntropy(const float* logits, const int32_t* labels, float* loss, float* dlogits, int64_t rows,
                               int64_t cols);

}  // namespace convkit
