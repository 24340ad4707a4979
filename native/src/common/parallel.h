// A persistent thread pool sized to the machine (CONVKIT_NUM_THREADS overrides). The calling thread
// takes part in the work, so a pool of n threads starts n-1 workers. Nested ParallelFor calls (a
// kernel called from inside another kernel's parallel region) run serially, so threads never
// oversubscribe the cores.
#pragma once
#include <cstdint>
#include <functional>

namespace convkit {

// Number of threads ParallelFor uses (>= 1).
int NumThreads();
// Resize the pool (clamped to [1, 256]). Not to be called from inside a parallel region.
void SetNumThreads(int n);
// Calls fn(begin, end) on disjoint chunks covering [0, n), each chunk at least `grain` long (except
// possibly the last), spread over the pool; returns when all chunks are done. Runs inline when n is
// small, when the pool has one thread, or when called from inside a parallel region.
void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);
// Calls fn(t, nt) once on each of nt = min(NumThreads(), max_tasks) threads, t = 0..nt-1.
void ParallelRun(int max_tasks, const std::function<void(int, int)>& fn);
// True inside a ParallelFor/ParallelRun body.
bool InParallelRegion();

}  // namespace convkit
