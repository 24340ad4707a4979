// Reductions matching src/backend/js/reduce.ts: partial results in double, NaN wins max/min,
// argmax/argmin keep the first index on ties and the first NaN once met.
#pragma once
#include <cstdint>
#include <vector>

namespace convkit {

enum ReduceOpCode { kReduceSum, kReduceMean, kReduceMax, kReduceMin, kReduceProd, kReduceOpCount };

// No element of x[0:n] is NaN or ±∞ (exponent bits all ones): an integer test the compiler vectorises.
bool AllFinite(const float* x, int64_t n);

// Reduce x (float32, `shape`) over the sorted unique `axes`; out has the reduced axes removed.
void Reduce(int op, const float* x, const std::vector<int64_t>& shape, const std::vector<int64_t>& axes, float* out);

// x viewed as [outer, len, inner], float32 or int32 (is_int); out is [outer, inner].
void ArgReduce(bool argmax, const void* x, bool is_int, int64_t outer, int64_t len, int64_t inner, int32_t* out);

}  // namespace convkit
