// Float64 references for the special functions (test/ops/special.test.ts,
// the native kernel tests), written apart from the backends' algorithms:
// ζ(k) summed here, Stirling's series after shifting x past 30, bisection for
// erfinv. Each is within ~1e-14 relative of the exact value where the f32
// tests evaluate it (the f32 inputs nearest ψ's zero lie 1e-8 from it, where
// ψ is 1e-8: the shifted sum's 1e-16 absolute error is 1e-8 of that).
import { erfRef } from './float64.js';

/** ζ(k) = Σ n^−k: the first 1000 terms, then the rest by Euler–Maclaurin (the next correction is below 1e-20). */
function zeta(k: number): number {
  const N = 1000;
  let sum = 0;
  for (let n = N - 1; n >= 1; n--) sum += n ** -k;
  return sum + N ** (1 - k) / (k - 1) + N ** -k / 2 + (k * N ** (-k - 1)) / 12;
}
const ZETA = Array.from({ length: 60 }, (_, k) => (k < 2 ? NaN : zeta(k)));
const EULER_GAMMA = 0.5772156649015329;

/** sin(πx) with x reduced by its nearest integer first (exact), so it is relative near the integers. */
export function sinPiRef(x: number): number {
  const n = Math.round(x);
  const s = Math.sin(Math.PI * (x - n));
  return n % 2 === 0 ? s : -s;
}

/** log Γ(1 + t) for |t| ≤ ¼: −γt + Σ (−1)^k ζ(k)/k tᵏ. */
function lgammaOnePlus(t: number): number {
  let sum = -EULER_GAMMA * t;
  for (let k = 2; k < ZETA.length; k++) sum += (((k % 2 ? -1 : 1) * ZETA[k]) / k) * t ** k;
  return sum;
}

/** log|Γ(x)|: the series at 1 near 1 and 2 (its zeros), Stirling past 30 after the recurrence elsewhere, reflection below ½. */
export function lgammaRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x) || (x <= 0 && Number.isInteger(x))) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(sinPiRef(x))) - lgammaRef(1 - x);
  if (Math.abs(x - 1) <= 0.25) return lgammaOnePlus(x - 1);
  if (Math.abs(x - 2) <= 0.25) return lgammaOnePlus(x - 2) + Math.log1p(x - 2);
  let logProduct = 0;
  for (; x < 30; x += 1) logProduct += Math.log(x);
  const z = 1 / (x * x);
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z / 1680))) / x - logProduct;
}

/** ψ(x): the recurrence to past 30, then log x − 1/(2x) − Σ B₂ₖ/(2k x^2k); reflection below 0. */
export function digammaRef(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Object.is(x, -0) ? Infinity : -Infinity;
  if (x < 0) return Number.isInteger(x) ? NaN : digammaRef(1 - x) - (Math.PI * Math.cos(Math.PI * (x - Math.round(x)))) / sinPiRef(x - Math.round(x));
  let shift = 0;
  for (; x < 30; x += 1) shift += 1 / x;
  const z = 1 / (x * x);
  return Math.log(x) - 0.5 / x - z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z / 240))) - shift;
}

/** ψ′(x): the recurrence to past 30, then 1/x + 1/(2x²) + Σ B₂ₖ/x^(2k+1); reflection below 0. */
export function trigammaRef(x: number): number {
  if (Number.isNaN(x) || x === -Infinity) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0) return (Math.PI / sinPiRef(x)) ** 2 - trigammaRef(1 - x);
  let shift = 0;
  for (; x < 30; x += 1) shift += 1 / (x * x);
  const z = 1 / (x * x);
  return 1 / x + 0.5 * z + (z / x) * (1 / 6 - z * (1 / 30 - z / 42)) + shift;
}

/**
 * erfc: 1 − erf below ½; above, e^(−x²)·2x/√π over the even continued
 * fraction 2x² + 1 − 1·2/(2x² + 5 − 3·4/(…)), 3000 levels deep (converged to a double from ½ on).
 */
export function erfcRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0.5) return 1 - erfRef(x);
  const z = 2 * x * x;
  let tail = z + 1 + 4 * 3000;
  for (let n = 3000; n >= 1; n--) tail = z + 4 * n - 3 - ((2 * n - 1) * 2 * n) / tail;
  return ((2 * x) / Math.sqrt(Math.PI)) * Math.exp(-x * x) / tail;
}

/** erf⁻¹ by bisection on erf (erfc past ½, where 1 − y is exact): 200 halvings of [0, 10]. */
export function erfinvRef(y: number): number {
  if (Number.isNaN(y) || Math.abs(y) > 1) return NaN;
  if (Math.abs(y) === 1) return y * Infinity;
  if (y === 0) return y;
  const a = Math.abs(y);
  let lo = 0;
  let hi = 10;
  for (let i = 0; i < 200 && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    const below = a <= 0.5 ? erfRef(mid) < a : erfcRef(mid) > 1 - a;
    if (below) lo = mid;
    else hi = mid;
  }
  return Math.sign(y) * (lo + hi) / 2;
}

