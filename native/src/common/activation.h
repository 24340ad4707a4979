// Activations that kernels can fuse into their epilogue (conv/matmul + bias + activation). Only
// those whose derivative is a function of the output y, so the backward pass needs no pre-activation.
#pragma once
#include <cmath>

namespace convkit {

enum class Act { kLinear = 0, kRelu = 1, kRelu6 = 2, kSigmoid = 3, kTanh = 4 };

inline float ApplyAct(Act a, float v) {
  switch (a) {
    case Act::kRelu: return v > 0.f ? v : 0.f;
    case Act::kRelu6: return v > 0.f ? (v < 6.f ? v : 6.f) : 0.f;
    case Act::kSigmoid: return 1.f / (1.f + std::exp(-v));
    case Act::kTanh: return std::tanh(v);
    default: return v;
  }
}

}  // namespace convkit
