// Row reductions on [outer, inner]. Float sums accumulate in double (an f32
// running sum over a long row loses digits users can see) and are rounded
// once; int sums wrap in i32 like the js backend, except the mean of ints,
// which divides the exact sum. Products likewise: floats in double, taken in
// order (the js backend's bits), ints wrapping. max/min propagate NaN; among
// equal values (±0) the first one wins, as in a left-to-right scan.
#include <cmath>
#include <limits>

#include "half.h"
#include "tmnn.h"

namespace tmnn {

namespace {

constexpr int LANES = 16;  // independent accumulators, so the loops vectorise without reassociation flags

TMNN_MULTIVERSION
double sum_f32(const float* x, int64_t n) { return sum_in_lanes<LANES>(x, n); }

TMNN_MULTIVERSION
float extreme_f32(const float* x, int64_t n, bool largest) { return largest ? extreme_in_lanes<true>(x, n) : extreme_in_lanes<false>(x, n); }

template <typename T>
TMNN_INLINE int64_t int_sum(const T* x, int64_t n) {
  int64_t s = 0;
  for (int64_t i = 0; i < n; i++) s += x[i];
  return s;
}

// In order, one rounding a step: what the js backend computes. (Lanes would
// reorder the steps, and a product of f32 values rarely leaves double's range
// early enough for the order to matter to the f32 result, but it costs the bits.)
double product_f32(const float* x, int64_t n) {
  double p = 1;
  for (int64_t i = 0; i < n; i++) p *= x[i];
  return p;
}

// Unsigned, where overflow wraps (signed overflow is undefined): the low bits are C's i32 (i8) product.
template <typename T>
TMNN_INLINE uint32_t int_product(const T* x, int64_t n) {
  uint32_t p = 1;
  for (int64_t i = 0; i < n; i++) p *= uint32_t(x[i]);
  return p;
}

template <typename T>
TMNN_INLINE T int_extreme(const T* x, int64_t n, bool largest) {
  if (n == 0) return 0;  // js: ±Infinity stored into an int array is 0
  T best = x[0];
  if (largest) for (int64_t i = 1; i < n; i++) best = x[i] > best ? x[i] : best;
  else for (int64_t i = 1; i < n; i++) best = x[i] < best ? x[i] : best;
  return best;
}

// Float results (one double per row) into an f32 or f16 output, rounded once.
void store(const std::vector<double>& v, const Array& out) {
  if (out.dtype == F32) {
    for (size_t r = 0; r < v.size(); r++) out.as<float>()[r] = float(v[r]);
    return;
  }
  std::vector<float> odd(v.size());
  for (size_t r = 0; r < v.size(); r++) odd[r] = narrow_odd(v[r]);
  f32_to_f16(odd.data(), out.as<uint16_t>(), int64_t(v.size()));
}

void reduce_float(int op, const float* x, int64_t outer, int64_t inner, const Array& out) {
  std::vector<double> v(outer);
  for (int64_t r = 0; r < outer; r++) {
    const float* row = x + r * inner;
    switch (op) {
      case SUM: v[r] = sum_f32(row, inner); break;
      case MEAN: v[r] = sum_f32(row, inner) / double(inner); break;
      case MAX: v[r] = extreme_f32(row, inner, true); break;
      case MIN: v[r] = extreme_f32(row, inner, false); break;
      case PROD: v[r] = product_f32(row, inner); break;
    }
  }
  store(v, out);
}

template <typename T>
TMNN_INLINE void reduce_int(int op, const T* x, int64_t outer, int64_t inner, const Array& out) {
  if (op == MEAN) {
    std::vector<double> v(outer);
    for (int64_t r = 0; r < outer; r++) v[r] = double(int_sum(x + r * inner, inner)) / double(inner);
    return store(v, out);
  }
  T* y = out.as<T>();
  for (int64_t r = 0; r < outer; r++) {
    const T* row = x + r * inner;
    switch (op) {
      case SUM: y[r] = T(uint64_t(int_sum(row, inner))); break;  // the low bits: i32 (i8) wrapping
      case MAX: y[r] = int_extreme(row, inner, true); break;
      case MIN: y[r] = int_extreme(row, inner, false); break;
      case PROD: y[r] = T(int_product(row, inner)); break;
    }
  }
}

TMNN_MULTIVERSION
void reduce_i32(int op, const int32_t* x, int64_t outer, int64_t inner, const Array& out) { reduce_int(op, x, outer, inner, out); }
TMNN_MULTIVERSION
void reduce_i8(int op, const int8_t* x, int64_t outer, int64_t inner, const Array& out) { reduce_int(op, x, outer, inner, out); }

// The index of the first largest (smallest) value, or of the first NaN if
// there is one (so of ±0 the first zero): what a left-to-right scan finds,
// in one pass of sixteen lanes, each keeping its best value, where it first
// saw it, and where it first saw a NaN; then the lanes and the tail in order.
template <bool Largest>
TMNN_INLINE int32_t first_extreme_index(const float* x, int64_t n) {
  constexpr int32_t NONE = std::numeric_limits<int32_t>::max();
  const float start = Largest ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  const auto better = [](float v, float than) { return Largest ? v > than : v < than; };
  float best = start;
  int32_t best_at = 0, nan_at = NONE;
  int64_t i = 0;
  if (n >= 16) {
    f32x16 lane_best = start - f32x16{};
    i32x16 at = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    i32x16 lane_best_at = at;  // a lane that never beats `start` holds only ∓∞ = start: its first element
    i32x16 lane_nan_at = NONE - i32x16{};
    for (; i + 16 <= n; i += 16, at += 16) {
      f32x16 v;
      std::memcpy(&v, x + i, sizeof v);
      const i32x16 wins = Largest ? v > lane_best : v < lane_best;
      lane_best = wins ? v : lane_best;
      lane_best_at = wins ? at : lane_best_at;
      // The first NaN as the least index where one is (masks blended bitwise: a select on a float mask and an int one stays scalar).
      const i32x16 nan = v != v;
      const i32x16 nan_here = (nan & at) | (~nan & (NONE - i32x16{}));
      lane_nan_at = nan_here < lane_nan_at ? nan_here : lane_nan_at;
    }
    best = lane_best[0];
    best_at = lane_best_at[0];
    for (int l = 0; l < 16; l++) {
      nan_at = lane_nan_at[l] < nan_at ? lane_nan_at[l] : nan_at;
      if (better(lane_best[l], best) || (lane_best[l] == best && lane_best_at[l] < best_at)) {
        best = lane_best[l];
        best_at = lane_best_at[l];
      }
    }
  }
  for (; i < n; i++) {
    if (x[i] != x[i] && nan_at == NONE) nan_at = int32_t(i);
    if (better(x[i], best)) {
      best = x[i];
      best_at = int32_t(i);
    }
  }
  return nan_at != NONE ? nan_at : best_at;
}

TMNN_MULTIVERSION
int32_t arg_f32(const float* x, int64_t n, bool largest) { return largest ? first_extreme_index<true>(x, n) : first_extreme_index<false>(x, n); }

template <typename T>
int32_t arg_int(const T* x, int64_t n, bool largest) {
  const T best = int_extreme(x, n, largest);
  for (int64_t i = 0; i < n; i++)
    if (x[i] == best) return int32_t(i);
  return 0;
}

}  // namespace

float extreme_of(const float* x, int64_t n, bool largest) { return extreme_f32(x, n, largest); }

void reduce(int op, const Array& x, int64_t outer, int64_t inner, const Array& out) {
  switch (x.dtype) {
    case F32: reduce_float(op, x.as<float>(), outer, inner, out); break;
    case F16: {
      std::vector<float> f(x.length);
      f16_to_f32(x.as<uint16_t>(), f.data(), x.length);
      reduce_float(op, f.data(), outer, inner, out);
      break;
    }
    case I32: reduce_i32(op, x.as<int32_t>(), outer, inner, out); break;
    case I8: reduce_i8(op, x.as<int8_t>(), outer, inner, out); break;
  }
}

// Down the columns of x [rows, cols]: row after row into one accumulator a
// column, so each loop runs along a contiguous row and vectorises, and each
// column is taken in the order the js backend takes it (it reduces the
// transposed rows): float sums and products in double, rounded once; max/min
// with NaN winning and the first of ±0 kept; int sums and products wrapping,
// the mean of ints exact.
namespace {

TMNN_MULTIVERSION
void column_products_f32(const float* __restrict x, int64_t rows, int64_t cols, double* __restrict acc) {
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict row = x + r * cols;
    for (int64_t j = 0; j < cols; j++) acc[j] *= row[j];
  }
}

TMNN_MULTIVERSION
void column_sums_f32(const float* __restrict x, int64_t rows, int64_t cols, double* __restrict acc) {
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict row = x + r * cols;
    for (int64_t j = 0; j < cols; j++) acc[j] += row[j];
  }
}

