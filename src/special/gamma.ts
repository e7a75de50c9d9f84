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
import { ValueError, formatValue } from '../errors.js';
import { sumToShape } from '../ops/reduce.js';
import { broadcastShapes } from '../shape.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import {
  abs, add, div, equal, exp, greater, greaterEqual, less, lgamma, log, log1p, maximum, minimum, mul, neg, pow, square, sub, where,
} from '../ops/elementwise.js';
import { expIntoSubnormals, inF32 } from './float.js';

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
  const small = minimum(a, STIRLING_FROM);
  const direct = sub(add(sub(lgamma(small), mul(sub(small, 0.5), log(small))), small), HALF_LOG_2PI);
  const large = maximum(a, STIRLING_FROM);
  const z = div(1, square(large));
  const series = div(add(mul(add(mul(add(mul(z, -1 / 1680), 1 / 1260), z), -1 / 360), z), 1 / 12), large);
  return where(less(a, STIRLING_FROM), direct, series);
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
  const ratio = div(x, a);
  const representable = mul(greaterEqual(ratio, 2 ** -126), less(ratio, Infinity));
  const logRatio = where(less(abs(difference), mul(a, 0.5)), log1p(div(difference, a)), where(representable, log(ratio), sub(log(x), log(a))));
  return sub(add(neg(sub(difference, mul(a, logRatio))), mul(log(div(a, 2 * Math.PI)), 0.5)), logGammaStar(a));
}

/** 1 + x/(a + 1)·(1 + x/(a + 2)·(…)), SERIES_DEPTH terms, from the last. */
function series(a: Tensor, x: Tensor): Tensor {
  let s: Tensor | number = 1;
  for (let k = SERIES_DEPTH; k >= 1; k--) s = add(mul(s, div(x, add(a, k))), 1);
  return s as Tensor;
}

/** x + 1 − a − 1·(1 − a)/(x + 3 − a − 2·(2 − a)/(…)), FRACTION_DEPTH levels, from the bottom. */
function fraction(a: Tensor, x: Tensor): Tensor {
  const xa = sub(x, a);
  let t = add(xa, 2 * FRACTION_DEPTH + 1);
  for (let k = FRACTION_DEPTH; k >= 1; k--) t = sub(add(xa, 2 * k - 1), div(mul(sub(k, a), k), t));
  return t;
}

/** P (lower) or Q at a > 0, x > 0 finite, unrecorded; the edges as PyTorch's (Cephes') after. */
function regularized(lower: boolean, a: Tensor, x: Tensor): Tensor {
  const prefactor = expIntoSubnormals(logPrefactor(a, x));
  const p = div(mul(prefactor, series(a, x)), a);
  const q = div(prefactor, fraction(a, x));
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

function incomplete(name: string, lower: boolean, a: TensorLike, x: TensorLike): Tensor {
  return inF32(name, ['a', 'x'], [a, x], (af, xf) => {
    broadcastShapes(name, af.shape, xf.shape);
    const y = noGrad(() => regularized(lower, af, xf));
    return record(y, name, [af, xf], [af, xf], (dy, [sa, sx], needs) => {
      if (needs[0]) {
        throw new ValueError(`${name}: no gradient with respect to a (PyTorch has none either); detach a, or give it as a number`);
      }
      const d = mul(dy, density(sa, sx));
      return [null, sumToShape(lower ? d : neg(d), sx.shape)];
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
 * gradient with respect to x is x^(a−1)e⁻ˣ/Γ(a); with respect to a there is
 * none (backward throws), as in PyTorch.
 */
export function gammainc(a: TensorLike, x: TensorLike): Tensor {
  return incomplete('gammainc', true, a, x);
}

/**
 * Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x), the regularized upper incomplete
 * gamma function (torch.special.gammaincc, scipy.special.gammaincc), relative
 * to itself where x ≥ a + 1 (its tail into the subnormals); the edges mirror
 * gammainc's (1 at x = 0, 0 at x = ∞ and at a = 0 with x > 0). The gradient
 * with respect to x is −x^(a−1)e⁻ˣ/Γ(a); none with respect to a.
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
