// torch.special's classical orthogonal polynomials of degree n at x:
// Chebyshev's of the four kinds (and shifted to [0, 1]), Hermite's two
// normalisations, Laguerre's and Legendre's. Each by its three-term
// recurrence p₍ₖ₊₁₎ = (a(k)·x + b(k))·pₖ − c(k)·p₍ₖ₋₁₎ from p₀ = 1 and its p₁,
// n − 1 steps of ops (each freed as the next is made), so n is a number
// (torch's may also be a tensor); divisions by k + 1 are divisions, not
// products with a rounded reciprocal, so Pₙ(±1) and Lₙ(0) stay exact. As
// torch's, Chebyshev's inside (−1, 1) past degree 6 (T) or 8 (U, V, W) are
// their trigonometric forms at θ = acos x, cos nθ, sin((n + 1)θ)/sin θ,
// cos((n + ½)θ)/cos(θ/2) and sin((n + ½)θ)/sin(θ/2), whose error does not
// grow as the recurrence's does near ±1.
import { ValueError, formatValue } from '../errors.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { tidy } from '../engine.js';
import { abs, acos, add, clip, cos, div, less, mul, sin, sub, where } from '../ops/elementwise.js';
import { onesLike, zerosLike } from '../ops/creation.js';
import { inF32 } from './float.js';

/** A family: p₁(x), p₍ₖ₊₁₎ from pₖ and p₍ₖ₋₁₎ at step k ≥ 1, and for Chebyshev's a trigonometric form inside (−1, 1) past a degree. */
interface Family {
  first: (x: Tensor) => Tensor;
  next: (x: Tensor, k: number, current: Tensor, previous: Tensor) => Tensor;
  trigonometric?: { above: number; at: (theta: Tensor, n: number) => Tensor };
}

/** Chebyshev's recurrence, 2x·pₖ − p₍ₖ₋₁₎, shared by the four kinds (they differ in p₁ and their form in θ). */
const chebyshev = (first: (x: Tensor) => Tensor, above: number, at: (theta: Tensor, n: number) => Tensor): Family => ({
  first,
  next: (x, _k, p, q) => sub(mul(mul(x, 2), p), q),
  trigonometric: { above, at },
});

const FAMILIES = {
  chebyshevPolynomialT: chebyshev((x) => x, 6, (t, n) => cos(mul(t, n))),
  chebyshevPolynomialU: chebyshev((x) => mul(x, 2), 8, (t, n) => div(sin(mul(t, n + 1)), sin(t))),
  chebyshevPolynomialV: chebyshev((x) => sub(mul(x, 2), 1), 8, (t, n) => div(cos(mul(t, n + 0.5)), cos(mul(t, 0.5)))),
  chebyshevPolynomialW: chebyshev((x) => add(mul(x, 2), 1), 8, (t, n) => div(sin(mul(t, n + 0.5)), sin(mul(t, 0.5)))),
  // Physicists' Hₖ₊₁ = 2x·Hₖ − 2k·Hₖ₋₁; probabilists' Heₖ₊₁ = x·Heₖ − k·Heₖ₋₁.
  hermitePolynomialH: { first: (x) => mul(x, 2), next: (x, k, p, q) => sub(mul(mul(x, 2), p), mul(q, 2 * k)) },
  hermitePolynomialHe: { first: (x) => x, next: (x, k, p, q) => sub(mul(x, p), mul(q, k)) },
  // (k + 1)·Lₖ₊₁ = (2k + 1 − x)·Lₖ − k·Lₖ₋₁.
  laguerrePolynomialL: { first: (x) => sub(1, x), next: (x, k, p, q) => div(sub(mul(sub(2 * k + 1, x), p), mul(q, k)), k + 1) },
  // (k + 1)·Pₖ₊₁ = (2k + 1)·x·Pₖ − k·Pₖ₋₁.
  legendrePolynomialP: { first: (x) => x, next: (x, k, p, q) => div(sub(mul(mul(x, 2 * k + 1), p), mul(q, k)), k + 1) },
} satisfies Record<string, Family>;

