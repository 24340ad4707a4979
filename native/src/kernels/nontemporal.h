// When kernels write their output with non-temporal (streaming) stores. A normal store first reads
// each cache line from memory; for an output far larger than the caches (MobileNet's 112×112 and
// 56×56 stages at batch 16: 25–77 MB) that read doubles the memory traffic of a memory-bound layer,
// and the lines would be evicted before the next layer reads them anyway. Smaller outputs keep
// normal stores so the next layer finds them in cache.
#pragma once
#include <cstdint>

namespace convkit {

constexpr int64_t kStreamMinBytes = int64_t(16) << 20;

}  // namespace convkit
