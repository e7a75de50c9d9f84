// The CPU's SIMD extensions, straight from CPUID (and XGETBV, which says
// whether the OS saves the wide registers: a CPU with AVX-512 under an OS that
// does not enable it cannot use it).
#include "tmnn.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace tmnn {

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xgetbv0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
}
#endif

static Napi::Value CpuFeatures(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  __get_cpuid(1, &a, &b, &c, &d);
  const unsigned c1 = c, d1 = d;
  const bool osxsave = c1 & (1u << 27);
  const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
  const bool ymm = (xcr0 & 0x6) == 0x6;
  const bool zmm = ymm && (xcr0 & 0xe0) == 0xe0;
  const bool tiles = (xcr0 & 0x60000) == 0x60000;
  __get_cpuid_count(7, 0, &a, &b, &c, &d);
  const unsigned b7 = b, c7 = c, d7 = d;
  __get_cpuid_count(7, 1, &a, &b, &c, &d);
  const unsigned a71 = a;
  o.Set("sse", bool(d1 & (1u << 25)));
  o.Set("sse2", bool(d1 & (1u << 26)));
  o.Set("sse3", bool(c1 & 1u));
  o.Set("ssse3", bool(c1 & (1u << 9)));
  o.Set("sse4_1", bool(c1 & (1u << 19)));
  o.Set("sse4_2", bool(c1 & (1u << 20)));
  o.Set("avx", ymm && (c1 & (1u << 28)));
  o.Set("fma", ymm && (c1 & (1u << 12)));
  o.Set("f16c", ymm && (c1 & (1u << 29)));
  o.Set("avx2", ymm && (b7 & (1u << 5)));
  o.Set("avx512f", zmm && (b7 & (1u << 16)));
  o.Set("avx512dq", zmm && (b7 & (1u << 17)));
  o.Set("avx512cd", zmm && (b7 & (1u << 28)));
  o.Set("avx512bw", zmm && (b7 & (1u << 30)));
  o.Set("avx512vl", zmm && (b7 & (1u << 31)));
  o.Set("avx512_vnni", zmm && (c7 & (1u << 11)));
  o.Set("avx512_bf16", zmm && (a71 & (1u << 5)));
  o.Set("avx512_fp16", zmm && (d7 & (1u << 23)));
  o.Set("avx_vnni", ymm && (a71 & (1u << 4)));
  o.Set("amx_tile", tiles && (d7 & (1u << 24)));
  o.Set("amx_int8", tiles && (d7 & (1u << 25)));
  o.Set("amx_bf16", tiles && (d7 & (1u << 22)));
#endif
  return o;
}

void RegisterCpuFeatures(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuFeatures", Napi::Function::New(env, CpuFeatures));
}

}  // namespace tmnn