/** sin(πx)/(πx), 1 at 0, NaN at ±∞. */
export function sincRef(x: number): number {
  if (x === 0) return 1;
  if (!Number.isFinite(x)) return NaN;
  return sinPiRef(x) / (Math.PI * x);
}

/** log x − log(1 − x). */
export function logitRef(x: number): number {
  if (Number.isNaN(x) || x < 0 || x > 1) return NaN;
  return Math.log(x) - Math.log1p(-x);
}

/** PyTorch's xlogy: NaN where y is, else 0 where x is, else x·log y. */
export function xlogyRef(x: number, y: number): number {
  if (Number.isNaN(y)) return NaN;
  return x === 0 ? 0 : x * Math.log(y);
}

/** log(eᵃ + eᵇ), with the infinities' limits. */
export function logaddexpRef(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  return m + Math.log1p(Math.exp(Math.min(a, b) - m));
}

/** |a| with b's sign, a NaN b positive. */
export function copysignRef(a: number, b: number): number {
  return b < 0 || Object.is(b, -0) ? -Math.abs(a) : Math.abs(a);
}

/** √(a² + b²) with C's infinities (either ±∞ gives ∞, even with a NaN); the squares of floats are exact in double. */
export function hypotRef(a: number, b: number): number {
  if (Math.abs(a) === Infinity || Math.abs(b) === Infinity) return Infinity;
  return Math.sqrt(a * a + b * b);
}

/**
 * Iₙ(x) for n = 0 or 1: below 2 its power series; above, the integral
 * (1/π) ∫₀^π e^(x cos θ) cos(nθ) dθ by the trapezoid rule on 2000 intervals
 * (exact to a double for a periodic analytic integrand: the error is of the order of I₄₀₀₀(x)).
 */
export function besselIRef(n: 0 | 1, x: number): number {
  if (Number.isNaN(x)) return x;
  if (Math.abs(x) === Infinity) return n === 0 ? Infinity : x;
  if (Math.abs(x) < 2) {
    let sum = 0;
    for (let k = 0; k < 40; k++) {
      let term = (x / 2) ** (2 * k + n);
      for (let j = 1; j <= k; j++) term /= j * (j + n);
      sum += term;
    }
    return n === 1 && Object.is(x, -0) ? -0 : sum;
  }
  const N = 2000;
  let sum = 0;
  for (let j = 0; j <= N; j++) {
    const theta = (Math.PI * j) / N;
    sum += (j === 0 || j === N ? 0.5 : 1) * Math.exp(x * Math.cos(theta)) * Math.cos(n * theta);
  }
  return sum / N;
}
export const i0Ref = (x: number): number => besselIRef(0, x);
export const i1Ref = (x: number): number => besselIRef(1, x);

/**
 * e^−|x|·Iₙ(x) for n = 0 or 1: the power series below 2 and, above, the
 * trapezoid rule on (1/π)∫₀^π e^(|x|(cos θ − 1))·cos(nθ) dθ (exact to a
 * double for this periodic integrand at 20000 intervals up to |x| = 1e4),
 * Hankel's leading two terms only past 1e5, where they are exact to 1e-10.
 */
export function scaledBesselIRef(n: 0 | 1, x: number): number {
  if (Number.isNaN(x)) return x;
  const z = Math.abs(x);
  const sign = n === 1 && (x < 0 || Object.is(x, -0)) ? -1 : 1;
  if (z === Infinity) return sign * 0;
  if (z < 2) return besselIRef(n, x) * Math.exp(-z);
  if (z > 1e5) return (sign * (1 - (4 * n * n - 1) / (8 * z))) / Math.sqrt(2 * Math.PI * z);
  const N = 20000;
  let sum = 0;
  for (let j = 0; j <= N; j++) {
    const theta = (Math.PI * j) / N;
    sum += (j === 0 || j === N ? 0.5 : 1) * Math.exp(z * (Math.cos(theta) - 1)) * Math.cos(n * theta);
  }
  return (sign * sum) / N;
}

/**
 * [P(a, x), Q(a, x)], the regularised incomplete gamma functions, in
 * float64 for a > 0, x > 0 finite: P's series summed and Q's continued
 * fraction run (Lentz) until they stop changing.
 */
export function incompleteGammaRef(a: number, x: number): [number, number] {
  const logPrefactor = a * Math.log(x) - x - lgammaRef(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1e6 && term > sum * 1e-17; n++) {
      term *= x / (a + n);
      sum += term;
    }
    const p = Math.exp(logPrefactor) * sum;
    return [p, 1 - p];
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1e6; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  const q = Math.exp(logPrefactor) * h;
  return [1 - q, q];
}

/**
 * ∂P/∂a at (a, x) in float64: a central difference of the smaller of P and Q
 * (∂Q/∂a = −∂P/∂a, so no digits lost in 1 − Q), Richardson-extrapolated,
 * its step a thousandth of min(a, √a), the scale on which P moves with a.
 */
