// Helpers for generated elementwise kernels (src/backends/webgpu/fusion.ts):
// the cases where WGSL's builtins leave a result undefined or differ from
// IEEE 754 / C, which the js reference backend follows — NaN through
// comparisons and max/min, pow of a negative base, log and sqrt of a
// negative number, integer powers and float → int conversion — and where
// their accuracy is only absolute: log near 1 (WGSL bounds its error by
// 2^-21 on [0.5, 2], so log(0.99999) came out 0.3% off on lavapipe) and tanh
// near 0 (inherited from sinh / cosh: tanh(1e-6) was 1.3% off), sin and cos
// anywhere (absolute 2^-11 on [-π, π]). Those are computed here from series
// whose error is relative (a few ulps).

// NaN and Infinity cannot be WGSL constants (a constant expression that
// evaluates to one is a compile error): a `var` makes them run-time values.
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
// Subnormals (x = m · 2^-149, m < 2^23): a device may flush them to zero in
// arithmetic and comparisons (WGSL allows it; Mesa 26's lavapipe does, Mesa
// 25's does not), so log, sqrt and pow read a subnormal's sign and m from
// its bits, which no flush touches, and compute from f32(m), exact and normal.
fn is_subnormal_or_zero(bits: u32) -> bool { return (bits & 0x7f800000u) == 0u; }
fn subnormal_m(bits: u32) -> f32 { return f32(bits & 0x007fffffu); }
// Negative and not ±0, whatever a flush would make of it.
fn is_negative(bits: u32) -> bool { return (bits >> 31u) == 1u && (bits & 0x7fffffffu) != 0u; }

