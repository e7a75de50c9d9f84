// int8 × int8 → int32 matrix product, exact. With AVX-512 VNNI, vpdpbusd
// multiplies unsigned by signed bytes and sums groups of four into int32
// lanes; signed × signed is recovered by shifting a into unsigned range
// (a + 128) and subtracting 128·Σ_k b[k][j] per column. B is packed so that
// one 64-byte load holds four consecutive k of sixteen columns, and a column
// block's whole k range is contiguous. Rows are split across threads. The
// portable path is plain loops; tests compare the two.
#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "tmnn.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tmnn {

static void gemm_portable(const int8_t* a, const int8_t* b, int32_t* c, int64_t m0, int64_t m1, int64_t n, int64_t k) {
  std::vector<int32_t> acc(n);
  for (int64_t i = m0; i < m1; i++) {
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t p = 0; p < k; p++) {
      const int32_t av = a[i * k + p];
      const int8_t* brow = b + p * n;
      for (int64_t j = 0; j < n; j++) acc[j] += av * brow[j];
    }
    std::memcpy(c + i * n, acc.data(), n * sizeof(int32_t));
  }
}

#if defined(__x86_64__)
// packed[((jb · groups + g) · 16 + jj) · 4 + q] = b[4g + q][16·jb + jj], 0 past k or n: for one block of
// 16 columns the whole k walk is contiguous, 64 bytes per group of four k.
static std::vector<int8_t> pack_b(const int8_t* b, int64_t n, int64_t k, int64_t blocks, int64_t groups) {
  std::vector<int8_t> packed(blocks * groups * 64, 0);
  for (int64_t p = 0; p < k; p++)
    for (int64_t j = 0; j < n; j++) packed[(((j / 16) * groups + p / 4) * 16 + j % 16) * 4 + p % 4] = b[p * n + j];
  return packed;
}

#define TMNN_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni")))

// Four consecutive bytes of row i of A, from k = 4g, in every lane.
TMNN_VNNI static inline __m512i four(const uint8_t* au, int64_t k4, int64_t i, int64_t g) {
  int32_t v;
  std::memcpy(&v, au + i * k4 + 4 * g, 4);
  return _mm512_set1_epi32(v);
}

TMNN_VNNI static inline void store(int32_t* c, int64_t n, const int32_t* correction, int64_t i, int64_t j, __m512i acc) {
  acc = _mm512_sub_epi32(acc, _mm512_loadu_si512(correction + j));
  if (j + 16 <= n) {
    _mm512_storeu_si512(c + i * n + j, acc);
  } else {
    int32_t tail[16];
    _mm512_storeu_si512(tail, acc);
    std::memcpy(c + i * n + j, tail, (n - j) * sizeof(int32_t));
  }
}

// Rows [m0, m1): each 16-column block of B stays in L1 while four rows of A stream past it.
TMNN_VNNI static void gemm_vnni(const uint8_t* au, int64_t k4, const int8_t* packed, const int32_t* correction, int32_t* c,
                                int64_t m0, int64_t m1, int64_t n, int64_t blocks) {
  const int64_t groups = k4 / 4;
  for (int64_t jb = 0; jb < blocks; jb++) {
    const int8_t* block = packed + jb * groups * 64;
    int64_t i = m0;
    for (; i + 4 <= m1; i += 4) {
      __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
      for (int64_t g = 0; g < groups; g++) {
        const __m512i bv = _mm512_loadu_si512(block + g * 64);
        a0 = _mm512_dpbusd_epi32(a0, four(au, k4, i, g), bv);
        a1 = _mm512_dpbusd_epi32(a1, four(au, k4, i + 1, g), bv);
        a2 = _mm512_dpbusd_epi32(a2, four(au, k4, i + 2, g), bv);
        a3 = _mm512_dpbusd_epi32(a3, four(au, k4, i + 3, g), bv);
      }
      store(c, n, correction, i, jb * 16, a0);
      store(c, n, correction, i + 1, jb * 16, a1);
      store(c, n, correction, i + 2, jb * 16, a2);
      store(c, n, correction, i + 3, jb * 16, a3);
    }
    for (; i < m1; i++) {
      __m512i acc = _mm512_setzero_si512();
      for (int64_t g = 0; g < groups; g++) acc = _mm512_dpbusd_epi32(acc, four(au, k4, i, g), _mm512_loadu_si512(block + g * 64));
      store(c, n, correction, i, jb * 16, acc);
    }
  }
}

