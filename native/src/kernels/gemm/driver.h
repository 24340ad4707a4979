// The BLIS/GotoBLAS loop nest shared by every ISA: pack a KC×NC panel of op(B) and an MC×KC block of
// op(A) into this thread's scratch (transposes are absorbed by packing), then sweep register tiles
// with the micro-kernel. A row-major A (almost always) and, for small m, B are read in place. Included by each per-ISA .cc after defining CONVKIT_GEMM_TARGET, so every
// function here is compiled for that ISA; the anonymous namespace keeps the copies apart.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "common/scratch.h"
#include "kernels/gemm/gemm_internal.h"
#include "kernels/nontemporal.h"

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
  bool fuse;          // finish full tiles from registers (see Tile)
  bool stream;        // with fuse: store full tiles non-temporally (see RunBlocked)
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

// Up to this k, A is read in place even with a 4 KiB-multiple row stride: the whole short k loop
// touches few lines per row, and packing would cost as much as its FMAs (1×1 convs, 16..64 channels).
constexpr int64_t kDirectAMaxK = 64;

// How the micro-kernel finds B's NR columns for one k step: kPackedB, an NR-wide micro-panel packed
// here (row step NR); kStridedB, the caller's row-major B in place (row step b_stride); kPanelsB, a
// B packed ahead of time (Problem::b_panels: vector j of the row at j·b_stride, row step one vector).
enum BMode { kPackedB, kStridedB, kPanelsB };

// How many k steps ahead the micro-kernel prefetches a B packed ahead of time (4 KiB for zmm).
constexpr int64_t kPanelPrefetchRows = 64;

// K provides MR, NR, NQ, KC, MC, NC, kDirectAMaxN, Tile<kDirectA, kBMode>(kc, a, lda, b_panel, b_stride,
// c, ldc, mr, nr, epi) for full tiles and EdgeTile<kDirectA, kBMode>(same arguments) for ragged ones.
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
  // Packing a row-major A costs about as much as the few FMAs per element it feeds when B has few
  // column panels (im2col convs, 7×7 MobileNet layers) or k is short, and reading A in place
  // (MR row streams, hot in L1/L2) measured as fast or faster for every other shape too, except
  // when the row stride is a multiple of 4 KiB: then all MR rows compete for one L1 set.
  const bool aliased = pr.lda % 1024 == 0 && pr.k > kDirectAMaxK && RoundUp(pr.n, NR) > K::kDirectAMaxN;
  const bool direct_a = !pr.ta && K::kDirectAMaxN > 0 && !aliased;
  // With few rows each B panel serves only a handful of tiles, so the micro-kernel reads B's rows
  // in place rather than pay a copy through L2 (+15-20% at m = 49). Needs whole vectors per row so
  // the narrowed edge tile never reads past a row, and no 4 KiB-multiple stride (L1 set conflicts).
  const bool direct_b = !pr.b_panels && !pr.tb && K::kDirectAMaxN > 0 && pr.n % K::NQ == 0 &&
                        pr.m <= kDirectBMaxM && pr.ldb % 1024 != 0;
  const int64_t bs = direct_b || pr.b_panels ? pr.ldb : NR;
  // Full fused tiles of a huge C are stored non-temporally (kernels/nontemporal.h); needs 64-byte
  // aligned tile rows (kernel outputs are aligned).
  const bool stream = K::kStream && pr.total_c_bytes >= kStreamMinBytes &&
                      reinterpret_cast<uintptr_t>(pr.c) % 64 == 0 && (pr.ldc * 4) % 64 == 0;
  for (int64_t jc = 0; jc < pr.n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, pr.n - jc);
    for (int64_t pc = 0; pc < pr.k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, pr.k - pc);
      const bool first = pc == 0, last = pc + kc >= pr.k;
      if (!direct_b && !pr.b_panels) PackB<NR>(pr, pc, kc, jc, nc, bp);
      TileEpi e;
      e.alpha = pr.alpha;
      e.beta = first ? pr.beta : 1.f;
      e.act = last ? pr.act : Act::kLinear;
      // Only when k is one block: on the first of several (k = 288, n = 64) fusing measured ~10%
      // slower than the separate epilogue.
      e.fuse = first && last && pr.alpha == 1.f && pr.beta == 0.f &&
               (pr.act == Act::kLinear || pr.act == Act::kRelu || pr.act == Act::kRelu6);
      e.stream = e.fuse && stream;
      const float* bias = last && pr.bias ? pr.bias + jc : nullptr;
      for (int64_t ic = 0; ic < pr.m; ic += mc_max) {
        const int64_t mc = std::min(mc_max, pr.m - ic);
        const int64_t mc_full = mc / MR * MR;
        if (!direct_a) PackA<MR>(pr, ic, mc, pc, kc, ap);
        const float* a0 = direct_a ? pr.a + ic * pr.lda + pc : ap;
        const int64_t lda = direct_a ? pr.lda : 0;
        // Row step of `a0`: one row in place, or one MR-row micro-panel per MR rows when packed.
        const int64_t astep = direct_a ? pr.lda : kc;
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
          e.bias = bias ? bias + jr : nullptr;
          float* cj = pr.c + ic * pr.ldc + jc + jr;
          const float* bpan = pr.b_panels ? pr.b + (jc + jr) / K::NQ * pr.ldb + pc * K::NQ
                              : direct_b  ? pr.b + pc * pr.ldb + jc + jr
                                          : bp + jr * kc;
          auto sweep = [&](auto direct, auto bmode) {
            constexpr bool kA = decltype(direct)::value;
            constexpr BMode kB = decltype(bmode)::value;
            int64_t ir = 0;
            if (nr == NR)
              for (; ir < mc_full; ir += MR)
                K::template Tile<kA, kB>(kc, a0 + ir * astep, lda, bpan, bs, cj + ir * pr.ldc, pr.ldc, MR, NR, e);
            for (; ir < mc; ir += MR) {
              const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
              K::template EdgeTile<kA, kB>(kc, a0 + ir * astep, lda, bpan, bs, cj + ir * pr.ldc, pr.ldc, mr, nr, e);
            }
          };
          using T_ = std::true_type;
          using F_ = std::false_type;
          using Packed = std::integral_constant<BMode, kPackedB>;
          using Strided = std::integral_constant<BMode, kStridedB>;
          using Panels = std::integral_constant<BMode, kPanelsB>;
          if constexpr (K::kTakesPanels) {
            if (pr.b_panels) {
              if (direct_a) sweep(T_(), Panels());
              else sweep(F_(), Panels());
              continue;
            }
          }
          if (direct_a && direct_b) sweep(T_(), Strided());
          else if (direct_a) sweep(T_(), Packed());
          else if (direct_b) sweep(F_(), Strided());
          else sweep(F_(), Packed());
        }
      }
    }
  }
  // Non-temporal stores are weakly ordered: drain them before the pool's join publishes C.
  if (stream) K::Fence();
}

