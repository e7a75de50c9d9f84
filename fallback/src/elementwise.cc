// Unary maps and broadcasting binary ops for every dtype, with the js
// backend's semantics to the bit:
// - floats: exp, log, sigmoid, tanh, sin, cos and pow are computed in double and
//   rounded once (js computes in float64 too); +, -, ×, ÷, sqrt, floor, ceil and
//   round are exact in f32.
// - f16 runs the f32 loops on converted values; where a double result is
//   narrowed it is rounded to odd, so the final f16 rounding is the only one.
// - ints wrap like C (through unsigned arithmetic, so no signed overflow);
//   ÷ truncates toward zero and x ÷ 0 is 0, as JS's ToInt32 makes it.
// - maximum/minimum are JS's Math.max/min: NaN wins, and +0 > -0.
// - bitwise ops (and, or, xor, shifts) are ints' only: the ops layer refuses
//   floats, and addon.cc's binary() before they reach here.
// Float maps computed in double (and the costly binary ops: pow, atan2…) are
// split among threads on large tensors (each element costs an exp or a libm
// call); the rest are a pass over memory, which one core keeps up with.
#include <algorithm>
#include <cmath>

#include "exp_double.h"
#include "half.h"
#include "log_double.h"
#include "parallel.h"
#include "pow_double.h"
#include "special_double.h"
#include "strided.h"

