#include "common/scratch.h"

#include <cstdlib>
#include <new>

namespace convkit {
namespace {

struct Buffers {
  float* ptr[kScratchSlots] = {};
  size_t cap[kScratchSlots] = {};
  ~Buffers() {
    for (auto* p : ptr) std::free(p);
  }
};

thread_local Buffers tls_buffers;

}  // namespace

float* Scratch(ScratchSlot slot, size_t floats) {
  Buffers& b = tls_buffers;
  if (floats > b.cap[slot]) {
    std::free(b.ptr[slot]);
    size_t want = floats + floats / 4 + 64;  // headroom so slightly larger calls do not reallocate
    size_t bytes = (want * sizeof(float) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, bytes);
    if (!p) {
      b.ptr[slot] = nullptr;
      b.cap[slot] = 0;
      throw std::bad_alloc();
    }
    b.ptr[slot] = static_cast<float*>(p);
    b.cap[slot] = bytes / sizeof(float);
  }
  return b.ptr[slot];
}

}  // namespace convkit
