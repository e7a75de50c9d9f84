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

TMNN_INLINE double pow_for_float(double x, double y) {
  const double ax = std::fabs(x);
  const DoubleDouble l = log_parts(ax);  // meaningless for 0, ∞ or NaN: selected away below
  const double p = y * l.hi;
  const double t = std::fma(y, l.hi, -p) + y * l.lo;
  const ExpReduced e = exp_reduce(clamp_exp_argument(p));
  const double value = e.scale + e.scale * expm1_reduced(e.r + t);
  const double magnitude = p < -708.0 ? 0.0 : (p > 709.0 ? HUGE_VAL : value);

  // Selects on double lanes only: the sign from x's bits (so −0 and −∞ count
  // as negative), not a compare that GCC would narrow to x's float.
  int64_t x_bits;
  std::memcpy(&x_bits, &x, sizeof x);
  const bool negative = x_bits < 0;
  const bool y_integer = y == std::trunc(y);
  const bool y_odd = 0.5 * y != std::trunc(0.5 * y);  // given y_integer; exact: a float y past 2^24 is even
  const double signed_magnitude = negative && y_odd ? -magnitude : magnitude;
  const double general = negative && !y_integer ? std::nan("") : signed_magnitude;
  // 0^y and ∞^y: ∞ or 0 by the sign of y (and of which x), signed as x for an odd integer y.
  const double zero_or_infinite = (ax == 0) == (y < 0) ? HUGE_VAL : 0.0;
  const double edge = negative && y_integer && y_odd ? -zero_or_infinite : zero_or_infinite;
  const double to_infinity = ax == 1 ? 1.0 : ((ax < 1) == (y < 0) ? HUGE_VAL : 0.0);
  const double finite = std::fabs(y) == HUGE_VAL ? to_infinity : (ax == 0 || ax == HUGE_VAL ? edge : general);
  const double nan_or = x != x || y != y ? std::nan("") : finite;
  return y == 0 || x == 1 ? 1.0 : nan_or;
}

}  // namespace tmnn
