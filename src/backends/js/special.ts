// Special functions in double precision, which JavaScript's Math lacks: log|Γ|,
// digamma and trigamma (ψ and ψ′), erfinv, the Bessel functions I₀ and I₁, the
// normalised sinc, logit, and the binary xlogy, logaddexp, hypot and copysign
// (erfc is with erf, in erf.ts). Each is within a few units of the last
// place of a double, relative to its result, so that rounded to f32 or f16 it
// is the correctly rounded value but for the rarest ties. The native backend
// runs the same algorithms (fallback/src/special_double.h); the WebGPU one
// their f32 versions (shaders/special_lib.wgsl).
import { erf, erfc } from './erf.js';

const EULER_GAMMA = 0.5772156649015329;
const LOG_PI = 1.1447298858494002;
/** ½·log(2π) − ½, Stirling's constant as lgammaLarge adds it. */
const HALF_LOG_TWO_PI_MINUS_HALF = 0.4189385332046727;

/** ζ(k) − 1 for k = 2, 3, … (Σ n^−k over n ≥ 2, by Euler–Maclaurin): lgamma's Taylor coefficients at 2. */
const ZETA_MINUS_ONE = [
  0.6449340668482265, 0.20205690315959426, 0.08232323371113819, 0.03692775514336993, 0.017343061984449137, 0.008349277381922827,
  0.00407735619794434, 0.0020083928260822143, 0.0009945751278180853, 0.0004941886041194646, 0.0002460865533080483, 0.00012271334757848915,
  0.00006124813505870483, 0.00003058823630702049, 0.00001528225940865187, 0.000007637197637899763, 0.00000381729326499984, 0.000001908212716553939,
  9.539620338727962e-7, 4.769329867878064e-7, 2.38450502727733e-7, 1.1921992596531106e-7, 5.960818905125948e-8, 2.980350351465228e-8,
  1.4901554828365043e-8, 7.45071178983543e-9, 3.725334024788457e-9, 1.862659723513049e-9, 9.313274324196682e-10,
];

/**
 * lgamma(2 + t) for |t| ≤ ½ by its Taylor series, (1 − γ)·t + Σₖ₌₂ (−1)ᵏ (ζ(k) − 1)/k · tᵏ:
 * relative near its zero at t = 0 (x = 2), where Stirling's formula after a
 * recurrence would cancel. The k-th term is below 4^−k/k of the first; 30 reach a double.
 */
function lgammaNearTwo(t: number): number {
  let p = 0;
  for (let k = ZETA_MINUS_ONE.length + 1; k >= 2; k--) p = p * t + ((k % 2 === 0 ? 1 : -1) * ZETA_MINUS_ONE[k - 2]) / k;
  return (p * t + (1 - EULER_GAMMA)) * t;
}

/** Stirling's series for x ≥ 10, (x − ½)(log x − 1) + ½·log 2π − ½ + Σ B₂ₖ / (2k(2k − 1) x^(2k−1)), to the term below a double's ulp. */
function lgammaLarge(x: number): number {
  const z = 1 / (x * x);
  const series = (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680 - z * (1 / 1188 - z * (691 / 360360 - z / 156)))))) / x;
  return (x - 0.5) * (Math.log(x) - 1) + (HALF_LOG_TWO_PI_MINUS_HALF + series);
}

/** sin(πx), exact at the integers and relative near them: x reduced mod 2 exactly, then to [−½, ½]. */
function sinPi(x: number): number {
  let r = x - 2 * Math.round(x / 2);
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return Math.sin(Math.PI * r);
}

/** π·cot(πx): x reduced to [−½, ½] exactly (cot has period 1). */
function piCotPi(x: number): number {
  return Math.PI / Math.tan(Math.PI * (x - Math.round(x)));
}

