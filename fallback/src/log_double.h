// ln x in double for x that came from a float (so a normal double or 0, ±∞,
// NaN), for results then rounded to f32 or f16 — in plain arithmetic so that
// loops over it vectorise: libm's log is a call per element (~9 ns here).
//
// x = 2^k · m with m in [√½, √2) taken from the bits; with f = m − 1 (exact)
// and s = f / (2 + f), ln m = 2·atanh s = f − s·(f − T), T = 2s²/3 + 2s⁴/5 + …
// to s^18 (|s| ≤ 0.1716: the next term is below 3e-17 of the result), so the
// leading f is exact and the rounding errors fall on a correction term; then
// ln x = k·ln2_hi + ln m + k·ln2_lo, k·ln2_hi exact, summed keeping what each
// addition rounds away (log_parts, which pow uses whole). Within ~1 ulp of double,
// so the f32 (f16) it rounds to is libm's and the js backend's but where the
// exact value lies within a few 2^-53 of a rounding boundary.
//
// ln 0 = −∞, ln of a negative or NaN = NaN, ln ∞ = ∞: selected at the end, so
// the loop stays free of branches.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "exp_double.h"  // LN2_HI, LN2_LO
#include "tmnn.h"

namespace tmnn {

// ln x as hi + lo (lo holding what hi's rounding lost, to ~2^-55 of ln x)
// for a positive finite x: pow needs more than a double's digits of ln x,
// since y·ln x multiplies its error.
struct DoubleDouble {
  double hi, lo;
};

TMNN_INLINE DoubleDouble log_parts(double x) {
  constexpr double SQRT2 = 1.4142135623730951;
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof x);
  const int64_t exponent = int64_t((bits >> 52) & 0x7ff) - 1023;
  const uint64_t mantissa_bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
  double m;
  std::memcpy(&m, &mantissa_bits, sizeof m);  // in [1, 2)
  const bool high = m > SQRT2;
  m = high ? m * 0.5 : m;
  const double k = double(exponent + (high ? 1 : 0));
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  // T = z·(2/3 + 2z/5 + … + 2z⁸/19), z = s².
  static constexpr double TWO_OVER_ODD[] = {2.0 / 19.0, 2.0 / 17.0, 2.0 / 15.0, 2.0 / 13.0, 2.0 / 11.0, 2.0 / 9.0, 2.0 / 7.0, 2.0 / 5.0, 2.0 / 3.0};
  const double c = s * (f - horner(z, TWO_OVER_ODD) * z);  // ln m = f − c, |c| ≤ f²/2
  const double m_hi = f - c;
  const double m_lo = (f - m_hi) - c;  // exact: |f| ≥ |c|
  const double k_hi = k * LN2_HI;      // exact: LN2_HI's trailing zeros
  const double hi = k_hi + m_hi;
  const double back = hi - k_hi;       // hi's rounding error, exactly (two-sum)
  const double error = (k_hi - (hi - back)) + (m_hi - back);
  return {hi, error + (m_lo + k * LN2_LO)};
}

TMNN_INLINE double log_for_float(double x) {
  const DoubleDouble l = log_parts(x);
  const double special = x == 0 ? -HUGE_VAL : (x == HUGE_VAL ? HUGE_VAL : std::nan(""));
  return x > 0 && x < HUGE_VAL ? l.hi + l.lo : special;
}

}  // namespace tmnn
