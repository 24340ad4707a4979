// Direct small convolution written once over a local vector trait K, compiled per ISA: each
// per-ISA .cc defines CONVKIT_CS_TARGET, CONVKIT_CS_TABLE and CONVKIT_CS_TRAIT, then includes this
// file. For each output row the KH input rows it reads are copied, zero-padded, into a small
// L1-resident buffer; tap k of the position at column ow then sits at a fixed offset off[k] from
// ow·SW·C, so no im2col (whose per-tap copies cost more than the FMAs here). KKC is a template
// parameter so the filter rows and accumulators are registers and the tap loop unrolls.
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include <cstring>

#include "common/scratch.h"
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
constexpr int kGroup = K::kGroup;

// Padded row length in floats: every tap of every output column stays inside it.
inline int64_t PaddedRow(const ConvShape& s) { return (s.w + s.pl + s.pr) * s.c; }

// off[k] for taps k = (kh, kw, c) in HWIO row order.
inline void TapOffsets(const ConvShape& s, int32_t* off) {
  const int64_t wp = PaddedRow(s);
  int k = 0;
  for (int64_t kh = 0; kh < s.kh; kh++)
    for (int64_t kw = 0; kw < s.kw; kw++)
      for (int64_t c = 0; c < s.c; c++) off[k++] = static_cast<int32_t>(kh * wp + kw * s.dw * s.c + c);
}

template <int KWC>
inline int64_t Tap(const int32_t* off, int64_t wp, int k) {
  if constexpr (KWC > 0) return (k / KWC) * wp + k % KWC;
  else return off[k];
}

// rows[kh][·] = input row oh·SH − PT + kh·DH of image n with PL·C zeros before and PR·C after; a
// row outside the image is all zeros.
inline void BuildRows(const ConvShape& s, const float* x, int64_t n, int64_t oh, float* rows) {
  const int64_t wp = PaddedRow(s), wc = s.w * s.c;
  for (int64_t kh = 0; kh < s.kh; kh++) {
    float* d = rows + kh * wp;
    const int64_t ih = oh * s.sh - s.pt + kh * s.dh;
    if (ih < 0 || ih >= s.h) {
      std::memset(d, 0, sizeof(float) * wp);
      continue;
    }
    std::memset(d, 0, sizeof(float) * s.pl * s.c);
    std::memcpy(d + s.pl * s.c, x + (n * s.h + ih) * wc, sizeof(float) * wc);
    std::memset(d + s.pl * s.c + wc, 0, sizeof(float) * s.pr * s.c);
  }
}

// KWC > 0 (dilation 1 along W, KKC = KH·KWC): tap k is at (k / KWC)·row + k % KWC, constants
// once the tap loop unrolls, which frees the registers an offset table would need.
// STEP > 0: the column step SW·C is that constant too, so a group's positions read overlapping
// taps at constant offsets and the compiler loads each input value once for all of them.
template <int KKC, int KWC = 0, int STEP = 0>
CONVKIT_CS_TARGET void ForwardImpl(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act,
                                   float* y, int64_t r0, int64_t r1) {
  const int oc = static_cast<int>(s.oc);
  const int64_t OW = s.ow, step = STEP > 0 ? STEP : s.sw * s.c;
  float* rows = Scratch(kScratchIm2col, static_cast<size_t>(s.kh * PaddedRow(s)));
  int32_t off[KKC];
  TapOffsets(s, off);
  const int64_t wp = PaddedRow(s);
  (void)wp;
  V w[KKC];
  #pragma GCC unroll 32
  for (int k = 0; k < KKC; k++) w[k] = K::Load(wpad + k * K::W);
  const V b = K::Load(bpad);
  for (int64_t r = r0; r < r1; r++) {
    BuildRows(s, x, r / s.oh, r % s.oh, rows);
    float* yr = y + r * OW * oc;
    int64_t ow = 0;
    for (; ow + kGroup <= OW; ow += kGroup) {
      V acc[kGroup];
      #pragma GCC unroll 32
      for (int j = 0; j < kGroup; j++) acc[j] = b;
      const float* c = rows + ow * step;
      #pragma GCC unroll 32
      for (int k = 0; k < KKC; k++)
        #pragma GCC unroll 32
        for (int j = 0; j < kGroup; j++) acc[j] = K::Fma(K::Set1(c[j * step + Tap<KWC>(off, wp, k)]), w[k], acc[j]);
      #pragma GCC unroll 32
      for (int j = 0; j < kGroup; j++) K::StoreN(yr + (ow + j) * oc, oc, K::Activate(act, acc[j]));
    }
    for (; ow < OW; ow++) {
      V acc = b;
      const float* c = rows + ow * step;
      #pragma GCC unroll 32
      for (int k = 0; k < KKC; k++) acc = K::Fma(K::Set1(c[Tap<KWC>(off, wp, k)]), w[k], acc);
      K::StoreN(yr + ow * oc, oc, K::Activate(act, acc));
    }
    // Sigmoid and tanh have no vector form here: finish them on the stored row.
    if (act == Act::kSigmoid || act == Act::kTanh) {
      for (int64_t i = 0; i < OW * oc; i++) yr[i] = ApplyAct(act, yr[i]);
    }
  }
}

