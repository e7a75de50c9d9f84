// Special functions in double for results rounded to f32 or f16: log|Γ|,
// digamma, trigamma, erfinv, the Bessel functions I₀ and I₁, the normalised
// sinc, logit, xlogy, logaddexp, hypot and copysign. The algorithms and constants are the js backend's
// (src/backends/js/special.ts, which says why each is accurate where it is),
// operation for operation, so both round to the same f32 but where the exact
// value lies within a few 2^-53 of a rounding boundary (libm's log, sin, tan
// and erf differ from V8's by an ulp of double at most). No lgamma from libm:
// glibc's writes the global signgam, a race across the worker threads.
#pragma once
#include <cmath>
#include <limits>

namespace tmnn {

namespace special {

constexpr double PI = 3.141592653589793;
constexpr double EULER_GAMMA = 0.5772156649015329;
constexpr double LOG_PI = 1.1447298858494002;
constexpr double HALF_LOG_TWO_PI_MINUS_HALF = 0.4189385332046727;
constexpr double INF = std::numeric_limits<double>::infinity();

// ζ(k) − 1 for k = 2, 3, …: lgamma's Taylor coefficients at 2.
constexpr double ZETA_MINUS_ONE[] = {
    0.6449340668482265,     0.20205690315959426,   0.08232323371113819,   0.03692775514336993,    0.017343061984449137,
    0.008349277381922827,   0.00407735619794434,   0.0020083928260822143, 0.0009945751278180853,  0.0004941886041194646,
    0.0002460865533080483,  0.00012271334757848915, 0.00006124813505870483, 0.00003058823630702049, 0.00001528225940865187,
    0.000007637197637899763, 0.00000381729326499984, 0.000001908212716553939, 9.539620338727962e-7,  4.769329867878064e-7,
    2.38450502727733e-7,    1.1921992596531106e-7, 5.960818905125948e-8,  2.980350351465228e-8,   1.4901554828365043e-8,
    7.45071178983543e-9,    3.725334024788457e-9,  1.862659723513049e-9,  9.313274324196682e-10,
};
constexpr int ZETA_TERMS = int(sizeof(ZETA_MINUS_ONE) / sizeof(double));

inline bool is_integer(double x) { return std::trunc(x) == x; }

inline double lgamma_near_two(double t) {
  double p = 0;
  for (int k = ZETA_TERMS + 1; k >= 2; k--) p = p * t + ((k % 2 == 0 ? 1 : -1) * ZETA_MINUS_ONE[k - 2]) / k;
  return (p * t + (1 - EULER_GAMMA)) * t;
}

inline double lgamma_large(double x) {
  const double z = 1 / (x * x);
  const double series = (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680 - z * (1.0 / 1188 - z * (691.0 / 360360 - z / 156)))))) / x;
  return (x - 0.5) * (std::log(x) - 1) + (HALF_LOG_TWO_PI_MINUS_HALF + series);
}

// JavaScript's Math.round (halves up) for the values here, which lie on f32's
// grid or one step of 1 from it: x + ½ is exact below 2^52, and x an integer above.
inline double round_js(double x) { return std::fabs(x) >= 4503599627370496.0 ? x : std::floor(x + 0.5); }

inline double sin_pi(double x) {
  double r = x - 2 * round_js(x / 2);
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return std::sin(PI * r);
}

inline double pi_cot_pi(double x) { return PI / std::tan(PI * (x - round_js(x))); }

inline double lgamma(double x) {
  if (x != x) return x;
  if (!std::isfinite(x) || (x <= 0 && is_integer(x))) return INF;
  if (x < 0) {
    if (x > -0.5) return lgamma_near_two(x) - std::log1p(x) - std::log(-x);
    return LOG_PI - std::log(std::fabs(sin_pi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgamma_near_two(x) - std::log1p(x) - std::log(x);
  if (x < 1.5) return lgamma_near_two(x - 1) - std::log1p(x - 1);
  if (x <= 2.5) return lgamma_near_two(x - 2);
  if (x >= 10) return lgamma_large(x);
  double product = 1;
  while (x > 2.5) {
    x -= 1;
    product *= x;
  }
  return lgamma_near_two(x - 2) + std::log(product);
}

constexpr double DIGAMMA_ROOT = 1.4616321449683622;
constexpr double DIGAMMA_ROOT_LOW = 9.549995429965697e-17;
constexpr double DIGAMMA_AT_ROOT[] = {
    0.9676722454476213,   -0.4427631689835922, 0.2584997609556511,    -0.16394270544240658, 0.1078240506912624,
    -0.07219956125645476, 0.04880428816414313, -0.033161126474847376, 0.022597648232218118, -0.01542476590494897,
};

inline double digamma(double x) {
  if (x != x || x == INF) return x;
  if (x == 0) return std::signbit(x) ? INF : -INF;
  if (x < 0) return is_integer(x) ? std::numeric_limits<double>::quiet_NaN() : digamma(1 - x) - pi_cot_pi(x);
  const double t = x - DIGAMMA_ROOT - DIGAMMA_ROOT_LOW;
  if (std::fabs(t) < 1.0 / 64) {
    double p = 0;
    for (int k = int(sizeof(DIGAMMA_AT_ROOT) / sizeof(double)) - 1; k >= 0; k--) p = p * t + DIGAMMA_AT_ROOT[k];
    return p * t;
  }
  double shift = 0;
  for (; x < 10; x += 1) shift += 1 / x;
  const double z = 1 / (x * x);
  const double series = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 - z * (691.0 / 32760 - z / 12))))));
  return std::log(x) - 0.5 / x - series - shift;
}

