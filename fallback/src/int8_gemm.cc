// int8 × int8 → int32 matrix product, exact (wrapping modulo 2^32 like the
// js backend). VNNI's vpdpbusd multiplies unsigned by signed bytes and sums
// groups of four into i32 lanes; signed × signed comes from shifting a into
// unsigned range (a + 128, a xor 0x80) and starting each column's sum at
// -128·Σ_k b[k][j]. Both operands are packed first (transposes cost nothing
// extra: packing reads them either way): A as row blocks of MR rows, four k
// per row; B as column blocks of NR columns, four k per column, so the
// compute loop's loads are all contiguous.
//
// Paths, chosen at run time from CPUID (the best one unless a test forces another):
//   avx512-vnni    512-bit vpdpbusd, 8 × 32 register tile
//   avx-vnni       256-bit VEX vpdpbusd (Alder Lake and later), 6 × 16 tile
//   avx512vl-vnni  the same 256-bit loop with the EVEX instruction: never
//                  chosen on its own, it lets an AVX-512 machine test the
//                  code avx-vnni runs
//   portable       plain loops the compiler vectorises
#include <algorithm>
#include <atomic>
#include <cstring>

#include "parallel.h"
#include "tmnn.h"

#if TMNN_X86
#include <immintrin.h>
#endif

namespace tmnn {

namespace {

struct Int8Problem {
  const uint8_t* a;  // packed A, a + 128
  const int8_t* b;   // packed B
  const int32_t* correction;
  int32_t* c;
  int64_t m, n, groups;
};

#if TMNN_X86
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vnni")
namespace zmm {
using V = __m512i;
constexpr int W = 16, MR = 8, NR = 32;
inline V zero() { return _mm512_setzero_si512(); }
inline V set1(int32_t x) { return _mm512_set1_epi32(x); }
inline V load(const void* p) { return _mm512_loadu_si512(p); }
inline V load_n(const int32_t* p, int n) { return _mm512_maskz_loadu_epi32(__mmask16((1u << n) - 1), p); }
inline void store(int32_t* p, V v) { _mm512_storeu_si512(p, v); }
inline void store_n(int32_t* p, V v, int n) { _mm512_mask_storeu_epi32(p, __mmask16((1u << n) - 1), v); }
inline V sub(V a, V b) { return _mm512_sub_epi32(a, b); }
inline V dp(V acc, V a, V b) { return _mm512_dpbusd_epi32(acc, a, b); }
#include "int8_kernel.inc"
}  // namespace zmm
#pragma GCC pop_options

// 256-bit helpers shared by both ymm paths (plain AVX2, so legal under either target).
#define TMNN_YMM_HELPERS                                                                                  \
  using V = __m256i;                                                                                      \
  constexpr int W = 8, MR = 6, NR = 16;                                                                   \
  inline V zero() { return _mm256_setzero_si256(); }                                                      \
  inline V set1(int32_t x) { return _mm256_set1_epi32(x); }                                               \
  inline V load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }             \
  inline V lanes_below(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); } \
  inline V load_n(const int32_t* p, int n) { return _mm256_maskload_epi32(p, lanes_below(n)); }           \
  inline void store(int32_t* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }          \
  inline void store_n(int32_t* p, V v, int n) { _mm256_maskstore_epi32(p, lanes_below(n), v); }          \
  inline V sub(V a, V b) { return _mm256_sub_epi32(a, b); }

#pragma GCC push_options
#pragma GCC target("avx2,avxvnni")
namespace ymm_vex {
TMNN_YMM_HELPERS
inline V dp(V acc, V a, V b) { return _mm256_dpbusd_avx_epi32(acc, a, b); }
#include "int8_kernel.inc"
}  // namespace ymm_vex
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,avx512f,avx512vl,avx512vnni")
namespace ymm_evex {
TMNN_YMM_HELPERS
inline V dp(V acc, V a, V b) { return _mm256_dpbusd_epi32(acc, a, b); }
#include "int8_kernel.inc"
}  // namespace ymm_evex
#pragma GCC pop_options
#undef TMNN_YMM_HELPERS
#endif

// Element (i, p) of a stored [M, K], or [K, M] when transposed.
inline int8_t at(const int8_t* x, int64_t rows, int64_t cols, bool transposed, int64_t i, int64_t p) {
  return transposed ? x[p * rows + i] : x[i * cols + p];
}