// OC in (W, 2W] (MobileNet's and the CIFAR CNN's first layers, 3×3×3 → 32): two vectors per
// position. The 2·KKC filter vectors no longer fit the register file next to the accumulators, so
// each tap's pair is loaded (from L1) once per group of kWideGroup positions, which share it; the
// tap loop stays rolled (its body is already 2·kWideGroup FMAs) and STEP > 0 makes the column step
// a constant, so every broadcast of the group addresses its input at a fixed displacement.
template <int STEP>
CONVKIT_CS_TARGET void ForwardWideImpl(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act,
                                       float* y, int64_t r0, int64_t r1) {
  constexpr int G = K::kWideGroup, W = K::W;
  const int oc = static_cast<int>(s.oc), oc2 = oc - W;
  const int64_t OW = s.ow, step = STEP > 0 ? STEP : s.sw * s.c, kkc = s.Kkc();
  float* rows = Scratch(kScratchIm2col, static_cast<size_t>(s.kh * PaddedRow(s)));
  int32_t off[kMaxKkc];
  TapOffsets(s, off);
  const V b0 = K::Load(bpad), b1 = K::Load(bpad + W);
  for (int64_t r = r0; r < r1; r++) {
    BuildRows(s, x, r / s.oh, r % s.oh, rows);
    float* yr = y + r * OW * oc;
    int64_t ow = 0;
    for (; ow + G <= OW; ow += G) {
      V a0[G], a1[G];
      #pragma GCC unroll 16
      for (int j = 0; j < G; j++) a0[j] = b0, a1[j] = b1;
      const float* c = rows + ow * step;
      for (int64_t k = 0; k < kkc; k++) {
        const V w0 = K::Load(wpad + k * 2 * W), w1 = K::Load(wpad + k * 2 * W + W);
        const float* ck = c + off[k];
        #pragma GCC unroll 16
        for (int j = 0; j < G; j++) {
          const V v = K::Set1(ck[j * step]);
          a0[j] = K::Fma(v, w0, a0[j]);
          a1[j] = K::Fma(v, w1, a1[j]);
        }
      }
      #pragma GCC unroll 16
      for (int j = 0; j < G; j++) {
        K::Store(yr + (ow + j) * oc, K::Activate(act, a0[j]));
        K::StoreN(yr + (ow + j) * oc + W, oc2, K::Activate(act, a1[j]));
      }
    }
    for (; ow < OW; ow++) {
      V a0 = b0, a1 = b1;
      const float* c = rows + ow * step;
      for (int64_t k = 0; k < kkc; k++) {
        const V v = K::Set1(c[off[k]]);
        a0 = K::Fma(v, K::Load(wpad + k * 2 * W), a0);
        a1 = K::Fma(v, K::Load(wpad + k * 2 * W + W), a1);
      }
      K::Store(yr + ow * oc, K::Activate(act, a0));
      K::StoreN(yr + ow * oc + W, oc2, K::Activate(act, a1));
    }
    if (act == Act::kSigmoid || act == Act::kTanh) {
      for (int64_t i = 0; i < OW * oc; i++) yr[i] = ApplyAct(act, yr[i]);
    }
  }
}

// Each output row's sum is formed in registers and then added to acc: blocked summation, so the
// rounding error grows with the number of rows, not of positions.
template <int KKC, int KWC = 0, int STEP = 0>
CONVKIT_CS_TARGET void FilterImpl(const ConvShape& s, const float* x, const float* dy, float* acc, int64_t r0,
                                  int64_t r1) {
  const int oc = static_cast<int>(s.oc);
  const int64_t OW = s.ow, step = STEP > 0 ? STEP : s.sw * s.c;
  float* rows = Scratch(kScratchIm2col, static_cast<size_t>(s.kh * PaddedRow(s)));
  int32_t off[KKC];
  TapOffsets(s, off);
  const int64_t wp = PaddedRow(s);
  (void)wp;
  #pragma GCC unroll 32
  for (int k = 0; k < KKC; k++) K::Store(acc + k * K::W, K::Zero());
  for (int64_t r = r0; r < r1; r++) {
    BuildRows(s, x, r / s.oh, r % s.oh, rows);
    const float* dyr = dy + r * OW * oc;
    V a[KKC];
    #pragma GCC unroll 32
    for (int k = 0; k < KKC; k++) a[k] = K::Zero();
    for (int64_t ow = 0; ow < OW; ow++) {
      const V d = K::LoadN(dyr + ow * oc, oc);
      const float* c = rows + ow * step;
      #pragma GCC unroll 32
      for (int k = 0; k < KKC; k++) a[k] = K::Fma(K::Set1(c[Tap<KWC>(off, wp, k)]), d, a[k]);
    }
    #pragma GCC unroll 32
    for (int k = 0; k < KKC; k++) K::Store(acc + k * K::W, K::Add(K::Load(acc + k * K::W), a[k]));
  }
}

