// softmax / log-softmax along rows of a float [outer, inner], shifted by the
// row's max so exp never overflows, computed in double and rounded once
// (to odd first for f16 outputs: see half.h). A row whose max is not finite
// (all -inf, or +inf) is shifted by 0, which yields the NaNs it should.
// Rows are split among threads when there are many elements: each costs an
// exp in double, so a [512, 512] softmax is ~0.25 ms on one core.
#include <algorithm>
#include <cmath>

#include "exp_double.h"
#include "half.h"
#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

template <bool ToHalf>
TMNN_INLINE void rows(const float* x, int64_t outer, int64_t inner, bool log, float* y) {
  std::vector<double> e(inner);
  for (int64_t r = 0; r < outer; r++) {
    const float* row = x + r * inner;
    float* out = y + r * inner;
    const float max = extreme_in_lanes<true>(row, inner);  // NaN if the row has one
    const double shift = std::isfinite(max) ? max : 0.0;
    // The exps first (a loop that vectorises), then their sum in eight
    // interleaved lanes. The order moves the double sum by an ulp or so,
    // which an f32 (f16) result sees only where it lies that close to a
    // rounding boundary (none of 2M tried).
    for (int64_t i = 0; i < inner; i++) e[i] = exp_for_float(double(row[i]) - shift);
    const double sum = sum_in_lanes<8>(e.data(), inner);
    if (log) {
      const double log_sum = std::log(sum);
      for (int64_t i = 0; i < inner; i++) out[i] = narrow<ToHalf>(double(row[i]) - shift - log_sum);
    } else {
      for (int64_t i = 0; i < inner; i++) out[i] = narrow<ToHalf>(e[i] / sum);
    }
  }
}

TMNN_MULTIVERSION void rows_f32(const float* x, int64_t outer, int64_t inner, bool log, float* y) { rows<false>(x, outer, inner, log, y); }
TMNN_MULTIVERSION void rows_half(const float* x, int64_t outer, int64_t inner, bool log, float* y) { rows<true>(x, outer, inner, log, y); }

// Runs rows(first, count) over [0, outer), in parts on threads where there
// are at least ~32K elements a part: below that, waking a thread for a part
// costs more than it saves (a 64×1000 softmax took as long on two as on one).
template <typename Rows>
void split_rows(int64_t outer, int64_t inner, Rows rows) {
  const int parts = thread_parts(std::min(outer, outer * inner / 32768));
  parallel(parts, [&](int part) {
    const auto [first, end] = share(outer, parts, part);
    rows(first, end - first);
  });
}

}  // namespace

void softmax(const Array& x, int64_t outer, int64_t inner, bool log, const Array& out) {
  if (x.dtype == F32) {
    const float* in = x.as<float>();
    float* y = out.as<float>();
    return split_rows(outer, inner, [&](int64_t first, int64_t count) { rows_f32(in + first * inner, count, inner, log, y + first * inner); });
  }
  const int64_t n = outer * inner;
  std::vector<float> f(n), res(n);
  f16_to_f32(x.as<uint16_t>(), f.data(), n);
  split_rows(outer, inner, [&](int64_t first, int64_t count) { rows_half(f.data() + first * inner, count, inner, log, res.data() + first * inner); });
  f32_to_f16(res.data(), out.as<uint16_t>(), n);
}

}  // namespace tmnn