// Row blocks [ib0, ib1) of A: dst[((ib · groups + g) · MR + r) · 4 + q] = a[MR·ib + r][4g + q] + 128, 0 padding.
void pack_a(const int8_t* a, int64_t m, int64_t k, bool ta, int mr, int64_t groups, int64_t ib0, int64_t ib1, uint8_t* dst) {
  for (int64_t ib = ib0; ib < ib1; ib++)
    for (int64_t g = 0; g < groups; g++) {
      uint8_t* out = dst + (ib * groups + g) * mr * 4;
      for (int r = 0; r < mr; r++) {
        const int64_t i = ib * mr + r;
        if (!ta && i < m && 4 * g + 4 <= k) {  // four contiguous bytes: flip all their top bits at once
          uint32_t word;
          std::memcpy(&word, a + i * k + 4 * g, 4);
          word ^= 0x80808080u;
          std::memcpy(out + r * 4, &word, 4);
          continue;
        }
        for (int q = 0; q < 4; q++) {
          const int64_t p = 4 * g + q;
          out[r * 4 + q] = uint8_t((i < m && p < k ? at(a, m, k, ta, i, p) : 0) ^ 0x80);
        }
      }
    }
}

// Column blocks [jb0, jb1) of B: dst[((jb · groups + g) · NR + jj) · 4 + q] = b[4g + q][NR·jb + jj], 0 padding.
void pack_b(const int8_t* b, int64_t k, int64_t n, bool tb, int nr, int64_t groups, int64_t jb0, int64_t jb1, int8_t* dst) {
  for (int64_t jb = jb0; jb < jb1; jb++)
    for (int64_t g = 0; g < groups; g++) {
      int8_t* out = dst + (jb * groups + g) * nr * 4;
      for (int jj = 0; jj < nr; jj += 16) {
        const int64_t j = jb * nr + jj, p = 4 * g;
#if TMNN_X86
        if (!tb && j + 16 <= n && p + 4 <= k) {
          // Four rows of sixteen columns, interleaved bytewise then wordwise (SSE2, baseline x86-64).
          const __m128i r0 = _mm_loadu_si128((const __m128i*)(b + p * n + j));
          const __m128i r1 = _mm_loadu_si128((const __m128i*)(b + (p + 1) * n + j));
          const __m128i r2 = _mm_loadu_si128((const __m128i*)(b + (p + 2) * n + j));
          const __m128i r3 = _mm_loadu_si128((const __m128i*)(b + (p + 3) * n + j));
          const __m128i t0 = _mm_unpacklo_epi8(r0, r1), t1 = _mm_unpackhi_epi8(r0, r1);
          const __m128i t2 = _mm_unpacklo_epi8(r2, r3), t3 = _mm_unpackhi_epi8(r2, r3);
          __m128i* o = (__m128i*)(out + jj * 4);
          _mm_storeu_si128(o, _mm_unpacklo_epi16(t0, t2));
          _mm_storeu_si128(o + 1, _mm_unpackhi_epi16(t0, t2));
          _mm_storeu_si128(o + 2, _mm_unpacklo_epi16(t1, t3));
          _mm_storeu_si128(o + 3, _mm_unpackhi_epi16(t1, t3));
          continue;
        }
#endif
        if (tb && p + 4 <= k) {  // b stored [N, K]: a column's four k are one contiguous word
          for (int c = 0; c < 16; c++)
            if (j + c < n) std::memcpy(out + (jj + c) * 4, b + (j + c) * k + p, 4);
            else std::memset(out + (jj + c) * 4, 0, 4);
          continue;
        }
        for (int c = 0; c < 16; c++)
          for (int q = 0; q < 4; q++) {
            const int64_t jc = j + c, pq = p + q;
            out[(jj + c) * 4 + q] = jc < n && pq < k ? at(b, k, n, tb, pq, jc) : 0;
          }
      }
    }
}

// correction[j] = 128 · Σ_k b[k][j] for columns [j0, j1), in wrapping (unsigned) arithmetic.
void column_sums(const int8_t* b, int64_t k, int64_t n, bool tb, int64_t j0, int64_t j1, int32_t* correction) {
  std::vector<uint32_t> sums(j1 - j0, 0u);
  if (tb) {
    for (int64_t j = j0; j < j1; j++)
      for (int64_t p = 0; p < k; p++) sums[j - j0] += uint32_t(int32_t(b[j * k + p]));
  } else {
    for (int64_t p = 0; p < k; p++)
      for (int64_t j = j0; j < j1; j++) sums[j - j0] += uint32_t(int32_t(b[p * n + j]));
  }
  for (int64_t j = j0; j < j1; j++) correction[j] = int32_t(sums[j - j0] * 128u);
}

