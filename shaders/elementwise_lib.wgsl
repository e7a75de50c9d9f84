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
fn remainder_i32(a: i32, b: i32) -> i32 {
  if (b == 0 || b == -1) { return 0; }
  let r = a % b;
  return select(r, r + b, r != 0 && ((r < 0) != (b < 0)));
}

// Special functions (lgamma, digamma, trigamma, erfc, erfinv, i0, i1, sinc,
// logit, xlogy, logaddexp, hypot, copysign), which WGSL lacks, relative to a few
// ulps: each from a series or continued fraction chosen where it converges
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
