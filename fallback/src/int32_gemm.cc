// Exact i32 matrix product, wrapping modulo 2^32 like the js backend's
// Math.imul accumulation. Arithmetic is unsigned, where wrapping is defined.
// The loop order keeps the innermost walk contiguous for each layout, so
// the compiler vectorises it (vpmulld).
#include "tmnn.h"

namespace tmnn {

TMNN_MULTIVERSION
void gemm_i32(const int32_t* a_, const int32_t* b_, int32_t* c_, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  const auto* a = reinterpret_cast<const uint32_t*>(a_);
  const auto* b = reinterpret_cast<const uint32_t*>(b_);
  auto* c = reinterpret_cast<uint32_t*>(c_);
  // Element (i, p) of a is a[i·ar + p·ac]; (p, j) of b is b[p·br + j·bc].
  const int64_t ar = ta ? 1 : k, ac = ta ? m : 1, br = tb ? 1 : n, bc = tb ? k : 1;
  if (!tb) {  // rows of b are contiguous: c[i, :] += a[i, p] · b[p, :]
    for (int64_t i = 0; i < m; i++) {
      uint32_t* __restrict row = c + i * n;
      for (int64_t j = 0; j < n; j++) row[j] = 0;
      for (int64_t p = 0; p < k; p++) {
        const uint32_t av = a[i * ar + p * ac];
        const uint32_t* __restrict bp = b + p * br;
        for (int64_t j = 0; j < n; j++) row[j] += av * bp[j];
      }
    }
    return;
  }
  // b stored [N, K]: each output is a dot product along b's rows.
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      const uint32_t* __restrict bj = b + j * bc;
      uint32_t s = 0;
      if (!ta) {
        const uint32_t* __restrict ai = a + i * ar;
        for (int64_t p = 0; p < k; p++) s += ai[p] * bj[p];
      } else {
        for (int64_t p = 0; p < k; p++) s += a[i * ar + p * ac] * bj[p];
      }
      c[i * n + j] = s;
    }
}

}  // namespace tmnn