// Rows [m0, m1) of C, accumulating unsigned so that wrapping is defined.
TMNN_MULTIVERSION
void portable_rows(const int8_t* a, const int8_t* b, int32_t* c, int64_t m0, int64_t m1, int64_t m, int64_t n, int64_t k,
                   bool ta, bool tb) {
  if (tb) {  // b stored [N, K]: dot products along its rows
    for (int64_t i = m0; i < m1; i++)
      for (int64_t j = 0; j < n; j++) {
        const int8_t* __restrict bj = b + j * k;
        uint32_t s = 0;
        for (int64_t p = 0; p < k; p++) s += uint32_t(int32_t(at(a, m, k, ta, i, p)) * int32_t(bj[p]));
        c[i * n + j] = int32_t(s);
      }
    return;
  }
  std::vector<uint32_t> acc(n);
  for (int64_t i = m0; i < m1; i++) {
    std::fill(acc.begin(), acc.end(), 0u);
    for (int64_t p = 0; p < k; p++) {
      const int32_t av = at(a, m, k, ta, i, p);
      const int8_t* __restrict row = b + p * n;
      uint32_t* __restrict out = acc.data();
      for (int64_t j = 0; j < n; j++) out[j] += uint32_t(av * int32_t(row[j]));
    }
    for (int64_t j = 0; j < n; j++) c[i * n + j] = int32_t(acc[j]);
  }
}

enum class Path { PORTABLE, AVX512_VNNI, AVX_VNNI, AVX512VL_VNNI };
const char* const PATH_NAMES[] = {"portable", "avx512-vnni", "avx-vnni", "avx512vl-vnni"};

bool supported(Path p) {
#if !TMNN_X86
  return p == Path::PORTABLE;  // the VNNI kernels are compiled for x86-64 with GCC only
#endif
  switch (p) {
    case Path::PORTABLE: return true;
    case Path::AVX512_VNNI: return cpu().avx512f && cpu().avx512bw && cpu().avx512_vnni;
    case Path::AVX_VNNI: return cpu().avx2 && cpu().avx_vnni;
    case Path::AVX512VL_VNNI: return cpu().avx2 && cpu().avx512vl && cpu().avx512_vnni;
  }
  return false;
}

Path best() {
  for (Path p : {Path::AVX512_VNNI, Path::AVX_VNNI})
    if (supported(p)) return p;
  return Path::PORTABLE;
}

// Read by GEMMs on worker threads while a test may switch it on the main thread.
std::atomic<Path> chosen{best()};

using Compute = void (*)(const Int8Problem&, int64_t, int64_t, int64_t, int64_t);

// Runs compute over C's tiles once A and B are packed: the larger of rows and
// columns is split, so small-M products still use every thread.
void run_packed(Compute compute, const Int8Problem& problem, int64_t row_blocks, int64_t col_blocks, int parts) {
  const bool by_rows = row_blocks >= col_blocks;
  parallel(parts, [&](int t) {
    if (by_rows) {
      const auto [ib0, ib1] = share(row_blocks, parts, t);
      compute(problem, ib0, ib1, 0, col_blocks);
    } else {
      const auto [jb0, jb1] = share(col_blocks, parts, t);
      compute(problem, 0, row_blocks, jb0, jb1);
    }
  });
}

void packed_gemm(Compute compute, int mr, int nr, const int8_t* a, const int8_t* b, int32_t* c, int64_t m, int64_t n,
                 int64_t k, bool ta, bool tb, int parts) {
  const int64_t groups = (k + 3) / 4, row_blocks = (m + mr - 1) / mr, col_blocks = (n + nr - 1) / nr;
  std::vector<uint8_t> pa(row_blocks * groups * mr * 4);
  std::vector<int8_t> pb(col_blocks * groups * nr * 4);
  std::vector<int32_t> correction(col_blocks * nr, 0);
  parallel(parts, [&](int t) {
    const auto [ib0, ib1] = share(row_blocks, parts, t);
    const auto [jb0, jb1] = share(col_blocks, parts, t);
    pack_a(a, m, k, ta, mr, groups, ib0, ib1, pa.data());
    pack_b(b, k, n, tb, nr, groups, jb0, jb1, pb.data());
    column_sums(b, k, n, tb, std::min(n, jb0 * nr), std::min(n, jb1 * nr), correction.data());
  });
  run_packed(compute, Int8Problem{pa.data(), pb.data(), correction.data(), c, m, n, groups}, row_blocks, col_blocks, parts);
}

// The compute loop and register tile of a VNNI path; null compute for portable.
struct Kernel {
  Compute compute;
  int mr, nr;
};

Kernel kernel_of(Path p) {
  switch (p) {
#if TMNN_X86
    case Path::AVX512_VNNI: return {zmm::compute, zmm::MR, zmm::NR};
    case Path::AVX_VNNI: return {ymm_vex::compute, ymm_vex::MR, ymm_vex::NR};
    case Path::AVX512VL_VNNI: return {ymm_evex::compute, ymm_evex::MR, ymm_evex::NR};
#endif
    default: return {nullptr, 0, 0};
  }
}

