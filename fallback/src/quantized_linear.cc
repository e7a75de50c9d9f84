// tm.matmul(x, q) for a tm.quantize weight q, the int8 way, in one call:
// each row of x quantized to int8 by its own scale, the exact int8 product
// with q's values, and the result scaled back to f32. ops/quantize.ts
// composes the same from a dozen elementwise ops, a reduction and a GEMM
// whose every step rounds to f32; each step here is the same f32 operation
// in the same order, so the result is the composed one bit for bit:
//   s[i]    = max_k |x[i, k]| / 127, or 1 for a row of zeros
//   q[i, k] = trunc(x[i, k] / s[i] ± 0.5), the sign of the quotient's (i8, saturating; NaN → 0)
//   out[i, j] = (float(Σ_k q[i, k] · w[j, k]) · s[i]) · scales[j]
// One call instead of ~15 saves the passes over x and over the i32 product
// that those ops make, and the weight arrives packed (pack_int8_weight, done
// once per weight by the backend) instead of being packed for every product.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

namespace {

// As the f32 → i8 cast: truncation toward zero, saturating, NaN to 0.
inline int8_t to_int8(float v) { return v != v ? 0 : v >= 127.0f ? 127 : v <= -128.0f ? -128 : int8_t(v); }

TMNN_MULTIVERSION
void quantize_row(const float* __restrict x, int64_t k, int8_t* __restrict q, float scale) {
  for (int64_t p = 0; p < k; p++) {
    const float y = x[p] / scale;
    q[p] = to_int8(y + (y > 0.0f ? 0.5f : y < 0.0f ? -0.5f : 0.0f));
  }
}

// max |x| as the largest magnitude of the row's largest and smallest values (one vectorised pass each).
float row_scale(const float* x, int64_t k) {
  const float hi = extreme_of(x, k, true), lo = extreme_of(x, k, false);
  const float amax = hi != hi || lo != lo ? NAN : std::max(std::fabs(hi), std::fabs(lo));
  return amax == 0.0f ? 1.0f : amax / 127.0f;
}

TMNN_MULTIVERSION
void scale_row(const int32_t* __restrict c, float s, const float* __restrict scales, float* __restrict out, int64_t n) {
  for (int64_t j = 0; j < n; j++) out[j] = (float(c[j]) * s) * scales[j];
}

}  // namespace

void quantized_linear(const float* x, const int8_t* w, const int8_t* packed, int64_t packed_length, const float* scales,
                      float* out, int64_t m, int64_t n, int64_t k) {
  std::lock_guard<std::mutex> hold(gemm_lock());  // the GEMM uses every thread, as a product on a worker would
  std::vector<int8_t> q(m * k);
  std::vector<float> s(m);
  std::vector<int32_t> c(m * n);
  const int parts = int(std::min<int64_t>(int8_parts(m * n * k), m));
  parallel(parts, [&](int t) {
    const auto [i0, i1] = share(m, parts, t);
    for (int64_t i = i0; i < i1; i++) {
      s[i] = row_scale(x + i * k, k);
      quantize_row(x + i * k, k, q.data() + i * k, s[i]);
    }
  });
  gemm_i8_weight(q.data(), w, packed, packed_length, c.data(), m, n, k);
  parallel(parts, [&](int t) {
    const auto [i0, i1] = share(m, parts, t);
    for (int64_t i = i0; i < i1; i++) scale_row(c.data() + i * n, s[i], scales, out + i * n, n);
  });
}

}  // namespace tmnn