namespace tmnn {

namespace {

TMNN_INLINE float max_js(float a, float b) {
  if (a != a || b != b) return a + b;
  return a > b ? a : b > a ? b : std::signbit(a) ? b : a;
}
TMNN_INLINE float min_js(float a, float b) {
  if (a != a || b != b) return a + b;
  return a < b ? a : b < a ? b : std::signbit(a) ? a : b;
}

// JS's ToInt32/ToInt8 of a double: truncate, wrap modulo 2^32 (then 2^8), NaN and ±∞ → 0.
template <typename T>
inline T js_wrap(double d) {
  if (!std::isfinite(d)) return 0;
  double m = std::fmod(std::trunc(d), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return T(uint32_t(m));
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
// For float results: exp_double.h's exp, which vectorises (as do log_double.h's
// log and exp_double.h's tanh below).
TMNN_INLINE double sigmoid_for_float(double x) { return 1.0 / (1.0 + exp_for_float(-x)); }

// Integer power modulo 2^32; a negative exponent truncates 1/x^n toward zero.
template <typename T>
TMNN_INLINE T int_pow(T x, T n) {
  if (n < 0) return x == 1 ? 1 : x == -1 ? ((n & 1) ? -1 : 1) : 0;
  uint32_t base = uint32_t(x), result = 1, e = uint32_t(n);
  for (; e; e >>= 1, base *= base)
    if (e & 1) result *= base;
  return T(result);
}

template <typename T, typename F>
TMNN_INLINE void map1(const T* __restrict x, T* __restrict y, int64_t n, F f) {
  for (int64_t i = 0; i < n; i++) y[i] = f(x[i]);
}

// One binary op over a walk: the inner loop specialised for the layouts that vectorise.
template <typename T, typename F>
TMNN_INLINE void map2(const Walk<2>& w, const T* a, const T* b, T* out, F f) {
  const int64_t ia = w.inner_stride(0), ib = w.inner_stride(1);
  w.rows({0, 0}, [&](const std::array<int64_t, 2>& at, int64_t o, int64_t n) __attribute__((always_inline)) {
    const T* __restrict pa = a + at[0];
    const T* __restrict pb = b + at[1];
    T* __restrict po = out + o;
    if (ia == 1 && ib == 1) {
      for (int64_t j = 0; j < n; j++) po[j] = f(pa[j], pb[j]);
    } else if (ia == 1 && ib == 0) {
      const T bv = *pb;
      for (int64_t j = 0; j < n; j++) po[j] = f(pa[j], bv);
    } else if (ia == 0 && ib == 1) {
      const T av = *pa;
      for (int64_t j = 0; j < n; j++) po[j] = f(av, pb[j]);
    } else {
      for (int64_t j = 0; j < n; j++) po[j] = f(pa[j * ia], pb[j * ib]);
    }
  });
}

// In double, then narrowed (to odd when the result will become f16).
template <bool ToHalf>
TMNN_INLINE void unary_double(int op, const float* x, float* y, int64_t n) {
  switch (op) {
    case EXP: map1(x, y, n, [](float v) { return narrow<ToHalf>(exp_for_float(double(v))); }); break;
    case LOG: map1(x, y, n, [](float v) { return narrow<ToHalf>(log_for_float(double(v))); }); break;
    case SIGMOID: map1(x, y, n, [](float v) { return narrow<ToHalf>(sigmoid_for_float(v)); }); break;
    case TANH: map1(x, y, n, [](float v) { return narrow<ToHalf>(tanh_for_float(double(v))); }); break;
    // libm's, as V8's Math.sin and Math.cos: both within an ulp of double, so the same f32 but where the
    // exact value lies within ~2^-53 of a rounding boundary.
    case SIN: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::sin(double(v))); }); break;
    case COS: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::cos(double(v))); }); break;
    case ERF: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::erf(double(v))); }); break;
    // libm's in double, as V8's Math functions (fdlibm's): both within an ulp of double.
    case LOG1P: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::log1p(double(v))); }); break;
    case EXPM1: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::expm1(double(v))); }); break;
    case TAN: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::tan(double(v))); }); break;
    case ASIN: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::asin(double(v))); }); break;
    case ACOS: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::acos(double(v))); }); break;
    case ATAN: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::atan(double(v))); }); break;
    case SINH: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::sinh(double(v))); }); break;
    case COSH: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::cosh(double(v))); }); break;
    case ASINH: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::asinh(double(v))); }); break;
    case ACOSH: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::acosh(double(v))); }); break;
    case ATANH: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::atanh(double(v))); }); break;
    case ERFC: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::erfc(double(v))); }); break;
    // special_double.h's, the js backend's algorithms.
    case LGAMMA: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::lgamma(v)); }); break;
    case DIGAMMA: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::digamma(v)); }); break;
    case TRIGAMMA: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::trigamma(v)); }); break;
    case ERFINV: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::erfinv(v)); }); break;
    case SINC: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::sinc(v)); }); break;
    case LOGIT: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::logit(v)); }); break;
    case I0: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::bessel_i(0, v)); }); break;
    case I1: map1(x, y, n, [](float v) { return narrow<ToHalf>(special::bessel_i(1, v)); }); break;
    // libm's in double, as V8's Math.log2, Math.log10 and 2 ** x: exact at the powers of two (and log10 at ten's).
    case LOG2: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::log2(double(v))); }); break;
    case LOG10: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::log10(double(v))); }); break;
    case EXP2: map1(x, y, n, [](float v) { return narrow<ToHalf>(std::exp2(double(v))); }); break;
  }
}

TMNN_MULTIVERSION
void unary_f32(int op, const float* x, float* y, int64_t n, bool to_half) {
  switch (op) {
    case NEG: map1(x, y, n, [](float v) { return -v; }); break;
    case ABS: map1(x, y, n, [](float v) { return std::fabs(v); }); break;
    case SIGN: map1(x, y, n, [](float v) { return v > 0 ? 1.0f : v < 0 ? -1.0f : v == 0 ? 0.0f : v; }); break;
    case SQRT: map1(x, y, n, [](float v) { return std::sqrt(v); }); break;
    case RELU: map1(x, y, n, [](float v) { return v > 0 ? v : v != v ? v : 0.0f; }); break;
    case FLOOR: map1(x, y, n, [](float v) { return std::floor(v); }); break;
    case CEIL: map1(x, y, n, [](float v) { return std::ceil(v); }); break;
    case ROUND: map1(x, y, n, [](float v) { return std::nearbyint(v); }); break;  // halves to even (the default rounding mode)
    case TRUNC: map1(x, y, n, [](float v) { return std::trunc(v); }); break;
    default: to_half ? unary_double<true>(op, x, y, n) : unary_double<false>(op, x, y, n);
  }
}

