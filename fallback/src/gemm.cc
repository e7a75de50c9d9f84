// Batched matrix products for every dtype. f32 is cblas_sgemm, transposes
// passed as CblasTrans so no operand is copied; f16 converts to f32, runs
// sgemm and rounds the f32 result to f16 once; i8 × i8 → i32 and i32 are
// exact integer GEMMs (int8_gemm.cc, int32_gemm.cc).
//
// One product runs at a time (gemm_lock): a large GEMM on a worker thread
// and a small one on the main thread would otherwise call OpenBLAS at once,
// and each already uses every core; a small one runs on one thread
// (ONE_THREAD_MACS).
#include <cblas.h>

#include <cstring>
#include <mutex>

#include "tmnn.h"

namespace tmnn {

std::mutex& gemm_lock() {
  static std::mutex lock;
  return lock;
}

namespace {

int64_t batch_of(const GemmShape& s) { return s.batch_a > s.batch_b ? s.batch_a : s.batch_b; }

// Calls f(a_offset, b_offset, c_offset, rows) per product. When b is shared
// and a is not transposed, a's matrices are consecutive rows of one taller
// matrix: one big product instead of `batch` small ones.
template <typename F>
void per_product(const GemmShape& s, F f) {
  const int64_t batch = batch_of(s);
  if (batch > 1 && s.batch_b == 1 && !s.ta) return f(0, 0, 0, batch * s.m);
  for (int64_t t = 0; t < batch; t++)
    f((s.batch_a == 1 ? 0 : t) * s.m * s.k, (s.batch_b == 1 ? 0 : t) * s.k * s.n, t * s.m * s.n, s.m);
}

void sgemm(const float* a, const float* b, float* c, const GemmShape& s) {
  const int threads = tmnn::threads();
  per_product(s, [&](int64_t ao, int64_t bo, int64_t co, int64_t m) {
    const bool alone = threads > 1 && m * s.n * s.k < ONE_THREAD_MACS;
    if (alone) openblas_set_num_threads(1);
    cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, int(m), int(s.n),
                int(s.k), 1.0f, a + ao, int(s.ta ? m : s.k), b + bo, int(s.tb ? s.k : s.n), 0.0f, c + co, int(s.n));
    if (alone) openblas_set_num_threads(threads);
  });
}

}  // namespace

void matmul(const Array& a, const Array& b, const GemmShape& s, const Array& out) {
  if (out.length == 0) return;
  if (s.k == 0) {  // an empty sum: zeros, whatever BLAS makes of k = 0
    std::memset(out.data, 0, out.length * dtype_size(out.dtype));
    return;
  }
  std::lock_guard<std::mutex> hold(gemm_lock());
  switch (a.dtype) {
    case F32: sgemm(a.as<float>(), b.as<float>(), out.as<float>(), s); break;
    case F16: {
      std::vector<float> fa(a.length), fb(b.length), fc(out.length);
      f16_to_f32(a.as<uint16_t>(), fa.data(), a.length);
      f16_to_f32(b.as<uint16_t>(), fb.data(), b.length);
      sgemm(fa.data(), fb.data(), fc.data(), s);
      f32_to_f16(fc.data(), out.as<uint16_t>(), out.length);
      break;
    }
    case I8:
      per_product(s, [&](int64_t ao, int64_t bo, int64_t co, int64_t m) {
        gemm_i8(a.as<int8_t>() + ao, b.as<int8_t>() + bo, out.as<int32_t>() + co, m, s.n, s.k, s.ta, s.tb);
      });
      break;
    case I32:
      per_product(s, [&](int64_t ao, int64_t bo, int64_t co, int64_t m) {
        gemm_i32(a.as<int32_t>() + ao, b.as<int32_t>() + bo, out.as<int32_t>() + co, m, s.n, s.k, s.ta, s.tb);
      });
      break;
  }
}

}  // namespace tmnn
