// Special functions (lgamma, digamma, trigamma, erfc, erfinv, i0, i1, sinc,
// logit, xlogy, logaddexp, hypot, copysign) for generated elementwise kernels
// (src/backends/webgpu/fusion.ts), which bring this file after
// elementwise_lib.wgsl, whose helpers it calls, only when they use one of
// them: it is as long as the rest of the library. WGSL lacks them; here they
// are relative to a few ulps: each from a series or continued fraction chosen where it converges
// without cancelling, the rest mapped there by exact reductions. The js and
// native backends compute the same functions in double
// (src/backends/js/special.ts). Coefficients are Taylor coefficients worked
// out in double here (ζ values by Euler–Maclaurin), not fitted.

// m · 2^k for a positive normal m, exact while the result is normal, built
// in the exponent bits; a subnormal result is rounded once from m's bits (the
// multiply by 2^k would be flushed to 0 on a device that flushes subnormals).
fn scale_pow2(m: f32, k: i32) -> f32 {
  let bits = bitcast<u32>(m);
  let e = i32((bits >> 23u) & 0xffu) + k; // the result's biased exponent
  if (e >= 255) { return inf_f32(); }
  if (e >= 1) { return bitcast<f32>((bits & 0x807fffffu) | (u32(e) << 23u)); }
  if (e < -24) { return 0.0; }
  // The result is m' · 2^(e − 150) with m' = the 24-bit significand: shift it right by 1 − e, rounding to even.
  let significand = (bits & 0x007fffffu) | 0x00800000u;
  let shift = u32(1 - e);
  let kept = significand >> shift;
  let rest = significand - (kept << shift);
  let half = 1u << (shift - 1u);
  let up = rest > half || (rest == half && (kept & 1u) == 1u);
  return bitcast<f32>((bits & 0x80000000u) | (kept + select(0u, 1u, up)));
}

// e^(hi + lo) · m for hi + lo ≤ 100 (lo small), relative to 2 ulps however
// negative (WGSL's exp is promised 3 + 2|x| ulp, 200 at −100), subnormal
// results included: hi = k·ln 2 + r with ln 2 in two parts (Cody and Waite;
// k·LN2_HI is exact and, for hi on f32's grid, so is hi − k·LN2_HI), e^r by
// its Taylor series to r⁸ (|r| < 0.45: the next term is below 2^-28).
fn exp_times(hi: f32, lo: f32, m: f32) -> f32 {
  // e^100 · m overflows for every m these take (I₀'s, past 92, is over 0.04); |k| stays below 2^8.
  if (hi > 100.0) { return inf_f32(); }
  if (hi < -110.0) { return 0.0; }
  let k = round(hi * 1.4426950408889634);
  let r = ((hi - k * 0.693145751953125) - k * 1.428606765330187e-6) + lo;
  let e = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0 + r / 40320.0)))))));
  return scale_pow2(e * m, i32(k));
}

// sin(πx), exact at the integers and relative near them: x − 2·round(x/2)
// is exact (every f32 from 2^24 on is even), then folded into [−½, ½].
fn sin_pi(x: f32) -> f32 {
  var r = x - 2.0 * round(0.5 * x);
  if (r > 0.5) { r = 1.0 - r; } else if (r < -0.5) { r = -1.0 - r; }
  return sin_cos_f32(3.1415927410125732 * r, false);
}

// π·cot(πx) for a non-integer x: r = x − round(x) exactly, and cos(πr) as
// sin(π(½ − |r|)) past ¼, so that it is 0 exactly at the half-integers.
fn pi_cot_pi(x: f32) -> f32 {
  let r = x - round(x);
  let a = abs(r);
  let c = select(sin_cos_f32(3.1415927410125732 * (0.5 - a), false), sin_cos_f32(3.1415927410125732 * r, true), a < 0.25);
  return 3.1415927410125732 * c / sin_cos_f32(3.1415927410125732 * r, false);
}

