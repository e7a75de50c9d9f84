// The regularized incomplete gamma functions P(a, x) = γ(a, x)/Γ(a) and
// Q(a, x) = Γ(a, x)/Γ(a) (torch.special.gammainc and gammaincc, scipy's),
// and the multivariate log-gamma. P and Q are a fixed number of op steps:
// the series P = xᵃe⁻ˣ/Γ(a + 1)·(1 + x/(a + 1)·(1 + x/(a + 2)·(…))) where
// x < a + 1, Legendre's continued fraction Q = xᵃe⁻ˣ/Γ(a)/(x + 1 − a −
// 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(…))) elsewhere (Numerical Recipes'
// split), both evaluated from the bottom up at a fixed depth, the other
// function the complement. Near x = a + 1 each needs O(√a) steps: the depths
// below converge to f32 (3e-8) for a up to 500 (checked in float64 at
// depth 5000), past which the error grows.
//
// Both functions have a gradient in a as well (PyTorch's have none; TF's
// and JAX's do): ∂P/∂a = −x′(a)·∂P/∂x, where x′(a) = −(∂P/∂a)/(∂P/∂x) is how
// the quantile at a fixed level P moves as a grows (gammaQuantileLogSlope, also
// what Gamma's rsample needs: Figurnov et al.'s implicit reparameterisation).
// It comes from the same series and fraction run forward-mode in a, as
// ratios that never form the prefactor (so no underflow), and from a = 200 on
// from Temme's uniform expansion of Q, where the fixed depths fall short.
import { ValueError, formatValue } from '../errors.js';
import { sumToShape } from '../ops/reduce.js';
import { broadcastShapes } from '../shape.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import {
  abs, add, digamma, div, equal, exp, greater, greaterEqual, less, lgamma, log, log1p, minimum, mul, neg, notEqual, pow, square, sub, where,
} from '../ops/elementwise.js';
import { logicalAnd, logicalNot } from '../ops/logical.js';
import { expIntoSubnormals, inF32, piecewise, polynomial } from './float.js';

const SERIES_DEPTH = 128;
const FRACTION_DEPTH = 64;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
/** From here on log Γ*(a) takes Stirling's series (its fifth term is below 1e-12 at 10). */
const STIRLING_FROM = 10;

/**
 * log Γ*(a) = log Γ(a) − (a − ½)·log a + a − ½ log 2π, Stirling's remainder:
 * by its series from 10 on, where subtracting lgamma would cancel (lgamma(1000) ≈ 5900).
 */
export function logGammaStar(a: Tensor): Tensor {
  const direct = (small: Tensor) => sub(add(sub(lgamma(small), mul(sub(small, 0.5), log(small))), small), HALF_LOG_2PI);
  const series = (large: Tensor) => div(polynomial(div(1, square(large)), [1 / 12, -1 / 360, 1 / 1260, -1 / 1680]), large);
  return piecewise(less(a, STIRLING_FROM), a, direct, 1, series, STIRLING_FROM);
}

/** log(x/y), x, y > 0: through log x − log y only where x/y leaves f32's normal numbers (either way). */
function logOfRatio(x: Tensor, y: Tensor, logX: Tensor = log(x)): Tensor {
  const ratio = div(x, y);
  const normal = logicalAnd(greaterEqual(ratio, 2 ** -126), less(ratio, Infinity));
  return where(normal, log(ratio), sub(logX, log(y)));
}

/**
 * log(xᵃe⁻ˣ/Γ(a)) in Temme's form −(x − a − a·log λ) + ½ log(a/2π) − log Γ*(a),
 * λ = x/a: no a·log x and lgamma(a) of thousands to cancel. log λ is
 * log1p((x − a)/a) near λ = 1 (x − a exact there), log(x/a) away from it
 * (log1p would magnify the rounding of a 1 + d near 0 where x ≪ a), and
 * log x − log a only where x/a leaves f32's normal range.
 */
function logPrefactor(a: Tensor, x: Tensor): Tensor {
  const difference = sub(x, a);
  const logRatio = where(less(abs(difference), mul(a, 0.5)), log1p(div(difference, a)), logOfRatio(x, a));
  return sub(add(neg(sub(difference, mul(a, logRatio))), mul(log(div(a, 2 * Math.PI)), 0.5)), logGammaStar(a));
}