static const bool has_vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
#else
static const bool has_vnni = false;
#endif

static bool force_portable = false;

template <typename F>
static void parallel_rows(int64_t m, F f) {
  const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(std::thread::hardware_concurrency(), m / 16));
  if (threads == 1) return f(0, m);
  std::vector<std::thread> pool;
  const int64_t per = (m + threads - 1) / threads;
  for (int64_t t = 0; t < threads; t++) {
    const int64_t m0 = t * per, m1 = std::min(m, m0 + per);
    if (m0 < m1) pool.emplace_back(f, m0, m1);
  }
  for (auto& th : pool) th.join();
}

static void gemm_i8(const int8_t* a, const int8_t* b, int32_t* c, int64_t m, int64_t n, int64_t k) {
#if defined(__x86_64__)
  if (has_vnni && !force_portable) {
    const int64_t k4 = (k + 3) / 4 * 4, blocks = (n + 15) / 16, n16 = blocks * 16;
    // a + 128 as unsigned; padding k with b = 0 makes the pad's products vanish.
    std::vector<uint8_t> au(m * k4, 128);
    for (int64_t i = 0; i < m; i++)
      for (int64_t p = 0; p < k; p++) au[i * k4 + p] = uint8_t(int32_t(a[i * k + p]) + 128);
    const std::vector<int8_t> packed = pack_b(b, n, k, blocks, k4 / 4);
    std::vector<int32_t> correction(n16, 0);
    for (int64_t p = 0; p < k; p++)
      for (int64_t j = 0; j < n; j++) correction[j] += 128 * int32_t(b[p * n + j]);
    parallel_rows(m, [&](int64_t m0, int64_t m1) { gemm_vnni(au.data(), k4, packed.data(), correction.data(), c, m0, m1, n, blocks); });
    return;
  }
#endif
  parallel_rows(m, [&](int64_t m0, int64_t m1) { gemm_portable(a, b, c, m0, m1, n, k); });
}

// gemmI8(a: Int8Array, b: Int8Array, out: Int32Array, batchA, batchB, m, n, k): row-major, no transposes
// (the TypeScript side materialises transposed int8 operands, which are rare).
static Napi::Value GemmI8(const Napi::CallbackInfo& info) {
  const int8_t* a = data<int8_t>(info[0]);
  const int8_t* b = data<int8_t>(info[1]);
  int32_t* c = data<int32_t>(info[2]);
  const int64_t batchA = info[3].As<Napi::Number>().Int64Value(), batchB = info[4].As<Napi::Number>().Int64Value();
  const int64_t m = info[5].As<Napi::Number>().Int64Value(), n = info[6].As<Napi::Number>().Int64Value(),
                k = info[7].As<Napi::Number>().Int64Value();
  const int64_t batch = std::max(batchA, batchB);
  for (int64_t t = 0; t < batch; t++)
    gemm_i8(a + (batchA == 1 ? 0 : t) * m * k, b + (batchB == 1 ? 0 : t) * k * n, c + t * m * n, m, n, k);
  return info.Env().Undefined();
}

// int8Path(forcePortable?): 'avx512-vnni' or 'portable'.
static Napi::Value Int8Path(const Napi::CallbackInfo& info) {
  if (info.Length() > 0 && info[0].IsBoolean()) force_portable = info[0].As<Napi::Boolean>().Value();
  return Napi::String::New(info.Env(), has_vnni && !force_portable ? "avx512-vnni" : "portable");
}

void RegisterInt8Gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemmI8", Napi::Function::New(env, GemmI8));
  exports.Set("int8Path", Napi::Function::New(env, Int8Path));
}

}  // namespace tmnn