template <typename T>
TMNN_INLINE void unary_int(int op, const T* x, T* y, int64_t n) {
  switch (op) {
    case NEG: map1(x, y, n, [](T v) { return T(0u - uint32_t(v)); }); break;
    case ABS: map1(x, y, n, [](T v) { return v < 0 ? T(0u - uint32_t(v)) : v; }); break;
    case SIGN: map1(x, y, n, [](T v) { return T((v > 0) - (v < 0)); }); break;
    case RELU: map1(x, y, n, [](T v) { return v > 0 ? v : T(0); }); break;
    // Float-valued ops on ints (the ops layer casts first, but the kernel contract allows them).
    case EXP: map1(x, y, n, [](T v) { return js_wrap<T>(std::exp(double(v))); }); break;
    case LOG: map1(x, y, n, [](T v) { return js_wrap<T>(std::log(double(v))); }); break;
    case SQRT: map1(x, y, n, [](T v) { return js_wrap<T>(std::sqrt(double(v))); }); break;
    case SIGMOID: map1(x, y, n, [](T v) { return js_wrap<T>(sigmoid(v)); }); break;
    case TANH: map1(x, y, n, [](T v) { return js_wrap<T>(std::tanh(double(v))); }); break;
    case FLOOR: case CEIL: case ROUND: case TRUNC: map1(x, y, n, [](T v) { return v; }); break;
    case SIN: map1(x, y, n, [](T v) { return js_wrap<T>(std::sin(double(v))); }); break;
    case COS: map1(x, y, n, [](T v) { return js_wrap<T>(std::cos(double(v))); }); break;
    case ERF: map1(x, y, n, [](T v) { return js_wrap<T>(std::erf(double(v))); }); break;
    case LOG1P: map1(x, y, n, [](T v) { return js_wrap<T>(std::log1p(double(v))); }); break;
    case EXPM1: map1(x, y, n, [](T v) { return js_wrap<T>(std::expm1(double(v))); }); break;
    case TAN: map1(x, y, n, [](T v) { return js_wrap<T>(std::tan(double(v))); }); break;
    case ASIN: map1(x, y, n, [](T v) { return js_wrap<T>(std::asin(double(v))); }); break;
    case ACOS: map1(x, y, n, [](T v) { return js_wrap<T>(std::acos(double(v))); }); break;
    case ATAN: map1(x, y, n, [](T v) { return js_wrap<T>(std::atan(double(v))); }); break;
    case SINH: map1(x, y, n, [](T v) { return js_wrap<T>(std::sinh(double(v))); }); break;
    case COSH: map1(x, y, n, [](T v) { return js_wrap<T>(std::cosh(double(v))); }); break;
    case ASINH: map1(x, y, n, [](T v) { return js_wrap<T>(std::asinh(double(v))); }); break;
    case ACOSH: map1(x, y, n, [](T v) { return js_wrap<T>(std::acosh(double(v))); }); break;
    case ATANH: map1(x, y, n, [](T v) { return js_wrap<T>(std::atanh(double(v))); }); break;
    case ERFC: map1(x, y, n, [](T v) { return js_wrap<T>(std::erfc(double(v))); }); break;
    case LGAMMA: map1(x, y, n, [](T v) { return js_wrap<T>(special::lgamma(double(v))); }); break;
    case DIGAMMA: map1(x, y, n, [](T v) { return js_wrap<T>(special::digamma(double(v))); }); break;
    case TRIGAMMA: map1(x, y, n, [](T v) { return js_wrap<T>(special::trigamma(double(v))); }); break;
    case ERFINV: map1(x, y, n, [](T v) { return js_wrap<T>(special::erfinv(double(v))); }); break;
    case SINC: map1(x, y, n, [](T v) { return js_wrap<T>(special::sinc(double(v))); }); break;
    case LOGIT: map1(x, y, n, [](T v) { return js_wrap<T>(special::logit(double(v))); }); break;
    case I0: map1(x, y, n, [](T v) { return js_wrap<T>(special::bessel_i(0, double(v))); }); break;
    case I1: map1(x, y, n, [](T v) { return js_wrap<T>(special::bessel_i(1, double(v))); }); break;
    case LOG2: map1(x, y, n, [](T v) { return js_wrap<T>(std::log2(double(v))); }); break;
    case LOG10: map1(x, y, n, [](T v) { return js_wrap<T>(std::log10(double(v))); }); break;
    case EXP2: map1(x, y, n, [](T v) { return js_wrap<T>(std::exp2(double(v))); }); break;
  }
}