inline double trigamma(double x) {
  if (x != x || x == -INF) return std::numeric_limits<double>::quiet_NaN();
  if (x == INF) return 0;
  if (x <= 0 && is_integer(x)) return INF;
  if (x < 0) {
    const double s = sin_pi(x);
    return (PI * PI) / (s * s) - trigamma(1 - x);
  }
  double shift = 0;
  for (; x < 10; x += 1) shift += 1 / (x * x);
  const double z = 1 / (x * x);
  const double series = (1.0 / 6 - z * (1.0 / 30 - z * (1.0 / 42 - z * (1.0 / 30 - z * (5.0 / 66 - z * (691.0 / 2730 - (z * 7) / 6)))))) / x;
  return (1 + (0.5 + series) / x) / x + shift;
}

constexpr double TWO_OVER_ROOT_PI = 1.1283791670955126;

inline double erfinv(double y) {
  if (y != y || std::fabs(y) > 1) return std::numeric_limits<double>::quiet_NaN();
  if (y == 0) return y;
  if (std::fabs(y) == 1) return y * INF;
  const double a = std::fabs(y);
  const double w = std::log1p(-a * a);
  const double p = 2 / (PI * 0.147) + w / 2;
  double x = std::sqrt(std::sqrt(p * p - w / 0.147) - p);
  for (int i = 0; i < 3; i++) {
    const double f = a <= 0.5 ? std::erf(x) - a : 1 - a - std::erfc(x);
    const double step = f / (TWO_OVER_ROOT_PI * std::exp(-x * x));
    x -= step / (1 + x * step);
  }
  return y < 0 ? -x : x;
}

inline double bessel_i(int nu, double x) {
  if (x != x) return x;
  const bool negative = nu == 1 && std::signbit(x);
  const double a = std::fabs(x);
  double r;
  if (a == INF) {
    r = a;
  } else if (a <= 20) {
    const double q = (a * a) / 4;
    double term = nu == 0 ? 1 : a / 2;
    double sum = term;
    for (int k = 1; k < 200; k++) {
      term *= q / (double(k) * double(k + nu));
      const double next = sum + term;
      if (next == sum) break;
      sum = next;
    }
    r = sum;
  } else {
    double term = 1, sum = 1;
    for (int k = 1; k < 60; k++) {
      const double next = (term * (double((2 * k - 1) * (2 * k - 1)) - 4 * nu)) / (8 * double(k) * a);
      if (std::fabs(next) >= std::fabs(term) || sum + next == sum) break;
      term = next;
      sum += term;
    }
    r = (std::exp(a) / std::sqrt(2 * PI * a)) * sum;
  }
  return negative ? -r : r;
}

inline double sinc(double x) {
  if (x == 0) return 1;
  if (!std::isfinite(x)) return std::numeric_limits<double>::quiet_NaN();
  return sin_pi(x) / (PI * x);
}

inline double logit(double x) {
  if (x != x || x < 0 || x > 1) return std::numeric_limits<double>::quiet_NaN();
  return x < 0.25 ? std::log(x / (1 - x)) : 2 * std::atanh(2 * x - 1);
}

inline double xlogy(double x, double y) {
  if (y != y) return y;
  return x == 0 ? 0 : x * std::log(y);
}

inline double logaddexp(double a, double b) {
  if (a == b) return a + 0.6931471805599453;
  if (a != a || b != b) return a + b;
  return (a > b ? a : b) + std::log1p(std::exp(-std::fabs(a - b)));
}

// The js backend's formula, for ints too (whose squares past 2^53 round alike in both).
inline double hypot(double a, double b) {
  if (std::fabs(a) == INF || std::fabs(b) == INF) return INF;
  return std::sqrt(a * a + b * b);
}

inline double copysign_js(double a, double b) { return std::signbit(b) && b == b ? -std::fabs(a) : std::fabs(a); }

}  // namespace special

}  // namespace tmnn
