// The BLIS/GotoBLAS loop nest shared by every ISA: pack a KC×NC panel of op(B) and an MC×KC block of
// op(A) into this thread's scratch (transposes are absorbed by packing), then sweep register tiles
// with the micro-kernel. Included by each per-ISA .cc after defining CONVKIT_GEMM_TARGET, so every
// function here is compiled for that ISA; the anonymous namespace keeps the copies apart.
#pragma once
#include <algorithm>
#include <cstdint>

#include "common/scratch.h"
#include "kernels/gemm/gemm_internal.h"

#ifndef CONVKIT_GEMM_TARGET
#error "define CONVKIT_GEMM_TARGET before including kernels/gemm/driver.h"
#endif

namespace convkit {
namespace gemm {
namespace {

// What a micro-kernel does with its finished tile: C = alpha·acc + beta·C, then bias/activation.
struct TileEpi {
  float alpha;
  float beta;         // 0 on the first k block when the caller's beta is 0: C is not read
  const float* bias;  // at the tile's first column; null unless this is the last k block
  Act act;            // kLinear unless this is the last k block
};

// Applies the epilogue to an mr×nr tile held in `acc` (row stride ld_acc).
__attribute__((noinline)) CONVKIT_GEMM_TARGET inline void ScalarTileEpilogue(const float* acc, int64_t ld_acc, float* c, int64_t ldc, int mr,
                                                   int nr, const TileEpi& e) {
  for (int i = 0; i < mr; i++) {
    float* ci = c + i * ldc;
    const float* ai = acc + i * ld_acc;
    for (int j = 0; j < nr; j++) {
      float v = e.alpha * ai[j];
      if (e.beta != 0.f) v += e.beta * ci[j];
      if (e.bias) v += e.bias[j];
      ci[j] = ApplyAct(e.act, v);
    }
  }
}

// Packs op(A)[i0:i0+mc, p0:p0+kc] as MR-row micro-panels: panel r holds, for each p, MR values.
// Rows past mc are zero so the micro-kernel never branches on the M edge.
template <int MR>
CONVKIT_GEMM_TARGET void PackA(const Problem& pr, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
    float* d = dst + ir * kc;
    if (pr.ta) {
      // Stored k×m: the MR values of one p are contiguous.
      const float* s = pr.a + p0 * pr.lda + i0 + ir;
      if (mr == MR) {
        for (int64_t p = 0; p < kc; p++) {
          const float* row = s + p * pr.lda;
          for (int i = 0; i < MR; i++) d[p * MR + i] = row[i];
        }
      } else {
        for (int64_t p = 0; p < kc; p++) {
          const float* row = s + p * pr.lda;
          for (int i = 0; i < mr; i++) d[p * MR + i] = row[i];
          for (int i = mr; i < MR; i++) d[p * MR + i] = 0.f;
        }
      }
    } else {
      // Stored m×k: read each row contiguously, scatter with stride MR (writes stay in L1).
      const float* s = pr.a + (i0 + ir) * pr.lda + p0;
      for (int i = 0; i < mr; i++) {
        const float* row = s + i * pr.lda;
        for (int64_t p = 0; p < kc; p++) d[p * MR + i] = row[p];
      }
      for (int i = mr; i < MR; i++)
        for (int64_t p = 0; p < kc; p++) d[p * MR + i] = 0.f;
    }
  }
}

// Packs op(B)[p0:p0+kc, j0:j0+nc] as NR-column micro-panels, zero-padded past nc.
template <int NR>
CONVKIT_GEMM_TARGET void PackB(const Problem& pr, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
    float* d = dst + jr * kc;
    if (!pr.tb) {
      const float* s = pr.b + p0 * pr.ldb + j0 + jr;
      if (nr == NR) {
        for (int64_t p = 0; p < kc; p++) {
          const float* row = s + p * pr.ldb;
          for (int j = 0; j < NR; j++) d[p * NR + j] = row[j];
        }
      } else {
        for (int64_t p = 0; p < kc; p++) {
          const float* row = s + p * pr.ldb;
          for (int j = 0; j < nr; j++) d[p * NR + j] = row[j];
          for (int j = nr; j < NR; j++) d[p * NR + j] = 0.f;
        }
      }
    } else {
      const float* s = pr.b + (j0 + jr) * pr.ldb + p0;
      for (int j = 0; j < nr; j++) {
        const float* row = s + j * pr.ldb;
        for (int64_t p = 0; p < kc; p++) d[p * NR + j] = row[p];
      }
      for (int j = nr; j < NR; j++)
        for (int64_t p = 0; p < kc; p++) d[p * NR + j] = 0.f;
    }
  }
}

inline int64_t RoundUp(int64_t x, int64_t r) { return (x + r - 1) / r * r; }

// K provides MR, NR, KC, MC, NC, kDirectAMaxN and Tile<kDirectA>(kc, a, lda, b_panel, c, ldc, mr, nr, epi).
template <class K>
CONVKIT_GEMM_TARGET void RunBlocked(const Problem& pr) {
  constexpr int MR = K::MR, NR = K::NR;
  if (pr.m <= 0 || pr.n <= 0 || pr.k <= 0) return;
  // Even k blocks (k=300 → 150+150, not 256+44) keep every block's tile loop long.
  const int64_t kblocks = (pr.k + K::KC - 1) / K::KC;
  const int64_t kc_max = (pr.k + kblocks - 1) / kblocks;
  const int64_t nc_max = std::min<int64_t>(K::NC, RoundUp(pr.n, NR));
  const int64_t mc_max = std::min<int64_t>(K::MC, RoundUp(pr.m, MR));
  float* bp = Scratch(kScratchPackB, static_cast<size_t>(kc_max * RoundUp(nc_max, NR)));
  float* ap = Scratch(kScratchPackA, static_cast<size_t>(kc_max * RoundUp(mc_max, MR)));
  // Packing a row-major A costs about as much as the FMAs it feeds when B has few column panels
  // (im2col convs, n = 6..64): the micro-kernel then broadcasts straight from A's rows instead.
  const bool direct_a = !pr.ta && RoundUp(pr.n, NR) <= K::kDirectAMaxN;
  for (int64_t jc = 0; jc < pr.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, pr.n - jc);
    for (int64_t pc = 0; pc < pr.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, pr.k - pc);
      const bool first = pc == 0, last = pc + kc >= pr.k;
      PackB<NR>(pr, pc, kc, jc, nc, bp);
      TileEpi e;
      e.alpha = pr.alpha;
      e.beta = first ? pr.beta : 1.f;
      e.act = last ? pr.act : Act::kLinear;
      const float* bias = last && pr.bias ? pr.bias + jc : nullptr;
      for (int64_t ic = 0; ic < pr.m; ic += mc_max) {
        const int64_t mc = std::min(mc_max, pr.m - ic);
        // Only the ragged last micro-panel is packed when A is read in place.
        const int64_t mc_full = direct_a ? mc / MR * MR : 0;
        if (mc > mc_full) PackA<MR>(pr, ic + mc_full, mc - mc_full, pc, kc, ap + mc_full * kc);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
          e.bias = bias ? bias + jr : nullptr;
          float* cj = pr.c + ic * pr.ldc + jc + jr;
          const float* bpan = bp + jr * kc;
          int64_t ir = 0;
          for (; ir < mc_full; ir += MR)
            K::template Tile<true>(kc, pr.a + (ic + ir) * pr.lda + pc, pr.lda, bpan, cj + ir * pr.ldc, pr.ldc, MR, nr,
                                   e);
          for (; ir < mc; ir += MR) {
            const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
            K::template Tile<false>(kc, ap + ir * kc, 0, bpan, cj + ir * pr.ldc, pr.ldc, mr, nr, e);
          }
        }
      }
    }
  }
}

