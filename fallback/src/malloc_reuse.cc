// glibc's malloc told to keep freed memory for reuse (the policy, and when
// it applies, is src/backends/native/malloc.ts). By default glibc serves a
// block of a few MiB with a fresh mmap() and hands it back to the kernel
// when freed, so a typed array that size — a tensor read back, a batch — is
// new memory every time, each page faulted in on first write: ~17 µs a page
// in this project's VMs, so a 4 MiB read-back took 17 ms, 1–2 ms once the
// memory was reused.
#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "binding.h"

namespace tmnn {

namespace {

/** setMallocReuse(mmapThreshold, trimThreshold): true once both are set; false where the C library is not glibc (or refused a value). */
Napi::Value SetMallocReuse(const Napi::CallbackInfo& info) {
  const int64_t mmap_threshold = integer(info[0], "mmapThreshold", 0);
  const int64_t trim_threshold = integer(info[1], "trimThreshold", 0);
  bool set = false;
#if defined(__GLIBC__)
  // Blocks below M_MMAP_THRESHOLD come from the heap, which keeps up to
  // M_TRIM_THRESHOLD of free memory at its top instead of returning it.
  set = mallopt(M_MMAP_THRESHOLD, int(mmap_threshold)) == 1 && mallopt(M_TRIM_THRESHOLD, int(trim_threshold)) == 1;
#else
  (void)mmap_threshold;
  (void)trim_threshold;
#endif
  return Napi::Boolean::New(info.Env(), set);
}

}  // namespace

void RegisterMallocReuse(Napi::Env env, Napi::Object exports) {
  exports.Set("setMallocReuse", Napi::Function::New(env, SetMallocReuse, "setMallocReuse"));
}

}  // namespace tmnn
