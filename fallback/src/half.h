// Scalar IEEE binary16 conversions and the narrowing that makes f16 results
// match the js backend, which computes in float64 and rounds once to f16.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace tmnn {

inline uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

inline float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline float half_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0x1f) return bits_float(sign | 0x7f800000 | (mant << 13));
  if (exp != 0) return bits_float(sign | ((exp + 112) << 23) | (mant << 13));
  // Zero or subnormal: mant · 2^-24 is exact in f32.
  const float v = float(mant) * 5.9604644775390625e-8f;
  return sign ? -v : v;
}

// Round to nearest even; every NaN becomes 0x7e00, the one NaN the js
// encoder writes, so both backends store identical bits.
inline uint16_t float_to_half(float f) {
  const uint32_t x = float_bits(f);
  const uint16_t sign = (x >> 16) & 0x8000;
  const uint32_t abs = x & 0x7fffffff;
  if (abs > 0x7f800000) return 0x7e00;         // NaN: the js encoder's one pattern
  if (abs >= 0x477ff000) return sign | 0x7c00;  // at or past 65520: infinity
  if (abs < 0x38800000) {                       // below 2^-14: f16 subnormal or zero
    if (abs < 0x33000000) return sign;          // at most half the smallest subnormal
    const uint32_t mant = (abs & 0x7fffff) | 0x800000;
    const int shift = 126 - int(abs >> 23);  // 14..24
    const uint32_t half = 1u << (shift - 1), rest = mant & ((1u << shift) - 1);
    uint32_t r = mant >> shift;
    if (rest > half || (rest == half && (r & 1))) r++;
    return sign | uint16_t(r);
  }
  const uint32_t rest = abs & 0x1fff;
  uint32_t r = (abs - 0x38000000) >> 13;
  if (rest > 0x1000 || (rest == 0x1000 && (r & 1))) r++;  // a carry into the exponent is right
  return sign | uint16_t(r);
}

// double → float rounding to odd: truncate, and set the last bit if anything
// was cut off. Rounding that float to f16 (nearest even) then gives exactly
// the f16 nearest the double, since f32 keeps more than 11 + 2 bits; a plain
// double → float → f16 would round twice and can land one ulp off.
// Done on the double's bits (clear the 29 bits f32 has no room for, and set
// the lowest bit kept if any was set), so the float conversion is exact and
// loops over it vectorise: selects between float results on a double's
// compares stay scalar code. Below f32's normal range the conversion rounds
// once more, where every value is ±0 in f16 anyway; NaN and ±∞ pass as they are.
inline float narrow_odd(double d) {
  constexpr uint64_t CUT = (uint64_t(1) << 29) - 1;
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof d);
  bits = (bits & ~CUT) | ((bits & CUT) != 0 ? CUT + 1 : 0);
  double odd;
  std::memcpy(&odd, &bits, sizeof odd);
  return float(odd);
}

// f32 outputs round to nearest; f16 outputs keep an odd-rounded f32 for the final conversion.
template <bool ToHalf>
inline float narrow(double d) {
  return ToHalf ? narrow_odd(d) : float(d);
}

}  // namespace tmnn