fn sign_f32(x: f32) -> f32 { return select(sign(x), x, is_nan(x)); }
fn log_f32(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (is_negative(bits) || is_nan(x)) { return nan_f32(); }
  if ((bits & 0x7fffffffu) == 0u) { return -inf_f32(); }
  if (x == inf_f32()) { return x; }
  if (is_subnormal_or_zero(bits)) { return log_normal(subnormal_m(bits)) - 149.0 * 0.6931471805599453; }
  return log_normal(x);
}
fn log_normal(x: f32) -> f32 {
  if (x < 0.5 || x > 2.0) { return log(x); } // the builtin's 3 ulp, relative
  // log(1 + f) = 2 atanh(s) with s = f / (2 + f), |s| ≤ 1/3: f - s (f - R) with
  // R = 2 (z/3 + z²/5 + … + z⁷/15), z = s². f = x - 1 is exact here, and the
  // rounding of s only touches the small correction s (f - R).
  let f = x - 1.0;
  let s = f / (2.0 + f);
  let z = s * s;
  let r = z * (2.0 / 3.0 + z * (2.0 / 5.0 + z * (2.0 / 7.0 + z * (2.0 / 9.0 + z * (2.0 / 11.0 + z * (2.0 / 13.0 + z * (2.0 / 15.0)))))));
  return f - s * (f - r);
}
fn sqrt_f32(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (is_negative(bits) || is_nan(x)) { return nan_f32(); }
  if (x == inf_f32() || (bits & 0x7fffffffu) == 0u) { return x; }
  // √(m · 2^-149) = √(2m) · 2^-75: 2m < 2^24 is exact, and the product is normal.
  if (is_subnormal_or_zero(bits)) { return sqrt(2.0 * subnormal_m(bits)) * 2.6469779601696886e-23; }
  return sqrt(x);
}
fn exp_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 88.8) { return inf_f32(); }
  if (x < -104.0) { return 0.0; }
  return exp(x);
}
fn relu_f32(x: f32) -> f32 { return select(0.0, x, x > 0.0 || is_nan(x)); }
fn sigmoid_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  // exp(-x) overflows for x < -88; the limit is 0.
  if (x < -88.0) { return 0.0; }
  return 1.0 / (1.0 + exp(-x));
}
fn tanh_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  // Past ±10 tanh is ±1 in f32.
  if (a > 10.0) { return sign(x); }
  if (a < 0.5) {
    // Its Taylor series to x¹⁵ (the next term is below f32's precision here).
    let z = x * x;
    let c = -1.0 / 3.0 + z * (2.0 / 15.0 + z * (-17.0 / 315.0 + z * (62.0 / 2835.0 + z * (-1382.0 / 155925.0 + z * (21844.0 / 6081075.0 + z * (-929569.0 / 638512875.0))))));
    // Where x² underflows, tanh(x) is x itself (±0 keeps its sign).
    return select(x + x * z * c, x, z == 0.0);
  }
  let t = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
  return select(t, -t, x < 0.0);
}
// sin and cos: |x| = k·π/2 + r with |r| ≤ π/4, reduced exactly (Payne–Hanek:
// x's 24-bit mantissa times a 96-bit window of 2/π's bits, in u32 words), then
// cephes' minimax polynomials in r; within a few ulps of the float64 result,
// relative to it, at any x (near multiples of π too, where WGSL's builtins,
// promised an absolute 2^-11 on [-π, π] only, keep no digit: lavapipe's
// sin(1e30) was 1, not 0.79).
fn sin_f32(x: f32) -> f32 { return sin_cos_f32(x, false); }
fn cos_f32(x: f32) -> f32 { return sin_cos_f32(x, true); }
fn sin_cos_f32(x: f32, cosine: bool) -> f32 {
  if (is_nan(x) || abs(x) == inf_f32()) { return nan_f32(); }
  let bits = bitcast<u32>(x) & 0x7fffffffu;
  var r = bitcast<f32>(bits);
  // sin x is x itself below 2^-12 (x³/6 is under half an ulp), subnormals included, which a device may flush in arithmetic.
  if (!cosine && r < 0.000244140625) { return x; }
  var q = 0u;
  if (r > 0.78539816) {
    let reduced = reduce_half_pi(bits);
    r = reduced.x;
    q = u32(reduced.y);
  }
  let z = r * r;
  // sin |x| is sin r, cos r, -sin r, -cos r as k mod 4 is 0 … 3; cos |x| = sin(|x| + π/2), one quadrant on.
  q = (q + select(0u, 1u, cosine)) & 3u;
  var v: f32;
  if ((q & 1u) == 0u) {
    v = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  } else {
    v = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  }
  v = select(v, -v, q >= 2u);
  // sin is odd (by the sign bit: sin -0 is -0); cos is even.
  return select(v, -v, !cosine && (bitcast<u32>(x) >> 31u) == 1u);
}

// For a = m · 2^e (the f32 with these bits, finite, > π/4): (r, k mod 4)
// with a = k·π/2 + r, |r| ≤ π/4. a · 2/π mod 4 needs 2/π's bits from 2^(1-e)
// on (earlier ones make multiples of 4): a 96-bit window of them times m is
// that value times 2^94, whose bits 95–94 are k mod 4 and the rest r's.
fn reduce_half_pi(bits: u32) -> vec2<f32> {
  // 2/π = 0.A2F9836E 4E441529 …: enough words for the largest f32's window.
  var two_over_pi = array<u32, 8>(0xa2f9836eu, 0x4e441529u, 0xfc2757d1u, 0xf534ddc0u, 0xdb629599u, 0x3c439041u, 0xfe5163abu, 0xdebbc561u);
  let e = i32(bits >> 23u) - 150;
  let m = (bits & 0x007fffffu) | 0x00800000u;
  // The window starts at bit position e - 2 of the fraction (position 0 is 2^-1), maybe before it (zeros).
  let first = e - 2;
  let k = first >> 5u; // floor, for negative positions too
  let s = u32(first & 31);
  var w: array<u32, 3>;
  for (var i = 0; i < 3; i++) {
    let hi = select(0u, two_over_pi[max(k + i, 0)], k + i >= 0 && k + i < 8);
    let lo = select(0u, two_over_pi[max(k + i + 1, 0)], k + i + 1 >= 0 && k + i + 1 < 8);
    w[i] = select((hi << s) | (lo >> (32u - s)), hi, s == 0u);
  }
  // m · (w0 w1 w2) in words v3 v2 v1 v0; v3 (multiples of 4) and v0 (below 2^-62) are not needed.
  let p2 = mul_wide(m, w[2]);
  let p1 = mul_wide(m, w[1]);
  let p0 = mul_wide(m, w[0]);
  let v1 = p2.y + p1.x;
  let v2 = p1.y + p0.x + select(0u, 1u, v1 < p2.y);
  var quadrant = v2 >> 30u;
  var high = v2 & 0x3fffffffu;
  var low = v1;
  var negative = false;
  if ((high & 0x20000000u) != 0u) {
    // Past a half: the next multiple of π/2 is nearer; r = -(1 - fraction) · π/2.
    quadrant += 1u;
    negative = true;
    low = ~low + 1u;
    high = (~high & 0x3fffffffu) + select(0u, 1u, low == 0u);
  }
  let fraction = f32(high) * 9.313225746154785e-10 + f32(low) * 2.168404344971009e-19; // 2^-30, 2^-62
  let r = fraction * 1.5707963267948966;
  return vec2<f32>(select(r, -r, negative), f32(quadrant & 3u));
}

