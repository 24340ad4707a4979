#include "kernels/batchnorm.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common/parallel.h"
#include "kernels/elementwise_isa.h"

namespace convkit {
namespace {

struct Tag {};

template <class>
CK_INLINE void SumRowsImpl(const float* x, int64_t nrows, int64_t c, double* s) {
  for (int64_t r = 0; r < nrows; r++, x += c) {
    for (int64_t j = 0; j < c; j++) s[j] += x[j];
  }
}
CK_ISA_VARIANTS(SumRows, SumRowsImpl, (const float* x, int64_t nrows, int64_t c, double* s), (x, nrows, c, s))

template <class>
CK_INLINE void SqDevRowsImpl(const float* x, int64_t nrows, int64_t c, const double* mean, double* s) {
  for (int64_t r = 0; r < nrows; r++, x += c) {
    for (int64_t j = 0; j < c; j++) {
      double d = x[j] - mean[j];
      s[j] += d * d;
    }
  }
}
CK_ISA_VARIANTS(SqDevRows, SqDevRowsImpl, (const float* x, int64_t nrows, int64_t c, const double* mean, double* s),
                (x, nrows, c, mean, s))

// Per channel: s[0..c) += Σ dy, s[c..2c) += Σ dy·x̂.
template <class>
CK_INLINE void GradSumRowsImpl(const float* dy, const float* x, int64_t nrows, int64_t c, const double* mean,
                               const double* inv_std, double* s) {
  double* s2 = s + c;
  for (int64_t r = 0; r < nrows; r++, x += c, dy += c) {
    for (int64_t j = 0; j < c; j++) {
      double g = dy[j];
      s[j] += g;
      s2[j] += g * (x[j] - mean[j]) * inv_std[j];
    }
  }
}
CK_ISA_VARIANTS(GradSumRows, GradSumRowsImpl,
                (const float* dy, const float* x, int64_t nrows, int64_t c, const double* mean, const double* inv_std,
                 double* s),
                (dy, x, nrows, c, mean, inv_std, s))

template <class>
CK_INLINE void NormRowsImpl(const float* x, int64_t nrows, int64_t c, const double* mean, const double* scale,
                            const float* beta, float* y) {
  for (int64_t r = 0; r < nrows; r++, x += c, y += c) {
    for (int64_t j = 0; j < c; j++) y[j] = static_cast<float>((x[j] - mean[j]) * scale[j] + beta[j]);
  }
}
CK_ISA_VARIANTS(NormRows, NormRowsImpl,
                (const float* x, int64_t nrows, int64_t c, const double* mean, const double* scale, const float* beta,
                 float* y),
                (x, nrows, c, mean, scale, beta, y))

// dx = k·(R·dy − Σdy − x̂·Σdy·x̂) with k = γ/(σR), as the js computes it.
template <class>
CK_INLINE void GradRowsImpl(const float* dy, const float* x, int64_t nrows, int64_t c, const double* mean,
                            const double* inv_std, const double* k, const double* s, double rows, float* dx) {
  const double* s2 = s + c;
  for (int64_t r = 0; r < nrows; r++, x += c, dy += c, dx += c) {
    for (int64_t j = 0; j < c; j++) {
      double xhat = (x[j] - mean[j]) * inv_std[j];
      dx[j] = static_cast<float>(k[j] * (rows * dy[j] - s[j] - xhat * s2[j]));
    }
  }
}
CK_ISA_VARIANTS(GradRows, GradRowsImpl,
                (const float* dy, const float* x, int64_t nrows, int64_t c, const double* mean, const double* inv_std,
                 const double* k, const double* s, double rows, float* dx),
                (dy, x, nrows, c, mean, inv_std, k, s, rows, dx))

constexpr int64_t kGrain = 16384;

// Per-channel sums over rows: each thread folds a band of rows into its own `width` accumulators,
// then the bands are added in thread order.
template <class Fn>
std::vector<double> ChannelSums(int64_t rows, int64_t channels, int64_t width, Fn&& fold) {
  std::vector<double> acc(static_cast<size_t>(width), 0.0);
  const int nt = NumThreads();
  if (nt == 1 || rows * channels < 2 * kGrain || InParallelRegion()) {
    fold(0, rows, acc.data());
    return acc;
  }
  std::vector<double> part(static_cast<size_t>(width) * (nt - 1), 0.0);
  int used = 1;
  ParallelRun(nt, [&](int t, int ntt) {
    if (t == 0) used = ntt;
    int64_t b = rows * t / ntt, e = rows * (t + 1) / ntt;
    fold(b, e, t == 0 ? acc.data() : part.data() + (t - 1) * width);
  });
  for (int t = 1; t < used; t++) {
    for (int64_t j = 0; j < width; j++) acc[j] += part[(t - 1) * width + j];
  }
  return acc;
}

void Normalize(const float* x, const double* mean, const double* variance, const float* gamma, const float* beta,
               int64_t rows, int64_t c, double epsilon, float* y) {
  std::vector<double> scale(c);
  for (int64_t j = 0; j < c; j++) scale[j] = gamma[j] / std::sqrt(variance[j] + epsilon);
  auto fn = NormRowsPick<Tag>();
  ParallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(c, 1)), [&](int64_t b, int64_t e) {
    fn(x + b * c, e - b, c, mean, scale.data(), beta, y + b * c);
  });
}

}  // namespace