/**
 * 1 + x/(a + 1)·(1 + x/(a + 2)·(…)), SERIES_DEPTH terms from the last, and,
 * where `slope` asks, its derivative in a carried alongside.
 */
function series(a: Tensor, x: Tensor, slope = false): [Tensor, Tensor | null] {
  let s: Tensor | number = 1;
  let ds: Tensor | number | null = slope ? 0 : null;
  for (let k = SERIES_DEPTH; k >= 1; k--) {
    const step = div(x, add(a, k));
    if (ds !== null) ds = mul(sub(ds, div(s, add(a, k))), step);
    s = add(mul(s, step), 1);
  }
  return [s as Tensor, ds as Tensor | null];
}

/**
 * x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(…)), FRACTION_DEPTH levels
 * from the bottom, and, where `slope` asks, its derivative in a alongside.
 */
function fraction(a: Tensor, x: Tensor, slope = false): [Tensor, Tensor | null] {
  const xa = sub(x, a);
  let t = add(xa, 2 * FRACTION_DEPTH + 1);
  let dt: Tensor | number | null = slope ? -1 : null;
  for (let k = FRACTION_DEPTH; k >= 1; k--) {
    const numerator = mul(sub(k, a), k);
    if (dt !== null) dt = add(sub(div(k, t), 1), div(mul(numerator, dt), square(t)));
    t = sub(add(xa, 2 * k - 1), div(numerator, t));
  }
  return [t, dt as Tensor | null];
}

/** P (lower) or Q at a > 0, x > 0 finite, unrecorded; the edges as PyTorch's (Cephes') after. */
function regularized(lower: boolean, a: Tensor, x: Tensor): Tensor {
  const prefactor = expIntoSubnormals(logPrefactor(a, x));
  const p = div(mul(prefactor, series(a, x)[0]), a);
  const q = div(prefactor, fraction(a, x)[0]);
  const bySeries = less(x, add(a, 1));
  let y = lower ? where(bySeries, p, sub(1, q)) : where(bySeries, sub(1, p), q);
  const [atZero, atInfinity] = lower ? [0, 1] : [1, 0];
  y = where(equal(x, Infinity), atInfinity, y);
  y = where(equal(a, Infinity), where(equal(x, Infinity), NaN, atZero), y);
  y = where(equal(x, 0), atZero, y);
  y = where(equal(a, 0), where(greater(x, 0), atInfinity, NaN), y);
  return where(less(minimum(a, x), 0), NaN, y);
}

/** ∂P/∂x = x^(a−1)·e⁻ˣ/Γ(a): the prefactor over x, and at x = 0 its limit 0^(a−1)/Γ(a) (∞ for a < 1, 1 at a = 1, else 0). */
function density(a: Tensor, x: Tensor): Tensor {
  const inside = div(exp(logPrefactor(a, x)), x);
  const atZero = mul(pow(x, sub(a, 1)), exp(neg(lgamma(a))));
  return where(greater(x, 0), inside, atZero);
}

/** From here on the quantile's slope takes Temme's expansion near λ = 1 (its first term left out is below 1e-9 relative at 200)… */
const TEMME_FROM = 200;
/** …within |λ − 1| < 0.7, where the δ-series below keep 1e-10 (the fixed depths converge fast beyond). */
const TEMME_WITHIN = 0.7;
/**
 * The coefficients in δ = x/a − 1 of h₁ and h₂ in the slope's expansion
 * below: Temme's c₀, c₁ (DLMF 8.12.10, c₂ by the recursion 8.12.11) put into
 * h₁ = log λ·c₁ − c₀/2 − (λ − 1)/η·c₀′ and h₂ = log λ·c₂ − 3c₁/2 −
 * (λ − 1)/η·c₁′ (′ = d/dη) and expanded about δ = 0 by sympy, where their
 * closed forms cancel; taken within |δ| < 0.7, where the terms kept leave
 * below 1e-10.
 */
const TEMME_H1 = [1 / 12, -1 / 24, 1 / 45, -1 / 80, 1 / 140, -1 / 252, 1 / 504, -1 / 1440, -1 / 5940, 1 / 1320, -1 / 858, 19 / 13104, -3 / 1820, 1 / 560];
const TEMME_H2 = [1 / 160, 1 / 192, -47 / 6048, 317 / 40320, -73 / 10080, 391 / 60480, -95 / 16632, 383 / 76032];