// A packed weight: this header (which path and tile it was packed for, and
// its shape), then the column corrections (int32, col_blocks · NR), then B's
// column blocks as pack_b lays them out.
struct PackedHeader {
  int32_t path, nr;
  int64_t n, k;
};
constexpr int64_t HEADER_BYTES = 64;  // keeps the corrections and blocks after it aligned

int64_t packed_bytes(int nr, int64_t n, int64_t k) {
  if (nr == 0) return HEADER_BYTES;  // portable: nothing packed, the header alone says so
  const int64_t groups = (k + 3) / 4, col_blocks = (n + nr - 1) / nr;
  return HEADER_BYTES + col_blocks * nr * 4 + col_blocks * groups * nr * 4;
}

}  // namespace

// Threads only pay for themselves past ~16M multiply-adds a thread, ~0.1 ms
// of VNNI work (a 128×784×256 product took 0.31 ms on two threads and 0.22 ms
// on one, on a busy two-core machine; with parallel.h's pool of waiting
// threads two still lost there).
int int8_parts(int64_t work) { return thread_parts(work >> 24); }

void gemm_i8(const int8_t* a, const int8_t* b, int32_t* c, int64_t m, int64_t n, int64_t k, bool ta, bool tb) {
  const int parts = int8_parts(m * n * k);
  const Kernel kernel = kernel_of(chosen.load());
  if (kernel.compute) return packed_gemm(kernel.compute, kernel.mr, kernel.nr, a, b, c, m, n, k, ta, tb, parts);
  const int rows = int(std::min<int64_t>(parts, m));
  parallel(rows, [&](int t) {
    const auto [i0, i1] = share(m, rows, t);
    portable_rows(a, b, c, i0, i1, m, n, k, ta, tb);
  });
}

int64_t int8_weight_bytes(int64_t n, int64_t k) { return packed_bytes(kernel_of(chosen.load()).nr, n, k); }

void pack_int8_weight(const int8_t* w, int64_t n, int64_t k, int8_t* dst) {
  const Path path = chosen.load();
  const int nr = kernel_of(path).nr;
  const PackedHeader header{int32_t(path), nr, n, k};
  std::memcpy(dst, &header, sizeof header);
  if (nr == 0) return;
  const int64_t groups = (k + 3) / 4, col_blocks = (n + nr - 1) / nr;
  int32_t* correction = reinterpret_cast<int32_t*>(dst + HEADER_BYTES);
  std::fill(correction, correction + col_blocks * nr, 0);
  // w is [N, K]: B = wᵀ, stored transposed.
  pack_b(w, k, n, true, nr, groups, 0, col_blocks, dst + HEADER_BYTES + col_blocks * nr * 4);
  column_sums(w, k, n, true, 0, n, correction);
}

void gemm_i8_weight(const int8_t* a, const int8_t* w, const int8_t* packed, int64_t packed_length, int32_t* c, int64_t m,
                    int64_t n, int64_t k) {
  const Path path = chosen.load();
  const Kernel kernel = kernel_of(path);
  PackedHeader header{-1, 0, 0, 0};
  if (packed && packed_length >= HEADER_BYTES) std::memcpy(&header, packed, sizeof header);
  // Packed for another path (a test forced one since), or not packed: the plain product packs as it goes.
  const bool usable = kernel.compute && header.path == int32_t(path) && header.nr == kernel.nr && header.n == n &&
                      header.k == k && packed_length >= packed_bytes(kernel.nr, n, k);
  if (!usable) return gemm_i8(a, w, c, m, n, k, false, true);
  const int parts = int8_parts(m * n * k);
  const int64_t groups = (k + 3) / 4, row_blocks = (m + kernel.mr - 1) / kernel.mr, col_blocks = (n + kernel.nr - 1) / kernel.nr;
  std::vector<uint8_t> pa(row_blocks * groups * kernel.mr * 4);
  const int pack_parts = int(std::min<int64_t>(parts, row_blocks));
  parallel(pack_parts, [&](int t) {
    const auto [ib0, ib1] = share(row_blocks, pack_parts, t);
    pack_a(a, m, k, false, kernel.mr, groups, ib0, ib1, pa.data());
  });
  const int32_t* correction = reinterpret_cast<const int32_t*>(packed + HEADER_BYTES);
  const int8_t* pb = packed + HEADER_BYTES + col_blocks * kernel.nr * 4;
  run_packed(kernel.compute, Int8Problem{pa.data(), pb, correction, c, m, n, groups}, row_blocks, col_blocks, parts);
}

const char* int8_path() { return PATH_NAMES[int(chosen.load())]; }

bool force_int8_path(const char* name) {
  if (!name) {
    chosen = best();
    return true;
  }
  for (int p = 0; p < 4; p++)
    if (std::strcmp(name, PATH_NAMES[p]) == 0) {
      if (!supported(Path(p))) return false;
      chosen = Path(p);
      return true;
    }
  return false;
}

}  // namespace tmnn