/**
 * log|Γ(x)| (C's lgamma): +∞ at 0, the negative integers and ±∞. Near 1 and 2,
 * its zeros, from the Taylor series at 2 (with log(1 + t) for 1 + t);
 * between 2.5 and 10 the recurrence Γ(x) = (x − 1)·Γ(x − 1) down to there;
 * Stirling's series above; below 0 the reflection |Γ(x)| = π / (|sin πx|·Γ(1 − x)).
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x) || (x <= 0 && Number.isInteger(x))) return Infinity;
  if (x < 0) {
    if (x > -0.5) return lgammaNearTwo(x) - Math.log1p(x) - Math.log(-x);
    return LOG_PI - Math.log(Math.abs(sinPi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgammaNearTwo(x) - Math.log1p(x) - Math.log(x);
  if (x < 1.5) return lgammaNearTwo(x - 1) - Math.log1p(x - 1);
  if (x <= 2.5) return lgammaNearTwo(x - 2);
  if (x >= 10) return lgammaLarge(x);
  // x − k is exact (x has fewer than 50 fraction bits here); the product grows to 9!.
  let product = 1;
  while (x > 2.5) {
    x -= 1;
    product *= x;
  }
  return lgammaNearTwo(x - 2) + Math.log(product);
}

/** ψ's positive zero x₀ as a double and the rest of it. */
const DIGAMMA_ROOT = 1.4616321449683622;
const DIGAMMA_ROOT_LOW = 9.549995429965697e-17;
/** ψ⁽ᵏ⁾(x₀)/k! = (−1)^(k+1) ζ(k + 1, x₀) for k = 1, 2, … (Hurwitz ζ by Euler–Maclaurin). */
const DIGAMMA_AT_ROOT = [
  0.9676722454476213, -0.4427631689835922, 0.2584997609556511, -0.16394270544240658, 0.1078240506912624, -0.07219956125645476,
  0.04880428816414313, -0.033161126474847376, 0.022597648232218118, -0.01542476590494897,
];

/**
 * ψ(x) = Γ′(x)/Γ(x) (PyTorch's digamma): −∞ at +0 and +∞ at −0 (PyTorch's
 * copysign(∞, −x)), NaN at the negative integers and −∞. Within 1/64 of its
 * positive zero x₀ the Taylor series there, in x − x₀ taken in two parts
 * (elsewhere the recurrence would cancel to nothing next to x₀); below 10 the
 * recurrence ψ(x) = ψ(x + 1) − 1/x up to 10, then the asymptotic series
 * log x − 1/(2x) − Σ B₂ₖ/(2k x^2k); below 0 the reflection ψ(1 − x) − π·cot(πx).
 */
export function digamma(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (x < 0) return Number.isInteger(x) ? NaN : digamma(1 - x) - piCotPi(x);
  const t = x - DIGAMMA_ROOT - DIGAMMA_ROOT_LOW;
  if (Math.abs(t) < 1 / 64) {
    let p = 0;
    for (let k = DIGAMMA_AT_ROOT.length - 1; k >= 0; k--) p = p * t + DIGAMMA_AT_ROOT[k];
    return p * t;
  }
  let shift = 0;
  for (; x < 10; x += 1) shift += 1 / x;
  const z = 1 / (x * x);
  const series = z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (1 / 240 - z * (1 / 132 - z * (691 / 32760 - z / 12))))));
  return Math.log(x) - 0.5 / x - series - shift;
}

/**
 * ψ′(x) (polygamma(1, x)), positive everywhere: +∞ at 0 and the negative
 * integers, 0 at +∞, NaN at −∞. The recurrence ψ′(x) = ψ′(x + 1) + 1/x² (no
 * cancellation: every term is positive) up to 10, then the asymptotic series
 * 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1); below 0 the reflection π²/sin²(πx) − ψ′(1 − x).
 */
export function trigamma(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0) {
    const s = sinPi(x);
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let shift = 0;
  for (; x < 10; x += 1) shift += 1 / (x * x);
  const z = 1 / (x * x);
  const series = (1 / 6 - z * (1 / 30 - z * (1 / 42 - z * (1 / 30 - z * (5 / 66 - z * (691 / 2730 - (z * 7) / 6)))))) / x;
  return (1 + (0.5 + series) / x) / x + shift;
}

/**
 * erf⁻¹(y): ±∞ at ±1, NaN outside [−1, 1]. Winitzki's closed form (within
 * 2·10⁻³) refined by three of Halley's steps on erf(x) − y (each triples the
 * digits); past ½ the residual is (1 − y) − erfc(x), exact near 1 where
 * erf(x) − y would cancel.
 */
