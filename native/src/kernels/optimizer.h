// In-place optimizer updates over one variable's float32 storage.
#pragma once
#include <cstdint>

namespace convkit {

// Adam (Keras form, see src/optimizers/adam.ts): m += (g − m)(1 − β₁); v += (g² − v)(1 − β₂);
// w −= m·α / (√v + ε). Arithmetic in double, rounded to float on store, exactly like the js loop.
void AdamUpdate(float* w, const float* g, float* m, float* v, int64_t n, double alpha, double one_minus_b1,
                double one_minus_b2, double eps);

}  // namespace convkit