// Filter gradient for many taps (KKC > kMaxKkc, e.g. LeNet's second layer, 5×5×6 → 16): the GEMM
// would pack the patch matrix for only OC ≤ 16 columns of work per element; here the taps go in
// blocks of KB register accumulators, each block sweeping an output row of positions.
template <int KB>
CONVKIT_CS_TARGET void FilterBlocked(const ConvShape& s, const float* x, const float* dy, float* acc, int64_t r0,
                                     int64_t r1) {
  const int oc = static_cast<int>(s.oc);
  const int64_t OW = s.ow, step = s.sw * s.c, kkc = s.Kkc();
  float* rows = Scratch(kScratchIm2col, static_cast<size_t>(s.kh * PaddedRow(s)));
  std::vector<int32_t> offsets(kkc);
  TapOffsets(s, offsets.data());
  for (int64_t k = 0; k < kkc; k++) K::Store(acc + k * K::W, K::Zero());
  for (int64_t r = r0; r < r1; r++) {
    BuildRows(s, x, r / s.oh, r % s.oh, rows);
    const float* dyr = dy + r * OW * oc;
    for (int64_t k0 = 0; k0 < kkc; k0 += KB) {
      const int32_t* off = offsets.data() + k0;
      V a[KB];
#pragma GCC unroll 32
      for (int j = 0; j < KB; j++) a[j] = K::Zero();
      for (int64_t ow = 0; ow < OW; ow++) {
        const V d = K::LoadN(dyr + ow * oc, oc);
        const float* c = rows + ow * step;
#pragma GCC unroll 32
        for (int j = 0; j < KB; j++) a[j] = K::Fma(K::Set1(c[off[j]]), d, a[j]);
      }
      float* ak = acc + k0 * K::W;
#pragma GCC unroll 32
      for (int j = 0; j < KB; j++) K::Store(ak + j * K::W, K::Add(K::Load(ak + j * K::W), a[j]));
    }
  }
}

// Block sizes whose accumulators fit the register file next to the dy vector and a broadcast.
int FilterBlock(int64_t kkc) {
  if (K::W < 16) return 0;  // 16 ymm registers: no room for a useful block
  if (kkc <= kMaxKkc) return 0;
  for (int b : {25, 27, 24}) {
    if (kkc % b == 0) return b;
  }
  return 0;
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
  if (s.dw == 1 && s.sw == 1 && s.kh == 5 && s.kw * s.c == 5 && s.c == 1) return ForwardImpl<25, 5, 1>(s, x, wpad, bpad, act, y, r0, r1);
  if (s.dw == 1 && s.sw == 1 && s.kh == 3 && s.kw * s.c == 3 && s.c == 1) return ForwardImpl<9, 3, 1>(s, x, wpad, bpad, act, y, r0, r1);
  if (s.dw == 1 && s.sw == 1 && s.kh == 3 && s.kw * s.c == 9 && s.c == 3) return ForwardImpl<27, 9, 3>(s, x, wpad, bpad, act, y, r0, r1);
  kForward[s.Kkc() - 1](s, x, wpad, bpad, act, y, r0, r1);
}

void ForwardWide(const ConvShape& s, const float* x, const float* wpad, const float* bpad, Act act, float* y, int64_t r0,
                 int64_t r1) {
  switch (s.sw * s.c) {
    case 3: return ForwardWideImpl<3>(s, x, wpad, bpad, act, y, r0, r1);
    case 6: return ForwardWideImpl<6>(s, x, wpad, bpad, act, y, r0, r1);
    default: return ForwardWideImpl<0>(s, x, wpad, bpad, act, y, r0, r1);
  }
}

void Filter(const ConvShape& s, const float* x, const float* dy, float* acc, int64_t r0, int64_t r1) {
  if (s.Kkc() > kMaxKkc) {
    switch (FilterBlock(s.Kkc())) {
      case 25: return FilterBlocked<25>(s, x, dy, acc, r0, r1);
      case 27: return FilterBlocked<27>(s, x, dy, acc, r0, r1);
      default: return FilterBlocked<24>(s, x, dy, acc, r0, r1);
    }
  }
  if (s.dw == 1 && s.sw == 1 && s.kh == 5 && s.kw * s.c == 5 && s.c == 1) return FilterImpl<25, 5, 1>(s, x, dy, acc, r0, r1);
  if (s.dw == 1 && s.sw == 1 && s.kh == 3 && s.kw * s.c == 3 && s.c == 1) return FilterImpl<9, 3, 1>(s, x, dy, acc, r0, r1);
  if (s.dw == 1 && s.sw == 1 && s.kh == 3 && s.kw * s.c == 9 && s.c == 3) return FilterImpl<27, 9, 3>(s, x, dy, acc, r0, r1);
  kFilter[s.Kkc() - 1](s, x, dy, acc, r0, r1);
}

}  // namespace

Table CONVKIT_CS_TABLE() { return {K::W, Forward, ForwardWide, Filter, FilterBlock}; }

}  // namespace conv_small
}  // namespace convkit
