// GEMM front end: degenerate cases, kernel choice by ISA and shape, and the split of the work over
// the thread pool. Each thread runs an independent blocked GEMM on its slice (its own packed A and
// B in its own scratch), so no barriers are needed; the duplicated packing is what the split
// heuristic weighs against load balance.
#include "kernels/gemm.h"

#include <algorithm>
#include <cstdint>
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

// op(B) from row k0, column j0 (j0 a multiple of v.nq when B is in panels).
const float* BAt(const Problem& p, const Variant& v, int64_t k0, int64_t j0) {
  if (p.b_panels) return p.b + j0 / v.nq * p.ldb + k0 * v.nq;
  return p.tb ? p.b + j0 * p.ldb + k0 : p.b + k0 * p.ldb + j0;
}

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
    s.b = BAt(p, v, k0, 0);
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

// Below this many B elements a single row of A runs through the blocked kernels: the matrix-vector
// path pays off when B is too large to stay in cache and must be streamed (a classifier's weights).
constexpr int64_t kGemvMinElements = 1 << 16;

// m = 1, B row-major: each thread streams a contiguous band of B's rows into its own n partial sums
// (a split over k), which the caller adds up and finishes with the epilogue. The blocked kernels
// would read B in column panels down a row stride instead, a pattern the prefetchers follow poorly.
void RunGemv(const Problem& p, const Variant& v, const GemmEpilogue& epi) {
  const double flops = 2.0 * static_cast<double>(p.n) * static_cast<double>(p.k);
  int nt = InParallelRegion() ? 1 : NumThreads();
  nt = static_cast<int>(std::min<double>({static_cast<double>(nt), std::max(1.0, flops / kMinFlopsPerThread),
                                          static_cast<double>(std::max<int64_t>(1, p.k / 64))}));
  static thread_local std::vector<float> partial_buf;
  const size_t n = static_cast<size_t>(p.n);
  if (partial_buf.size() < n * nt) partial_buf.resize(n * nt);
  float* partials = partial_buf.data();
  const int64_t inca = p.ta ? p.lda : 1;
  ParallelRun(nt, [&](int t, int tn) {
    const int64_t k0 = p.k * t / tn, k1 = p.k * (t + 1) / tn;
    v.gemv(k1 - k0, p.n, p.a + k0 * inca, inca, p.b + k0 * p.ldb, p.ldb, partials + t * n);
  });
  for (int t = 1; t < nt; t++) {
    const float* pt = partials + t * n;
    for (size_t j = 0; j < n; j++) partials[j] += pt[j];
  }
  for (size_t j = 0; j < n; j++) {
    float y = p.alpha * partials[j];
    if (p.beta != 0.f) y += p.beta * p.c[j];
    if (epi.bias) y += epi.bias[j];
    p.c[j] = ApplyAct(epi.act, y);
  }
}

// Runs p (non-degenerate) on the pool: one blocked GEMM per thread on a slice of m, n or k.
void Run(const Problem& p, const Variant& v, const GemmEpilogue& epi) {
  const int64_t m = p.m, n = p.n, k = p.k;
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
  // B packed ahead in panels (constant weights) splits over n at no packing cost, and then beats a
  // split over k, whose partial sums the caller must add up alone (7×7×960→160 at batch 1: 42 → 38 µs).
  const double score_k = kblocks >= 2 * nt && small_c && !p.b_panels ? Balance(kblocks, nt) * 0.95 : 0.0;

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
      s.b = BAt(p, v, 0, lo);
      s.c = p.c + lo;
      s.bias = p.bias ? p.bias + lo : nullptr;
    }
    v.run(s);
  });
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
  if (m == 1 && !trans_b && n * k >= kGemvMinElements) {
    const Problem p{trans_a, false, 1, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epi.bias, epi.act, n * 4};
    RunGemv(p, v, epi);
    return;
  }
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
  Run(p, v, epi);
}

namespace {

// The header in front of a B packed ahead of time: what it was made for, checked before each use.
constexpr int32_t kPackedMagic = 0x42504b43;  // "CKPB"
constexpr int64_t kPackedHeaderFloats = 16;    // 64 bytes, so panels keep the buffer's alignment

// The panel width the active kernels read a packed k×n B in, or 0 if they take none.
int PanelWidth(int64_t n) {
  const Variant v = PickVariant(1, n, 1);
  return v.takes_panels ? v.nq : 0;
}

}  // namespace

size_t PackedBFloats(int64_t k, int64_t n) {
  const int w = PanelWidth(n);
  if (w == 0 || k <= 0 || n <= 0 || k > INT32_MAX || n > INT32_MAX) return 0;
  return static_cast<size_t>(kPackedHeaderFloats + CeilDiv(n, w) * k * w);
}

void PackBAhead(const float* b, int64_t k, int64_t n, float* dst) {
  const int w = PanelWidth(n);
  int32_t* head = reinterpret_cast<int32_t*>(dst);
  std::fill(head, head + kPackedHeaderFloats, 0);
  head[0] = kPackedMagic;
  head[1] = w;
  head[2] = static_cast<int32_t>(k);
  head[3] = static_cast<int32_t>(n);
  float* panels = dst + kPackedHeaderFloats;
  for (int64_t j0 = 0; j0 < n; j0 += w) {
    const int64_t width = std::min<int64_t>(w, n - j0);
    float* d = panels + j0 * k;
    for (int64_t r = 0; r < k; r++, d += w) {
      const float* row = b + r * n + j0;
      for (int64_t j = 0; j < width; j++) d[j] = row[j];
      for (int64_t j = width; j < w; j++) d[j] = 0.f;
    }
  }
}

bool ViewPackedB(const float* buf, size_t floats, int64_t k, int64_t n, PackedB* out) {
  const size_t want = PackedBFloats(k, n);
  if (want == 0 || floats != want) return false;
  const int32_t* head = reinterpret_cast<const int32_t*>(buf);
  if (head[0] != kPackedMagic || head[1] != PanelWidth(n) || head[2] != k || head[3] != n) return false;
  *out = PackedB{buf + kPackedHeaderFloats, k, n, head[1]};
  return true;
}

void SgemmPackedB(int64_t m, const float* a, int64_t lda, const PackedB& b, float beta, float* c, int64_t ldc,
                  const GemmEpilogue& epi) {
  if (m <= 0 || b.n <= 0) return;
  const Variant v = PickVariant(m, b.n, b.k);
  Problem p{false, false, m, b.n, b.k, 1.f, a, lda, b.panels, b.k * b.width, beta, c, ldc, epi.bias, epi.act,
            std::max(m * b.n * 4, epi.output_bytes)};
  p.b_panels = true;
  Run(p, v, epi);
}

}  // namespace convkit