TMNN_MULTIVERSION void unary_i32(int op, const int32_t* x, int32_t* y, int64_t n) { unary_int(op, x, y, n); }
TMNN_MULTIVERSION void unary_i8(int op, const int8_t* x, int8_t* y, int64_t n) { unary_int(op, x, y, n); }

// x^y along a row of x with one y (x.pow(2), or a column of exponents
// broadcast along rows): the exponents programs use most in a rounding or
// two, the rest through pow_double.h with what y alone decides worked out
// once per row (a select on y inside the loop would keep it scalar):
// y = 0, ±1, 2 and ½ as fdlibm's pow (V8's Math.pow, so the js backend's)
// answers them, by rule (x² of a float is exact in double; √ of a float rounds
// the same through double); y = 3, −2 and −½ in at most two roundings of
// double (x² exact, then one operation; 1/√x two), within an ulp of double,
// so the same f32 (f16) but where the exact value lies within ~2^-53 of a
// rounding boundary, as for pow_double.h; pow's special cases of ±0 and −∞
// are kept. x is read every `ia` floats.
template <bool ToHalf>
TMNN_INLINE void pow_row(const float* __restrict a, int64_t ia, float y, float* __restrict out, int64_t n) {
  const auto each = [&](auto f) {
    if (ia == 1) for (int64_t j = 0; j < n; j++) out[j] = f(a[j]);
    else for (int64_t j = 0; j < n; j++) out[j] = f(a[j * ia]);
  };
  const auto wide = [&](auto f) { each([=](float x) { return narrow<ToHalf>(f(double(x))); }); };
  if (y == 0) wide([](double) { return 1.0; });  // even 0^0, NaN^0
  else if (y == 1) wide([](double x) { return x; });
  else if (y == 2) each([](float x) { return x * x; });  // one rounding in f32 (exact for f16 values)
  else if (y == -1) wide([](double x) { return 1.0 / x; });
  // fdlibm's rule holds for a clear sign bit; −0 → +0 and −∞ → +∞ by pow's other cases, other negatives NaN as √ gives.
  else if (y == 0.5f) wide([](double x) { return x == 0 ? 0.0 : x == -HUGE_VAL ? HUGE_VAL : std::sqrt(x); });
  else if (y == 3) wide([](double x) { return x * x * x; });
  else if (y == -2) wide([](double x) { return 1.0 / (x * x); });
  // pow(−0, −½) = +∞ and pow(−∞, −½) = +0, where 1/√ gives −∞ and NaN.
  else if (y == -0.5f) wide([](double x) { return x == 0 ? HUGE_VAL : x == -HUGE_VAL ? 0.0 : 1.0 / std::sqrt(x); });
  else {
    const PowExponent e = pow_exponent(y);
    wide([=](double x) { return pow_for_float(x, e); });
  }
}