// Register-tiled micro-kernel over a SIMD abstraction T (vector type V of W floats). The MR×NV
// accumulators stay in registers for the whole k loop; the epilogue then runs in vectors while C
// is hot (edge tiles through padded stack buffers; scalar only for the generic kernel).
template <class T, int MR_, int NV, int KC_, int MC_, int NC_>
struct MicroKernel {
  using Simd = T;
  static constexpr int MR = MR_, NR = NV * T::W, KC = KC_, MC = MC_, NC = NC_;
  static constexpr int NQ = T::kBroadcast ? T::W : NR;
  static constexpr bool kStream = T::kBroadcast;
  // B packed ahead of time in one-vector panels (PackBAhead): the broadcast kernels, whose NQ is W.
  static constexpr bool kTakesPanels = T::kBroadcast;
  CONVKIT_GEMM_TARGET static void Fence() {
    if constexpr (T::kBroadcast) T::Fence();
  }
  // Reading A in place needs a real broadcast-from-memory; the scalar generic kernel vectorises
  // only over packed panels.
  static constexpr int64_t kDirectAMaxN = T::kBroadcast ? (2 * NR > 64 ? 2 * NR : 64) : 0;
  using V = typename T::V;

  // kDirectA: `a` points into the caller's row-major op(A) (row stride lda) instead of a packed
  // micro-panel. ROWS ≤ MR and NVX ≤ NV shrink the tile for ragged M/N edges (a 49-row or 144-column
  // problem would otherwise spend up to half its last tile's FMAs on padding); packed panels keep
  // their MR/NR strides either way.
  template <bool kDirectA, BMode kBMode = kPackedB, int ROWS = MR, int NVX = NV>
  CONVKIT_GEMM_TARGET static void Tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t bs, float* c, int64_t ldc,
                                       int mr, int nr, const TileEpi& e) {
    V acc[ROWS][NVX];
#pragma GCC unroll 32
    for (int i = 0; i < ROWS; i++)
#pragma GCC unroll 8
      for (int j = 0; j < NVX; j++) acc[i][j] = T::Zero();
    for (int64_t p = 0; p < kc; p++) {
      V bv[NVX];
      if constexpr (kBMode == kPanelsB) {
        // Constant weights are read once per pass, from DRAM at batch 1: the hardware prefetcher
        // does not run far enough ahead of a panel stream (7×7×960→160, weights from memory, one
        // thread: 88 → 73 µs; no change when they are cached).
#pragma GCC unroll 8
        for (int j = 0; j < NVX; j++) __builtin_prefetch(b + j * bs + kPanelPrefetchRows * T::W, 0, 3);
      }
#pragma GCC unroll 8
      for (int j = 0; j < NVX; j++) bv[j] = T::Load(kBMode == kPanelsB ? b + j * bs : b + j * T::W);
#pragma GCC unroll 32
      for (int i = 0; i < ROWS; i++) {
        const V av = T::Bcast(kDirectA ? a + i * lda : a + i);
#pragma GCC unroll 8
        for (int j = 0; j < NVX; j++) acc[i][j] = T::Fma(av, bv[j], acc[i][j]);
      }
      a += kDirectA ? 1 : MR;
      // A constant step spares a register in the k loop.
      b += kBMode == kStridedB ? bs : kBMode == kPanelsB ? T::W : NR;
    }
    // Full tiles with a cheap epilogue (the 1×1-conv case: bias + relu/relu6 or linear, beta 0)
    // finish straight from the registers: for k = 16..32 the stack round trip below costs a large
    // share of the tile's time.
    if constexpr (T::kBroadcast && ROWS == MR && NVX == NV) {
      if (e.fuse && mr == MR && nr == NR) {
        // Bias is re-read per row (an L1 hit, foldable into the add) rather than held in
        // registers, which the accumulators of the 16-register AVX2 tile already fill.
        const bool clamp = e.act != Act::kLinear;
        const float hi = e.act == Act::kRelu6 ? 6.f : std::numeric_limits<float>::infinity();
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
          for (int j = 0; j < NV; j++) {
            V v = acc[i][j];
            if (e.bias) v = T::Add(v, T::Load(e.bias + j * T::W));
            if (clamp) v = T::Min(T::Max(v, T::Zero()), T::Set1(hi));
            if (e.stream) T::Stream(c + i * ldc + j * T::W, v);
            else T::Store(c + i * ldc + j * T::W, v);
          }
        return;
      }
    }
    // The accumulators leave through a stack tile and the epilogue is a separate call: inlined,
    // its register pressure (vector sigmoid/tanh) made GCC spill accumulators inside the k loop.
    alignas(64) float tmp[MR * NR];
#pragma GCC unroll 32
    for (int i = 0; i < ROWS; i++)
#pragma GCC unroll 8
      for (int j = 0; j < NVX; j++) T::Store(tmp + i * NR + j * T::W, acc[i][j]);
    if (mr == MR && nr == NR) FullTileEpilogue<MR, NV>(tmp, c, ldc, e);
    else if (T::kBroadcast) PartialTileEpilogue<ROWS, NVX>(tmp, c, ldc, mr, nr, e);
    else ScalarTileEpilogue(tmp, NR, c, ldc, mr, nr, e);
  }

  // Runs the smallest specialised tile covering an mr×nr edge (exact rows, vectors rounded up).
  template <bool kDirectA, BMode kBMode, int ROWS = MR>
  CONVKIT_GEMM_TARGET static void EdgeTile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t bs, float* c,
                                           int64_t ldc, int mr, int nr, const TileEpi& e) {
    if constexpr (!T::kBroadcast) {
      Tile<kDirectA, kBMode>(kc, a, lda, b, bs, c, ldc, mr, nr, e);
    } else {
      if constexpr (ROWS > 1)
        if (mr < ROWS) return EdgeTile<kDirectA, kBMode, ROWS - 1>(kc, a, lda, b, bs, c, ldc, mr, nr, e);
      EdgeCols<kDirectA, kBMode, ROWS, NV>(kc, a, lda, b, bs, c, ldc, mr, nr, e);
    }
  }
  template <bool kDirectA, BMode kBMode, int ROWS, int NVX>
  CONVKIT_GEMM_TARGET static void EdgeCols(int64_t kc, const float* a, int64_t lda, const float* b, int64_t bs, float* c,
                                           int64_t ldc, int mr, int nr, const TileEpi& e) {
    if constexpr (NVX > 1)
      if (nr <= (NVX - 1) * T::W)
        return EdgeCols<kDirectA, kBMode, ROWS, NVX - 1>(kc, a, lda, b, bs, c, ldc, mr, nr, e);
    Tile<kDirectA, kBMode, ROWS, NVX>(kc, a, lda, b, bs, c, ldc, mr, nr, e);
  }

  // Edge tile (narrow n such as 6 or 10 makes every tile one): stage the C and bias fragments in
  // padded buffers so the vector epilogue still runs, then copy the valid part back.
  template <int ROWS, int NVX>
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
    // Only the NVX vectors the (possibly narrowed) tile computed are finished; their lanes past
    // nr read zeros and are discarded.
    if (e.beta != 0.f)
      for (int i = 0; i < mr; i++)
        for (int j = nr; j < NVX * T::W; j++) cbuf[i * NR + j] = 0.f;
    FullTileEpilogue<ROWS, NVX>(tmp, cbuf, NR, pe);
    for (int i = 0; i < mr; i++)
      for (int j = 0; j < nr; j++) c[i * ldc + j] = cbuf[i * NR + j];
  }

  // ROWS ≤ MR and NVX ≤ NV: the part of tmp an edge tile filled.
  template <int ROWS, int NVX>
  __attribute__((noinline)) CONVKIT_GEMM_TARGET static void FullTileEpilogue(const float* tmp, float* c, int64_t ldc,
                                                                             const TileEpi& e) {
    const V alpha = T::Set1(e.alpha), beta = T::Set1(e.beta);
    const bool scale = e.alpha != 1.f;
    for (int i = 0; i < ROWS; i++) {
      float* ci = c + i * ldc;
#pragma GCC unroll 8
      for (int j = 0; j < NVX; j++) {
        V v = T::Load(tmp + i * NR + j * T::W);
        if (scale) v = T::Mul(v, alpha);
        if (e.beta != 0.f) v = T::Fma(beta, T::Load(ci + j * T::W), v);
        if (e.bias) v = T::Add(v, T::Load(e.bias + j * T::W));
        if (e.act == Act::kRelu) v = T::Max(v, T::Zero());
        else if (e.act == Act::kRelu6) v = T::Min(T::Max(v, T::Zero()), T::Set1(6.f));
        T::Store(ci + j * T::W, v);
      }
      if (e.act == Act::kSigmoid || e.act == Act::kTanh)
        for (int j = 0; j < NVX * T::W; j++) ci[j] = ApplyAct(e.act, ci[j]);
    }
  }
};

