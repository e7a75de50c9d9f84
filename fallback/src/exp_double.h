// e^x, e^x − 1 and tanh x in double for results that are then rounded to f32
// or f16 (the unary exp, sigmoid and tanh, softmax), written in plain
// arithmetic so that loops over them vectorise: libm's exp is a call per
// element (~6 ns here; tanh ~18 ns), these are a few multiply-adds a lane.
//
// e^x = 2^k · e^r with k = round(x / ln 2) and r = x − k·ln 2 (ln 2 in two
// parts, the first with trailing zero bits, so k·ln2_hi is exact), |r| ≤ ln 2 / 2;
// e^r − 1 from its Taylor series to r^13 (the next term is below 5e-18); 2^k
// made in the exponent bits. Within ~2 ulp of double (tanh, a quotient of
// two such values, ~4), so the f32 (f16) it rounds to is libm's and the js
// backend's but where the exact value lies within a few 2^-53 of a rounding
// boundary (none of the millions of values the tests and sweeps tried).
//
// The arithmetic runs on x clamped to [−708, 709], where 2^k stays a normal
// double; below that range e^x is 0 (e^x < 2^-1021: 0 in f32, and
// nothing next to a softmax's largest term, e^0), above it +Infinity (which
// e^x is in f32 from 88.8 on), so e^−∞ = 0 and e^∞ = ∞ exactly, as a softmax
// row of −∞ or +∞ needs them (NaN, as js gives). NaN stays NaN.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "tmnn.h"

namespace tmnn {

// ln 2 in two parts, the first with trailing zero bits, so that k·LN2_HI is
// exact for every k here (|k| < 2^11); shared with log_double.h.
constexpr double LN2_HI = 6.93147180369123816490e-01;
constexpr double LN2_LO = 1.90821492927058770002e-10;

// x = k·ln 2 + r, and 2^k, for x already clamped to [−708, 709].
struct ExpReduced {
  double r, scale;
};

TMNN_INLINE ExpReduced exp_reduce(double c) {
  constexpr double LOG2E = 1.4426950408889634;
  constexpr double SHIFT = 6755399441055744.0;  // 1.5 · 2^52: adding it rounds to an integer, kept in the low bits
  const double t = c * LOG2E + SHIFT;
  const double kd = t - SHIFT;
  int64_t t_bits, shift_bits;
  std::memcpy(&t_bits, &t, sizeof t);
  std::memcpy(&shift_bits, &SHIFT, sizeof SHIFT);
  const int64_t k = t_bits - shift_bits;  // round(c / ln 2), in [−1022, 1023]
  const uint64_t scale_bits = uint64_t(k + 1023) << 52;
  double scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return {(c - kd * LN2_HI) - kd * LN2_LO, scale};
}

// e^r − 1 for |r| ≤ ln 2 / 2, without the cancellation of e^r and 1.
TMNN_INLINE double expm1_reduced(double r) {
  // 1/13!, 1/12!, …, 1/2!: e^r − 1 = r + r²·(1/2! + r/3! + …).
  static constexpr double INVERSE_FACTORIALS[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0,
                                                  1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0, 1.0 / 720.0,
                                                  1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5};
  return horner(r, INVERSE_FACTORIALS) * r * r + r;
}

TMNN_INLINE double clamp_exp_argument(double x) { return x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x); }

TMNN_INLINE double exp_for_float(double x) {
  const ExpReduced e = exp_reduce(clamp_exp_argument(x));
  const double value = e.scale + e.scale * expm1_reduced(e.r);
  const double low = x < -708.0 ? 0.0 : value;
  return x > 709.0 ? HUGE_VAL : low;
}

// e^x − 1 = 2^k (e^r − 1) + (2^k − 1): exact 2^k − 1, and for small x (k = 0)
// the series alone, so tanh of a tiny x keeps its digits.
TMNN_INLINE double expm1_for_float(double x) {
  const ExpReduced e = exp_reduce(clamp_exp_argument(x));
  const double value = e.scale * expm1_reduced(e.r) + (e.scale - 1.0);
  const double low = x < -708.0 ? -1.0 : value;
  return x > 709.0 ? HUGE_VAL : low;
}

// tanh |x| = u / (u + 2) with u = e^{2|x|} − 1, signed as x (so −0 stays −0).
// From |x| = 20 on, tanh is 1 in double; clamping there keeps u finite, and
// keeps NaN (a compare with NaN is false).
TMNN_INLINE double tanh_for_float(double x) {
  const double a = std::fabs(x);
  const double t = a > 20.0 ? 20.0 : a;
  const double u = expm1_for_float(2.0 * t);
  return std::copysign(u / (u + 2.0), x);
}

}  // namespace tmnn