// lgamma(2 + t) for |t| ≤ ½: its Taylor series at 2, (1 − γ)t + Σ (−1)^k (ζ(k) − 1)/k · t^k,
// relative near the zero at t = 0 (14 terms: the rest is below 1e-9 of the sum).
fn lgamma_near_two(t: f32) -> f32 {
  return t * (0.422784335 + t * (0.322467033 + t * (-0.0673523011 + t * (0.0205808084 + t * (-0.00738555103 + t * (0.00289051033 + t * (-0.00119275391 + t * (0.000509669525 + t * (-0.000223154758 + t * (9.94575128e-05 + t * (-4.49262367e-05 + t * (2.05072128e-05 + t * (-9.43948828e-06 + t * (4.37486679e-06))))))))))))));
}

// log|Γ(x)|: near 1 and 2, its zeros, lgamma_near_two (with log1p for the
// step from 1 + t to 2 + t); between 2.5 and 10 Γ(x) = (x − 1)Γ(x − 1) down
// to there (each x − 1 exact); above, Stirling's series, (x − ½)(log x − 1)
// + ½ log 2π − ½ + 1/(12x) − 1/(360x³) + 1/(1260x⁵) (the next term is 1e-12
// at 10); below 0 the reflection log π − log|sin πx| − lgamma(1 − x). Below
// 2^-24 in magnitude it is −log|x| (γx is under half an ulp), subnormals read from their bits.
fn lgamma_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let magnitude = bitcast<u32>(x) & 0x7fffffffu;
  if (magnitude < 0x33800000u) { return -log_f32(bitcast<f32>(magnitude)); }
  if (magnitude == 0x7f800000u || (x < 0.0 && fract(x) == 0.0)) { return inf_f32(); }
  if (x < 0.0) {
    if (x > -0.5) { return lgamma_near_two(x) - log1p_f32(x) - log_f32(-x); }
    return 1.1447298858494002 - log_f32(abs(sin_pi(x))) - lgamma_positive(1.0 - x);
  }
  return lgamma_positive(x);
}
fn lgamma_positive(x: f32) -> f32 {
  if (x < 0.5) { return lgamma_near_two(x) - log1p_f32(x) - log_f32(x); }
  if (x < 1.5) { return lgamma_near_two(x - 1.0) - log1p_f32(x - 1.0); }
  if (x <= 2.5) { return lgamma_near_two(x - 2.0); }
  if (x < 10.0) {
    var y = x;
    var product = 1.0;
    while (y > 2.5) {
      y -= 1.0;
      product *= y;
    }
    return lgamma_near_two(y - 2.0) + log_f32(product);
  }
  let z = 1.0 / (x * x);
  let series = (1.0 / 12.0 - z * (1.0 / 360.0 - z / 1260.0)) / x;
  return (x - 0.5) * (log_f32(x) - 1.0) + (0.4189385332046727 + series);
}

// ψ on [1, 2] by its Taylor series at its zero x₀ = 1.4616321…, relative
// there: coefficients ψ⁽ᵏ⁾(x₀)/k! = (−1)^(k+1) ζ(k + 1, x₀) (20 terms: the rest
// is below 1e-9), re-centred on head, the f32 below x₀ (d = x − head is
// exact; ψ(head) = −1.2036e-8 and the first two coefficients move with it).
// Not x − head − tail: a compiler may fold the two constants into one (Mesa's
// lavapipe did, and ψ next to x₀ came out 12% off).
fn digamma_one_two(x: f32) -> f32 {
  let d = x - 1.4616321325302124;
  return -1.203605254910667e-8 + d * (0.967672256 + d * (-0.442763179 + d * (0.258499761 + d * (-0.163942705 + d * (0.107824051 + d * (-0.0721995613 + d * (0.0488042882 + d * (-0.0331611265 + d * (0.0225976482 + d * (-0.0154247659 + d * (0.0105387916 + d * (-0.00720453439 + d * (0.0049267814 + d * (-0.00336980166 + d * (0.00230512633 + d * (-0.00157693677 + d * (0.0010788252 + d * (-0.000738070939 + d * (0.000504953266 + d * (-0.000345468025))))))))))))))))))));
}

