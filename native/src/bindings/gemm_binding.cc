// matmul(a, b, out, batch, m, k, n, transA, transB, bBatch[, bias, activation]):
// out[b] = act(op(A[b])·op(B[b or 0]) + bias). bias is a Float32Array of n values or null;
// activation is an Act code 0..4 (linear, relu, relu6, sigmoid, tanh).
#include "common/args.h"
#include "common/parallel.h"
#include "common/registry.h"
#include "kernels/gemm.h"

namespace convkit {
namespace {

Napi::Value Matmul(const Napi::CallbackInfo& info) {
  if (info.Length() != 12) ExpectArgs(info, 10, "matmul");
  const int64_t kMax = int64_t(1) << 31;
  int64_t batch = ArgInt(info, 3, 1, kMax, "batch");
  int64_t m = ArgInt(info, 4, 0, kMax, "m");
  int64_t k = ArgInt(info, 5, 0, kMax, "k");
  int64_t n = ArgInt(info, 6, 0, kMax, "n");
  bool ta = ArgBool(info, 7, "transA");
  bool tb = ArgBool(info, 8, "transB");
  int64_t b_batch = ArgInt(info, 9, 1, kMax, "bBatch");
  if (b_batch != 1 && b_batch != batch) ThrowRange(info.Env(), "bBatch must be 1 or equal to batch");
  size_t a_len = CheckedProduct(info.Env(), {batch, m, k}, "a");
  size_t b_len = CheckedProduct(info.Env(), {b_batch, k, n}, "b");
  size_t c_len = CheckedProduct(info.Env(), {batch, m, n}, "out");
  F32 a = ArgF32(info, 0, a_len, "a");
  F32 b = ArgF32(info, 1, b_len, "b");
  F32 c = ArgF32(info, 2, c_len, "out");
  GemmEpilogue epi;
  if (info.Length() == 12) {
    if (!info[10].IsNull() && !info[10].IsUndefined()) epi.bias = ArgF32(info, 10, static_cast<size_t>(n), "bias").data;
    epi.act = static_cast<Act>(ArgInt(info, 11, 0, 4, "activation"));
  }

  auto one = [&](int64_t i) {
    const float* ai = a.data + i * m * k;
    const float* bi = b.data + (b_batch == 1 ? 0 : i * k * n);
    Sgemm(ta, tb, m, n, k, 1.f, ai, ta ? m : k, bi, tb ? k : n, 0.f, c.data + i * m * n, n, epi);
  };
  // Small products (attention-like batches, per-sample dense layers) cannot feed every thread
  // from one GEMM, so give each thread whole batch entries; Sgemm inside runs serially. Large ones
  // are threaded inside Sgemm unless the batch divides evenly over the threads anyway.
  const int nt = NumThreads();
  const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  if (batch > 1 && nt > 1 && (flops < 4e6 || batch % nt == 0 || batch >= 4 * nt)) {
    ParallelFor(batch, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) one(i);
    });
  } else {
    for (int64_t i = 0; i < batch; i++) one(i);
  }
  return info.Env().Undefined();
}

constexpr int64_t kPackMax = (int64_t(1) << 31) - 1;

// packedGemmBSize(k, n): floats of a k×n B packed ahead of time for the active kernels; 0 when they
// take no packed operand (the portable kernels).
Napi::Value PackedGemmBSize(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 2, "packedGemmBSize");
  const int64_t k = ArgInt(info, 0, 1, kPackMax, "k");
  const int64_t n = ArgInt(info, 1, 1, kPackMax, "n");
  return Napi::Number::New(info.Env(), static_cast<double>(PackedBFloats(k, n)));
}

// packGemmB(b, k, n, out): b (k×n, row-major) packed into out (packedGemmBSize(k, n) floats).
Napi::Value PackGemmB(const Napi::CallbackInfo& info) {
  ExpectArgs(info, 4, "packGemmB");
  const int64_t k = ArgInt(info, 1, 1, kPackMax, "k");
  const int64_t n = ArgInt(info, 2, 1, kPackMax, "n");
  F32 b = ArgF32(info, 0, CheckedProduct(info.Env(), {k, n}, "b"), "b");
  const size_t floats = PackedBFloats(k, n);
  if (floats == 0) ThrowRange(info.Env(), "packGemmB: the active kernels take no packed operand (packedGemmBSize is 0)");
  F32 out = ArgF32(info, 3, floats, "out");
  PackBAhead(b.data, k, n, out.data);
  return info.Env().Undefined();
}

CONVKIT_EXPORT("matmul", Matmul);
CONVKIT_EXPORT("packedGemmBSize", PackedGemmBSize);
CONVKIT_EXPORT("packGemmB", PackGemmB);

}  // namespace
}  // namespace convkit
