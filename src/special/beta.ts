// The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b)
// and its complement (scipy.special.betainc and betaincc; torch.special has
// neither): the cdfs of the Beta, Student's t, binomial and negative
// binomial distributions. A fixed number of op steps: the continued fraction
// I = xᵃ(1 − x)ᵇ/(a·B(a, b))·1/(1 + d₁/(1 + d₂/(…))) (Numerical Recipes'
// betacf) evaluated from the bottom up at a fixed depth, where x < (a + 1)/
// (a + b + 2), and I_x(a, b) = 1 − I_{1−x}(b, a) past it. The depth below
// converges to f32 (within 10⁻⁹ in float64) for a and b up to 2,000, past
// which the error grows (10⁻⁴ at a = b = 10,000).
//
// The gradients in a and b (which SciPy's and PyTorch's lack) come from the
// same fraction run forward-mode in each, with the prefactor's log-derivative
// log(x/x₀) + (log a − ψ(a)) − (log(a + b) − ψ(a + b)), x₀ = a/(a + b),
// written so that nothing of size log a cancels.
import { sumToShape } from '../ops/reduce.js';
import { broadcastShapes } from '../shape.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import {
  abs, add, digamma, div, equal, exp, greater, less, lgamma, log, log1p, mul, neg, notEqual, sub, where, xlogy,
} from '../ops/elementwise.js';
import { logicalAnd, logicalNot, logicalOr } from '../ops/logical.js';
import { xlog1py } from './entropy.js';
import { expIntoSubnormals, inF32 } from './float.js';
import { logGammaStar, logMinusDigamma } from './gamma.js';

/** Levels of the continued fraction: d₁ … d₂ₙ. */
const DEPTH = 96;
const LOG_2PI = Math.log(2 * Math.PI);

/** log(v/v₀) given v − v₀: log1p of the small ratio near v₀ (the difference exact there), a difference of logs away from it. */
function logRatio(v: Tensor, v0: Tensor, difference: Tensor): Tensor {
  return where(less(abs(difference), mul(v0, 0.5)), log1p(div(difference, v0)), sub(log(v), log(v0)));
}

/**
 * log(xᵃyᵇ/B(a, b)), y = 1 − x, written around the mean x₀ = a/(a + b) with
 * Stirling's remainders (log B = ½log 2π + (a − ½)log a + (b − ½)log b − (a + b − ½)log(a + b) +
 * Γ*(a) + Γ*(b) − Γ*(a + b)): a·log(x/x₀) + b·log(y/y₀) + ½log(ab/(2π(a + b))) −
 * Γ*(a) − Γ*(b) + Γ*(a + b), no lgamma of hundreds to cancel.
 */
function logPrefactor(a: Tensor, b: Tensor, x: Tensor, y: Tensor): Tensor {
  const total = add(a, b);
  const x0 = div(a, total);
  const y0 = div(b, total);
  // y − y₀ = x₀ − x where x + y = 1: x's side holds the difference exactly, y₀'s rounding (an ulp of 1) would not.
  const shift = sub(x, x0);
  const powers = add(mul(a, logRatio(x, x0, shift)), mul(b, logRatio(y, y0, neg(shift))));
  const roots = mul(sub(sub(add(log(a), log(b)), log(total)), LOG_2PI), 0.5);
  return add(add(powers, roots), sub(logGammaStar(total), add(logGammaStar(a), logGammaStar(b))));
}

/**
 * The denominator 1 + d₁/(1 + d₂/(…)) of the continued fraction, DEPTH
 * levels from the bottom, and, where `slopes` asks, its derivatives in a
 * and in b carried alongside.
 */
function fraction(a: Tensor, b: Tensor, x: Tensor, slopes = false): [Tensor, Tensor | null, Tensor | null] {
  let t: Tensor | number = 1;
  let [ta, tb]: (Tensor | number | null)[] = slopes ? [0, 0] : [null, null];
  for (let k = DEPTH; k >= 1; k--) {
    const m = Math.floor(k / 2);
    // d₂ₘ = m(b − m)x/((a + 2m − 1)(a + 2m)); d₂ₘ₊₁ = −(a + m)(a + b + m)x/((a + 2m)(a + 2m + 1)).
    const d = k % 2 === 0
      ? div(mul(mul(sub(b, m), x), m), mul(add(a, 2 * m - 1), add(a, 2 * m)))
      : div(mul(mul(add(a, m), add(add(a, b), m)), mul(x, -1)), mul(add(a, 2 * m), add(a, 2 * m + 1)));
    if (ta !== null && tb !== null) {
      // Each d's log-derivatives: ∂d/∂a = d·Σ ±1/(its factors in a), ∂d/∂b = d/(its factor in b).
      const [da, db] = k % 2 === 0
        ? [mul(d, neg(add(div(1, add(a, 2 * m - 1)), div(1, add(a, 2 * m))))), div(mul(x, m), mul(add(a, 2 * m - 1), add(a, 2 * m)))]
        : [mul(d, sub(add(div(1, add(a, m)), div(1, add(add(a, b), m))), add(div(1, add(a, 2 * m)), div(1, add(a, 2 * m + 1))))), div(d, add(add(a, b), m))];
      // t = 1 + d/t₊: t′ = d′/t₊ − d·t₊′/t₊².
      const squared = typeof t === 'number' ? 1 : mul(t, t);
      ta = sub(div(da, t), div(mul(d, ta), squared));
      tb = sub(div(db, t), div(mul(d, tb), squared));
    }
    t = add(div(d, t), 1);
  }
  return [t as Tensor, ta as Tensor | null, tb as Tensor | null];
}

