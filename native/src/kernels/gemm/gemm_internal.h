// Internals shared by the GEMM front end (kernels/gemm.cc) and the per-ISA blocked drivers.
#pragma once
#include <cstdint>

#include "common/activation.h"

namespace convkit {
namespace gemm {

// One single-threaded GEMM on a sub-block of the caller's problem (pointers already offset).
struct Problem {
  bool ta, tb;
  int64_t m, n, k;
  float alpha;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
  const float* bias;  // n values or null, applied with `act` after the last k block
  Act act;
  int64_t total_c_bytes;  // size of the caller's whole C (all threads' slices): picks non-temporal stores
  // B was packed ahead of time (PackBAhead): b points at the first one-vector panel of this slice,
  // ldb is the panel stride (k·W floats); tb is false.
  bool b_panels = false;
};

using RunFn = void (*)(const Problem&);
// acc[0:n] = Σ_{p<k} a[p·inca] · b[p·ldb + 0:n]: one row of A times a row-major B, read row after
// row (a matrix-vector product whose every stream is sequential).
using GemvFn = void (*)(int64_t k, int64_t n, const float* a, int64_t inca, const float* b, int64_t ldb, float* acc);

// Up to this m (7×7 and 14×14 layers at batch 1, Dense layers at small batches), a row-major B is
// read in place instead of packed, when its width is whole vectors (see RunBlocked).
constexpr int64_t kDirectBMaxM = 256;

// A register tile shape and the driver that uses it; the front end partitions work in whole tiles.
struct Variant {
  RunFn run;
  int mr, nr;
  int kc;  // k block length: the front end splits k across threads only in multiples of it
  int nq;  // n quantum for splitting n across threads: one vector, since edge tiles narrow to it
  bool takes_panels;  // the kernel reads a B packed ahead of time in nq-wide panels
  GemvFn gemv;        // m = 1 with a row-major B, same instruction set
};

Variant GenericVariant(int64_t m, int64_t n, int64_t k);
#if defined(__x86_64__)
Variant Avx2Variant(int64_t m, int64_t n, int64_t k);
Variant Avx512Variant(int64_t m, int64_t n, int64_t k);
#endif

}  // namespace gemm
}  // namespace convkit
