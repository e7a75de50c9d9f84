// sortIndices on the native backend (f32): each row's positions in the order
// kernels.ts defines — by value, NaN after every number ascending and before
// every number descending, ties by position — by std::partial_sort (the
// first k) or std::sort (all). A strict total order: the positions are the
// js backend's. Rows are split among threads when there are enough of them.
#include <algorithm>
#include <numeric>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

void sort_rows(const float* x, int64_t n, int64_t k, bool descending, int64_t begin, int64_t end, int32_t* out) {
  std::vector<int32_t> positions(static_cast<size_t>(n));
  for (int64_t r = begin; r < end; r++) {
    const float* row = x + r * n;
    std::iota(positions.begin(), positions.end(), 0);
    const auto before = [row, descending](int32_t a, int32_t b) {
      const float va = row[a], vb = row[b];
      const bool nan_a = va != va, nan_b = vb != vb;
      if (nan_a || nan_b) return nan_a && nan_b ? a < b : nan_a == descending;
      if (va == vb) return a < b;
      return (va < vb) != descending;
    };
    if (k < n) std::partial_sort(positions.begin(), positions.begin() + k, positions.end(), before);
    else std::sort(positions.begin(), positions.end(), before);
    std::copy(positions.begin(), positions.begin() + k, out + r * k);
  }
}

}  // namespace

void sort_indices(const float* x, int64_t rows, int64_t n, int64_t k, bool descending, int32_t* out) {
  // A thread's start costs tens of µs: only rows enough to sort ~2^16 values each are worth one.
  const int parts = thread_parts(std::min(rows, rows * n >> 16));
  parallel(parts, [&](int part) {
    const auto [begin, end] = share(rows, parts, part);
    sort_rows(x, n, k, descending, begin, end, out);
  });
}

}  // namespace tmnn