template <bool Largest>
TMNN_INLINE void column_extremes(const float* __restrict x, int64_t rows, int64_t cols, double* __restrict result) {
  const float start = Largest ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  std::vector<float> best(cols, start);
  std::vector<uint8_t> nan(cols, 0);
  float* __restrict b = best.data();
  uint8_t* __restrict n = nan.data();
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict row = x + r * cols;
    for (int64_t j = 0; j < cols; j++) {
      const float v = row[j];
      n[j] |= v != v;
      b[j] = (Largest ? v > b[j] : v < b[j]) ? v : b[j];
    }
  }
  // Each column was scanned in row order and a value replaces the best only if strictly better: of ±0, the first stays.
  for (int64_t j = 0; j < cols; j++) result[j] = n[j] ? std::numeric_limits<double>::quiet_NaN() : b[j];
}

TMNN_MULTIVERSION
void column_extremes_f32(const float* x, int64_t rows, int64_t cols, bool largest, double* result) {
  largest ? column_extremes<true>(x, rows, cols, result) : column_extremes<false>(x, rows, cols, result);
}

void columns_float(int op, const float* x, int64_t rows, int64_t cols, const Array& out) {
  std::vector<double> v(cols, op == PROD ? 1.0 : 0.0);
  switch (op) {
    case PROD: column_products_f32(x, rows, cols, v.data()); break;
    case SUM: column_sums_f32(x, rows, cols, v.data()); break;
    case MEAN:
      column_sums_f32(x, rows, cols, v.data());
      for (double& s : v) s /= double(rows);
      break;
    case MAX: column_extremes_f32(x, rows, cols, true, v.data()); break;
    case MIN: column_extremes_f32(x, rows, cols, false, v.data()); break;
  }
  store(v, out);
}