// a · b as (low word, high word).
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let middle = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>((p00 & 0xffffu) | (middle << 16u), a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (middle >> 16u));
}
fn max_f32(a: f32, b: f32) -> f32 { return select(max(a, b), nan_f32(), is_nan(a) || is_nan(b)); }
fn min_f32(a: f32, b: f32) -> f32 { return select(min(a, b), nan_f32(), is_nan(a) || is_nan(b)); }
fn eq_f32(a: f32, b: f32) -> bool { return a == b && !is_nan(a) && !is_nan(b); }
fn lt_f32(a: f32, b: f32) -> bool { return a < b && !is_nan(a) && !is_nan(b); }
fn le_f32(a: f32, b: f32) -> bool { return a <= b && !is_nan(a) && !is_nan(b); }

fn is_odd_integer(y: f32) -> bool { return abs(y) < 16777216.0 && fract(y) == 0.0 && (i32(y) & 1) == 1; }

// pow as C and NumPy define it: pow(1, y) = pow(x, 0) = 1 (even NaN), a negative
// base with an integer exponent, ±1 to ±Infinity = 1.
fn pow_f32(a: f32, b: f32) -> f32 {
  if (a == 1.0 || b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let ab = abs(b);
  // |a| and a's sign from its bits (a subnormal a may be flushed in arithmetic: see above).
  let bits = bitcast<u32>(a);
  let m = bitcast<f32>(bits & 0x7fffffffu);
  let negative = is_negative(bits);
  if (ab == inf_f32()) {
    if (m == 1.0) { return 1.0; }
    return select(0.0, inf_f32(), (m > 1.0) == (b > 0.0));
  }
  if ((bits & 0x7fffffffu) == 0u) {
    let odd = is_odd_integer(b);
    if (b > 0.0) { return select(0.0, a, odd); }
    return select(inf_f32(), select(inf_f32(), -inf_f32(), bits != 0u), odd);
  }
  if (m == inf_f32()) {
    let r = select(0.0, inf_f32(), b > 0.0);
    return select(r, -r, negative && is_odd_integer(b));
  }
  // Whole exponents up to ±4 by multiplying, ½ by sqrt: they round once or
  // twice where exp2(b · log2 a) is a few ulps off even for an exact power
  // (5² gave 24.999998, 9^½ 3.0000002). Not for a subnormal a, which
  // arithmetic may flush (1e-38^-1 is finite).
  if (ab <= 4.0 && fract(b) == 0.0 && !is_subnormal_or_zero(bits)) {
    var r = a;
    for (var i = 1.0; i < ab; i += 1.0) { r *= a; }
    return select(r, 1.0 / r, b < 0.0);
  }
  if (negative) {
    if (fract(b) != 0.0) { return nan_f32(); }
    let r = exp2(b * log2_positive(m));
    return select(r, -r, is_odd_integer(b));
  }
  if (b == 0.5 && !is_subnormal_or_zero(bits)) { return sqrt(a); }
  return exp2(b * log2_positive(m));
}

// log2 of a finite x > 0, relative to its result as log_f32 is: the builtin's
// error is absolute on [0.5, 2] too, which a large exponent multiplies
// (pow(0.9999, -20000) was 7e-4 off), and it may take a subnormal for zero.
fn log2_positive(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if (is_subnormal_or_zero(bits)) { return log2_normal(subnormal_m(bits)) - 149.0; }
  return log2_normal(x);
}
fn log2_normal(x: f32) -> f32 {
  if (x < 0.5 || x > 2.0) { return log2(x); }
  return log_normal(x) * 1.4426950408889634;
}

// Integer power with C-like wrapping; a negative exponent truncates 1/x^n toward zero.
fn pow_i32(x: i32, n: i32) -> i32 {
  if (n < 0) {
    if (x == 1) { return 1; }
    if (x == -1) { return select(-1, 1, (n & 1) == 0); }
    return 0;
  }
  var result = 1;
  var base = x;
  var e = u32(n);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) == 1u) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}

