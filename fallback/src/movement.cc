// Data movement: the strided gather behind transpose, slice and broadcastTo,
// concatenation, one-hot encoding, and gather by index with its gradient
// (scatter-add). Elements are copied as raw bits of
// their size, so f16 patterns and ints pass through untouched.
#include <algorithm>
#include <cstring>
#include <vector>

#include "strided.h"

namespace tmnn {

namespace {

int64_t size(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// A transpose-like walk (the innermost output axis strided in x, the next one
// contiguous) in square tiles, so both sides stay in cache: read a tile's
// columns, write its rows.
template <typename T>
void transpose_tiles(const T* x, int64_t rows, int64_t cols, int64_t step, T* out) {
  constexpr int64_t TILE = 32;
  for (int64_t i0 = 0; i0 < rows; i0 += TILE)
    for (int64_t j0 = 0; j0 < cols; j0 += TILE) {
      const int64_t i1 = i0 + TILE < rows ? i0 + TILE : rows, j1 = j0 + TILE < cols ? j0 + TILE : cols;
      for (int64_t i = i0; i < i1; i++)
        for (int64_t j = j0; j < j1; j++) out[i * cols + j] = x[i + j * step];
    }
}

template <typename T>
void gather(const T* x, const Walk<1>& w, int64_t offset, T* out) {
  const int64_t step = w.inner_stride(0);
  const size_t rank = w.shape.size();
  if (rank >= 2 && step != 1 && w.strides[0][rank - 2] == 1 && w.shape[rank - 2] >= 8 && w.shape[rank - 1] >= 8) {
    // Whole matrices over the last two axes, one per index of the axes before them.
    const int64_t rows = w.shape[rank - 2], cols = w.shape[rank - 1];
    const Shape outer(w.shape.begin(), w.shape.end() - 2), outer_strides(w.strides[0].begin(), w.strides[0].end() - 2);
    Shape index(outer.size(), 0);
    int64_t at = offset;
    for (int64_t o = 0, count = size(outer); o < count; o++) {
      transpose_tiles(x + at, rows, cols, step, out + o * rows * cols);
      for (int d = int(outer.size()) - 1; d >= 0; d--) {
        at += outer_strides[d];
        if (++index[d] < outer[d]) break;
        at -= outer_strides[d] * outer[d];
        index[d] = 0;
      }
    }
    return;
  }
  w.rows({offset}, [&](const std::array<int64_t, 1>& at, int64_t o, int64_t n) {
    const T* __restrict src = x + at[0];
    T* __restrict dst = out + o;
    if (step == 1) std::memcpy(dst, src, n * sizeof(T));
    else for (int64_t j = 0; j < n; j++) dst[j] = src[j * step];
  });
}

// The row an index names on an axis of n (a negative one counts from the end); -1 outside it.
std::vector<int64_t> rows_of(const Array& indices, int64_t n) {
  std::vector<int64_t> rows(indices.length);
  for (int64_t j = 0; j < indices.length; j++) {
    int64_t row = indices.dtype == I8 ? indices.as<int8_t>()[j] : indices.as<int32_t>()[j];
    if (row < 0) row += n;
    rows[j] = row >= 0 && row < n ? row : -1;
  }
  return rows;
}

template <typename T>
void gather_rows_of(const T* x, const std::vector<int64_t>& rows, int64_t outer, int64_t n, int64_t inner, T* out) {
  const int64_t k = int64_t(rows.size());
  if (inner == 1) {
    // conv2d's windows gather single values, many of them padding: no call per element.
    for (int64_t o = 0; o < outer; o++) {
      const T* __restrict from = x + o * n;
      T* __restrict dst = out + o * k;
      for (int64_t j = 0; j < k; j++) dst[j] = rows[j] >= 0 ? from[rows[j]] : T(0);
    }
    return;
  }
  for (int64_t o = 0; o < outer; o++)
    for (int64_t j = 0; j < k; j++) {
      T* __restrict dst = out + (o * k + j) * inner;
      if (rows[j] < 0) std::memset(dst, 0, inner * sizeof(T));
      else std::memcpy(dst, x + (o * n + rows[j]) * inner, inner * sizeof(T));
    }
}

template <typename T>
void ones(const Array& indices, int64_t depth, T one, T* out) {
  const int64_t n = indices.length;
  for (int64_t i = 0; i < n; i++) {
    const int64_t j = indices.dtype == I8 ? indices.as<int8_t>()[i] : indices.as<int32_t>()[i];
    if (j >= 0 && j < depth) out[i * depth + j] = one;
  }
}

}  // namespace

// Two 4-byte elements moved as one: a complex tensor's (re, im) pairs.
struct Pair {
  uint32_t re, im;
};

void strided_copy(const Array& x, const Shape& shape, const Shape& strides, int64_t offset, const Array& out) {
  if (out.length == 0) return;
  // A last axis of two adjacent 4-byte elements (tm.fft's pairs) whose pairs start on even elements: copied as
  // pairs, the walk one axis shorter, so a transpose of complex tensors moves 8 bytes a step, not 4 (~2× faster).
  const size_t rank = shape.size();
  if (dtype_size(x.dtype) == 4 && rank >= 2 && shape[rank - 1] == 2 && strides[rank - 1] == 1 && offset % 2 == 0 &&
      std::all_of(strides.begin(), strides.end() - 1, [](int64_t s) { return s % 2 == 0; })) {
    Shape pair_shape(shape.begin(), shape.end() - 1), pair_strides(strides.begin(), strides.end() - 1);
    for (int64_t& s : pair_strides) s /= 2;
    const Walk<1> pairs(pair_shape, {&pair_strides});
    gather(static_cast<const Pair*>(x.data), pairs, offset / 2, static_cast<Pair*>(out.data));
    return;
  }
  const Walk<1> w(shape, {&strides});
  switch (dtype_size(x.dtype)) {
    case 1: gather(x.as<uint8_t>(), w, offset, out.as<uint8_t>()); break;
    case 2: gather(x.as<uint16_t>(), w, offset, out.as<uint16_t>()); break;
    case 4: gather(x.as<uint32_t>(), w, offset, out.as<uint32_t>()); break;
  }
}

// chunks[i]: elements of xs[i] per outer row (its size along the axis times the inner size).
void concat(const std::vector<Array>& xs, const Shape& chunks, int64_t outer, const Array& out) {
  const size_t size = dtype_size(out.dtype);
  int64_t row = 0;
  for (int64_t c : chunks) row += c;
  auto* dst = static_cast<uint8_t*>(out.data);
  int64_t column = 0;
  for (size_t i = 0; i < xs.size(); i++) {
    const auto* src = static_cast<const uint8_t*>(xs[i].data);
    const int64_t c = chunks[i];
    if (c > 0)
      for (int64_t r = 0; r < outer; r++) std::memcpy(dst + (r * row + column) * size, src + r * c * size, c * size);
    column += c;
  }
}

void one_hot(const Array& indices, int64_t depth, const Array& out) {
  if (out.length == 0) return;  // data may be null then, which memset may not take even for 0 bytes
  std::memset(out.data, 0, out.length * dtype_size(out.dtype));
  switch (out.dtype) {
    case F32: ones(indices, depth, 1.0f, out.as<float>()); break;
    case F16: ones(indices, depth, uint16_t(0x3c00), out.as<uint16_t>()); break;
    case I8: ones(indices, depth, int8_t(1), out.as<int8_t>()); break;
    case I32: ones(indices, depth, int32_t(1), out.as<int32_t>()); break;
  }
}

void gather_rows(const Array& x, const Array& indices, int64_t outer, int64_t n, int64_t inner, const Array& out) {
  const std::vector<int64_t> rows = rows_of(indices, n);
  switch (dtype_size(x.dtype)) {
    case 1: gather_rows_of(x.as<uint8_t>(), rows, outer, n, inner, out.as<uint8_t>()); break;
    case 2: gather_rows_of(x.as<uint16_t>(), rows, outer, n, inner, out.as<uint16_t>()); break;
    case 4: gather_rows_of(x.as<uint32_t>(), rows, outer, n, inner, out.as<uint32_t>()); break;
  }
}

// Summed in double and rounded once, in index order, as the js backend does: the two give the same bits.
void scatter_add_rows(const float* dy, const Array& indices, int64_t outer, int64_t n, int64_t inner, float* out) {
  const std::vector<int64_t> rows = rows_of(indices, n);
  const int64_t k = int64_t(rows.size());
  std::vector<double> sums(size_t(outer * n * inner), 0.0);
  for (int64_t o = 0; o < outer; o++)
    for (int64_t j = 0; j < k; j++) {
      if (rows[j] < 0) continue;
      double* __restrict to = sums.data() + (o * n + rows[j]) * inner;
      const float* __restrict from = dy + (o * k + j) * inner;
      for (int64_t i = 0; i < inner; i++) to[i] += from[i];
    }
  for (size_t i = 0; i < sums.size(); i++) out[i] = float(sums[i]);
}

}  // namespace tmnn
