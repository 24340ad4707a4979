// Work split: when there are enough output positions, each thread takes whole chunks of positions
// and runs im2col and a single-threaded GEMM back to back, so the patch chunk is still in its
// cache when the GEMM reads it and no barrier separates the two. With few positions (deep layers,
// batch 1) the chunks are too few to share out, and the GEMM's own threading (over the filter's
// columns or k) takes over instead. Layers with few taps and filters (KH·KW·C ≤ 32, OC ≤ one
// vector) skip the GEMM for the direct kernels of kernels/conv_small.h.
#include "kernels/conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/parallel.h"
#include "common/scratch.h"
#include "kernels/conv_im2col.h"
#include "kernels/conv_small.h"
#include "kernels/gemm.h"

namespace convkit {
namespace {

// Patch floats per per-thread chunk: ~384 KB, sized to stay in a core's L2 next to the GEMM's packs.
constexpr int64_t kTaskChunkFloats = 96 * 1024;
// Patch floats per chunk when one chunk is shared by all threads: 16 MB.
constexpr int64_t kSharedChunkFloats = 4 * 1024 * 1024;
// Fewer rows than this per GEMM and the per-call packing of the filter starts to dominate.
constexpr int64_t kMinRows = 64;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

int64_t TaskRows(int64_t kkc) { return std::max(kMinRows, kTaskChunkFloats / std::max<int64_t>(kkc, 1)); }
int64_t SharedRows(int64_t kkc) { return std::max<int64_t>(1, kSharedChunkFloats / std::max<int64_t>(kkc, 1)); }

// Parallel im2col of one shared chunk: patch rows are independent.
void Im2colParallel(const ConvShape& s, const float* x, int64_t p0, int64_t count, float* cols) {
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(s.Kkc(), 1));
  ParallelFor(count, grain, [&](int64_t b, int64_t e) { Im2col(s, x, p0 + b, e - b, cols + b * s.Kkc()); });
}

}  // namespace

void Conv2dForward(const ConvShape& s, const float* x, const float* filter, float* y, const float* bias, Act act,
                   const PackedB* packed, const float* residual) {
  const int64_t positions = s.n * s.oh * s.ow, kkc = s.Kkc(), oc = s.oc;
  const GemmEpilogue epi{bias, act, positions * oc * 4};
  // A residual is summed by the GEMMs' beta = 1 on an output that already holds it.
  if (residual && residual != y) {
    ParallelFor(positions, 4096 / std::max<int64_t>(oc, 1) + 1, [&](int64_t p0, int64_t p1) {
      std::memcpy(y + p0 * oc, residual + p0 * oc, static_cast<size_t>((p1 - p0) * oc) * 4);
    });
  }
  const float beta = residual ? 1.f : 0.f;
  // rows × OC outputs at `out` from rows patch rows at `a` (row stride kkc).
  auto gemm = [&](int64_t rows, const float* a, float* out) {
    if (packed) SgemmPackedB(rows, a, kkc, *packed, beta, out, oc, epi);
    else Sgemm(false, false, rows, oc, kkc, 1.f, a, kkc, filter, oc, beta, out, oc, epi);
  };
  if (!residual && ConvSmallApplies(s)) {
    ConvSmallForward(s, x, filter, y, bias, act);
    return;
  }
  if (s.Pointwise()) {
    gemm(positions, x, y);
    return;
  }
  const int nt = NumThreads();
  const int64_t rows = TaskRows(kkc);
  const int64_t tasks = CeilDiv(positions, rows);
  if (nt == 1 || tasks >= 2 * nt) {
    ParallelFor(tasks, 1, [&](int64_t t0, int64_t t1) {
      float* cols = Scratch(kScratchIm2col, static_cast<size_t>(rows * kkc));
      for (int64_t t = t0; t < t1; t++) {
        const int64_t p0 = t * rows, count = std::min(rows, positions - p0);
        Im2col(s, x, p0, count, cols);
        gemm(count, cols, y + p0 * oc);
      }
    });
    return;
  }
  const int64_t chunk = SharedRows(kkc);
  float* cols = Scratch(kScratchIm2col, static_cast<size_t>(std::min(chunk, positions) * kkc));
  for (int64_t p0 = 0; p0 < positions; p0 += chunk) {
    const int64_t count = std::min(chunk, positions - p0);
    Im2colParallel(s, x, p0, count, cols);
    gemm(count, cols, y + p0 * oc);
  }
}