// Float → int: truncates toward zero, saturates, NaN → 0.
fn to_i32(x: f32) -> i32 {
  if (is_nan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return -2147483647 - 1; }
  return i32(x);
}
fn to_i8(x: f32) -> i32 {
  if (is_nan(x)) { return 0; }
  return i32(clamp(trunc(x), -128.0, 127.0));
}

// f32 → f16 rounding to nearest even, with overflow to ±Infinity (the WGSL
// conversion leaves both to the implementation). Returned as the 16 bits.
fn f16_bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let s = (b >> 16u) & 0x8000u;
  let a = b & 0x7fffffffu;
  if (a > 0x7f800000u) { return s | 0x7e00u; }
  if (a >= 0x477ff000u) { return s | 0x7c00u; }
  if (a < 0x38800000u) {
    // Subnormal half (or zero): scale by 2^24 and round the integer.
    let v = bitcast<f32>(a) * 16777216.0;
    let t = floor(v);
    let d = v - t;
    var r = u32(t);
    if (d > 0.5 || (d == 0.5 && (r & 1u) == 1u)) { r = r + 1u; }
    return s | r;
  }
  let e = (a >> 23u) - 112u;
  let m = a & 0x7fffffu;
  var h = (e << 10u) | (m >> 13u);
  let rest = m & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) == 1u)) { h = h + 1u; }
  return s | h;
}

// x rounded to the nearest f16 and back, exactly (a conversion pair the
// compiler could fold away).
fn round_f16(x: f32) -> f32 { return unpack2x16float(f16_bits(x)).x; }

// erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, which WGSL lacks, relative to a few ulps:
// below 2 the series 2x/√π · e^(−x²) · Σ (2x²)ⁿ / (1·3·…·(2n+1)), whose terms
// are all positive (no cancellation; 28 terms reach f32's precision at 2);
// from 2 on 1 − erfc(x), erfc by its continued fraction
// e^(−x²)/√π / (x + ½/(x + 1/(x + 3/2/…))), 40 levels from the tail (erfc is
// below 0.005 there, so its rounding barely reaches erf); past 4 erf is ±1 in f32.
fn erf_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a >= 4.0) { return sign(x); }
  let a2 = a * a;
  if (a < 2.0) {
    var term = 1.0;
    var sum = 1.0;
    for (var n = 1; n <= 28; n++) {
      term *= 2.0 * a2 / f32(2 * n + 1);
      sum += term;
    }
    return 1.1283791670955126 * x * exp(-a2) * sum;
  }
  var tail = a;
  for (var n = 40; n >= 1; n--) { tail = a + 0.5 * f32(n) / tail; }
  let erfc = exp(-a2) / (1.7724538509055159 * tail);
  return select(1.0 - erfc, erfc - 1.0, x < 0.0);
}

