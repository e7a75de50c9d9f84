// The all-pole recursion (src/backends/all_pole.ts): for v [rows, n] and a
// [a1 … ap], out[r, i] = v[r, i] − Σ ak·out[r, i − k], each row walked in
// order with the last p outputs kept in double (as the js backend keeps
// them, so both round each output once into f32). Rows split among threads
// when there are several.
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

void all_pole(const float* v, int64_t rows, int64_t n, const float* a, int64_t p, float* out) {
  // A row is a chain of dependent steps: threads only across rows, and only where they hold enough work.
  const int parts = thread_parts(std::min<int64_t>(rows, rows * n / 65536));
  parallel(parts, [&](int part) {
    const auto [begin, end] = share(rows, parts, part);
    std::vector<double> last(size_t(p > 0 ? p : 1), 0.0);  // last[k] = w[i − 1 − k]
    for (int64_t r = begin; r < end; r++) {
      std::fill(last.begin(), last.end(), 0.0);
      const float* x = v + r * n;
      float* y = out + r * n;
      for (int64_t i = 0; i < n; i++) {
        double w = x[i];
        for (int64_t k = 0; k < p; k++) w -= double(a[k]) * last[size_t(k)];
        for (int64_t k = p - 1; k > 0; k--) last[size_t(k)] = last[size_t(k - 1)];
        if (p > 0) last[0] = w;
        y[i] = float(w);
      }
    }
  });
}

}  // namespace tmnn
