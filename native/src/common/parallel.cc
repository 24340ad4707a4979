#include "common/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace convkit {
namespace {

thread_local bool tls_in_region = false;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// How long an idle worker waits for the next kernel before sleeping (CONVKIT_SPIN_US, default 1 ms).
std::chrono::microseconds SpinTime() {
  if (const char* env = std::getenv("CONVKIT_SPIN_US")) {
    const long us = std::atol(env);
    if (us >= 0) return std::chrono::microseconds(std::min(us, 100000L));
  }
  return std::chrono::microseconds(1000);
}

int DefaultThreads() {
  if (const char* env = std::getenv("CONVKIT_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1) return std::min(n, 256);
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : static_cast<int>(std::min(hc, 256u));
}

class Pool {
 public:
  explicit Pool(int n) { Start(n); }
  ~Pool() { Stop(); }

  int size() const { return size_; }

  void Resize(int n) {
    if (n == size_) return;
    Stop();
    Start(n);
  }

  // Runs task(t) for t in [0, ntasks) with ntasks <= size_; the caller runs task 0.
  void Run(int ntasks, const std::function<void(int)>& task) {
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    {
      std::lock_guard<std::mutex> lk(mutex_);
      task_ = &task;
      ntasks_ = ntasks;
      next_.store(1, std::memory_order_relaxed);
      pending_.store(ntasks - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    tls_in_region = true;
    task(0);
    // Help with tasks no worker has claimed yet.
    for (;;) {
      int t = next_.fetch_add(1, std::memory_order_acq_rel);
      if (t >= ntasks) break;
      task(t);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
    tls_in_region = false;
    // Wait until every task ran and no worker still holds a pointer to `task` (it lives in the
    // caller's frame). Spin briefly first: workers finish within microseconds for balanced work.
    for (int spin = 0;; spin++) {
      if (pending_.load(std::memory_order_acquire) == 0 && active_.load(std::memory_order_acquire) == 0) {
        std::lock_guard<std::mutex> lk(mutex_);
        if (active_.load(std::memory_order_acquire) == 0) {
          task_ = nullptr;
          break;
        }
      }
      if (spin > 2000) std::this_thread::yield();
    }
  }

 private:
  void Start(int n) {
    size_ = std::max(1, n);
    stop_ = false;
    // Workers start from the generation current now: one that begins running only after a later
    // Stop() must still see that stop as news, or join() would wait forever.
    const uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int i = 1; i < size_; i++) workers_.emplace_back([this, gen] { Loop(gen); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lk(mutex_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void Loop(uint64_t seen) {
    tls_in_region = true;
    for (;;) {
      // Spin before sleeping: kernels arrive back to back, separated by the JavaScript between
      // layers (tens of microseconds), and waking a sleeping worker costs about as much again on
      // a virtual machine, every layer. So the spin is timed, not counted (OpenMP runtimes spin
      // similarly by default).
      uint64_t g = seen;
      const auto spin_until = std::chrono::steady_clock::now() + spin_time_;
      for (int spin = 0;; spin++) {
        g = generation_.load(std::memory_order_acquire);
        if (g != seen) break;
        CpuRelax();
        if ((spin & 63) == 63 && std::chrono::steady_clock::now() >= spin_until) break;
      }
      if (g == seen) {
        std::unique_lock<std::mutex> lk(mutex_);
        cv_.wait(lk, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        g = generation_.load(std::memory_order_acquire);
      }
      seen = g;
      const std::function<void(int)>* task;
      int ntasks;
      {
        std::lock_guard<std::mutex> lk(mutex_);
        if (stop_) return;
        task = task_;
        ntasks = ntasks_;
        if (task) active_.fetch_add(1, std::memory_order_acq_rel);
      }
      if (!task) continue;
      for (;;) {
        int t = next_.fetch_add(1, std::memory_order_acq_rel);
        if (t >= ntasks) break;
        (*task)(t);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
      }
      active_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int size_ = 1;
  bool stop_ = false;
  const std::chrono::microseconds spin_time_ = SpinTime();
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::mutex run_mutex_;
  std::condition_variable cv_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> next_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> active_{0};
  const std::function<void(int)>* task_ = nullptr;
  int ntasks_ = 0;
};

Pool& GlobalPool() {
  static Pool* pool = new Pool(DefaultThreads());  // never destroyed: workers may outlive static teardown
  return *pool;
}

}  // namespace

int NumThreads() { return GlobalPool().size(); }

void SetNumThreads(int n) { GlobalPool().Resize(std::clamp(n, 1, 256)); }

bool InParallelRegion() { return tls_in_region; }

void ParallelRun(int max_tasks, const std::function<void(int, int)>& fn) {
  int nt = std::max(1, std::min(NumThreads(), max_tasks));
  if (nt == 1 || tls_in_region) {
    bool was = tls_in_region;
    tls_in_region = true;
    fn(0, 1);
    tls_in_region = was;
    return;
  }
  GlobalPool().Run(nt, [&](int t) { fn(t, nt); });
}

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int64_t max_chunks = (n + grain - 1) / grain;
  int nt = static_cast<int>(std::min<int64_t>(NumThreads(), max_chunks));
  if (nt <= 1 || tls_in_region) {
    bool was = tls_in_region;
    tls_in_region = true;
    fn(0, n);
    tls_in_region = was;
    return;
  }
  GlobalPool().Run(nt, [&](int t) {
    int64_t begin = n * t / nt;
    int64_t end = n * (t + 1) / nt;
    if (begin < end) fn(begin, end);
  });
}

}  // namespace convkit