// GemvFn over the SIMD abstraction T: four rows of B per sweep over acc (one load and store of acc
// per four FMAs); acc stays in L1 for any n a Dense layer has.
template <class T>
CONVKIT_GEMM_TARGET void GemvRows(int64_t k, int64_t n, const float* a, int64_t inca, const float* b, int64_t ldb,
                                  float* acc) {
  using V = typename T::V;
  constexpr int W = T::W;
  std::fill(acc, acc + n, 0.f);
  int64_t p = 0;
  for (; p + 4 <= k; p += 4) {
    const float s0 = a[p * inca], s1 = a[(p + 1) * inca], s2 = a[(p + 2) * inca], s3 = a[(p + 3) * inca];
    const V a0 = T::Set1(s0), a1 = T::Set1(s1), a2 = T::Set1(s2), a3 = T::Set1(s3);
    const float* b0 = b + p * ldb;
    const float *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    int64_t j = 0;
    for (; j + W <= n; j += W) {
      V s = T::Load(acc + j);
      s = T::Fma(a0, T::Load(b0 + j), s);
      s = T::Fma(a1, T::Load(b1 + j), s);
      s = T::Fma(a2, T::Load(b2 + j), s);
      s = T::Fma(a3, T::Load(b3 + j), s);
      T::Store(acc + j, s);
    }
    for (; j < n; j++) acc[j] += s0 * b0[j] + s1 * b1[j] + s2 * b2[j] + s3 * b3[j];
  }
  for (; p < k; p++) {
    const float s = a[p * inca];
    const float* bp = b + p * ldb;
    for (int64_t j = 0; j < n; j++) acc[j] += s * bp[j];
  }
}

template <class K>
Variant VariantOf() {
  return {RunBlocked<K>, K::MR, K::NR, K::KC, K::NQ, K::kTakesPanels, GemvRows<typename K::Simd>};
}

}  // namespace
}  // namespace gemm
}  // namespace convkit