template <typename T>
TMNN_INLINE void columns_int(int op, const T* x, int64_t rows, int64_t cols, const Array& out) {
  if (op == SUM || op == MEAN) {
    std::vector<int64_t> acc(cols, 0);
    for (int64_t r = 0; r < rows; r++)
      for (int64_t j = 0; j < cols; j++) acc[j] += x[r * cols + j];
    if (op == MEAN) {
      std::vector<double> v(cols);
      for (int64_t j = 0; j < cols; j++) v[j] = double(acc[j]) / double(rows);
      return store(v, out);
    }
    for (int64_t j = 0; j < cols; j++) out.as<T>()[j] = T(uint64_t(acc[j]));  // the low bits: i32 (i8) wrapping
    return;
  }
  T* y = out.as<T>();
  if (op == PROD) {
    std::vector<uint32_t> acc(cols, 1);  // unsigned: wrapping, as int_product
    for (int64_t r = 0; r < rows; r++)
      for (int64_t j = 0; j < cols; j++) acc[j] *= uint32_t(x[r * cols + j]);
    for (int64_t j = 0; j < cols; j++) y[j] = T(acc[j]);
    return;
  }
  if (rows == 0) {  // js: ±Infinity stored into an int array is 0
    for (int64_t j = 0; j < cols; j++) y[j] = 0;
    return;
  }
  for (int64_t j = 0; j < cols; j++) y[j] = x[j];
  for (int64_t r = 1; r < rows; r++)
    for (int64_t j = 0; j < cols; j++) {
      const T v = x[r * cols + j];
      y[j] = (op == MAX ? v > y[j] : v < y[j]) ? v : y[j];
    }
}

TMNN_MULTIVERSION
void columns_i32(int op, const int32_t* x, int64_t rows, int64_t cols, const Array& out) { columns_int(op, x, rows, cols, out); }
TMNN_MULTIVERSION
void columns_i8(int op, const int8_t* x, int64_t rows, int64_t cols, const Array& out) { columns_int(op, x, rows, cols, out); }

}  // namespace

void reduce_columns(int op, const Array& x, int64_t rows, int64_t cols, const Array& out) {
  switch (x.dtype) {
    case F32: columns_float(op, x.as<float>(), rows, cols, out); break;
    case F16: {
      std::vector<float> f(size_t(rows * cols));
      f16_to_f32(x.as<uint16_t>(), f.data(), rows * cols);
      columns_float(op, f.data(), rows, cols, out);
      break;
    }
    case I32: columns_i32(op, x.as<int32_t>(), rows, cols, out); break;
    case I8: columns_i8(op, x.as<int8_t>(), rows, cols, out); break;
  }
}

void arg_reduce(bool largest, const Array& x, int64_t outer, int64_t inner, int32_t* out) {
  std::vector<float> widened;
  if (x.dtype == F16) {
    widened.resize(x.length);
    f16_to_f32(x.as<uint16_t>(), widened.data(), x.length);
  }
  for (int64_t r = 0; r < outer; r++) {
    const int64_t at = r * inner;
    switch (x.dtype) {
      case F32: out[r] = arg_f32(x.as<float>() + at, inner, largest); break;
      case F16: out[r] = arg_f32(widened.data() + at, inner, largest); break;
      case I32: out[r] = arg_int(x.as<int32_t>() + at, inner, largest); break;
      case I8: out[r] = arg_int(x.as<int8_t>() + at, inner, largest); break;
    }
  }
}

}  // namespace tmnn