// Register-tiled micro-kernel over a SIMD abstraction T (vector type V of W floats). The MR×NV
// accumulators stay in registers for the whole k loop; the epilogue then runs in vectors while C
// is hot (edge tiles through padded stack buffers; scalar only for the generic kernel).
template <class T, int MR_, int NV, int KC_, int MC_, int NC_>
struct MicroKernel {
  static constexpr int MR = MR_, NR = NV * T::W, KC = KC_, MC = MC_, NC = NC_;
  // Reading A in place needs a real broadcast-from-memory; the scalar generic kernel vectorises
  // only over packed panels.
  static constexpr int64_t kDirectAMaxN = T::kBroadcast ? (2 * NR > 64 ? 2 * NR : 64) : 0;
  using V = typename T::V;

  // kDirectA: `a` points into the caller's row-major op(A) (row stride lda) instead of a packed
  // micro-panel; only for full MR-row tiles.
  template <bool kDirectA>
  CONVKIT_GEMM_TARGET static void Tile(int64_t kc, const float* a, int64_t lda, const float* b, float* c, int64_t ldc,
                                       int mr, int nr, const TileEpi& e) {
    V acc[MR][NV];
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) acc[i][j] = T::Zero();
    for (int64_t p = 0; p < kc; p++) {
      V bv[NV];
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) bv[j] = T::Load(b + j * T::W);
#pragma GCC unroll 32
      for (int i = 0; i < MR; i++) {
        const V av = T::Bcast(kDirectA ? a + i * lda : a + i);
#pragma GCC unroll 8
        for (int j = 0; j < NV; j++) acc[i][j] = T::Fma(av, bv[j], acc[i][j]);
      }
      a += kDirectA ? 1 : MR;
      b += NR;
    }
    // The accumulators leave through a stack tile and the epilogue is a separate call: inlined,
    // its register pressure (vector sigmoid/tanh) made GCC spill accumulators inside the k loop.
    alignas(64) float tmp[MR * NR];
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) T::Store(tmp + i * NR + j * T::W, acc[i][j]);
    if (mr == MR && nr == NR) FullTileEpilogue(tmp, c, ldc, e);
    else if (T::kBroadcast) PartialTileEpilogue(tmp, c, ldc, mr, nr, e);
    else ScalarTileEpilogue(tmp, NR, c, ldc, mr, nr, e);
  }

  // Edge tile (narrow n such as 6 or 10 makes every tile one): stage the C and bias fragments in
  // padded buffers so the vector epilogue still runs, then copy the valid part back.
  __attribute__((noinline)) CONVKIT_GEMM_TARGET static void PartialTileEpilogue(const float* tmp, float* c, int64_t ldc,
                                                                                int mr, int nr, const TileEpi& e) {
    alignas(64) float cbuf[MR * NR];
    alignas(64) float bbuf[NR];
    if (e.beta != 0.f)
      for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) cbuf[i * NR + j] = c[i * ldc + j];
    TileEpi pe = e;
    if (e.bias) {
      for (int j = 0; j < NR; j++) bbuf[j] = j < nr ? e.bias[j] : 0.f;
      pe.bias = bbuf;
    }
    // Rows past mr would only read uninitialised padding; their results are discarded.
    if (e.beta != 0.f)
      for (int i = mr; i < MR; i++)
        for (int j = 0; j < NR; j++) cbuf[i * NR + j] = 0.f;
    if (e.beta != 0.f)
      for (int i = 0; i < mr; i++)
        for (int j = nr; j < NR; j++) cbuf[i * NR + j] = 0.f;
    FullTileEpilogue(tmp, cbuf, NR, pe);
    for (int i = 0; i < mr; i++)
      for (int j = 0; j < nr; j++) c[i * ldc + j] = cbuf[i * NR + j];
  }

  __attribute__((noinline)) CONVKIT_GEMM_TARGET static void FullTileEpilogue(const float* tmp, float* c, int64_t ldc,
                                                                             const TileEpi& e) {
    const V alpha = T::Set1(e.alpha), beta = T::Set1(e.beta);
    const bool scale = e.alpha != 1.f;
    for (int i = 0; i < MR; i++) {
      float* ci = c + i * ldc;
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) {
        V v = T::Load(tmp + i * NR + j * T::W);
        if (scale) v = T::Mul(v, alpha);
        if (e.beta != 0.f) v = T::Fma(beta, T::Load(ci + j * T::W), v);
        if (e.bias) v = T::Add(v, T::Load(e.bias + j * T::W));
        if (e.act == Act::kRelu) v = T::Max(v, T::Zero());
        else if (e.act == Act::kRelu6) v = T::Min(T::Max(v, T::Zero()), T::Set1(6.f));
        T::Store(ci + j * T::W, v);
      }
      if (e.act == Act::kSigmoid || e.act == Act::kTanh)
        for (int j = 0; j < NR; j++) ci[j] = ApplyAct(e.act, ci[j]);
    }
  }
};

}  // namespace
}  // namespace gemm
}  // namespace convkit