void Conv2dBackpropInput(const ConvShape& s, const float* dy, const float* filter, float* dx) {
  const int64_t positions = s.n * s.oh * s.ow, kkc = s.Kkc(), oc = s.oc, ohw = s.oh * s.ow;
  if (s.Pointwise()) {
    Sgemm(false, true, positions, kkc, oc, 1.f, dy, oc, filter, oc, 0.f, dx, kkc);
    return;
  }
  const int64_t image = s.h * s.w * s.c;
  const int nt = NumThreads();
  // Whole images per task: col2im of one image never writes another's cells, so tasks cannot race.
  const int64_t per_task = std::max<int64_t>(1, CeilDiv(kMinRows, ohw));
  const int64_t tasks = CeilDiv(s.n, per_task);
  if (nt == 1 || tasks >= nt) {
    const int64_t rows = TaskRows(kkc);
    ParallelFor(tasks, 1, [&](int64_t t0, int64_t t1) {
      const int64_t i0 = t0 * per_task, i1 = std::min(s.n, t1 * per_task);
      std::memset(dx + i0 * image, 0, sizeof(float) * (i1 - i0) * image);
      float* dcols = Scratch(kScratchIm2col, static_cast<size_t>(rows * kkc));
      for (int64_t p0 = i0 * ohw; p0 < i1 * ohw; p0 += rows) {
        const int64_t count = std::min(rows, i1 * ohw - p0);
        Sgemm(false, true, count, kkc, oc, 1.f, dy + p0 * oc, oc, filter, oc, 0.f, dcols, kkc);
        Col2imRows(s, dcols, p0, count, dx, 0, s.n * s.h);
      }
    });
    return;
  }
  // Few images: threaded GEMM per shared chunk, then col2im split by input rows (each thread owns
  // a band of rows, so overlapping windows never write the same cell from two threads).
  ParallelFor(s.n * s.h, 8, [&](int64_t b, int64_t e) {
    std::memset(dx + b * s.w * s.c, 0, sizeof(float) * (e - b) * s.w * s.c);
  });
  const int64_t chunk = SharedRows(kkc);
  float* dcols = Scratch(kScratchIm2col, static_cast<size_t>(std::min(chunk, positions) * kkc));
  for (int64_t p0 = 0; p0 < positions; p0 += chunk) {
    const int64_t count = std::min(chunk, positions - p0);
    Sgemm(false, true, count, kkc, oc, 1.f, dy + p0 * oc, oc, filter, oc, 0.f, dcols, kkc);
    const int64_t g0 = (p0 / ohw) * s.h, g1 = ((p0 + count - 1) / ohw + 1) * s.h;
    ParallelFor(g1 - g0, 1, [&](int64_t b, int64_t e) { Col2imRows(s, dcols, p0, count, dx, g0 + b, g0 + e); });
  }
}

void Conv2dBackpropFilter(const ConvShape& s, const float* x, const float* dy, float* dw) {
  const int64_t positions = s.n * s.oh * s.ow, kkc = s.Kkc(), oc = s.oc;
  if (ConvSmallFilterApplies(s)) {
    ConvSmallBackpropFilter(s, x, dy, dw);
    return;
  }
  if (s.Pointwise()) {
    Sgemm(true, false, kkc, oc, positions, 1.f, x, kkc, dy, oc, 0.f, dw, oc);
    return;
  }
  const int nt = NumThreads();
  const int64_t rows = TaskRows(kkc);
  const size_t wsize = static_cast<size_t>(kkc * oc);
  if (nt > 1 && positions >= nt * rows) {
    // Each thread sums its share of positions into its own dW; the partial sums are added at the end.
    static thread_local std::vector<float> partial_buf;
    if (partial_buf.size() < wsize * (nt - 1)) partial_buf.resize(wsize * (nt - 1));
    float* partials = partial_buf.data();
    int used = 1;
    ParallelRun(nt, [&](int t, int tn) {
      if (t == 0) used = tn;
      float* acc = t == 0 ? dw : partials + (t - 1) * wsize;
      const int64_t b = positions * t / tn, e = positions * (t + 1) / tn;
      // The thread's positions in equal chunks of at most `rows` (no short last chunk).
      const int64_t step = CeilDiv(e - b, CeilDiv(e - b, rows));
      float* cols = Scratch(kScratchIm2col, static_cast<size_t>(step * kkc));
      for (int64_t p0 = b; p0 < e; p0 += step) {
        const int64_t count = std::min(step, e - p0);
        Im2col(s, x, p0, count, cols);
        Sgemm(true, false, kkc, oc, count, 1.f, cols, kkc, dy + p0 * oc, oc, p0 == b ? 0.f : 1.f, acc, oc);
      }
    });
    ParallelFor(static_cast<int64_t>(wsize), 4096, [&](int64_t b, int64_t e) {
      for (int t = 1; t < used; t++) {
        const float* src = partials + (t - 1) * wsize;
        for (int64_t i = b; i < e; i++) dw[i] += src[i];
      }
    });
    return;
  }
  const int64_t chunk = SharedRows(kkc);
  float* cols = Scratch(kScratchIm2col, static_cast<size_t>(std::min(chunk, positions) * kkc));
  for (int64_t p0 = 0; p0 < positions; p0 += chunk) {
    const int64_t count = std::min(chunk, positions - p0);
    Im2colParallel(s, x, p0, count, cols);
    Sgemm(true, false, kkc, oc, count, 1.f, cols, kkc, dy + p0 * oc, oc, p0 == 0 ? 0.f : 1.f, dw, oc);
  }
}

}  // namespace convkit
