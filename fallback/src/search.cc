// The binary-search kernel (src/backends/search.ts): for each value of a row
// of values [rows, m], the first index of its row of sorted [rows, n] whose
// entry is ≥ the value (> with right), n when none, by binary search:
// O(log n) reads a value. Both f32 or both i32. Floats are compared as keys
// of their bits that order as the values do, NaN after every number (all
// NaNs one key) and −0 the same as +0: exact whatever the floating-point
// unit's flush-to-zero settings, as the js backend compares them. Values
// split among threads when there are many.
#include <algorithm>
#include <cstring>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

// An f32's bits as a u32 ordered as the values: ±0 one key, every NaN the largest.
inline uint32_t float_key(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  if ((b & 0x7fffffffu) > 0x7f800000u) return 0xffffffffu;
  if ((b & 0x7fffffffu) == 0u) return 0x80000000u;
  return (b & 0x80000000u) ? ~b : b | 0x80000000u;
}

inline uint32_t key(float f) { return float_key(f); }
inline int32_t key(int32_t i) { return i; }

// The first i in [0, n) of row with key(row[i]) ≥ k (> k when right), n when none.
template <typename T, typename K>
inline int32_t search_row(const T* row, int64_t n, K k, bool right) {
  int64_t lo = 0, count = n;
  // Halving the range the answer lies in, [lo, lo + count].
  if (right) {
    while (count > 0) {
      const int64_t half = count / 2;
      if (key(row[lo + half]) <= k) lo += half + 1, count -= half + 1;
      else count = half;
    }
  } else {
    while (count > 0) {
      const int64_t half = count / 2;
      if (key(row[lo + half]) < k) lo += half + 1, count -= half + 1;
      else count = half;
    }
  }
  return int32_t(lo);
}

template <typename T>
void search(const T* sorted, const T* values, int64_t rows, int64_t n, int64_t m, bool right, int32_t* out) {
  const int64_t total = rows * m;
  // A value costs about log2(n) dependent reads: threads only where there are many values.
  const int parts = thread_parts(total / 4096);
  parallel(parts, [&](int part) {
    const auto [first, end] = share(total, parts, part);
    for (int64_t j = first; j < end; j++) {
      const int64_t r = j / m;
      out[j] = search_row(sorted + r * n, n, key(values[j]), right);
    }
  });
}

}  // namespace

void search_sorted(const Array& sorted, const Array& values, int64_t rows, bool right, int32_t* out) {
  if (rows == 0 || values.length == 0) return;
  const int64_t n = sorted.length / rows, m = values.length / rows;
  if (sorted.dtype == F32) search(sorted.as<float>(), values.as<float>(), rows, n, m, right, out);
  else search(sorted.as<int32_t>(), values.as<int32_t>(), rows, n, m, right, out);
}

}  // namespace tmnn