/** log z − ψ(z) > 0: from 10 on by its asymptotic series 1/2z + 1/12z² − 1/120z⁴ + 1/252z⁶, where log z and ψ(z) cancel. */
export function logMinusDigamma(z: Tensor): Tensor {
  const direct = (small: Tensor) => sub(log(small), digamma(small));
  const series = (large: Tensor) => div(polynomial(div(1, large), [0.5, 1 / 12, 0, -1 / 120, 0, 1 / 252]), large);
  return piecewise(less(z, STIRLING_FROM), z, direct, 1, series, STIRLING_FROM);
}

/**
 * x′(a)/x = (∂ log x/∂a) along a level curve of P(a, x), for a > 0 finite
 * and x > 0 finite given both as x and as log x (x may have underflowed to
 * 0 where log x has not, a log-space draw's), unrecorded: with
 * x′(a) = −(∂P/∂a)/(∂P/∂x) the derivative of a Gamma(a, 1) draw in a at
 * fixed noise, ∂P/∂x = xᵃ⁻¹e⁻ˣ/Γ(a):
 * - below x = a + 1, where P = xᵃe⁻ˣ/Γ(a + 1)·S: x′/x = −(S·(log x − ψ(a + 1)) + ∂S/∂a)/a;
 * - above, where Q = xᵃe⁻ˣ/Γ(a)/T: x′/x = (log x − ψ(a) − (∂T/∂a)/T)/T;
 * - from a = 200 within |λ − 1| ≤ 0.7, λ = x/a (the depths fall short near λ = 1 only), by Temme's
 *   Q = ½erfc(η√(a/2)) + e^(−aη²/2)/√(2πa)·(c₀ + c₁/a + …), η²/2 = λ − 1 − log λ:
 *   x′/x = Γ*(a)·(log λ/(λ − 1) + h₁(λ)/a + h₂(λ)/a² + O(a⁻³))/a.
 * Within 6e-7 relative of float64 for a from 1e-3 to 10⁵ (tested).
 */
export function gammaQuantileLogSlope(a: Tensor, x: Tensor, logX: Tensor): Tensor {
  const delta = sub(div(x, a), 1);
  const temme = logicalAnd(greaterEqual(a, TEMME_FROM), less(abs(delta), TEMME_WITHIN));
  const below = less(x, add(a, 1));
  const bySeries = logicalAnd(below, logicalNot(temme));
  const byFraction = logicalAnd(logicalNot(below), logicalNot(temme));
  // Each branch is given only its own points (others at a point of its own), so that none makes a NaN to be discarded.
  const [aS, xS, lS] = [where(bySeries, a, 1), where(bySeries, x, 1), where(bySeries, logX, 0)];
  const [s, ds] = series(aS, xS, true);
  const logTerm = add(logOfRatio(xS, add(aS, 1), lS), logMinusDigamma(add(aS, 1)));
  const belowSeam = neg(div(add(mul(s, logTerm), ds as Tensor), aS));
  const [aF, xF, lF] = [where(byFraction, a, 1), where(byFraction, x, 3), where(byFraction, logX, Math.log(3))];
  const [t, dt] = fraction(aF, xF, true);
  const aboveSeam = div(sub(add(logOfRatio(xF, aF, lF), logMinusDigamma(aF)), div(dt as Tensor, t)), t);
  const aT = where(temme, a, TEMME_FROM);
  const d = where(temme, delta, 0);
  const atOne = equal(d, 0);
  const leading = where(atOne, 1, div(log1p(d), where(atOne, 1, d)));
  const inverse = div(1, aT);
  const corrections = mul(add(polynomial(d, TEMME_H1), mul(polynomial(d, TEMME_H2), inverse)), inverse);
  const byTemme = mul(mul(exp(logGammaStar(aT)), add(leading, corrections)), inverse);
  return where(temme, byTemme, where(bySeries, belowSeam, aboveSeam));
}

/**
 * dy·∂P/∂a given dx = dy·∂P/∂x: −x′(a)·dx where a and x are positive and
 * finite (P constant in a at x = 0 and x = ∞), 0 elsewhere; broadcast.
 */