// log1p, expm1, tan, the inverse trigonometric and the (inverse) hyperbolic
// functions, relative to a few ulps everywhere: WGSL's builtins promise atan
// and atan2 only 4096 ulp, asin and acos inherit that, sinh, cosh, asinh,
// acosh and atanh are derived from exp and log (no digit left near 0), and
// 1 + x loses log1p's and expm1's small arguments. Where |x| < 2^-12 an odd
// function is x itself (its cube term is under half an ulp), subnormals
// included, which a device may flush in arithmetic (log1p and expm1, whose
// second terms are x²/2, only below 2^-24).
fn is_tiny(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) < 0x39800000u; }

// Goldberg's log(u) · x / (u − 1) with u = 1 + x rounded: the rounding of u
// cancels out, and u − 1 is exact.
fn log1p_f32(x: f32) -> f32 {
  if (is_nan(x) || x < -1.0) { return nan_f32(); }
  if (x == -1.0) { return -inf_f32(); }
  if (x == inf_f32()) { return x; }
  let u = 1.0 + x;
  // Below 2^-24 log1p x is x (x²/2 is under half an ulp), where u is 1.
  if (u == 1.0) { return x; }
  return log_f32(u) * (x / (u - 1.0));
}

// Below ½ in magnitude its Taylor series to x⁹ (the next term is 2^-31 of
// the result), with x kept exact in front; elsewhere exp(x) − 1 cancels nothing.
fn expm1_f32(x: f32) -> f32 {
  // Below 2^-24 (x²/2 under half an ulp), x itself.
  if (is_nan(x) || (bitcast<u32>(x) & 0x7fffffffu) < 0x33800000u) { return x; }
  if (abs(x) >= 0.5) { return exp_f32(x) - 1.0; }
  let c = 1.0 / 2.0 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0 + x * (1.0 / 5040.0 + x * (1.0 / 40320.0 + x / 362880.0))))));
  return x + x * x * c;
}

// x = m · 2^e with m in [√½, √2), for x finite and > 0 (a subnormal read
// from its bits, as log_f32 reads it): e exact, and log m small, so that
// log2 and log10 keep log_normal's relative error and log2 of a power of
// two is exactly e.
fn log_parts(x: f32) -> vec2<f32> {
  var bits = bitcast<u32>(x);
  var e = -127;
  if (is_subnormal_or_zero(bits)) {
    bits = bitcast<u32>(subnormal_m(bits));
    e -= 149;
  }
  e += i32(bits >> 23u);
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.4142135) {
    m *= 0.5;
    e += 1;
  }
  return vec2(f32(e), m);
}
// NaN, a negative, ±0 or ∞: what log gives, for log2 and log10 alike.
fn log_is_special(x: f32) -> bool {
  let bits = bitcast<u32>(x);
  return is_nan(x) || is_negative(bits) || (bits & 0x7fffffffu) == 0u || x == inf_f32();
}
fn log2_f32(x: f32) -> f32 {
  if (log_is_special(x)) { return log_f32(x); }
  let p = log_parts(x);
  return p.x + log_normal(p.y) * 1.4426950408889634;
}
// e · log₁₀2 in two parts, the first (15 bits) times e (9 bits) exact, so
// only the small rest is rounded before the last add: log10 of a power of
// ten comes out whole.
fn log10_f32(x: f32) -> f32 {
  if (log_is_special(x)) { return log_f32(x); }
  let p = log_parts(x);
  return p.x * 0.301025390625 + (p.x * 4.605038981195214e-6 + log_normal(p.y) * 0.4342944819032518);
}
// 2^x = 2^n · 2^f with n = round(x) and f = x − n exact, |f| ≤ ½: 2^f by
// its Taylor series in t = f·ln 2 (to t⁸, under 2^-30 relative), then 2^n
// in two factors, each a normal power of two, so a result in the
// subnormals is rounded once; whole x give powers of two exactly.
fn exp2_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x >= 128.0) { return inf_f32(); }
  if (x < -150.0) { return 0.0; }
  let n = round(x);
  let t = (x - n) * 0.6931471805599453;
  let p = 1.0 + t * (1.0 + t * (1.0 / 2.0 + t * (1.0 / 6.0 + t * (1.0 / 24.0 + t * (1.0 / 120.0 + t * (1.0 / 720.0 + t * (1.0 / 5040.0 + t / 40320.0)))))));
  let half = i32(n) / 2;
  let rest = i32(n) - half;
  return p * bitcast<f32>(u32(half + 127) << 23u) * bitcast<f32>(u32(rest + 127) << 23u);
}