// ψ(x) = Γ′(x)/Γ(x), PyTorch's: −1/x below 2^-24 (∓∞ at ±0; γ is under half
// an ulp), NaN at the negative integers and −∞; ψ(x + 1) − 1/x below 1, the
// series on [1, 2], ψ(x − 1) + 1/(x − 1) down to it from below 10 (terms of
// one sign), above log x − 1/(2x) − 1/(12x²) + 1/(120x⁴) − 1/(252x⁶); below 0
// the reflection ψ(1 − x) − π·cot(πx).
fn digamma_f32(x: f32) -> f32 {
  if (is_nan(x) || x == inf_f32()) { return x; }
  if ((bitcast<u32>(x) & 0x7fffffffu) < 0x33800000u) { return -1.0 / x; }
  if (x < 0.0) {
    if (fract(x) == 0.0 || x == -inf_f32()) { return nan_f32(); }
    return digamma_positive(1.0 - x) - pi_cot_pi(x);
  }
  return digamma_positive(x);
}
fn digamma_positive(x: f32) -> f32 {
  if (x < 1.0) { return digamma_one_two(x + 1.0) - 1.0 / x; }
  if (x <= 2.0) { return digamma_one_two(x); }
  if (x < 10.0) {
    var y = x;
    var shift = 0.0;
    while (y > 2.0) {
      y -= 1.0;
      shift += 1.0 / y;
    }
    return digamma_one_two(y) + shift;
  }
  let z = 1.0 / (x * x);
  return log_f32(x) - 0.5 / x - z * (1.0 / 12.0 - z * (1.0 / 120.0 - z / 252.0));
}

// ψ′(x), polygamma(1, x): positive everywhere, +∞ at 0 and the negative
// integers. 1/x² + π²/6 below 2^-12 (the next term, −2ζ(3)x, is under half an
// ulp); ψ′(x + 1) + 1/x² up to 10 (every term positive), then 1/x + 1/(2x²) +
// 1/(6x³) − 1/(30x⁵) + 1/(42x⁷); below 0 the reflection π²/sin²(πx) − ψ′(1 − x).
fn trigamma_f32(x: f32) -> f32 {
  if (is_nan(x) || x == -inf_f32()) { return nan_f32(); }
  if (x == inf_f32()) { return 0.0; }
  // (1/x)², not 1/x²: x² is subnormal below 1e-19, and a device may flush it to 0.
  if (is_tiny(x)) {
    let r = 1.0 / x;
    return r * r + 1.6449340668482264;
  }
  if (x < 0.0) {
    if (fract(x) == 0.0) { return inf_f32(); }
    let s = sin_pi(x);
    return 9.869604401089358 / (s * s) - trigamma_positive(1.0 - x);
  }
  return trigamma_positive(x);
}
fn trigamma_positive(x: f32) -> f32 {
  // Past 1e30 it is 1/x (the next term is 1e-30 of it), subnormal from 8.5e37:
  // 1/(x·2^-64) scaled back by bits, so that a flushing device keeps it.
  if (x > 1.0e30) { return scale_pow2(1.0 / (x * 5.421010862427522e-20), -64); }
  var y = x;
  var shift = 0.0;
  while (y < 10.0) {
    shift += 1.0 / (y * y);
    y += 1.0;
  }
  let z = 1.0 / (y * y);
  let series = (1.0 / 6.0 - z * (1.0 / 30.0 - z / 42.0)) / y;
  return (1.0 + (0.5 + series) / y) / y + shift;
}

