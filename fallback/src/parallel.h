// Work split among threads for the kernels that run their own (the int8
// GEMM, the convolutions, sorting, CTC, batches of small matrices): parts
// handed to a pool of threads kept waiting between calls (parallel.cc), the
// caller running parts too. Starting and joining fresh threads for each call
// cost tens of µs a thread — more than a small product's work.
#pragma once
#include <algorithm>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "tmnn.h"

namespace tmnn {

// How many parts to split a kernel's work into: one a thread at most, and at
// most `most` (what the caller allows: its items, and its work over the
// least that repays a thread's start), at least one.
inline int thread_parts(int64_t most) { return int(std::max<int64_t>(1, std::min<int64_t>(threads(), most))); }

// Runs call(context, part) for part in [0, parts) on the pool's threads and
// the caller's, returning once all have finished; false (having run nothing)
// when the pool is already running another call — from another thread, or
// one nested in a part — which then starts threads of its own.
bool run_on_pool(int parts, void (*call)(void*, int), void* context);

// Runs f(part) for part in [0, parts), on up to `parts` threads (the caller is one of them).
template <typename F>
void parallel(int parts, F f) {
  if (parts <= 1) return f(0);
  if (run_on_pool(parts, [](void* context, int part) { (*static_cast<F*>(context))(part); }, &f)) return;
  std::vector<std::thread> threads;
  for (int t = 1; t < parts; t++) threads.emplace_back(f, t);
  f(0);
  for (auto& th : threads) th.join();
}

// [begin, end) of part t when `count` items are split into `parts`.
inline std::pair<int64_t, int64_t> share(int64_t count, int parts, int t) {
  return {count * t / parts, count * (t + 1) / parts};
}

}  // namespace tmnn