export function gammaincShapeDerivativeRef(a: number, x: number): number {
  const [p, q] = incompleteGammaRef(a, x);
  const upper = q < p;
  const f = (v: number) => incompleteGammaRef(v, x)[upper ? 1 : 0];
  const h = 1e-3 * Math.min(a, Math.sqrt(a));
  const difference = (step: number) => (f(a + step) - f(a - step)) / (2 * step);
  const derivative = (4 * difference(h / 2) - difference(h)) / 3;
  return upper ? -derivative : derivative;
}

/** x′(a) = −(∂P/∂a)/(∂P/∂x) in float64: how the quantile at P(a, x)'s level moves with a (a Gamma draw's implicit derivative). */
export function gammaQuantileSlopeRef(a: number, x: number): number {
  return -gammaincShapeDerivativeRef(a, x) / Math.exp((a - 1) * Math.log(x) - x - lgammaRef(a));
}

/** The continued fraction 1/(1 + d₁/(1 + d₂/(…))) by Lentz's method, in float64. */
function betaFractionRef(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const clamp = (v: number) => (Math.abs(v) < tiny ? tiny : v);
  let c = 1;
  let d = 1 / clamp(1 - ((a + b) * x) / (a + 1));
  let h = d;
  for (let m = 1; m < 1e6; m++) {
    for (const an of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 / clamp(1 + an * d);
      c = clamp(1 + an / c);
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-16) break;
  }
  return h;
}

/**
 * [I_x(a, b), 1 − I_x(a, b)], the regularised incomplete beta function and
 * its complement, in float64 for a, b > 0 and 0 < x < 1: Numerical Recipes'
 * continued fraction by Lentz's method on the side of the mean where it
 * converges.
 */
export function betaincRef(a: number, b: number, x: number): [number, number] {
  const swap = x > (a + 1) / (a + b + 2);
  const [p, q, u] = swap ? [b, a, 1 - x] : [a, b, x];
  const front = Math.exp(p * Math.log(u) + q * Math.log1p(-u) - (lgammaRef(p) + lgammaRef(q) - lgammaRef(p + q)));
  const direct = (front * betaFractionRef(p, q, u)) / p;
  return swap ? [1 - direct, direct] : [direct, 1 - direct];
}

/**
 * [∂I/∂a, ∂I/∂b] at (a, b, x) in float64: central differences of the
 * smaller of I and 1 − I (whose derivatives are opposite), Richardson-
 * extrapolated, each step a thousandth of min(s, √s) for the parameter s moved.
 */
export function betaincShapeDerivativesRef(a: number, b: number, x: number): [number, number] {
  const [p, q] = betaincRef(a, b, x);
  const upper = q < p;
  const sign = upper ? -1 : 1;
  const derivative = (f: (s: number) => number, s: number) => {
    const h = 1e-3 * Math.min(s, Math.sqrt(s));
    const difference = (step: number) => (f(s + step) - f(s - step)) / (2 * step);
    return (sign * (4 * difference(h / 2) - difference(h))) / 3;
  };
  const side = upper ? 1 : 0;
  return [derivative((s) => betaincRef(s, b, x)[side], a), derivative((s) => betaincRef(a, s, x)[side], b)];
}

/**
 * Kₙ(x) (eˣ·Kₙ(x) where `scaled`) for x > 0 in float64: DLMF 10.32.9's
 * eˣ·Kₙ(x) = ∫₀^∞ e^(−x(cosh u − 1))·cosh(nu) du by the trapezoid rule, the
 * step small beside the integrand's width (~1/√x), up to where the exponent
 * passes −750 (exact to a double: the integrand is analytic and decays
 * doubly exponentially).
 */
export function besselKRef(n: 0 | 1, x: number, scaled: boolean): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return Infinity;
  if (x === Infinity) return 0;
  // cosh u − 1 = 2 sinh²(u/2), which keeps its digits where u is tiny (x large).
  const end = 2 * Math.asinh(Math.sqrt(375 / x));
  const h = Math.min(0.01, 0.05 / Math.sqrt(x), end / 200);
  let sum = 0;
  for (let u = 0, j = 0; u <= end; j++, u = j * h) sum += (j === 0 ? 0.5 : 1) * Math.exp(-2 * x * Math.sinh(u / 2) ** 2) * Math.cosh(n * u);
  return scaled ? sum * h : sum * h * Math.exp(-x);
}

/** e^(x²)·erfc(x) in float64: from ½ on, erfcRef's continued fraction without its e^(−x²); below, as it stands; 2e^(x²) − erfcx(−x) below 0. */
export function erfcxRef(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return 0;
  if (x < 0) return 2 * Math.exp(x * x) - erfcxRef(-x);
  if (x < 0.5) return Math.exp(x * x) * erfcRef(x);
  if (x > 1e8) return 1 / (x * Math.sqrt(Math.PI));
  const z = 2 * x * x;
  let tail = z + 1 + 4 * 3000;
  for (let n = 3000; n >= 1; n--) tail = z + 4 * n - 3 - ((2 * n - 1) * 2 * n) / tail;
  return (2 * x) / Math.sqrt(Math.PI) / tail;
}
