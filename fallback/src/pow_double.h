// x^y in double for x, y that came from floats, for results then rounded to
// f32 or f16 (the js backend's pow: IEEE 754's, as C and NumPy define it), in
// plain arithmetic that vectorises: std::pow is a call per element (~14 ns).
//
// For x > 0: x^y = e^{y·ln x}, with ln x to ~2^-55 (log_double.h's hi + lo)
// and y·ln x kept as p + t (t the product's rounding error, from an FMA, plus
// y·lo): e^p as exp_double.h takes it, with t added to its reduced argument.
// |y·ln x| reaches ~104 before an f32 result is 0 or ∞, where a double's ln x
// alone would be ~2^-46 off; this keeps the result within ~2 ulp of double,
// so the f32 (f16) it rounds to is std::pow's but where the exact value lies
// within a few 2^-53 of a rounding boundary.
//
// A negative x takes |x|'s value, negated for an odd integer y, NaN for a y
// that is no integer. IEEE's special cases, selected at the end so the loop
// keeps no branches: x^0 = 1 and 1^y = 1 even for NaN; ±0 and ±∞ to a power
// by the sign of y (an odd integer y keeps x's sign); |x|^±∞ by whether |x|
// is below 1 (±1^±∞ = 1); any other NaN gives NaN.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "exp_double.h"
#include "log_double.h"
#include "tmnn.h"

namespace tmnn {

// What y alone decides about x^y, as numbers. Computed once where y is one
// value for a whole loop (x.pow(1.5)): a select on y inside the loop, with
// x's values as operands, keeps GCC from vectorising it; y's conditions pick
// among constants here, and x's conditions pick among values below.
struct PowExponent {
  double y;
  double odd_sign;         // a negative x's sign, kept for an odd integer y
  double negative_factor;  // what a negative x's |x|^y is multiplied by: ±1, or NaN for a fractional y (or NaN)
  double at_zero, at_infinity, at_nan;  // ±0^y, ±∞^y (before the sign), NaN^y
};

TMNN_INLINE PowExponent pow_exponent(double y) {
  const bool y_integer = y == std::trunc(y);
  const bool y_odd = y_integer && 0.5 * y != std::trunc(0.5 * y);  // exact: a float y past 2^24 is even
  const double odd_sign = y_odd ? -1.0 : 1.0;
  const double nan = std::nan("");
  return {
      y,
      odd_sign,
      y_integer ? odd_sign : nan,
      y < 0 ? HUGE_VAL : (y > 0 ? 0.0 : (y == 0 ? 1.0 : nan)),
      y < 0 ? 0.0 : (y > 0 ? HUGE_VAL : (y == 0 ? 1.0 : nan)),
      y == 0 ? 1.0 : nan,
  };
}

TMNN_INLINE double pow_for_float(double x, const PowExponent& e) {
  const double y = e.y;
  const double ax = std::fabs(x);
  const DoubleDouble l = log_parts(ax);  // meaningless for 0, ∞ or NaN: selected away below
  const double p = y * l.hi;
  const double t = std::fma(y, l.hi, -p) + y * l.lo;
  const ExpReduced r = exp_reduce(clamp_exp_argument(p));
  const double value = r.scale + r.scale * expm1_reduced(r.r + t);
  // y = ±∞ needs no case of its own: p is ±∞ there, so the magnitude is 0 or
  // ∞ by whether |x| is below 1, but for |x| = 1 (selected below).
  const double magnitude = p < -708.0 ? 0.0 : (p > 709.0 ? HUGE_VAL : value);

  // The sign from x's bits (so −0 and −∞ count as negative).
  int64_t x_bits;
  std::memcpy(&x_bits, &x, sizeof x);
  const bool negative = x_bits < 0;
  const double general = negative ? magnitude * e.negative_factor : magnitude;
  const double edge_magnitude = ax == 0 ? e.at_zero : e.at_infinity;
  const double edge = negative ? edge_magnitude * e.odd_sign : edge_magnitude;
  const double finite = ax == 0 || ax == HUGE_VAL ? edge : general;
  const double unit = x == 1 ? 1.0 : (x == -1 ? e.negative_factor : finite);
  return x != x ? e.at_nan : unit;
}

TMNN_INLINE double pow_for_float(double x, double y) { return pow_for_float(x, pow_exponent(y)); }

}  // namespace tmnn