// sin / cos, each reduced exactly (sin_cos_f32), so relative near tan's zeros and poles alike.
fn tan_f32(x: f32) -> f32 {
  if (is_tiny(x)) { return x; }
  return sin_cos_f32(x, false) / sin_cos_f32(x, true);
}

// atan of |x| on [0, tan π/8] by cephes' minimax polynomial, after mapping
// larger arguments there: atan a = π/4 + atan((a − 1)/(a + 1)) to tan 3π/8,
// π/2 + atan(−1/a) beyond. π/4 and π/2 are added as f32 head + tail.
fn atan_f32(x: f32) -> f32 {
  if (is_nan(x) || is_tiny(x)) { return x; }
  var a = abs(x);
  var head = 0.0;
  var tail = 0.0;
  if (a > 2.414213562373095) {
    head = 1.5707963705062866;
    tail = -4.371139000186243e-8;
    a = -1.0 / a;
  } else if (a > 0.41421356237309503) {
    head = 0.7853981852531433;
    tail = -2.1855695000931215e-8;
    a = (a - 1.0) / (a + 1.0);
  }
  let z = a * a;
  let p = (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z - 3.33329491539e-1) * z * a;
  let r = head + (a + (p + tail));
  return select(r, -r, x < 0.0);
}

// asin of a ∈ [0, ½] by cephes' minimax polynomial.
fn asin_core(a: f32) -> f32 {
  let z = a * a;
  return ((((4.2163199048e-2 * z + 2.4181311049e-2) * z + 4.5470025998e-2) * z + 7.4953002686e-2) * z + 1.6666752422e-1) * z * a + a;
}

// Past ½, asin a = π/2 − 2 asin √((1 − a)/2), with 1 − a exact.
fn asin_f32(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan_f32(); }
  if (is_tiny(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a <= 0.5) {
    r = asin_core(a);
  } else {
    r = 1.5707963705062866 - (2.0 * asin_core(sqrt(0.5 * (1.0 - a))) + 4.371139000186243e-8);
  }
  return select(r, -r, x < 0.0);
}

// acos x = 2 asin √((1 − x)/2) near 1 (relative as acos → 0), π − 2 asin √((1 + x)/2) near −1, π/2 − asin x between.
fn acos_f32(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan_f32(); }
  if (x > 0.5) { return 2.0 * asin_core(sqrt(0.5 * (1.0 - x))); }
  if (x < -0.5) { return 3.1415927410125732 - (2.0 * asin_core(sqrt(0.5 * (1.0 + x))) + 8.742278000372485e-8); }
  return 1.5707963705062866 - (asin_core(abs(x)) * sign(x) + 4.371139000186243e-8);
}

// Past 88.7 exp overflows where sinh and cosh do not yet (to 89.4): e^a/2 = (e^(a/2) / 2) · e^(a/2).
fn half_exp(a: f32) -> f32 {
  // ln(2 · the largest f32) is 89.4159863: sinh and cosh overflow from the f32 above it, 89.41599274
  // (the literal rounds to 89.41598511, the last f32 below it).
  if (a > 89.415985) { return inf_f32(); }
  if (a < 88.0) { return 0.5 * exp_f32(a); }
  let h = exp_f32(0.5 * a);
  return 0.5 * h * h;
}