/**
 * The side of the mean where the fraction converges: (a, b, x, y) below
 * x = (a + 1)/(a + b + 2), (b, a, y, x) past it (`swap`), where what it
 * computes is 1 − I.
 */
function convergingSide(a: Tensor, b: Tensor, x: Tensor, y: Tensor): { swap: Tensor; p: Tensor; q: Tensor; u: Tensor; v: Tensor } {
  const swap = greater(x, div(add(a, 1), add(add(a, b), 2)));
  return { swap, p: where(swap, b, a), q: where(swap, a, b), u: where(swap, y, x), v: where(swap, x, y) };
}

/** I_x(a, b) (or its complement) at a, b > 0 and 0 < x < 1 finite, y = 1 − x given; the edges as SciPy's after. */
function regularized(upper: boolean, a: Tensor, b: Tensor, x: Tensor, y: Tensor): Tensor {
  const { swap, p, q, u, v } = convergingSide(a, b, x, y);
  const direct = div(expIntoSubnormals(logPrefactor(p, q, u, v)), mul(p, fraction(p, q, u)[0]));
  // direct is I where not swapped and 1 − I where swapped.
  const computedIsAsked = upper ? swap : logicalNot(swap);
  let out = where(computedIsAsked, direct, sub(1, direct));
  const [atZero, atOne] = upper ? [1, 0] : [0, 1];
  out = where(equal(x, 0), atZero, where(equal(y, 0), atOne, out));
  // a = 0: all mass at 0; b = 0: all at 1; an infinite one the other way (both: undefined).
  out = where(logicalOr(equal(a, 0), equal(b, Infinity)), where(greater(x, 0), atOne, atZero), out);
  out = where(logicalOr(equal(b, 0), equal(a, Infinity)), where(less(x, 1), atZero, atOne), out);
  const undefinedPair = logicalOr(logicalAnd(equal(a, 0), equal(b, 0)), logicalAnd(equal(a, Infinity), equal(b, Infinity)));
  const outside = logicalOr(logicalOr(less(a, 0), less(b, 0)), logicalOr(less(x, 0), greater(x, 1)));
  const sum = add(add(a, b), x);
  return where(logicalOr(logicalOr(undefinedPair, outside), notEqual(sum, sum)), NaN, out);
}

/**
 * [∂I/∂a, ∂I/∂b] at a, b > 0 finite and 0 < x < 1 (y = 1 − x), 0 elsewhere,
 * unrecorded: the fraction's side (swapped past the mean, where the
 * fraction computes 1 − I of b, a, y) differentiated as a whole,
 * ∂ log(direct)/∂p = log(u/u₀) + (log p − ψ(p)) − (log(p + q) − ψ(p + q)) − 1/p − F′ₚ/F
 * and likewise in q without the 1/p.
 */
function shapeGradients(a: Tensor, b: Tensor, x: Tensor, y: Tensor): [Tensor, Tensor] {
  const inside = logicalAnd(logicalAnd(logicalAnd(greater(a, 0), less(a, Infinity)), logicalAnd(greater(b, 0), less(b, Infinity))), logicalAnd(greater(x, 0), greater(y, 0)));
  const [sa, sb, sx, sy] = [where(inside, a, 1), where(inside, b, 1), where(inside, x, 0.5), where(inside, y, 0.5)];
  const { swap, p, q, u, v } = convergingSide(sa, sb, sx, sy);
  const total = add(p, q);
  const [u0, v0] = [div(p, total), div(q, total)];
  const [f, fp, fq] = fraction(p, q, u, true);
  const direct = div(expIntoSubnormals(logPrefactor(p, q, u, v)), mul(p, f));
  const common = logMinusDigamma(total);
  const shift = sub(u, u0);
  // log p − ψ(p) − 1/p = log p − ψ(p + 1), whose two terms do not cancel as 1/p does for small p.
  const withoutReciprocal = where(less(p, 10), sub(log(p), digamma(add(p, 1))), sub(logMinusDigamma(p), div(1, p)));
  const byP = mul(direct, sub(sub(add(logRatio(u, u0, shift), withoutReciprocal), common), div(fp as Tensor, f)));
  const byQ = mul(direct, sub(sub(add(logRatio(v, v0, neg(shift)), logMinusDigamma(q)), common), div(fq as Tensor, f)));
  // Swapped, direct is 1 − I(a, b) with p = b and q = a.
  const byA = where(swap, neg(byQ), byP);
  const byB = where(swap, neg(byP), byQ);
  return [where(inside, byA, 0), where(inside, byB, 0)];
}

