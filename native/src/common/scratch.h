// Reusable scratch memory for kernels (im2col columns, packed GEMM panels). Buffers grow and are
// kept, so steady-state training does no allocation and takes no page faults. Each slot is one
// buffer; a thread's slots are private to it (thread_local), so kernels running in the pool never
// share scratch. Memory is 64-byte aligned.
#pragma once
#include <cstddef>

namespace convkit {

enum ScratchSlot { kScratchIm2col = 0, kScratchPackA = 1, kScratchPackB = 2, kScratchTemp = 3, kScratchSlots = 4 };

// At least `floats` floats, valid until the same thread asks for the same slot again.
float* Scratch(ScratchSlot slot, size_t floats);

}  // namespace convkit
