// Direct small convolution written once over a local vector trait K, compiled per ISA: each
// per-ISA .cc defines CONVKIT_CS_TARGET, CONVKIT_CS_TABLE and CONVKIT_CS_TRAIT, then includes this
// file. Patches come from Im2col one output row at a time (a few KB, L1-resident); KKC is a
// template parameter so the filter rows and accumulators are registers and the tap loop unrolls.
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "common/scratch.h"
#include "kernels/conv_im2col.h"
#include "kernels/conv_small_internal.h"

#ifndef CONVKIT_CS_TARGET
#error "define CONVKIT_CS_TARGET, CONVKIT_CS_TABLE and CONVKIT_CS_TRAIT before including kernels/conv_small_impl.h"
#endif

namespace convkit {
namespace conv_small {
namespace {

using K = CONVKIT_CS_TRAIT;
using V = typename K::V;

// Positions computed together: the filter rows are loaded once per group.
constexpr int kGroup = 4;

template <int KKC>
CONVKIT_CS_TARGET void ForwardImpl(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act,
                                   float* y, int64_t r0, int64_t r1) {
  const int oc = static_cast<int>(s.oc);
  const int64_t OW = s.ow;
  float* cols = Scratch(kScratchIm2col, static_cast<size_t>(OW * KKC));
  V w[KKC];
  for (int k = 0; k < KKC; k++) w[k] = K::Load(wpad + k * K::W);
  const V b = K::Load(bpad);
  for (int64_t r = r0; r < r1; r++) {
    Im2col(s, x, r * OW, OW, cols);
    float* yr = y + r * OW * oc;
    int64_t ow = 0;
    for (; ow + kGroup <= OW; ow += kGroup) {
      V acc[kGroup];
      for (int j = 0; j < kGroup; j++) acc[j] = b;
      const float* c = cols + ow * KKC;
      for (int k = 0; k < KKC; k++)
        for (int j = 0; j < kGroup; j++) acc[j] = K::Fma(K::Set1(c[j * KKC + k]), w[k], acc[j]);
      for (int j = 0; j < kGroup; j++) K::StoreN(yr + (ow + j) * oc, oc, K::Act(act, acc[j]));
    }
    for (; ow < OW; ow++) {
      V acc = b;
      const float* c = cols + ow * KKC;
      for (int k = 0; k < KKC; k++) acc = K::Fma(K::Set1(c[k]), w[k], acc);
      K::StoreN(yr + ow * oc, oc, K::Act(act, acc));
    }
    // Sigmoid and tanh have no vector form here: finish them on the stored row.
    if (act == Act::kSigmoid || act == Act::kTanh) {
      for (int64_t i = 0; i < OW * oc; i++) yr[i] = ApplyAct(act, yr[i]);
    }
  }
}

// Each output row's sum is formed in registers and then added to acc: blocked summation, so the
// rounding error grows with the number of rows, not of positions.
template <int KKC>
CONVKIT_CS_TARGET void FilterImpl(const ConvShape& s, const float* x, const float* dy, float* acc, int64_t r0,
                                  int64_t r1) {
  const int oc = static_cast<int>(s.oc);
  const int64_t OW = s.ow;
  float* cols = Scratch(kScratchIm2col, static_cast<size_t>(OW * KKC));
  for (int k = 0; k < KKC; k++) K::Store(acc + k * K::W, K::Zero());
  for (int64_t r = r0; r < r1; r++) {
    Im2col(s, x, r * OW, OW, cols);
    const float* dyr = dy + r * OW * oc;
    V a[KKC];
    for (int k = 0; k < KKC; k++) a[k] = K::Zero();
    for (int64_t ow = 0; ow < OW; ow++) {
      const V d = K::LoadN(dyr + ow * oc, oc);
      const float* c = cols + ow * KKC;
      for (int k = 0; k < KKC; k++) a[k] = K::Fma(K::Set1(c[k]), d, a[k]);
    }
    for (int k = 0; k < KKC; k++) K::Store(acc + k * K::W, K::Add(K::Load(acc + k * K::W), a[k]));
  }
}

using ForwardFn = void (*)(const ConvShape&, const float*, const float*, const float*, Act, float*, int64_t, int64_t);
using FilterFn = void (*)(const ConvShape&, const float*, const float*, float*, int64_t, int64_t);

template <int... Ns>
constexpr std::array<ForwardFn, sizeof...(Ns)> ForwardTable(std::integer_sequence<int, Ns...>) {
  return {{ForwardImpl<Ns + 1>...}};
}
template <int... Ns>
constexpr std::array<FilterFn, sizeof...(Ns)> FilterTable(std::integer_sequence<int, Ns...>) {
  return {{FilterImpl<Ns + 1>...}};
}

constexpr auto kForward = ForwardTable(std::make_integer_sequence<int, kMaxKkc>{});
constexpr auto kFilter = FilterTable(std::make_integer_sequence<int, kMaxKkc>{});

void Forward(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act, float* y, int64_t r0,
             int64_t r1) {
  kForward[s.Kkc() - 1](s, x, wpad, bpad, act, y, r0, r1);
}

void Filter(const ConvShape& s, const float* x, const float* dy, float* acc, int64_t r0, int64_t r1) {
  kFilter[s.Kkc() - 1](s, x, dy, acc, r0, r1);
}

}  // namespace

Table CONVKIT_CS_TABLE() { return {K::W, Forward, Filter}; }

}  // namespace conv_small
}  // namespace convkit