// erfc = 1 − erf, relative where it is small: 1 − erf(x) below ½ (at least
// ½ there, no cancellation); above, 2x/√π · e^(−x²) over the even form of
// Laplace's continued fraction, 2x² + 1 − 1·2/(2x² + 5 − 3·4/(2x² + 9 − …)),
// from 100 levels deep at ½ to 30 past 2 (each within 2e-7 of its limit),
// with e^(−x²) from x² = xh² + (x − xh)(x + xh), xh x's top 12 bits (xh² is
// exact: e^(−x²) keeps its digits out to x = 10), through exp_times, so the
// subnormal results up to x ≈ 10.05 survive a flushing device.
fn erfc_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x < 0.5) { return 1.0 - erf_f32(x); }
  if (x > 10.5) { return 0.0; }
  let z = 2.0 * x * x;
  let levels = select(select(30, 50, x < 2.0), 100, x < 1.0);
  var tail = z + f32(4 * levels + 1);
  for (var n = levels; n >= 1; n--) {
    tail = z + f32(4 * n - 3) - f32((2 * n - 1) * (2 * n)) / tail;
  }
  let xh = bitcast<f32>(bitcast<u32>(x) & 0xfffff000u);
  return exp_times(-(xh * xh), -((x - xh) * (x + xh)), 1.1283791670955126 * x / tail);
}

// erf⁻¹(y), ±∞ at ±1: Winitzki's closed form (within 2e-3), then two of
// Halley's steps on erf(x) − y (each triples the digits), the residual taken
// as (1 − y) − erfc(x) past ½, exact near 1 where erf(x) − y would cancel.
// Below 2^-12, √π/2 · y (the cube term is under half an ulp).
fn erfinv_f32(y: f32) -> f32 {
  if (is_nan(y) || abs(y) > 1.0) { return nan_f32(); }
  let a = abs(y);
  if (a == 1.0) { return select(inf_f32(), -inf_f32(), y < 0.0); }
  if (is_tiny(y)) { return 0.886226925452758 * y; }
  let w = log1p_f32(-a * a);
  let p = 4.330746750799873 + 0.5 * w;
  var x = sqrt(sqrt(p * p - w / 0.147) - p);
  for (var i = 0; i < 2; i++) {
    let f = select((1.0 - a) - erfc_f32(x), erf_f32(x) - a, a <= 0.5);
    let step = f / (1.1283791670955126 * exp(-x * x));
    x -= step / (1.0 + x * step);
  }
  return select(x, -x, y < 0.0);
}

// x/2 rounded once, subnormal results included: from the bits (x · 0.5
// below 2^-125 is subnormal, which a device may flush to 0).
fn half_f32(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  let e = (bits >> 23u) & 0xffu;
  if (e >= 2u) { return bitcast<f32>(bits - 0x00800000u); }
  let m = select(bits & 0x007fffffu, (bits & 0x007fffffu) | 0x00800000u, e == 1u);
  let kept = m >> 1u;
  let up = (m & 1u) == 1u && (kept & 1u) == 1u;
  return bitcast<f32>((bits & 0x80000000u) | (kept + select(0u, 1u, up)));
}

// I₀ and I₁ of |x| (ν = 0 or 1), the modified Bessel functions: up to 10
// their power series (x/2)^ν Σ (x²/4)ᵏ / (k!·(k + ν)!), every term positive
// (30 terms: the rest is below 1e-9 of the sum at 10); past it the asymptotic
// series e^x/√(2πx) · Σ tₖ, tₖ = tₖ₋₁·((2k − 1)² − 4ν²)/(8kx), 12 terms
// (within 3e-9 from 10 on), e^x through exp_times (WGSL's exp is 180 ulps off at 90).
fn bessel_i(nu: f32, x: f32) -> f32 {
  let a = abs(x);
  if (a <= 10.0) {
    let q = 0.25 * a * a;
    var term = select(1.0, 0.5 * a, nu == 1.0);
    var sum = term;
    for (var k = 1; k <= 30; k++) {
      term *= q / (f32(k) * (f32(k) + nu));
      sum += term;
    }
    return sum;
  }
  var term = 1.0;
  var sum = 1.0;
  for (var k = 1; k <= 12; k++) {
    term *= (f32((2 * k - 1) * (2 * k - 1)) - 4.0 * nu) / (8.0 * f32(k) * a);
    sum += term;
  }
  return exp_times(a, 0.0, sum / sqrt(6.283185307179586 * a));
}

