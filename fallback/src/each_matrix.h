// The batch loop of the LAPACK-backed kernels (linalg.cc, eig.cc): a batch's
// matrices split among threads of their own (parallel.h), each calling
// LAPACK with OpenBLAS on one thread, as the convolutions do; one large
// matrix keeps OpenBLAS's threads.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <vector>

#include "parallel.h"
#include "tmnn.h"

namespace tmnn {

// Runs f(b, work) for every batch item b, work `scratch` floats per thread:
// the items split among threads when there are several and enough work
// (`macs` multiply-adds each, a thread per ONE_THREAD_MACS).
template <typename F>
void each_matrix(int64_t batch, int64_t macs_each, int64_t scratch, F f) {
  const int64_t macs = batch * macs_each;
  const int parts = int(std::max<int64_t>(1, std::min<int64_t>({int64_t(threads()), batch, macs / ONE_THREAD_MACS})));
  std::lock_guard<std::mutex> hold(gemm_lock());
  const int blas_threads = threads();
  const bool alone = parts > 1 || macs < ONE_THREAD_MACS;
  if (alone) openblas_set_num_threads(1);
  parallel(parts, [&](int part) {
    std::vector<float> work(static_cast<size_t>(scratch));
    const auto [first, last] = share(batch, parts, part);
    for (int64_t b = first; b < last; b++) f(b, work.data());
  });
  if (alone) openblas_set_num_threads(blas_threads);
}

}  // namespace tmnn