// Below 1, (e + e/(e + 1))/2 with e = expm1 |x| (e^a − e^−a would cancel).
fn sinh_f32(x: f32) -> f32 {
  if (is_nan(x) || is_tiny(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a < 1.0) {
    let e = expm1_f32(a);
    r = 0.5 * (e + e / (e + 1.0));
  } else {
    r = half_exp(a) - 0.25 / half_exp(a);
  }
  return select(r, -r, x < 0.0);
}

fn cosh_f32(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  return half_exp(a) + 0.25 / half_exp(a);
}

// log1p(a + a²/(1 + √(1 + a²))), which is log(a + √(a² + 1)) without its
// cancellation near 0; past 2^28, where a² would overflow, log a + log 2.
fn asinh_f32(x: f32) -> f32 {
  if (is_nan(x) || is_tiny(x)) { return x; }
  let a = abs(x);
  var r: f32;
  if (a > 268435456.0) {
    r = log_f32(a) + 0.6931471805599453;
  } else {
    let a2 = a * a;
    r = log1p_f32(a + a2 / (1.0 + sqrt(1.0 + a2)));
  }
  return select(r, -r, x < 0.0);
}

// log1p(t + √(2t + t²)) with t = x − 1 (exact near 1, where acosh → 0).
fn acosh_f32(x: f32) -> f32 {
  if (is_nan(x) || x < 1.0) { return nan_f32(); }
  if (x > 268435456.0) { return log_f32(x) + 0.6931471805599453; }
  let t = x - 1.0;
  return log1p_f32(t + sqrt(2.0 * t + t * t));
}

// ½ log1p(2a/(1 − a)), which is ½ log((1 + a)/(1 − a)) without its cancellation near 0.
fn atanh_f32(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan_f32(); }
  if (is_tiny(x)) { return x; }
  let a = abs(x);
  let r = select(0.5 * log1p_f32(2.0 * a / (1.0 - a)), inf_f32(), a == 1.0);
  return select(r, -r, x < 0.0);
}

// atan2 as C's: the quadrant from the signs (of zeros too), ±∞ by their
// limits, atan of |y/x| otherwise, and π − that left of the y axis.
fn atan2_f32(y: f32, x: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  let negative_y = (bitcast<u32>(y) >> 31u) == 1u;
  let left = (bitcast<u32>(x) >> 31u) == 1u; // x < 0, or −0
  let ay = abs(y);
  let ax = abs(x);
  var r: f32;
  if (ay == inf_f32() && ax == inf_f32()) {
    r = select(0.7853981852531433, 2.356194496154785, left);
  } else if (ay == inf_f32() || (ax == 0.0 && ay != 0.0)) {
    r = 1.5707963705062866;
  } else if (ay == 0.0 || ax == inf_f32()) {
    r = select(0.0, 3.1415927410125732, left);
  } else {
    let t = atan_f32(ay / ax);
    r = select(t, 3.1415927410125732 - (t + 8.742278000372485e-8), left);
  }
  return select(r, -r, negative_y);
}

