#include "kernels/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/parallel.h"

namespace convkit {
namespace {

// Like the js rowMax: NaNs never win (a NaN row still ends NaN through its exp sum).
inline float RowMax(const float* x, int64_t cols) {
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t j = 0; j < cols; j++) m = x[j] > m ? x[j] : m;
  return m;
}

// Σ exp(x − m) in double; writes the float exponentials to e when given.
inline double ExpSum(const float* x, float m, float* e, int64_t cols) {
  double sum = 0;
  for (int64_t j = 0; j < cols; j++) {
    float v = std::exp(x[j] - m);
    if (e) e[j] = v;
    sum += v;
  }
  return sum;
}

template <class Fn>
void ForRowsParallel(int64_t rows, int64_t cols, Fn&& fn) {
  ParallelFor(rows, std::max<int64_t>(1, 8192 / std::max<int64_t>(cols, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; r++) fn(r);
  });
}

}  // namespace

void Softmax(const float* x, float* y, int64_t rows, int64_t cols) {
  ForRowsParallel(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double inv = 1 / ExpSum(xr, RowMax(xr, cols), yr, cols);
    for (int64_t j = 0; j < cols; j++) yr[j] = static_cast<float>(yr[j] * inv);
  });
}

void LogSoftmax(const float* x, float* y, int64_t rows, int64_t cols) {
  ForRowsParallel(rows, cols, [&](int64_t r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = RowMax(xr, cols);
    double lse = m + std::log(ExpSum(xr, m, nullptr, cols));
    for (int64_t j = 0; j < cols; j++) yr[j] = static_cast<float>(xr[j] - lse);
  });
}

void SparseSoftmaxCrossEntropy(const float* logits, const int32_t* labels, float* loss, float* dlogits, int64_t rows,
                               int64_t cols) {
  ForRowsParallel(rows, cols, [&](int64_t r) {
    const float* xr = logits + r * cols;
    float* dr = dlogits + r * cols;
    float m = RowMax(xr, cols);
    double lse = m + std::log(ExpSum(xr, m, nullptr, cols));
    const int64_t label = labels[r];
    loss[r] = static_cast<float>(lse - xr[label]);
    for (int64_t j = 0; j < cols; j++) dr[j] = std::exp(static_cast<float>(xr[j] - lse));
    // The label's p − 1 in double: p is near 1 for a confident correct class.
    dr[label] = static_cast<float>(std::exp(xr[label] - lse) - 1);
  });
}

}  // namespace convkit
