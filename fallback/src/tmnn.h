// The kernels behind the native backend, as plain C++ over raw pointers: no
// N-API here, so each file stays about one computation and could be tested
// without Node. addon.cc turns JS typed arrays into these pointers without
// copying them. Shapes, strides and offsets are in elements.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

// Hot loops are compiled for AVX-512, AVX2 and baseline x86-64 and picked when
// the addon loads (GCC function multiversioning): the build machine's CPU
// never leaks into the binary, and a newer CPU still gets its wide vectors.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TMNN_X86 1
#if __GNUC__ >= 11  // knows the x86-64-v3/v4 levels: AVX-512 with BW/VL/DQ, AVX2 with FMA/F16C
#define TMNN_MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TMNN_MULTIVERSION __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#else
#define TMNN_MULTIVERSION
#endif

// Loop bodies shared by the clones above must be inlined into each clone:
// compiled on their own they would be baseline x86-64 code, called from all.
#define TMNN_INLINE inline __attribute__((always_inline))

namespace tmnn {

// Σ x in double over `Lanes` interleaved accumulators (lane l adds elements
// l, l + Lanes, …), then the lanes and the tail in order: independent adds,
// so the loop vectorises without reassociation flags (an in-order sum waits
// on each add).
template <int Lanes, typename T>
TMNN_INLINE double sum_in_lanes(const T* x, int64_t n) {
  double acc[Lanes] = {};
  int64_t i = 0;
  for (; i + Lanes <= n; i += Lanes)
    for (int l = 0; l < Lanes; l++) acc[l] += x[i + l];
  double s = 0;
  for (int l = 0; l < Lanes; l++) s += acc[l];
  for (; i < n; i++) s += x[i];
  return s;
}

// c[0]·z^(N−1) + c[1]·z^(N−2) + … + c[N−1] by Horner's rule: the series of
// exp_double.h and log_double.h. The loop unrolls, leaving the multiply-adds
// a hand-written chain would.
template <size_t N>
TMNN_INLINE double horner(double z, const double (&c)[N]) {
  double p = c[0];
  for (size_t i = 1; i < N; i++) p = p * z + c[i];
  return p;
}

// Sixteen lanes as one GCC vector, for loops of selects: written as an array
// of lanes (as sum_in_lanes is), sixteen selects stay scalar compares and
// branches. A compare of two gives an i32x16 of −1 (true) and 0.
typedef float f32x16 __attribute__((vector_size(64)));
typedef int32_t i32x16 __attribute__((vector_size(64)));

// The largest (smallest) of x[0, n), NaN if any is, and of ±0 the first zero,
// as a left-to-right scan that takes a value only when strictly better gives.
template <bool Largest>
TMNN_INLINE float extreme_in_lanes(const float* x, int64_t n) {
  const float start = Largest ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  float best = start;
  bool any_nan = false;
  int64_t i = 0;
  if (n >= 16) {  // a shorter row (a pooling window of four) costs less than folding the lanes
    f32x16 acc = start - f32x16{};
    i32x16 nan = {};
    for (; i + 16 <= n; i += 16) {
      f32x16 v;
      std::memcpy(&v, x + i, sizeof v);
      nan |= v != v;
      acc = (Largest ? v > acc : v < acc) ? v : acc;
    }
    for (int l = 0; l < 16; l++) {
      any_nan |= nan[l] != 0;
      best = (Largest ? acc[l] > best : acc[l] < best) ? acc[l] : best;
    }
  }
  for (; i < n; i++) {
    any_nan |= x[i] != x[i];
    best = (Largest ? x[i] > best : x[i] < best) ? x[i] : best;
  }
  if (any_nan) return std::numeric_limits<float>::quiet_NaN();
  if (best == 0)  // the lanes saw their zeros out of order
    for (int64_t j = 0; j < n; j++)
      if (x[j] == 0) return x[j];
  return best;
}

// Same order as DTYPES in src/dtype.ts. f16 lives as raw bit patterns.
enum DType : int { F32 = 0, F16 = 1, I8 = 2, I32 = 3 };

inline size_t dtype_size(DType d) { return d == F32 || d == I32 ? 4 : d == F16 ? 2 : 1; }

// Op numbers follow UNARY_OPS, ARITHMETIC_OPS + COMPARISON_OPS and the reduce
// op lists in src/backends/kernels.ts; binary ops added later go last, after
// the comparisons (src/backends/native/index.ts's BINARY_OPS).
enum Unary { NEG, ABS, SIGN, EXP, LOG, SQRT, RELU, SIGMOID, TANH, FLOOR, CEIL, ROUND, SIN, COS, ERF,
             LOG1P, EXPM1, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH, TRUNC,
             ERFC, LGAMMA, DIGAMMA, TRIGAMMA, ERFINV, SINC, LOGIT, I0, I1, LOG2, LOG10, EXP2, UNARY_COUNT };
enum Binary { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, ATAN2, REMAINDER, XLOGY, LOGADDEXP, HYPOT, COPYSIGN,
              EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, FLOOR_DIVIDE,
              BITWISE_AND, BITWISE_OR, BITWISE_XOR, BITWISE_LEFT_SHIFT, BITWISE_RIGHT_SHIFT, BINARY_COUNT };
enum Reduce { SUM, MEAN, MAX, MIN, PROD, REDUCE_COUNT };

// A typed array as the kernels see it.
struct Array {
  void* data;
  DType dtype;
  int64_t length;
  template <typename T>
  T* as() const { return static_cast<T*>(data); }
};

using Shape = std::vector<int64_t>;

// elementwise.cc
void unary(int op, const Array& x, const Array& out);
void binary(int op, const Array& a, const Shape& sa, const Array& b, const Shape& sb, const Shape& shape, const Array& out);

// adam.cc: one Adam step (ops/adam.ts gives the formula), f32 throughout.
struct AdamStep {
  double beta1, beta2, step_size, epsilon_hat, l2, decay;
};
void adam(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out,
          int64_t n, const AdamStep& h);

// sgd.cc: one SGD step (ops/sgd.ts gives the formula), f32 throughout; v is null on the first
// step, v_out without momentum.
struct SgdStep {
  double lr, momentum, weight_decay;
  bool nesterov;
};
void sgd(const float* p, const float* g, const float* v, float* p_out, float* v_out, int64_t n, const SgdStep& h);

// where.cc
void where(const Array& cond, const Shape& sc, const Array& a, const Shape& sa, const Array& b, const Shape& sb,
           const Shape& shape, const Array& out);

// reduce.cc
void reduce(int op, const Array& x, int64_t outer, int64_t inner, const Array& out);
void arg_reduce(bool largest, const Array& x, int64_t outer, int64_t inner, int32_t* out);
void reduce_columns(int op, const Array& x, int64_t rows, int64_t cols, const Array& out);

// scan.cc: running sums or products (op numbered as ScanOp in src/backends/kernels.ts) along the
// middle axis of [outer, n, inner].
enum Scan { SCAN_SUM, SCAN_PROD, SCAN_COUNT };
void scan(int op, const Array& x, int64_t outer, int64_t inner, const Array& out);

// linalg.cc: f32 batches of row-major n × n matrices. lu_factor: PA = LU, L unit lower and U
// packed in lu, pivots 0-based as LAPACK's (row k swapped with pivots[k] at step k; a zero pivot
// is left in U). lu_solve: x [batch, n, k] from those factors and b. cholesky: A = L·Lᵀ from A's
// lower triangle, L's upper triangle 0; where A is not positive definite, NaN from the row that fails.
void lu_factor(const float* a, int64_t batch, int64_t n, float* lu, int32_t* pivots);
void lu_solve(const float* lu, const int32_t* pivots, const float* b, int64_t batch, int64_t n, int64_t k, float* x);
void cholesky(const float* a, int64_t batch, int64_t n, float* l);
// qr: A [batch, m, n] = Q·R by Householder reflections (sgeqrf, sorgqr), with c = min(m, n) or,
// complete, m: Q [batch, m, c] with orthonormal columns, R [batch, c, n] upper triangular (0 below).
// triangular_solve: x [batch, n, k] = A⁻¹·b for A [batch, n, n] read as its upper or lower triangle,
// its diagonal taken as 1 where unit.
void qr(const float* a, int64_t batch, int64_t m, int64_t n, bool complete, float* q, float* r);
void triangular_solve(const float* a, const float* b, int64_t batch, int64_t n, int64_t k, bool upper, bool unit, float* x);

// eig.cc: eigh of f32 symmetric row-major n × n matrices from their lower triangles, values [batch, n]
// ascending and vectors [batch, n, n] (eigenvectors as columns); svd of [batch, m, n], k = min(m, n):
// u [batch, m, k], s [batch, k] descending, vh [batch, k, n]. NaN throughout where LAPACK fails.
void eigh(const float* a, int64_t batch, int64_t n, float* values, float* vectors);
void svd(const float* a, int64_t batch, int64_t m, int64_t n, float* u, float* s, float* vh);
// eig_general.cc: eig of f32 general row-major n × n matrices (sgeev): values [batch, n, 2] and vectors
// [batch, n, n, 2] (eigenvectors as columns) as (re, im) pairs, each vector at unit norm with its entry of
// largest modulus real and positive. NaN throughout where LAPACK fails.
void eig(const float* a, int64_t batch, int64_t n, float* values, float* vectors);
// ldl.cc: the Bunch–Kaufman factorization of f32 symmetric row-major n × n matrices from their lower
// triangles (ssytrf 'L'): ld [batch, n, n] its packed factors, strict upper triangle 0, pivots [batch, n]
// 0-based where positive (a 1 × 1 block) and LAPACK's where negative (2 × 2); ldl_solve: x [batch, n, k]
// from those factors and b (ssytrs). src/backends/js/ldl.ts says what the packed form means.
void ldl_factor(const float* a, int64_t batch, int64_t n, float* ld, int32_t* pivots);
void ldl_solve(const float* ld, const int32_t* pivots, const float* b, int64_t batch, int64_t n, int64_t k, float* x);

// softmax.cc
void softmax(const Array& x, int64_t outer, int64_t inner, bool log, const Array& out);

// movement.cc
void strided_copy(const Array& x, const Shape& shape, const Shape& strides, int64_t offset, const Array& out);
void concat(const std::vector<Array>& xs, const Shape& chunks, int64_t outer, const Array& out);
void one_hot(const Array& indices, int64_t depth, const Array& out);
// x as [outer, n, inner]: out[o, j, :] = x[o, indices[j], :] (zeros for an index outside [-n, n)).
void gather_rows(const Array& x, const Array& indices, int64_t outer, int64_t n, int64_t inner, const Array& out);
// gather_rows's gradient: out [outer, n, inner] = Σ over j of dy[o, j, :] into row indices[j].
void scatter_add_rows(const float* dy, const Array& indices, int64_t outer, int64_t n, int64_t inner, float* out);

// window_max.cc
// A max pooling: out [outer, windows] = the largest x[o, table[j, t]] over t (x read as [outer, n]), a position outside [0, n) skipped.
// One LSTM step after its products: z [B, 4H] (i, f, g, o) and c [B, H] give out [2, B, H] = h', c'.
void lstm_cell(const float* z, const float* c, int64_t batch, int64_t hidden, float* out);
// Its gradient from dy [2, B, H]: out = dz [B, 4H] then dc [B, H].
void lstm_cell_grad(const float* z, const float* c, const float* dy, int64_t batch, int64_t hidden, float* out);
// gru_cell.cc
// One GRU step after its products: xw, hw [B, 3H] (r, z, n) and h [B, H] give out [B, H] = h'.
void gru_cell(const float* xw, const float* hw, const float* h, int64_t batch, int64_t hidden, float* out);
// Its gradient from dy [B, H]: out = dxw [B, 3H], dhw [B, 3H] then dh [B, H].
void gru_cell_grad(const float* xw, const float* hw, const float* h, const float* dy, int64_t batch, int64_t hidden, float* out);
// ctc.cc
// A CTC problem as kernels.ts's ctc gives it: lp [frames, batch, classes], targets [batch, labels], lengths per sample.
struct CtcProblem {
  const float* lp;
  const int32_t* targets;
  const int32_t* input_lengths;
  const int32_t* target_lengths;
  int64_t frames, batch, classes, labels;
  int32_t blank;
};
// losses [batch]: −log p(target | frames) (+∞ unspellable, NaN for a label not a class); grad [frames, batch, classes]
// (zeroed by the caller), when not null: its gradient with respect to lp.
void ctc(const CtcProblem& p, float* losses, float* grad);

// fft.cc (only with KissFFT: TMNN_KISSFFT)
// Each row's DFT, unnormalised then times scale: x, y [rows, n, 2] complex (the inverse's sign e^(+2πi·jk/n)),
// or a real row x [rows, n] (n even) to its half spectrum y [rows, n/2 + 1, 2], or back (the imaginary parts of
// bins 0 and n/2 ignored). False when a plan cannot be allocated.
bool fft_complex(const float* x, float* y, int64_t rows, int64_t n, bool inverse, float scale);
bool fft_real_forward(const float* x, float* y, int64_t rows, int64_t n, float scale);
bool fft_real_inverse(const float* x, float* y, int64_t rows, int64_t n, float scale);

// tree_walk.cc
enum class TreeReduction { Sum, Min, Max };
// A forest's flat node tables as src/backends/tree_walk.ts gives them, its leaves' values [nodes, k], and the sample rows
// x [rows, cols] to walk.
struct TreeWalkProblem {
  const float* x;
  const int32_t* features;
  const float* thresholds;
  const int32_t* next;
  const int32_t* roots;
  const float* values;
  int64_t rows, cols, nodes, trees, depth, k;
  TreeReduction reduction;
};
// out [rows, k]: the values of the leaves each row reaches, reduced over the trees (the tables' indices checked by the caller).
void tree_walk(const TreeWalkProblem& p, float* out);

// The positions [rows, k] of the first k of each row of x [rows, n] in sorted order (kernels.ts's sortIndices).
void sort_indices(const float* x, int64_t rows, int64_t n, int64_t k, bool descending, int32_t* out);
void window_max(const float* x, int64_t outer, int64_t n, const int32_t* table, int64_t windows, int64_t taps, float* out);
// window_max's gradient: dx [outer, n] gets each window's dy shared evenly among its taps equal to its max y (NaN to each tap where y is NaN).
void window_max_grad(const float* x, const float* y, const float* dy, int64_t outer, int64_t n, const int32_t* table,
                     int64_t windows, int64_t taps, float* dx);

// search.cc
// sorted [rows, n] and values [rows, m] (lengths rows · n and rows · m), both F32 or both I32: out [rows, m] the first index
// of each value's row of sorted with entry ≥ the value (> when right), n when none, by binary search; floats in the order
// with NaN last and ±0 equal (src/backends/search.ts).
void search_sorted(const Array& sorted, const Array& values, int64_t rows, bool right, int32_t* out);
void all_pole(const float* v, int64_t rows, int64_t n, const float* a, int64_t p, float* out);

// conv.cc: a 2-D convolution over NCHW images and its gradients, f32. x [batch, channels, height,
// width], weight [filters, channels/groups, kh, kw], y [batch, filters, out_h, out_w]; a tap at
// oy·stride + ky·dilation − pad reads a zero outside the image.
struct ConvGeometry {
  int64_t batch, channels, height, width, filters, groups;
  int64_t kh, kw, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left, out_h, out_w;
  int64_t per_group() const { return channels / groups; }
  int64_t taps() const { return per_group() * kh * kw; }
  int64_t positions() const { return out_h * out_w; }
};
void conv2d(const float* x, const float* w, const ConvGeometry& g, float* y);
// dx [batch, channels, height, width] from dy [batch, filters, out_h, out_w].
void conv2d_input_grad(const float* dy, const float* w, const ConvGeometry& g, float* dx);
// dw [filters, channels/groups, kh, kw] from x and dy.
void conv2d_weight_grad(const float* x, const float* dy, const ConvGeometry& g, float* dw);

// convert.cc: f16 ⇄ f32 in bulk (F16C where present), and every dtype cast.
void f16_to_f32(const uint16_t* h, float* f, int64_t n);
void f32_to_f16(const float* f, uint16_t* h, int64_t n);
void cast(const Array& x, const Array& out);
enum class F16Path { F16C, PORTABLE };
F16Path f16_path();
void force_f16_portable(bool portable);

// gemm.cc: batched products, operands batch 1 or the full batch.
struct GemmShape {
  int64_t batch_a, batch_b, m, n, k;
  bool ta, tb;  // a stored [batch, K, M]; b stored [batch, N, K]
  int64_t macs() const { return (batch_a > batch_b ? batch_a : batch_b) * m * n * k; }
};
void matmul(const Array& a, const Array& b, const GemmShape& s, const Array& out);
// Multiply-adds under which a product runs on one OpenBLAS thread (gemm.cc, conv.cc): the hand-off
// to its other threads costs more than it saves there (a [64, 784] · [784, 10] layer: 80 µs on two
// threads, 47 on one; 128³ is level).
constexpr int64_t ONE_THREAD_MACS = int64_t(1) << 21;
// Held while a product runs, and while OpenBLAS's thread count changes.
std::mutex& gemm_lock();

// int8_gemm.cc: exact i8 × i8 → i32, one matrix.
void gemm_i8(const int8_t* a, const int8_t* b, int32_t* c, int64_t m, int64_t n, int64_t k, bool ta, bool tb);
const char* int8_path();
// A weight w [N, K] (B = wᵀ) packed once for the path in use: int8_weight_bytes says how many
// bytes pack_int8_weight writes. gemm_i8_weight is a [M, K] × wᵀ into c [M, N], from the packed
// weight where it was packed for the path now in use, else from w as gemm_i8 does.
int64_t int8_weight_bytes(int64_t n, int64_t k);
// How many threads an int8 product of `work` multiply-adds runs on.
int int8_parts(int64_t work);
void pack_int8_weight(const int8_t* w, int64_t n, int64_t k, int8_t* dst);
void gemm_i8_weight(const int8_t* a, const int8_t* w, const int8_t* packed, int64_t packed_length, int32_t* c, int64_t m,
                    int64_t n, int64_t k);

// quantized_linear.cc: tm.matmul(x, tm.quantize(w)) the int8 way in one call (ops/quantize.ts).
void quantized_linear(const float* x, const int8_t* w, const int8_t* packed, int64_t packed_length, const float* scales,
                      float* out, int64_t m, int64_t n, int64_t k);

// dynamic_quantize.cc: ONNX's DynamicQuantizeLinear (uint8, per tensor) in one call; false, writing
// nothing, where x is empty or holds a NaN or an infinity.
bool dynamic_quantize_uint8(const float* x, int64_t n, int32_t* y, float* scale, int32_t* zero_point);

// reduce.cc: the largest (or smallest) of n floats, NaN if any is NaN.
float extreme_of(const float* x, int64_t n, bool largest);
// Forces a path by name ("portable", "avx512-vnni", "avx512vl-vnni", "avx-vnni"), or back to the
// best one with nullptr; false when this CPU cannot run the named path.
bool force_int8_path(const char* name);

// int32_gemm.cc: exact wrapping i32 GEMM, one matrix.
void gemm_i32(const int32_t* a, const int32_t* b, int32_t* c, int64_t m, int64_t n, int64_t k, bool ta, bool tb);

// blas_info.cc: what OpenBLAS says about itself. Its threads are tmnn's
// threads: the int8 GEMM uses as many.
struct BlasInfo {
  std::string corename, config, version;
  int threads;
  int parallel;  // 0 sequential, 1 pthreads, 2 OpenMP
};
BlasInfo blas_info();
int threads();
int set_threads(int n);

// cpu_features.cc
struct CpuFeatures {
  bool sse, sse2, sse3, ssse3, sse4_1, sse4_2, avx, fma, f16c, avx2;
  bool avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512_vnni, avx512_bf16, avx512_fp16;
  bool avx_vnni, amx_tile, amx_int8, amx_bf16;
};
const CpuFeatures& cpu();

}  // namespace tmnn