// fmod of finite a and b ≠ 0, exactly, as C's: a's sign, |r| < |b|. On the
// integer significands (value = m · 2^(e − 150), e ≥ 1 counting subnormals
// as e = 1): r = m_a · 2^(e_a − e_b) mod m_b, eight bits of the shift at a
// time so r · 2^8 stays in a u32; then r · 2^(e_b − 150) built from bits.
fn fmod_f32(a: f32, b: f32) -> f32 {
  let sign = bitcast<u32>(a) & 0x80000000u;
  let ua = bitcast<u32>(a) & 0x7fffffffu;
  let ub = bitcast<u32>(b) & 0x7fffffffu;
  if (ua < ub) { return a; }
  let ea = max(ua >> 23u, 1u);
  let eb = max(ub >> 23u, 1u);
  let ma = select(ua & 0x007fffffu, (ua & 0x007fffffu) | 0x00800000u, (ua >> 23u) != 0u);
  let mb = select(ub & 0x007fffffu, (ub & 0x007fffffu) | 0x00800000u, (ub >> 23u) != 0u);
  var r = ma % mb;
  var d = ea - eb;
  while (d > 0u && r != 0u) {
    let s = min(d, 8u);
    r = (r << s) % mb;
    d -= s;
  }
  if (r == 0u) { return bitcast<f32>(sign); }
  let p = firstLeadingBit(r);
  let e = eb + p; // the result's biased exponent, + 23
  if (e >= 24u) {
    return bitcast<f32>(sign | ((e - 23u) << 23u) | ((r << (23u - p)) & 0x007fffffu));
  }
  return bitcast<f32>(sign | (r << (eb - 1u)));
}

// a − b·⌊a/b⌋ (Python's %, PyTorch's remainder): fmod moved to b's side, a
// zero signed as b (NumPy's); b = ±∞ leaves a finite a of its sign, and
// takes one of the other sign to b (as a + b does).
// Zeros and signs are read from bits, as a subnormal may compare as 0.
fn remainder_f32(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || abs(a) == inf_f32() || (bitcast<u32>(b) & 0x7fffffffu) == 0u) { return nan_f32(); }
  let b_sign = bitcast<u32>(b) & 0x80000000u;
  var r = a;
  if (abs(b) != inf_f32()) { r = fmod_f32(a, b); }
  let r_bits = bitcast<u32>(r);
  if ((r_bits & 0x7fffffffu) == 0u) { return bitcast<f32>(b_sign); }
  return select(r, r + b, (r_bits & 0x80000000u) != b_sign);
}
// ⌊a/b⌋ as Python's float // (PyTorch's floor_divide): from fmod, which is
// exact, so that a/b's rounding (WGSL allows 2.5 ulps) cannot cross an
// integer — the quotient of a − fmod(a, b), a whole multiple of b, rounded to
// the nearest integer. b = 0 gives a / b (±∞, NaN).
fn floor_divide_f32(a: f32, b: f32) -> f32 {
  if ((bitcast<u32>(b) & 0x7fffffffu) == 0u) { return a / b; }
  if (is_nan(a) || is_nan(b) || abs(a) == inf_f32()) { return nan_f32(); }
  var m = a;
  if (abs(b) != inf_f32()) { m = fmod_f32(a, b); }
  var q = (a - m) / b;
  if ((bitcast<u32>(m) & 0x7fffffffu) != 0u && (b < 0.0) != (m < 0.0)) { q = q - 1.0; }
  if (q == 0.0) { return bitcast<f32>((bitcast<u32>(a) ^ bitcast<u32>(b)) & 0x80000000u); }
  let whole = floor(q);
  return select(whole, whole + 1.0, q - whole > 0.5);
}
// ⌊a/b⌋ of ints; a ÷ 0 is 0, and INT_MIN ÷ −1 wraps to INT_MIN (WGSL's own a / −1 there).
fn floor_divide_i32(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  if (b == -1) { return -a; }
  let q = a / b;
  return select(q, q - 1, a % b != 0 && ((a < 0) != (b < 0)));
}
// Shifts past the width (or negative) as PyTorch's CPU kernels: 0 to the
// left, the sign's fill to the right; WGSL would shift by b mod 32. Helpers,
// not inline operators, so that constant operands never make a
// const-expression whose overflow is a shader-creation error.
fn shl_i32(a: i32, b: i32) -> i32 {
  return select(a << u32(b), 0, b < 0 || b > 31);
}
fn shr_i32(a: i32, b: i32) -> i32 {
  return a >> u32(select(b, 31, b < 0 || b > 31));
}
fn remainder_i32(a: i32, b: i32) -> i32 {
  if (b == 0 || b == -1) { return 0; }
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}

