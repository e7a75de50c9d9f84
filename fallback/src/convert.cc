// Conversions. f16 ⇄ f32 uses the CPU's conversion instructions (AVX-512F:
// 16 per instruction, F16C: 8) where present and portable bit code
// otherwise; both round to nearest even and write every NaN as 0x7e00, like
// the js encoder, so f16 storages match bit for bit. Casts to ints truncate
// toward zero and saturate, NaN → 0.
#include <atomic>
#include <cstring>
#include <limits>

#include "half.h"
#include "tmnn.h"

#if TMNN_X86
#include <immintrin.h>
// GCC 12's own AVX-512 conversion intrinsics trip this warning (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace tmnn {

namespace {

#if TMNN_X86
__attribute__((target("avx512f"))) void to_f32_avx512(const uint16_t* h, float* f, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(f + i, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i*)(h + i))));
  for (; i < n; i++) f[i] = half_to_float(h[i]);
}

__attribute__((target("avx512f"))) void to_f16_avx512(const float* f, uint16_t* h, int64_t n) {
  const __m512 nan = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 v = _mm512_loadu_ps(f + i);
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v, nan);
    _mm256_storeu_si256((__m256i*)(h + i), _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; i++) h[i] = float_to_half(f[i]);
}

__attribute__((target("avx,f16c"))) void to_f32_f16c(const uint16_t* h, float* f, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i*)(h + i))));
  for (; i < n; i++) f[i] = half_to_float(h[i]);
}

__attribute__((target("avx,f16c"))) void to_f16_f16c(const float* f, uint16_t* h, int64_t n) {
  const __m256 nan = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fc00000));
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(f + i);
    v = _mm256_blendv_ps(v, nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    _mm_storeu_si128((__m128i*)(h + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  for (; i < n; i++) h[i] = float_to_half(f[i]);
}
#endif

std::atomic<bool> portable_forced{false};

enum class Path { AVX512, F16C, PORTABLE };

Path path() {
#if !TMNN_X86
  return Path::PORTABLE;  // the SIMD conversions are compiled for x86-64 with GCC only
#endif
  if (portable_forced) return Path::PORTABLE;
  if (cpu().avx512f) return Path::AVX512;
  if (cpu().f16c) return Path::F16C;
  return Path::PORTABLE;
}

template <typename T>
constexpr T saturate(float v) {
  constexpr float hi = float(std::numeric_limits<T>::max()) + 1.0f;  // 128 or 2^31: exact in f32
  constexpr float lo = float(std::numeric_limits<T>::min());
  return v != v ? T(0) : v >= hi ? std::numeric_limits<T>::max() : v <= lo ? std::numeric_limits<T>::min() : T(v);
}

TMNN_MULTIVERSION void f32_to_i32(const float* x, int32_t* y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = saturate<int32_t>(x[i]); }
TMNN_MULTIVERSION void f32_to_i8(const float* x, int8_t* y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = saturate<int8_t>(x[i]); }
TMNN_MULTIVERSION void i32_to_f32(const int32_t* x, float* y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = float(x[i]); }
TMNN_MULTIVERSION void i8_to_f32(const int8_t* x, float* y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = float(x[i]); }
TMNN_MULTIVERSION void i32_to_i8(const int32_t* x, int8_t* y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] = int8_t(x[i] > 127 ? 127 : x[i] < -128 ? -128 : x[i]);
}
TMNN_MULTIVERSION void i8_to_i32(const int8_t* x, int32_t* y, int64_t n) { for (int64_t i = 0; i < n; i++) y[i] = x[i]; }

// Any dtype to f32 (exact except i32 beyond 2^24, rounded to nearest even).
void to_f32(const Array& x, int64_t at, float* f, int64_t n) {
  switch (x.dtype) {
    case F32: std::memcpy(f, x.as<float>() + at, n * sizeof(float)); break;
    case F16: f16_to_f32(x.as<uint16_t>() + at, f, n); break;
    case I8: i8_to_f32(x.as<int8_t>() + at, f, n); break;
    case I32: i32_to_f32(x.as<int32_t>() + at, f, n); break;
  }
}

// f32 to any dtype. To f16 through f32 is one rounding: every value that
// reaches here as f32 from an int is exact below 2^24, and 2^24 is f16's infinity anyway.
void from_f32(const float* f, const Array& out, int64_t at, int64_t n) {
  switch (out.dtype) {
    case F32: std::memcpy(out.as<float>() + at, f, n * sizeof(float)); break;
    case F16: f32_to_f16(f, out.as<uint16_t>() + at, n); break;
    case I8: f32_to_i8(f, out.as<int8_t>() + at, n); break;
    case I32: f32_to_i32(f, out.as<int32_t>() + at, n); break;
  }
}

}  // namespace

void f16_to_f32(const uint16_t* h, float* f, int64_t n) {
  switch (path()) {
#if TMNN_X86
    case Path::AVX512: return to_f32_avx512(h, f, n);
    case Path::F16C: return to_f32_f16c(h, f, n);
#endif
    default: for (int64_t i = 0; i < n; i++) f[i] = half_to_float(h[i]);
  }
}

void f32_to_f16(const float* f, uint16_t* h, int64_t n) {
  switch (path()) {
#if TMNN_X86
    case Path::AVX512: return to_f16_avx512(f, h, n);
    case Path::F16C: return to_f16_f16c(f, h, n);
#endif
    default: for (int64_t i = 0; i < n; i++) h[i] = float_to_half(f[i]);
  }
}

F16Path f16_path() { return path() == Path::PORTABLE ? F16Path::PORTABLE : F16Path::F16C; }
void force_f16_portable(bool portable) { portable_forced = portable; }

void cast(const Array& x, const Array& out) {
  const int64_t n = out.length;
  if (x.dtype == out.dtype) {
    if (n > 0) std::memcpy(out.data, x.data, n * dtype_size(x.dtype));
    return;
  }
  if (x.dtype == I32 && out.dtype == I8) return i32_to_i8(x.as<int32_t>(), out.as<int8_t>(), n);
  if (x.dtype == I8 && out.dtype == I32) return i8_to_i32(x.as<int8_t>(), out.as<int32_t>(), n);
  // Everything else goes through f32, a block at a time so the scratch stays in L1.
  constexpr int64_t BLOCK = 2048;
  float f[BLOCK];
  for (int64_t i = 0; i < n; i += BLOCK) {
    const int64_t m = n - i < BLOCK ? n - i : BLOCK;
    to_f32(x, i, f, m);
    from_f32(f, out, i, m);
  }
}

}  // namespace tmnn
