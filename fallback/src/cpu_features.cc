// The CPU's SIMD extensions, straight from CPUID, and XGETBV, which says
// whether the OS saves the wide registers: a CPU with AVX-512 under an OS
// that does not enable it cannot use it, so it is reported absent. Kernels
// dispatch on these same flags.
#include "tmnn.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace tmnn {

namespace {

#if defined(__x86_64__)  // GCC and clang both have cpuid.h
uint64_t xgetbv0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}

bool bit(unsigned reg, int n) { return (reg >> n) & 1u; }

CpuFeatures detect() {
  CpuFeatures f{};
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const unsigned c1 = c, d1 = d;
  const uint64_t xcr0 = bit(c1, 27) ? xgetbv0() : 0;  // OSXSAVE
  const bool ymm = (xcr0 & 0x6) == 0x6;               // SSE and AVX state
  const bool zmm = ymm && (xcr0 & 0xe0) == 0xe0;      // opmask and both halves of ZMM
  const bool tiles = (xcr0 & 0x60000) == 0x60000;     // AMX tile config and data
  unsigned b7 = 0, c7 = 0, d7 = 0, a71 = 0;
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    b7 = b, c7 = c, d7 = d;
    __cpuid_count(7, 1, a, b, c, d);
    a71 = a;
  }
  f.sse = bit(d1, 25);
  f.sse2 = bit(d1, 26);
  f.sse3 = bit(c1, 0);
  f.ssse3 = bit(c1, 9);
  f.sse4_1 = bit(c1, 19);
  f.sse4_2 = bit(c1, 20);
  f.avx = ymm && bit(c1, 28);
  f.fma = f.avx && bit(c1, 12);
  f.f16c = f.avx && bit(c1, 29);
  f.avx2 = f.avx && bit(b7, 5);
  f.avx512f = zmm && bit(b7, 16);
  f.avx512dq = f.avx512f && bit(b7, 17);
  f.avx512cd = f.avx512f && bit(b7, 28);
  f.avx512bw = f.avx512f && bit(b7, 30);
  f.avx512vl = f.avx512f && bit(b7, 31);
  f.avx512_vnni = f.avx512f && bit(c7, 11);
  f.avx512_bf16 = f.avx512f && bit(a71, 5);
  f.avx512_fp16 = f.avx512f && bit(d7, 23);
  f.avx_vnni = f.avx2 && bit(a71, 4);
  f.amx_tile = tiles && bit(d7, 24);
  f.amx_int8 = f.amx_tile && bit(d7, 25);
  f.amx_bf16 = f.amx_tile && bit(d7, 22);
  return f;
}
#else
CpuFeatures detect() { return CpuFeatures{}; }
#endif

}  // namespace

const CpuFeatures& cpu() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace tmnn