// I₀: 1 below 2^-12 (x²/4 is under half an ulp), ∞ at ±∞.
fn i0_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (abs(x) == inf_f32()) { return inf_f32(); }
  if (is_tiny(x)) { return 1.0; }
  return bessel_i(0.0, x);
}

// I₁, odd: x/2 below 2^-12 (x³/16 is under half an ulp of it), ±∞ at ±∞.
fn i1_f32(x: f32) -> f32 {
  if (is_nan(x) || abs(x) == inf_f32()) { return x; }
  if (is_tiny(x)) { return half_f32(x); }
  let r = bessel_i(1.0, x);
  return select(r, -r, x < 0.0);
}

// sin(πx)/(πx) through the exact sin_pi: 0 exactly at the non-zero integers;
// 1 below 2^-14 ((πx)²/6 is under half an ulp); NaN at ±∞, as PyTorch's.
fn sinc_f32(x: f32) -> f32 {
  if (is_nan(x) || abs(x) == inf_f32()) { return nan_f32(); }
  if ((bitcast<u32>(x) & 0x7fffffffu) < 0x38800000u) { return 1.0; }
  return sin_pi(x) / (3.1415927410125732 * x);
}

// log(x/(1 − x)): log x − log1p(−x) below ¼ (no cancellation; log_f32 reads
// subnormals), 2·atanh(2x − 1) above, where 2x − 1 is exact and the log of
// x/(1 − x) ≈ 1 would cancel.
fn logit_f32(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0 || x > 1.0) { return nan_f32(); }
  if (x < 0.25) { return log_f32(x) - log1p_f32(-x); }
  return 2.0 * atanh_f32(2.0 * x - 1.0);
}

// x·log y, 0 where x = 0 whatever y but NaN (PyTorch's).
fn xlogy_f32(x: f32, y: f32) -> f32 {
  if (is_nan(y)) { return y; }
  if (x == 0.0) { return 0.0; }
  return x * log_f32(y);
}

// max + log1p(e^−|a − b|), e^−d through exp_times (WGSL's exp would be 20
// ulps off at d = 10); a + log 2 where a = b, which keeps ±∞.
fn logaddexp_f32(a: f32, b: f32) -> f32 {
  if (a == b) { return a + 0.6931471805599453; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  return max(a, b) + log1p_f32(exp_times(-abs(a - b), 0.0, 1.0));
}

// √(a² + b²) with a and b scaled by 2^∓70 where their squares would
// overflow or underflow (past 1e12 or below 1e-12 in the larger: a smaller
// one whose square matters, above 2^-12 of it, then squares to a normal f32;
// the scaling is exact, by powers of two), so it is rounded three times
// at most (hypot(45, 108) is 117 exactly, as C's); ∞ where either is
// infinite, NaN or not (C's).
fn hypot_f32(a: f32, b: f32) -> f32 {
  let x = abs(a);
  let y = abs(b);
  if (x == inf_f32() || y == inf_f32()) { return inf_f32(); }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let big = max(x, y);
  var scale = 1.0;
  if (big > 1.0e12) { scale = 8.470329472543003e-22; } else if (big < 1.0e-12) { scale = 1.1805916207174113e21; }
  let p = x * scale;
  let q = y * scale;
  return sqrt(p * p + q * q) / scale;
}

// |a| with b's sign bit, a NaN b counting as positive (as the js backend,
// which cannot see a NaN's sign); on the bits, so subnormals keep theirs.
fn copysign_f32(a: f32, b: f32) -> f32 {
  let negative = (bitcast<u32>(b) >> 31u) == 1u && !is_nan(b);
  return bitcast<f32>((bitcast<u32>(a) & 0x7fffffffu) | select(0u, 0x80000000u, negative));
}
