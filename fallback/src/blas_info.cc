// OpenBLAS's account of itself, for the capability report: the CPU core its
// kernels were picked for (OPENBLAS_CORETYPE can override it, and the report
// checks it against the CPU), its build config, its version and its threads.
#include <cblas.h>

#include <atomic>
#include <cstring>

#include "tmnn.h"

namespace tmnn {

namespace {

// "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..." → "0.3.21"; the headers' version if the library says nothing.
std::string version_of(const std::string& config) {
  const std::string tag = "OpenBLAS ";
  const size_t at = config.find(tag);
  if (at != std::string::npos) {
    const size_t start = at + tag.size();
    const size_t end = config.find(' ', start);
    return config.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
#ifdef OPENBLAS_VERSION
  std::string v = OPENBLAS_VERSION;  // " OpenBLAS 0.3.21 "
  const size_t h = v.find(tag);
  if (h != std::string::npos) v = v.substr(h + tag.size());
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
#else
  return "";
#endif
}

// The thread count set, as OpenBLAS took it. Small products and the
// convolutions set OpenBLAS to one thread while they run (under gemm_lock),
// so its own count, read from another thread then, could say 1.
std::atomic<int> configured{openblas_get_num_threads()};

}  // namespace

BlasInfo blas_info() {
  const std::string config = openblas_get_config();
  return BlasInfo{openblas_get_corename(), config, version_of(config), threads(), openblas_get_parallel()};
}

int threads() { return configured.load(); }

int set_threads(int n) {
  // Not while a product runs on a worker thread: OpenBLAS resizes its pool here.
  std::lock_guard<std::mutex> hold(gemm_lock());
  openblas_set_num_threads(n);
  configured = openblas_get_num_threads();
  return configured.load();
}

}  // namespace tmnn
