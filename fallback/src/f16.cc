// f16 ⇄ f32 conversion: F16C instructions where the CPU has them (8 values
// per instruction, round to nearest even), a portable bit-level path otherwise.
#include <cstring>

#include "tmnn.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tmnn {

static float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
  if (exp == 0x1f) bits = sign | 0x7f800000 | (mant << 13);
  else if (exp != 0) bits = sign | ((exp + 112) << 23) | (mant << 13);
  else if (mant == 0) bits = sign;
  else {  // subnormal: normalise
    exp = 113;
    while (!(mant & 0x400)) { mant <<= 1; exp--; }
    bits = sign | (exp << 23) | ((mant & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

static uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = (x >> 16) & 0x8000;
  const uint32_t abs = x & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;                 // NaN
  if (abs >= 0x477ff000) return sign | 0x7c00;                // rounds to infinity
  if (abs < 0x38800000) {                                     // f16 subnormal or zero
    if (abs < 0x33000000) return sign;                        // below half the smallest subnormal
    const uint32_t mant = (abs & 0x7fffff) | 0x800000;
    const int shift = 126 - int(abs >> 23);                   // 14..24
    const uint32_t half = 1u << (shift - 1);
    uint32_t r = mant >> shift;
    const uint32_t rest = mant & ((1u << shift) - 1);
    if (rest > half || (rest == half && (r & 1))) r++;
    return sign | uint16_t(r);
  }
  uint32_t r = ((abs - 0x38000000) >> 13);
  const uint32_t rest = abs & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (r & 1))) r++;
  return sign | uint16_t(r);
}

#if defined(__x86_64__)
__attribute__((target("f16c,avx"))) static void to_f32_f16c(const uint16_t* h, float* f, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(h + i))));
  for (; i < n; i++) f[i] = half_to_float(h[i]);
}

__attribute__((target("f16c,avx"))) static void to_f16_f16c(const float* f, uint16_t* h, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128((__m128i*)(h + i), _mm256_cvtps_ph(_mm256_loadu_ps(f + i), _MM_FROUND_TO_NEAREST_INT));
  for (; i < n; i++) h[i] = float_to_half(f[i]);
}

static const bool has_f16c = __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx");
#else
static const bool has_f16c = false;
#endif

static bool force_portable = false;

// f16ToF32(Uint16Array, Float32Array)
static Napi::Value F16ToF32(const Napi::CallbackInfo& info) {
  const uint16_t* h = data<uint16_t>(info[0]);
  float* f = data<float>(info[1]);
  const int64_t n = length(info[0]);
#if defined(__x86_64__)
  if (has_f16c && !force_portable) { to_f32_f16c(h, f, n); return info.Env().Undefined(); }
#endif
  for (int64_t i = 0; i < n; i++) f[i] = half_to_float(h[i]);
  return info.Env().Undefined();
}

// f32ToF16(Float32Array, Uint16Array)
static Napi::Value F32ToF16(const Napi::CallbackInfo& info) {
  const float* f = data<float>(info[0]);
  uint16_t* h = data<uint16_t>(info[1]);
  const int64_t n = length(info[0]);
#if defined(__x86_64__)
  if (has_f16c && !force_portable) { to_f16_f16c(f, h, n); return info.Env().Undefined(); }
#endif
  for (int64_t i = 0; i < n; i++) h[i] = float_to_half(f[i]);
  return info.Env().Undefined();
}

// f16Path(forcePortable?): which conversion runs ('f16c' or 'portable'); tests force each.
static Napi::Value F16Path(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsBoolean()) force_portable = info[0].As<Napi::Boolean>().Value();
  return Napi::String::New(info.Env(), has_f16c && !force_portable ? "f16c" : "portable");
}

void RegisterF16(Napi::Env env, Napi::Object exports) {
  exports.Set("f16ToF32", Napi::Function::New(env, F16ToF32));
  exports.Set("f32ToF16", Napi::Function::New(env, F32ToF16));
  exports.Set("f16Path", Napi::Function::New(env, F16Path));
}

}  // namespace tmnn