export function erfinv(y: number): number {
  if (Number.isNaN(y) || Math.abs(y) > 1) return NaN;
  if (y === 0 || Math.abs(y) === 1) return y * Infinity || y;
  const a = Math.abs(y);
  const w = Math.log1p(-a * a);
  const p = 2 / (Math.PI * 0.147) + w / 2;
  let x = Math.sqrt(Math.sqrt(p * p - w / 0.147) - p);
  for (let i = 0; i < 3; i++) {
    const f = a <= 0.5 ? erf(x) - a : 1 - a - erfc(x);
    const step = f / (TWO_OVER_ROOT_PI * Math.exp(-x * x));
    x -= step / (1 + x * step);
  }
  return y < 0 ? -x : x;
}
const TWO_OVER_ROOT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The modified Bessel functions I₀ and I₁ (I₁ odd, I₀ even): up to 20 their
 * power series (x/2)^ν Σ (x²/4)ᵏ / (k!·(k + ν)!), every term positive; past
 * it the asymptotic series e^x/√(2πx) · Σ tₖ, tₖ = tₖ₋₁·((2k − 1)² − 4ν²)/(8kx),
 * to its smallest term (e^−40 of the first there).
 */
function besselI(nu: 0 | 1, x: number): number {
  if (Number.isNaN(x)) return x;
  const negative = nu === 1 && (x < 0 || Object.is(x, -0));
  const a = Math.abs(x);
  let r: number;
  if (a === Infinity) {
    r = a;
  } else if (a <= 20) {
    const q = (a * a) / 4;
    let term = nu === 0 ? 1 : a / 2;
    let sum = term;
    for (let k = 1; k < 200; k++) {
      term *= q / (k * (k + nu));
      const next = sum + term;
      if (next === sum) break;
      sum = next;
    }
    r = sum;
  } else {
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 60; k++) {
      const next = (term * ((2 * k - 1) * (2 * k - 1) - 4 * nu)) / (8 * k * a);
      if (Math.abs(next) >= Math.abs(term) || sum + next === sum) break;
      term = next;
      sum += term;
    }
    r = (Math.exp(a) / Math.sqrt(2 * Math.PI * a)) * sum;
  }
  return negative ? -r : r;
}

/** I₀(x), 1 at 0, ∞ at ±∞ (Kaiser windows' Bessel function). */
export const i0 = (x: number): number => besselI(0, x);
/** I₁(x), odd, ±∞ at ±∞. */
export const i1 = (x: number): number => besselI(1, x);

/** sin(πx)/(πx), 1 at 0, exactly 0 at the other integers; NaN at ±∞ (sin's, as PyTorch's). */
export function sinc(x: number): number {
  if (x === 0) return 1;
  if (!Number.isFinite(x)) return NaN;
  return sinPi(x) / (Math.PI * x);
}

/** log(x/(1 − x)): ∓∞ at 0 and 1, NaN outside [0, 1]; 2·atanh(2x − 1) from ¼, where x/(1 − x) → 1 would cancel in the log (2x − 1 is exact there). */
export function logit(x: number): number {
  if (Number.isNaN(x) || x < 0 || x > 1) return NaN;
  return x < 0.25 ? Math.log(x / (1 - x)) : 2 * Math.atanh(2 * x - 1);
}

/** x·log y, 0 where x = 0 (even where log y is ±∞), NaN where y is (PyTorch's xlogy). */
export function xlogy(x: number, y: number): number {
  if (Number.isNaN(y)) return y;
  return x === 0 ? 0 : x * Math.log(y);
}

/** log(eᵃ + eᵇ) = max + log1p(e^−|a − b|), a + log 2 where a = b (which takes ±∞ to themselves). */
export function logaddexp(a: number, b: number): number {
  if (a === b) return a + Math.LN2;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/**
 * √(a² + b²), ∞ where either is ±∞ (NaN or not), as C's hypot. Both squares
 * are exact in double for float operands and their sum neither overflows nor
 * underflows, so this is rounded twice at most (V8's Math.hypot is not
 * correctly rounded: hypot(45, 108) gave 116.99999999999999, which an int truncates to 116).
 */
export function hypot(a: number, b: number): number {
  if (Math.abs(a) === Infinity || Math.abs(b) === Infinity) return Infinity;
  return Math.sqrt(a * a + b * b);
}

/** |a| with b's sign, a NaN b counting as positive (its sign bit is not kept through a double on every backend). */
export function copysign(a: number, b: number): number {
  return b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a);
}