function shapeGradient(a: Tensor, x: Tensor, dx: Tensor): Tensor {
  // dx = 0 (a density underflowed) takes no part: no slope need be finite there.
  const inside = logicalAnd(logicalAnd(logicalAnd(greater(a, 0), less(a, Infinity)), logicalAnd(greater(x, 0), less(x, Infinity))), notEqual(dx, 0));
  const [sa, sx] = [where(inside, a, 1), where(inside, x, 1)];
  const slope = mul(gammaQuantileLogSlope(sa, sx, log(sx)), sx);
  return where(inside, neg(mul(slope, dx)), 0);
}

function incomplete(name: string, lower: boolean, a: TensorLike, x: TensorLike): Tensor {
  return inF32(name, ['a', 'x'], [a, x], (af, xf) => {
    broadcastShapes(name, af.shape, xf.shape);
    const y = noGrad(() => regularized(lower, af, xf));
    return record(y, name, [af, xf], [af, xf], (dy, [sa, sx], needs) => {
      const dx = mul(dy, density(sa, sx));
      return [needs[0] ? sumToShape(lower ? shapeGradient(sa, sx, dx) : neg(shapeGradient(sa, sx, dx)), sa.shape) : null, sumToShape(lower ? dx : neg(dx), sx.shape)];
    });
  });
}

/**
 * P(a, x) = γ(a, x)/Γ(a), the regularized lower incomplete gamma function
 * (torch.special.gammainc, scipy.special.gammainc), a and x broadcast (tensors
 * or numbers). NaN where a < 0 or x < 0; at a = 0, 1 for x > 0 and NaN at
 * x = 0; 0 at x = 0, 1 at x = ∞, 0 at a = ∞ (NaN with x = ∞). Accurate to a
 * few f32 ulps for a up to 500 (see the file's note); where x < a + 1 and P is
 * near 1 (a ≪ 1) its complement Q is 1 − P, absolute to an ulp of 1. The
 * gradient with respect to x is x^(a−1)e⁻ˣ/Γ(a); with respect to a it is
 * ∂P/∂a (PyTorch has none; TF's igamma does), through the series and fraction
 * differentiated in a (from a = 200 Temme's expansion): within a few f32 ulps
 * of x′(a) times the density, 0 where x is 0 or ∞.
 */
export function gammainc(a: TensorLike, x: TensorLike): Tensor {
  return incomplete('gammainc', true, a, x);
}

/**
 * Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), the regularized upper incomplete
 * gamma function (torch.special.gammaincc, scipy.special.gammaincc), relative
 * to itself where x ≥ a + 1 (its tail into the subnormals); the edges mirror
 * gammainc's (1 at x = 0, 0 at x = ∞ and at a = 0 with x > 0). The gradient
 * with respect to x is −x^(a−1)e⁻ˣ/Γ(a), with respect to a −∂P/∂a.
 */
export function gammaincc(a: TensorLike, x: TensorLike): Tensor {
  return incomplete('gammaincc', false, a, x);
}

/**
 * log Γₚ(a) = p(p − 1)/4·log π + Σⱼ₌₁…ₚ log Γ(a + (1 − j)/2), the log of the
 * multivariate gamma function (torch.special.multigammaln,
 * scipy.special.multigammaln), for an integer p ≥ 1. Defined for a > (p − 1)/2:
 * NaN at or below (PyTorch and SciPy refuse such a, which a GPU cannot check
 * without reading it back; the gradient is 0 there). Differentiable through lgamma.
 */
export function multigammaln(a: TensorLike, p: number): Tensor {
  if (!Number.isInteger(p) || p < 1) throw new ValueError(`multigammaln: p must be an integer ≥ 1, got ${formatValue(p)}`);
  return inF32('multigammaln', ['a'], [a], (af) => {
    const defined = greater(af, (p - 1) / 2);
    // Summed at a point where it is defined instead, so that no NaN gradient comes back from there.
    const safe = where(defined, af, p);
    let sum: Tensor = lgamma(safe);
    for (let j = 2; j <= p; j++) sum = add(sum, lgamma(add(safe, (1 - j) / 2)));
    return where(defined, add(sum, (p * (p - 1) * Math.log(Math.PI)) / 4), NaN);
  });
}