type FamilyName = keyof typeof FAMILIES;

/** pₙ(x) of `family`, or of the shifted family pₙ(2x − 1): 0 for n < 0, as torch's. */
function evaluate(name: string, family: Family, x: TensorLike, n: number, shifted: boolean): Tensor {
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new ValueError(`${name}: n must be an integer (the degree), got ${formatValue(n)}`);
  return inF32(name, ['x'], [x], (xf) => {
    // 0 below degree 0 and 1 at it, whatever x is (NaN too), as torch's.
    if (n < 0) return zerosLike(xf);
    if (n === 0) return onesLike(xf);
    const at = shifted ? sub(mul(xf, 2), 1) : xf;
    let [previous, current] = [onesLike(at), family.first(at)];
    for (let k = 1; k < n; k++) {
      const next = tidy(() => family.next(at, k, current, previous));
      if (previous !== at) previous.dispose();
      [previous, current] = [current, next];
    }
    const trigonometric = family.trigonometric;
    if (!trigonometric || n <= trigonometric.above) return current;
    const inside = less(abs(at), 1);
    return where(inside, trigonometric.at(acos(clip(at, -1, 1)), n), current);
  });
}

const polynomial = (name: FamilyName, shifted = false) => (x: TensorLike, n: number): Tensor => evaluate(shifted ? `shifted${name[0].toUpperCase()}${name.slice(1)}` : name, FAMILIES[name], x, n, shifted);

/** Tₙ(x), Chebyshev's polynomial of the first kind (torch.special.chebyshev_polynomial_t): cos(nθ) at x = cos θ. */
export const chebyshevPolynomialT = polynomial('chebyshevPolynomialT');
/** Uₙ(x), of the second kind (torch.special.chebyshev_polynomial_u): sin((n + 1)θ)/sin θ at x = cos θ. */
export const chebyshevPolynomialU = polynomial('chebyshevPolynomialU');
/** Vₙ(x), of the third kind (torch.special.chebyshev_polynomial_v): cos((n + ½)θ)/cos(θ/2). */
export const chebyshevPolynomialV = polynomial('chebyshevPolynomialV');
/** Wₙ(x), of the fourth kind (torch.special.chebyshev_polynomial_w): sin((n + ½)θ)/sin(θ/2). */
export const chebyshevPolynomialW = polynomial('chebyshevPolynomialW');
/** Tₙ(2x − 1), orthogonal on [0, 1] (torch.special.shifted_chebyshev_polynomial_t). */
export const shiftedChebyshevPolynomialT = polynomial('chebyshevPolynomialT', true);
/** Uₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_u). */
export const shiftedChebyshevPolynomialU = polynomial('chebyshevPolynomialU', true);
/** Vₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_v). */
export const shiftedChebyshevPolynomialV = polynomial('chebyshevPolynomialV', true);
/** Wₙ(2x − 1) (torch.special.shifted_chebyshev_polynomial_w). */
export const shiftedChebyshevPolynomialW = polynomial('chebyshevPolynomialW', true);
/** Hₙ(x), the physicists' Hermite polynomial (torch.special.hermite_polynomial_h): H₁ = 2x. */
export const hermitePolynomialH = polynomial('hermitePolynomialH');
/** Heₙ(x), the probabilists' Hermite polynomial (torch.special.hermite_polynomial_he): He₁ = x. */
export const hermitePolynomialHe = polynomial('hermitePolynomialHe');
/** Lₙ(x), Laguerre's polynomial (torch.special.laguerre_polynomial_l): L₁ = 1 − x. */
export const laguerrePolynomialL = polynomial('laguerrePolynomialL');
/** Pₙ(x), Legendre's polynomial (torch.special.legendre_polynomial_p): P₁ = x. */
export const legendrePolynomialP = polynomial('legendrePolynomialP');