void BatchNormTrain(const float* x, const float* gamma, const float* beta, int64_t rows, int64_t c, double epsilon,
                    float* y, float* mean_out, float* var_out) {
  auto sum_rows = SumRowsPick<Tag>();
  std::vector<double> mean = ChannelSums(rows, c, c, [&](int64_t b, int64_t e, double* s) {
    sum_rows(x + b * c, e - b, c, s);
  });
  for (double& m : mean) m /= static_cast<double>(rows);
  auto sq_rows = SqDevRowsPick<Tag>();
  std::vector<double> var = ChannelSums(rows, c, c, [&](int64_t b, int64_t e, double* s) {
    sq_rows(x + b * c, e - b, c, mean.data(), s);
  });
  for (double& v : var) v /= static_cast<double>(rows);
  Normalize(x, mean.data(), var.data(), gamma, beta, rows, c, epsilon, y);
  for (int64_t j = 0; j < c; j++) {
    mean_out[j] = static_cast<float>(mean[j]);
    var_out[j] = static_cast<float>(var[j]);
  }
}

void BatchNormInference(const float* x, const float* mean, const float* variance, const float* gamma,
                        const float* beta, int64_t rows, int64_t c, double epsilon, float* y) {
  std::vector<double> m(mean, mean + c), v(variance, variance + c);
  Normalize(x, m.data(), v.data(), gamma, beta, rows, c, epsilon, y);
}

void BatchNormTrainGrad(const float* dy, const float* x, const float* gamma, const float* mean_f,
                        const float* variance, int64_t rows, int64_t c, double epsilon, float* dx, float* dgamma,
                        float* dbeta) {
  std::vector<double> mean(mean_f, mean_f + c), inv_std(c), k(c);
  const double R = static_cast<double>(rows);
  for (int64_t j = 0; j < c; j++) {
    inv_std[j] = 1 / std::sqrt(variance[j] + epsilon);
    k[j] = gamma[j] * inv_std[j] / R;
  }
  auto grad_sums = GradSumRowsPick<Tag>();
  std::vector<double> s = ChannelSums(rows, c, 2 * c, [&](int64_t b, int64_t e, double* acc) {
    grad_sums(dy + b * c, x + b * c, e - b, c, mean.data(), inv_std.data(), acc);
  });
  auto grad_rows = GradRowsPick<Tag>();
  ParallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(c, 1)), [&](int64_t b, int64_t e) {
    grad_rows(dy + b * c, x + b * c, e - b, c, mean.data(), inv_std.data(), k.data(), s.data(), R, dx + b * c);
  });
  for (int64_t j = 0; j < c; j++) {
    dbeta[j] = static_cast<float>(s[j]);
    dgamma[j] = static_cast<float>(s[c + j]);
  }
}

}  // namespace convkit