// pow_double.h's x^y is large: a lambda calling it, or one it is passed to,
// may be left as a call by GCC's inliner, and a call keeps the loop scalar.
// `flatten` inlines everything this function calls.
TMNN_MULTIVERSION __attribute__((flatten))
void pow_f32(const Walk<2>& w, const float* a, const float* b, float* out, bool to_half) {
  if (w.inner_stride(1) == 0) {
    // One exponent a row (one for all of x where b is one value): pow_row, ~8× the loop below, which reads y per
    // element and keeps the loop scalar (x [1024, 1024] to a column of exponents: 17 ms → 2.1 on one core).
    const int64_t ia = w.inner_stride(0);
    w.rows({0, 0}, [&](const std::array<int64_t, 2>& at, int64_t o, int64_t n) {
      if (to_half) pow_row<true>(a + at[0], ia, b[at[1]], out + o, n);
      else pow_row<false>(a + at[0], ia, b[at[1]], out + o, n);
    });
    return;
  }
  if (to_half) map2(w, a, b, out, [](float x, float y) { return narrow<true>(pow_for_float(x, y)); });
  else map2(w, a, b, out, [](float x, float y) { return narrow<false>(pow_for_float(x, y)); });
}

// a − b·⌊a/b⌋ (Python's %, PyTorch's remainder) in double: fmod is exact, the
// one rounding is of r + b; a zero result takes b's sign, as NumPy's.
TMNN_INLINE double remainder_double(double a, double b) {
  const double r = std::fmod(a, b);
  if (r == 0) return std::copysign(0.0, b);
  return (r < 0) != (b < 0) ? r + b : r;
}

// ⌊a/b⌋ as Python's float // (PyTorch's floor_divide, NumPy's): from fmod, which is
// exact, so that a·b⁻¹'s rounding cannot cross an integer; the quotient of
// a − fmod(a, b), a whole multiple of b, rounded to the nearest integer. b = 0
// gives a / b (±∞, NaN), as NumPy and PyTorch.
TMNN_INLINE double floor_divide_double(double a, double b) {
  if (b == 0) return a / b;
  const double mod = std::fmod(a, b);
  double q = (a - mod) / b;
  if (mod != 0 && (b < 0) != (mod < 0)) q -= 1;
  if (q == 0) return std::copysign(0.0, a / b);
  const double whole = std::floor(q);
  return q - whole > 0.5 ? whole + 1 : whole;
}

