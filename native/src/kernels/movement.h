// Data movement (src/backend/js/movement.ts) on 4-byte elements: float32 and int32 move as raw bits,
// so one kernel serves activations, labels and indices.
#pragma once
#include <cstdint>
#include <vector>

namespace convkit {

using Shape = std::vector<int64_t>;

void Transpose(const uint32_t* x, const Shape& shape, const Shape& perm, uint32_t* out);
void Slice(const uint32_t* x, const Shape& shape, const Shape& begin, const Shape& size, uint32_t* out);
// Input k contributes blocks[k] elements per outer index.
void Concat(const std::vector<const uint32_t*>& xs, const Shape& blocks, int64_t outer, uint32_t* out);
// Fills the border with the bit pattern `fill`.
void Pad(const uint32_t* x, const Shape& shape, const Shape& before, const Shape& after, uint32_t fill, uint32_t* out);
// x viewed as [outer, len, inner]; indices in [-len, len) (negative counts from the end).
void Gather(const uint32_t* x, int64_t outer, int64_t len, int64_t inner, const int32_t* indices, int64_t n,
            uint32_t* out);
// dx (zeroed here) of [outer, len, inner] += dy of [outer, n, inner] scattered by indices.
void GatherGrad(const float* dy, int64_t outer, int64_t len, int64_t inner, const int32_t* indices, int64_t n,
                float* dx);
void BroadcastTo(const uint32_t* x, const Shape& shape, const Shape& out_shape, uint32_t* out);

}  // namespace convkit
