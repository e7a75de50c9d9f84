// softmax / log-softmax along rows of a float [outer, inner], shifted by the
// row's max so exp never overflows, computed in double and rounded once
// (to odd first for f16 outputs: see half.h). A row whose max is not finite
// (all -inf, or +inf) is shifted by 0, which yields the NaNs it should.
#include <cmath>

#include "half.h"
#include "tmnn.h"

namespace tmnn {

namespace {

template <bool ToHalf>
void rows(const float* x, int64_t outer, int64_t inner, bool log, float* y) {
  std::vector<double> e(inner);
  for (int64_t r = 0; r < outer; r++) {
    const float* row = x + r * inner;
    float* out = y + r * inner;
    double max = -INFINITY;
    bool nan = false;
    for (int64_t i = 0; i < inner; i++) {
      nan |= row[i] != row[i];
      max = row[i] > max ? row[i] : max;
    }
    const double shift = !nan && std::isfinite(max) ? max : 0.0;
    double sum = 0;
    for (int64_t i = 0; i < inner; i++) sum += e[i] = std::exp(double(row[i]) - shift);
    if (log) {
      const double log_sum = std::log(sum);
      for (int64_t i = 0; i < inner; i++) out[i] = narrow<ToHalf>(double(row[i]) - shift - log_sum);
    } else {
      for (int64_t i = 0; i < inner; i++) out[i] = narrow<ToHalf>(e[i] / sum);
    }
  }
}

}  // namespace

void softmax(const Array& x, int64_t outer, int64_t inner, bool log, const Array& out) {
  if (x.dtype == F32) return rows<false>(x.as<float>(), outer, inner, log, out.as<float>());
  const int64_t n = outer * inner;
  std::vector<float> f(n), res(n);
  f16_to_f32(x.as<uint16_t>(), f.data(), n);
  rows<true>(f.data(), outer, inner, log, res.data());
  f32_to_f16(res.data(), out.as<uint16_t>(), n);
}

}  // namespace tmnn