TMNN_MULTIVERSION
void binary_f32(int op, const Walk<2>& w, const float* a, const float* b, float* out, bool to_half) {
  switch (op) {
    case ADD: map2(w, a, b, out, [](float x, float y) { return x + y; }); break;
    case SUB: map2(w, a, b, out, [](float x, float y) { return x - y; }); break;
    case MUL: map2(w, a, b, out, [](float x, float y) { return x * y; }); break;
    case DIV: map2(w, a, b, out, [](float x, float y) { return x / y; }); break;
    case POW: pow_f32(w, a, b, out, to_half); break;
    case MAXIMUM: map2(w, a, b, out, [](float x, float y) { return max_js(x, y); }); break;
    case MINIMUM: map2(w, a, b, out, [](float x, float y) { return min_js(x, y); }); break;
    case ATAN2:
      if (to_half) map2(w, a, b, out, [](float y, float x) { return narrow<true>(std::atan2(double(y), double(x))); });
      else map2(w, a, b, out, [](float y, float x) { return narrow<false>(std::atan2(double(y), double(x))); });
      break;
    case REMAINDER:
      if (to_half) map2(w, a, b, out, [](float x, float y) { return narrow<true>(remainder_double(x, y)); });
      else map2(w, a, b, out, [](float x, float y) { return narrow<false>(remainder_double(x, y)); });
      break;
    case XLOGY:
      if (to_half) map2(w, a, b, out, [](float x, float y) { return narrow<true>(special::xlogy(x, y)); });
      else map2(w, a, b, out, [](float x, float y) { return narrow<false>(special::xlogy(x, y)); });
      break;
    case LOGADDEXP:
      if (to_half) map2(w, a, b, out, [](float x, float y) { return narrow<true>(special::logaddexp(x, y)); });
      else map2(w, a, b, out, [](float x, float y) { return narrow<false>(special::logaddexp(x, y)); });
      break;
    case HYPOT:
      if (to_half) map2(w, a, b, out, [](float x, float y) { return narrow<true>(special::hypot(x, y)); });
      else map2(w, a, b, out, [](float x, float y) { return narrow<false>(special::hypot(x, y)); });
      break;
    case COPYSIGN: map2(w, a, b, out, [](float x, float y) { return float(special::copysign_js(x, y)); }); break;
    case FLOOR_DIVIDE:
      if (to_half) map2(w, a, b, out, [](float x, float y) { return narrow<true>(floor_divide_double(x, y)); });
      else map2(w, a, b, out, [](float x, float y) { return narrow<false>(floor_divide_double(x, y)); });
      break;
    case EQUAL: map2(w, a, b, out, [](float x, float y) { return x == y ? 1.0f : 0.0f; }); break;
    case NOT_EQUAL: map2(w, a, b, out, [](float x, float y) { return x != y ? 1.0f : 0.0f; }); break;
    case LESS: map2(w, a, b, out, [](float x, float y) { return x < y ? 1.0f : 0.0f; }); break;
    case LESS_EQUAL: map2(w, a, b, out, [](float x, float y) { return x <= y ? 1.0f : 0.0f; }); break;
    case GREATER: map2(w, a, b, out, [](float x, float y) { return x > y ? 1.0f : 0.0f; }); break;
    case GREATER_EQUAL: map2(w, a, b, out, [](float x, float y) { return x >= y ? 1.0f : 0.0f; }); break;
  }
}

template <typename T>
TMNN_INLINE void binary_int(int op, const Walk<2>& w, const T* a, const T* b, T* out) {
  switch (op) {
    case ADD: map2(w, a, b, out, [](T x, T y) { return T(uint32_t(x) + uint32_t(y)); }); break;
    case SUB: map2(w, a, b, out, [](T x, T y) { return T(uint32_t(x) - uint32_t(y)); }); break;
    case MUL: map2(w, a, b, out, [](T x, T y) { return T(uint32_t(x) * uint32_t(y)); }); break;
    case DIV: map2(w, a, b, out, [](T x, T y) { return y == 0 ? T(0) : T(uint32_t(int64_t(x) / int64_t(y))); }); break;
    case POW: map2(w, a, b, out, [](T x, T y) { return int_pow(x, y); }); break;
    case MAXIMUM: map2(w, a, b, out, [](T x, T y) { return x > y ? x : y; }); break;
    case MINIMUM: map2(w, a, b, out, [](T x, T y) { return x < y ? x : y; }); break;
    // Float-valued (the ops layer casts first, but the kernel contract allows it).
    case ATAN2: map2(w, a, b, out, [](T x, T y) { return js_wrap<T>(std::atan2(double(x), double(y))); }); break;
    case XLOGY: map2(w, a, b, out, [](T x, T y) { return js_wrap<T>(special::xlogy(double(x), double(y))); }); break;
    case LOGADDEXP: map2(w, a, b, out, [](T x, T y) { return js_wrap<T>(special::logaddexp(double(x), double(y))); }); break;
    case HYPOT: map2(w, a, b, out, [](T x, T y) { return js_wrap<T>(special::hypot(x, y)); }); break;
    case COPYSIGN: map2(w, a, b, out, [](T x, T y) { return js_wrap<T>(special::copysign_js(double(x), double(y))); }); break;
    // x rem 0 is 0, as x ÷ 0; x rem −1 is 0 (INT_MIN % −1 would trap).
    case REMAINDER: map2(w, a, b, out, [](T x, T y) {
      if (y == 0 || y == -1) return T(0);
      const T r = T(x % y);
      return r != 0 && (r < 0) != (y < 0) ? T(r + y) : r;
    }); break;
    // ⌊x/y⌋ in int64 (INT_MIN ÷ −1 fits there), wrapping to T; x ÷ 0 is 0.
    case FLOOR_DIVIDE: map2(w, a, b, out, [](T x, T y) {
      if (y == 0) return T(0);
      const int64_t q = int64_t(x) / int64_t(y);
      return T(uint32_t(q - (int64_t(x) % int64_t(y) != 0 && (x < 0) != (y < 0))));
    }); break;
    case EQUAL: map2(w, a, b, out, [](T x, T y) { return T(x == y); }); break;
    case NOT_EQUAL: map2(w, a, b, out, [](T x, T y) { return T(x != y); }); break;
    case BITWISE_AND: map2(w, a, b, out, [](T x, T y) { return T(x & y); }); break;
    case BITWISE_OR: map2(w, a, b, out, [](T x, T y) { return T(x | y); }); break;
    case BITWISE_XOR: map2(w, a, b, out, [](T x, T y) { return T(x ^ y); }); break;
    // PyTorch's CPU rule for shifts by a negative amount or the width or more (C++ leaves them undefined):
    // 0 to the left, the sign bit's fill to the right (0 or −1).
    case BITWISE_LEFT_SHIFT: map2(w, a, b, out, [](T x, T y) {
      return y < 0 || y >= T(sizeof(T) * 8) ? T(0) : T(uint32_t(x) << y);
    }); break;
    case BITWISE_RIGHT_SHIFT: map2(w, a, b, out, [](T x, T y) {
      return T(x >> (y < 0 || y >= T(sizeof(T) * 8) ? int(sizeof(T) * 8 - 1) : int(y)));
    }); break;
    case LESS: map2(w, a, b, out, [](T x, T y) { return T(x < y); }); break;
    case LESS_EQUAL: map2(w, a, b, out, [](T x, T y) { return T(x <= y); }); break;
    case GREATER: map2(w, a, b, out, [](T x, T y) { return T(x > y); }); break;
    case GREATER_EQUAL: map2(w, a, b, out, [](T x, T y) { return T(x >= y); }); break;
  }
}

