// Batch normalisation over the channels (last axis) of x viewed as [rows, channels], matching
// src/backend/js/batchnorm.ts: two-pass statistics in double, (x − mean)·scale + beta in double.
#pragma once
#include <cstdint>

namespace convkit {

// mean/variance outputs are the batch statistics (biased variance), length channels.
void BatchNormTrain(const float* x, const float* gamma, const float* beta, int64_t rows, int64_t channels,
                    double epsilon, float* y, float* mean, float* variance);
void BatchNormInference(const float* x, const float* mean, const float* variance, const float* gamma,
                        const float* beta, int64_t rows, int64_t channels, double epsilon, float* y);
void BatchNormTrainGrad(const float* dy, const float* x, const float* gamma, const float* mean, const float* variance,
                        int64_t rows, int64_t channels, double epsilon, float* dx, float* dgamma, float* dbeta);

}  // namespace convkit
