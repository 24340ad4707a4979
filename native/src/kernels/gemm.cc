// GEMM front end: degenerate cases, kernel choice by ISA and shape, and the split of the work over
// the thread pool. Each thread runs an independent blocked GEMM on its slice (its own packed A and
// B in its own scratch), so no barriers are needed; the duplicated packing is what the split
// heuristic weighs against load balance.
#include "kernels/gemm.h"

#include <algorithm>
#include <vector>

#include "common/cpu.h"
#include "common/parallel.h"
#include "kernels/gemm/gemm_internal.h"

namespace convkit {
namespace {

using gemm::Problem;
using gemm::Variant;

Variant PickVariant(int64_t m, int64_t n, int64_t k) {
#if defined(__x86_64__)
  switch (ActiveIsa()) {
    case Isa::kAvx512: return gemm::Avx512Variant(m, n, k);
    case Isa::kAvx2: return gemm::Avx2Variant(m, n, k);
    default: break;
  }
#endif
  return gemm::GenericVariant(m, n, k);
}

// k == 0 or alpha == 0: op(A)·op(B) contributes nothing (and A, B are not read, as in BLAS).
void ScaleOnly(int64_t m, int64_t n, float beta, float* c, int64_t ldc, const GemmEpilogue& epi) {
  for (int64_t i = 0; i < m; i++) {
    float* ci = c + i * ldc;
    for (int64_t j = 0; j < n; j++) {
      float v = beta == 0.f ? 0.f : beta * ci[j];
      if (epi.bias) v += epi.bias[j];
      ci[j] = ApplyAct(epi.act, v);
    }
  }
}

// Fraction of ideal speed when `tiles` equal tiles are dealt to `nt` threads in contiguous runs.
double Balance(int64_t tiles, int nt) {
  int64_t per = (tiles + nt - 1) / nt;
  return static_cast<double>(tiles) / static_cast<double>(per * nt);
}

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Below this many flops per thread, waking the pool costs more than it saves.
constexpr double kMinFlopsPerThread = 4e5;

// Split of k across threads: each thread accumulates a k range; partial sums are reduced
// afterwards. Only for small C with a long k (backward-filter GEMMs, m·n tiny, k = N·OH·OW).
void RunSplitK(const Problem& p, const Variant& v, int nt, const GemmEpilogue& epi) {
  const int64_t kblocks = CeilDiv(p.k, v.kc);
  static thread_local std::vector<float> partial_buf;
  const size_t mn = static_cast<size_t>(p.m * p.n);
  if (partial_buf.size() < mn * (nt - 1)) partial_buf.resize(mn * (nt - 1));
  float* partials = partial_buf.data();
  ParallelRun(nt, [&](int t, int tn) {
    const int64_t b0 = kblocks * t / tn, b1 = kblocks * (t + 1) / tn;
    const int64_t k0 = std::min(p.k, b0 * v.kc), k1 = std::min(p.k, b1 * v.kc);
    Problem s = p;
    s.k = k1 - k0;
    s.a = p.ta ? p.a + k0 * p.lda : p.a + k0;
    s.b = p.tb ? p.b + k0 : p.b + k0 * p.ldb;
    s.bias = nullptr;
    s.act = Act::kLinear;
    if (t > 0) {
      s.c = partials + (t - 1) * mn;
      s.ldc = p.n;
      s.beta = 0.f;
      if (s.k == 0) std::fill(s.c, s.c + mn, 0.f);
    } else if (s.k == 0) {
      ScaleOnly(p.m, p.n, p.beta, p.c, p.ldc, GemmEpilogue{});
      return;
    }
    v.run(s);
  });
  for (int64_t i = 0; i < p.m; i++) {
    float* ci = p.c + i * p.ldc;
    for (int t = 1; t < nt; t++) {
      const float* pi = partials + (t - 1) * mn + i * p.n;
      for (int64_t j = 0; j < p.n; j++) ci[j] += pi[j];
    }
    if (epi.bias || epi.act != Act::kLinear)
      for (int64_t j = 0; j < p.n; j++) ci[j] = ApplyAct(epi.act, ci[j] + (epi.bias ? epi.bias[j] : 0.f));
  }
}

}  // namespace

void Sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const GemmEpilogue& epi) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.f) {
    ScaleOnly(m, n, beta, c, ldc, epi);
    return;
  }
  const Variant v = PickVariant(m, n, k);
  if (!trans_b && m <= gemm::kDirectBMaxM && n > v.nq && n % v.nq != 0) {
    // B could be read in place but for a ragged last vector (a 1000-class Dense layer): run the
    // whole vectors in place and only the last few columns packed, rather than pack all of B.
    const int64_t whole = n / v.nq * v.nq;
    Sgemm(trans_a, false, m, whole, k, alpha, a, lda, b, ldb, beta, c, ldc, epi);
    const GemmEpilogue tail{epi.bias ? epi.bias + whole : nullptr, epi.act};
    Sgemm(trans_a, false, m, n - whole, k, alpha, a, lda, b + whole, ldb, beta, c + whole, ldc, tail);
    return;
  }
  const Problem p{trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epi.bias, epi.act, std::max(m * n * 4, epi.output_bytes)};

  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  int nt = InParallelRegion() ? 1 : NumThreads();
  nt = static_cast<int>(std::min<double>(nt, std::max(1.0, flops / kMinFlopsPerThread)));
  if (nt <= 1) {
    v.run(p);
    return;
  }

  // Splitting M makes every thread pack all of B (k·n floats), splitting N makes every thread pack
  // all of A; packing one float costs roughly as much as ~16 flops of the micro-kernel's budget
  // per row/column it serves, hence the overhead terms.
  // Small m (7×7 and 14×14 layers at batch 1) is split in 4-row quanta rather than whole tiles:
  // 196 rows as 17 tiles leave one thread 9 tiles to the other's 8, and the ragged remainder now
  // runs on a narrowed edge tile instead of a padded full one.
  const int64_t mq = CeilDiv(m, v.mr) < 16 * nt ? std::min(v.mr, 4) : v.mr;
  const int64_t mt = CeilDiv(m, mq), ntl = CeilDiv(n, v.nq);
  const double score_m = Balance(mt, nt) / (1.0 + 16.0 * (nt - 1) / static_cast<double>(m));
  const double score_n = Balance(ntl, nt) / (1.0 + 16.0 * (nt - 1) / static_cast<double>(n));
  const int64_t kblocks = CeilDiv(k, v.kc);
  const bool small_c = m * n <= (int64_t(1) << 16);
  const double score_k = kblocks >= 2 * nt && small_c ? Balance(kblocks, nt) * 0.95 : 0.0;

  if (score_k > score_m && score_k > score_n) {
    RunSplitK(p, v, nt, epi);
    return;
  }
  const bool split_m = score_m >= score_n;
  const int64_t tiles = split_m ? mt : ntl;
  const int64_t tile = split_m ? mq : v.nq;
  nt = static_cast<int>(std::min<int64_t>(nt, tiles));
  ParallelRun(nt, [&](int t, int tn) {
    const int64_t lo = std::min(tiles * t / tn * tile, split_m ? m : n);
    const int64_t hi = std::min(tiles * (t + 1) / tn * tile, split_m ? m : n);
    if (lo >= hi) return;
    Problem s = p;
    if (split_m) {
      s.m = hi - lo;
      s.a = p.ta ? p.a + lo : p.a + lo * p.lda;
      s.c = p.c + lo * p.ldc;
    } else {
      s.n = hi - lo;
      s.b = p.tb ? p.b + lo * p.ldb : p.b + lo;
      s.c = p.c + lo;
      s.bias = p.bias ? p.bias + lo : nullptr;
    }
    v.run(s);
  });
}

}  // namespace convkit
