// f32 elementwise kernels. Binary ops broadcast through strides; the inner
// loop is specialised for the three layouts that matter (both contiguous,
// b broadcast along the row, a broadcast) so the compiler vectorises them.
// Op numbering follows UNARY_OPS / ARITHMETIC_OPS + COMPARISON_OPS in
// src/backends/kernels.ts.
#include <cmath>

#include "tmnn.h"

namespace tmnn {

enum Unary { NEG, ABS, SIGN, EXP, LOG, SQRT, RELU, SIGMOID, TANH };
enum Binary { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL };

// NaN in, NaN out, like JavaScript's Math.max/min.
static inline float max_nan(float a, float b) { return a != a ? a : b != b ? b : a > b ? a : b; }
static inline float min_nan(float a, float b) { return a != a ? a : b != b ? b : a < b ? a : b; }

TMNN_MULTIVERSION
static void unary(int op, const float* x, float* y, int64_t n) {
  switch (op) {
    case NEG: for (int64_t i = 0; i < n; i++) y[i] = -x[i]; break;
    case ABS: for (int64_t i = 0; i < n; i++) y[i] = std::fabs(x[i]); break;
    case SIGN: for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? 1.0f : x[i] < 0 ? -1.0f : x[i] == 0 ? 0.0f : x[i]; break;
    case EXP: for (int64_t i = 0; i < n; i++) y[i] = std::exp(x[i]); break;
    case LOG: for (int64_t i = 0; i < n; i++) y[i] = std::log(x[i]); break;
    case SQRT: for (int64_t i = 0; i < n; i++) y[i] = std::sqrt(x[i]); break;
    case RELU: for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] != x[i] ? x[i] : 0.0f; break;
    case SIGMOID: for (int64_t i = 0; i < n; i++) y[i] = 1.0f / (1.0f + std::exp(-x[i])); break;
    case TANH: for (int64_t i = 0; i < n; i++) y[i] = std::tanh(x[i]); break;
  }
}

// One row: out[j] = f(a[j*sa], b[j*sb]) with sa, sb ∈ {0, 1}.
template <typename F>
static inline void row(F f, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  if (sa == 1 && sb == 1) for (int64_t j = 0; j < n; j++) out[j] = f(a[j], b[j]);
  else if (sa == 1 && sb == 0) { const float bv = *b; for (int64_t j = 0; j < n; j++) out[j] = f(a[j], bv); }
  else if (sa == 0 && sb == 1) { const float av = *a; for (int64_t j = 0; j < n; j++) out[j] = f(av, b[j]); }
  else for (int64_t j = 0; j < n; j++) out[j] = f(a[j * sa], b[j * sb]);
}

template <typename F>
static void rows(F f, const float* a, const int64_t* sa, const float* b, const int64_t* sb, const int64_t* shape, int rank,
                 float* out) {
  const int64_t inner = rank ? shape[rank - 1] : 1;
  const int64_t ia = rank ? sa[rank - 1] : 0, ib = rank ? sb[rank - 1] : 0;
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  std::vector<int64_t> index(rank > 1 ? rank - 1 : 1, 0);
  int64_t oa = 0, ob = 0;
  for (int64_t r = 0; r < outer; r++) {
    row(f, a + oa, ia, b + ob, ib, out + r * inner, inner);
    // Odometer over the outer axes.
    for (int d = rank - 2; d >= 0; d--) {
      index[d]++;
      oa += sa[d];
      ob += sb[d];
      if (index[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      ob -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
}

TMNN_MULTIVERSION
static void binary(int op, const float* a, const int64_t* sa, const float* b, const int64_t* sb, const int64_t* shape,
                   int rank, float* out) {
  switch (op) {
    case ADD: rows([](float x, float y) { return x + y; }, a, sa, b, sb, shape, rank, out); break;
    case SUB: rows([](float x, float y) { return x - y; }, a, sa, b, sb, shape, rank, out); break;
    case MUL: rows([](float x, float y) { return x * y; }, a, sa, b, sb, shape, rank, out); break;
    case DIV: rows([](float x, float y) { return x / y; }, a, sa, b, sb, shape, rank, out); break;
    case POW: rows([](float x, float y) { return std::pow(x, y); }, a, sa, b, sb, shape, rank, out); break;
    case MAXIMUM: rows(max_nan, a, sa, b, sb, shape, rank, out); break;
    case MINIMUM: rows(min_nan, a, sa, b, sb, shape, rank, out); break;
    case EQUAL: rows([](float x, float y) { return x == y ? 1.0f : 0.0f; }, a, sa, b, sb, shape, rank, out); break;
    case NOT_EQUAL: rows([](float x, float y) { return x != y ? 1.0f : 0.0f; }, a, sa, b, sb, shape, rank, out); break;
    case LESS: rows([](float x, float y) { return x < y ? 1.0f : 0.0f; }, a, sa, b, sb, shape, rank, out); break;
    case LESS_EQUAL: rows([](float x, float y) { return x <= y ? 1.0f : 0.0f; }, a, sa, b, sb, shape, rank, out); break;
    case GREATER: rows([](float x, float y) { return x > y ? 1.0f : 0.0f; }, a, sa, b, sb, shape, rank, out); break;
    case GREATER_EQUAL: rows([](float x, float y) { return x >= y ? 1.0f : 0.0f; }, a, sa, b, sb, shape, rank, out); break;
  }
}

// unaryF32(op, x, out)
static Napi::Value UnaryF32(const Napi::CallbackInfo& info) {
  unary(info[0].As<Napi::Number>().Int32Value(), data<float>(info[1]), data<float>(info[2]), length(info[1]));
  return info.Env().Undefined();
}

// binaryF32(op, a, aStrides, b, bStrides, outShape, out): strides in elements, 0 along broadcast axes.
static Napi::Value BinaryF32(const Napi::CallbackInfo& info) {
  const auto sa = ints(info[2]);
  const auto sb = ints(info[4]);
  const auto shape = ints(info[5]);
  binary(info[0].As<Napi::Number>().Int32Value(), data<float>(info[1]), sa.data(), data<float>(info[3]), sb.data(),
         shape.data(), int(shape.size()), data<float>(info[6]));
  return info.Env().Undefined();
}

void RegisterElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("unaryF32", Napi::Function::New(env, UnaryF32));
  exports.Set("binaryF32", Napi::Function::New(env, BinaryF32));
}

}  // namespace tmnn
