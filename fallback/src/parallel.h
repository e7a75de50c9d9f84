// Work split among threads for the kernels that run their own (the int8
// GEMM, the convolutions): a few std::threads per call, joined before it
// returns. Used only for work large enough to repay starting them.
#pragma once
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

namespace tmnn {

// Runs f(part) for part in [0, parts), on up to `parts` threads (the caller is one of them).
template <typename F>
void parallel(int parts, F f) {
  std::vector<std::thread> pool;
  for (int t = 1; t < parts; t++) pool.emplace_back(f, t);
  f(0);
  for (auto& th : pool) th.join();
}

// [begin, end) of part t when `count` items are split into `parts`.
inline std::pair<int64_t, int64_t> share(int64_t count, int parts, int t) {
  return {count * t / parts, count * (t + 1) / parts};
}

}  // namespace tmnn
