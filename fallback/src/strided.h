// Walking an output in row-major order while K operands follow it through
// their own strides (0 along broadcast axes). Axes every operand walks
// contiguously merge into one first, so a same-shape op is one flat row, a
// scalar operand is a row with stride 0, and a bias added to a matrix is rows
// of a contiguous row: the loops the compiler vectorises.
#pragma once
#include <array>
#include <utility>

#include "tmnn.h"

namespace tmnn {

template <int K>
struct Walk {
  Shape shape;                   // merged axes, outermost first; never empty
  std::array<Shape, K> strides;  // per operand, per merged axis

  Walk(const Shape& full, const std::array<const Shape*, K>& operand_strides) {
    // Innermost first while merging; size-1 axes move no operand and drop out.
    for (int d = int(full.size()) - 1; d >= 0; d--) {
      if (full[d] == 1) continue;
      bool merges = !shape.empty();
      for (int k = 0; k < K && merges; k++) merges = (*operand_strides[k])[d] == strides[k].back() * shape.back();
      if (merges) {
        shape.back() *= full[d];
        continue;
      }
      shape.push_back(full[d]);
      for (int k = 0; k < K; k++) strides[k].push_back((*operand_strides[k])[d]);
    }
    if (shape.empty()) {
      shape.push_back(1);
      for (int k = 0; k < K; k++) strides[k].push_back(0);
    }
    reverse(shape);
    for (auto& s : strides) reverse(s);
  }

  int64_t inner() const { return shape.back(); }
  int64_t inner_stride(int k) const { return strides[k].back(); }
  // Whether operand k is one value read for every output (all its strides 0).
  bool fixed(int k) const {
    for (int64_t s : strides[k])
      if (s != 0) return false;
    return true;
  }

  // f(offsets, out_offset, n) for each row along the innermost axis.
  template <typename F>
  TMNN_INLINE void rows(std::array<int64_t, K> offsets, F f) const {
    const int outer_rank = int(shape.size()) - 1;
    int64_t outer = 1;
    for (int d = 0; d < outer_rank; d++) outer *= shape[d];
    Shape index(outer_rank > 0 ? outer_rank : 1, 0);
    const int64_t n = inner();
    for (int64_t r = 0; r < outer; r++) {
      f(offsets, r * n, n);
      // Odometer over the outer axes.
      for (int d = outer_rank - 1; d >= 0; d--) {
        for (int k = 0; k < K; k++) offsets[k] += strides[k][d];
        if (++index[d] < shape[d]) break;
        for (int k = 0; k < K; k++) offsets[k] -= strides[k][d] * shape[d];
        index[d] = 0;
      }
    }
  }

 private:
  static void reverse(Shape& s) {
    for (size_t i = 0, j = s.size(); i + 1 < j; i++, j--) std::swap(s[i], s[j - 1]);
  }
};

// Whether every element an operand is read at lies inside its array.
inline bool within(const Shape& shape, const Shape& strides, int64_t offset, int64_t length) {
  int64_t lo = offset, hi = offset;
  for (size_t d = 0; d < shape.size(); d++) {
    if (shape[d] == 0) return true;  // nothing is read
    const int64_t span = (shape[d] - 1) * strides[d];
    (span < 0 ? lo : hi) += span;
  }
  return lo >= 0 && hi < length;
}

}  // namespace tmnn