TMNN_MULTIVERSION
void binary_i32(int op, const Walk<2>& w, const int32_t* a, const int32_t* b, int32_t* out) { binary_int(op, w, a, b, out); }
TMNN_MULTIVERSION
void binary_i8(int op, const Walk<2>& w, const int8_t* a, const int8_t* b, int8_t* out) { binary_int(op, w, a, b, out); }

std::vector<float> widen(const Array& h) {
  std::vector<float> f(h.length);
  f16_to_f32(h.as<uint16_t>(), f.data(), h.length);
  return f;
}

// How many elements of float op `op` make a part worth a thread of its own:
// waking one costs ~25 µs here, which a [256, 256] exp (~37 µs on one core)
// barely pays back. 0: never split (a pass over memory).
int64_t elements_per_part(int op) {
  switch (op) {
    case NEG: case ABS: case SIGN: case SQRT: case RELU: case FLOOR: case CEIL: case ROUND: case TRUNC: return 0;
    // Vectorised in double (exp_double.h, log_double.h): under a ns an element.
    case EXP: case LOG: case SIGMOID: case TANH: return 1 << 17;
    // libm's and special_double.h's, one call an element: several ns.
    default: return 1 << 14;
  }
}

// f(first, count) over [0, n) in parts of whole blocks of `align` elements, on threads where it pays.
template <typename F>
void split_elements(int op, int64_t n, int64_t align, F f) {
  const int64_t per_part = elements_per_part(op);
  const int64_t blocks = (n + align - 1) / align;
  const int parts = per_part ? thread_parts(std::min(blocks, n / per_part)) : 1;
  parallel(parts, [&](int part) {
    const auto [first, end] = share(blocks, parts, part);
    const int64_t from = first * align, to = std::min(n, end * align);
    if (to > from) f(from, to - from);
  });
}