/** ∂I/∂x = x^(a−1)(1 − x)^(b−1)/B(a, b): the prefactor over x(1 − x) inside (0, 1), its limit (xlogy's 0·log 0 = 0) at the ends. */
function density(a: Tensor, b: Tensor, x: Tensor, y: Tensor): Tensor {
  const inside = div(exp(logPrefactor(a, b, x, y)), mul(x, y));
  const logBeta = sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b)));
  const ends = exp(sub(add(xlogy(sub(a, 1), x), xlog1py(sub(b, 1), mul(x, -1))), logBeta));
  return where(logicalAnd(greater(x, 0), greater(y, 0)), inside, ends);
}

/** I (or 1 − I) of f32 a, b and x, y = 1 − x, recorded with its gradient in x (through which y moves too). */
function recorded(name: string, upper: boolean, a: Tensor, b: Tensor, x: Tensor, y: Tensor): Tensor {
  broadcastShapes(name, broadcastShapes(name, a.shape, b.shape), x.shape);
  const value = noGrad(() => regularized(upper, a, b, x, y));
  return record(value, name, [a, b, x], [a, b, x], (dy, [sa, sb, sx], needs) => {
    const sign = upper ? -1 : 1;
    const [byA, byB] = needs[0] || needs[1] ? shapeGradients(sa, sb, sx, sub(1, sx)) : [null, null];
    const d = mul(dy, density(sa, sb, sx, sub(1, sx)));
    return [
      byA ? sumToShape(mul(dy, mul(byA, sign)), sa.shape) : null,
      byB ? sumToShape(mul(dy, mul(byB, sign)), sb.shape) : null,
      sumToShape(mul(d, sign), sx.shape),
    ];
  });
}

/**
 * I_x(a, b) (or 1 − I), computed in f32, with y = 1 − x given where the
 * caller has it more exactly than 1 − x rounds (a distribution's cdf passes
 * p and its complement, or t²/(ν + t²) and ν/(ν + t²)).
 */
export function incompleteBeta(name: string, upper: boolean, a: TensorLike, b: TensorLike, x: TensorLike, y?: TensorLike): Tensor {
  if (y === undefined) return inF32(name, ['a', 'b', 'x'], [a, b, x], (af, bf, xf) => recorded(name, upper, af, bf, xf, sub(1, xf)));
  return inF32(name, ['a', 'b', 'x', 'y'], [a, b, x, y], (af, bf, xf, yf) => recorded(name, upper, af, bf, xf, yf));
}

/**
 * I_x(a, b) = B(x; a, b)/B(a, b), the regularized incomplete beta function
 * (scipy.special.betainc), a, b and x broadcast (tensors or numbers): the
 * Beta(a, b) distribution's cdf at x. NaN where a < 0, b < 0 or x outside
 * [0, 1]; 0 at x = 0 and 1 at x = 1; a = 0 puts all the mass at 0 and b = 0
 * at 1 (NaN where both are 0, or both ∞). Accurate to a few f32 ulps of the
 * exponent's terms for a and b up to 2,000 (see the file's note). The
 * gradient with respect to x is x^(a−1)(1 − x)^(b−1)/B(a, b); with respect
 * to a and b (which SciPy lacks) the fraction's, differentiated in each.
 */
export function betainc(a: TensorLike, b: TensorLike, x: TensorLike): Tensor {
  return incompleteBeta('betainc', false, a, b, x);
}

/**
 * 1 − I_x(a, b) = I_{1−x}(b, a) (scipy.special.betaincc), relative to
 * itself where it is small (x near 1), as betainc is where it is. The
 * edges mirror betainc's; the gradient with respect to x is −betainc's.
 */
export function betaincc(a: TensorLike, b: TensorLike, x: TensorLike): Tensor {
  return incompleteBeta('betaincc', true, a, b, x);
}