// The same for binary float op `op`: pow through pow_double.h's vectorised exp
// and log, the others through libm or special_double.h, one call an element.
int64_t binary_elements_per_part(int op) {
  switch (op) {
    case POW: return 1 << 16;
    case ATAN2: case REMAINDER: case XLOGY: case LOGADDEXP: case HYPOT: case FLOOR_DIVIDE: return 1 << 14;
    default: return 0;
  }
}

// f(part, a_offset, b_offset, out_offset) over parts of the walk's outermost
// axis, on threads where it pays: each part a walk of its own (a slab of rows
// of a broadcast, or a run of one flat axis), its operands and output offset.
template <typename F>
void split_walk(int op, const Walk<2>& w, int64_t n, F f) {
  const int64_t per_part = binary_elements_per_part(op);
  const int64_t outer = w.shape[0];
  const int parts = per_part ? thread_parts(std::min(outer, n / per_part)) : 1;
  if (parts <= 1) return f(w, 0, 0, 0);
  const int64_t row = n / outer;
  parallel(parts, [&](int part) {
    const auto [lo, hi] = share(outer, parts, part);
    if (hi <= lo) return;
    Walk<2> slab = w;
    slab.shape[0] = hi - lo;
    f(slab, lo * w.strides[0][0], lo * w.strides[1][0], lo * row);
  });
}

}  // namespace

void unary(int op, const Array& x, const Array& out) {
  const int64_t n = out.length;
  switch (x.dtype) {
    case F32: {
      const float* in = x.as<float>();
      float* y = out.as<float>();
      // Parts of whole 64-byte lines, so no two threads write one.
      split_elements(op, n, 16, [&](int64_t first, int64_t count) { unary_f32(op, in + first, y + first, count, false); });
      break;
    }
    case I32: unary_i32(op, x.as<int32_t>(), out.as<int32_t>(), n); break;
    case I8: unary_i8(op, x.as<int8_t>(), out.as<int8_t>(), n); break;
    case F16: {
      // In blocks that stay in L1: convert, compute, convert back.
      constexpr int64_t BLOCK = 2048;
      split_elements(op, n, BLOCK, [&](int64_t first, int64_t count) {
        float in[BLOCK], res[BLOCK];
        for (int64_t i = first; i < first + count; i += BLOCK) {
          const int64_t m = std::min(BLOCK, first + count - i);
          f16_to_f32(x.as<uint16_t>() + i, in, m);
          unary_f32(op, in, res, m, true);
          f32_to_f16(res, out.as<uint16_t>() + i, m);
        }
      });
      break;
    }
  }
}

void binary(int op, const Array& a, const Shape& sa, const Array& b, const Shape& sb, const Shape& shape, const Array& out) {
  if (out.length == 0) return;
  const Walk<2> w(shape, {&sa, &sb});
  switch (a.dtype) {
    case F32:
      split_walk(op, w, out.length, [&](const Walk<2>& part, int64_t ia, int64_t ib, int64_t io) {
        binary_f32(op, part, a.as<float>() + ia, b.as<float>() + ib, out.as<float>() + io, false);
      });
      break;
    case I32: binary_i32(op, w, a.as<int32_t>(), b.as<int32_t>(), out.as<int32_t>()); break;
    case I8: binary_i8(op, w, a.as<int8_t>(), b.as<int8_t>(), out.as<int8_t>()); break;
    case F16: {
      const std::vector<float> fa = widen(a), fb = widen(b);
      std::vector<float> res(out.length);
      split_walk(op, w, out.length, [&](const Walk<2>& part, int64_t ia, int64_t ib, int64_t io) {
        binary_f32(op, part, fa.data() + ia, fb.data() + ib, res.data() + io, true);
      });
      f32_to_f16(res.data(), out.as<uint16_t>(), out.length);
      break;
    }
  }
}

}  // namespace tmnn
