// ψ⁽ⁿ⁾(x) for n ≥ 2 as ops (digamma and trigamma have kernels): the series
// ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹·n!·Σₖ (x + k)⁻⁽ⁿ⁺¹⁾, its first M = 12 + n terms added
// one by one and the rest, from z = x + M on, by the asymptotic expansion
// (−1)ⁿ⁺¹·z⁻ⁿ·[(n−1)! + n!/(2z) + Σⱼ B₂ⱼ·(2j+n−1)!/(2j)!·z⁻²ʲ]. With z ≥ 12 + n
// each Bernoulli term is below the one before by (n + 2j)/(2πz) squared or
// so, and ten of them leave f32's last bit alone. Below 0 the reflection
// ψ⁽ⁿ⁾(x) = (−1)ⁿ·ψ⁽ⁿ⁾(1 − x) − π·dⁿ/dxⁿ cot(πx) takes it back to the series
// at 1 − x ≥ 1, the derivative πⁿ⁺¹·Pₙ(cot πx) with P₀(c) = c and
// Pₖ₊₁ = −(1 + c²)·Pₖ′ (all of one sign for a given c: Horner's rule does not
// cancel). A chain of elementwise ops (one fused kernel on webgpu),
// differentiable through autograd: its gradient is the next polygamma's.
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { abs, add, div, equal, greater, mul, pow, round, sin, sub, where } from './elementwise.js';

/** B₂, B₄, …, B₂₀. */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330];

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** The coefficients of Pₙ (from c⁰ up), dⁿ/dxⁿ cot(πx) = πⁿ·Pₙ(cot πx). */
function cotangentDerivative(n: number): number[] {
  let p = [0, 1];
  for (let k = 0; k < n; k++) {
    // −(1 + c²)·P′: P′'s coefficient of cⁱ is (i + 1)·pᵢ₊₁.
    const derivative = p.slice(1).map((v, i) => (i + 1) * v);
    const next = new Array<number>(derivative.length + 2).fill(0);
    derivative.forEach((v, i) => {
      next[i] -= v;
      next[i + 2] -= v;
    });
    p = next;
  }
  return p;
}

/** The series and its asymptotic tail, for x ≥ 1 here (x ≥ ½ is all it needs). */
function positiveSeries(n: number, x: Tensor): Tensor {
  const terms = 12 + n;
  let sum: Tensor | null = null;
  for (let k = 0; k < terms; k++) {
    const term = pow(add(x, k), -(n + 1));
    sum = sum ? add(sum, term) : term;
  }
  const z = add(x, terms);
  const inverseSquare = pow(z, -2);
  // Horner in z⁻² over the Bernoulli terms, from the last.
  let tail: Tensor | number = 0;
  for (let j = BERNOULLI.length; j >= 1; j--) {
    let ratio = 1; // (2j + n − 1)! / (2j)!
    for (let i = 2 * j + 1; i <= 2 * j + n - 1; i++) ratio *= i;
    tail = mul(add(tail, BERNOULLI[j - 1] * ratio), inverseSquare);
  }
  const bracket = add(add(tail, factorial(n - 1)), mul(pow(z, -1), factorial(n) / 2));
  const series = add(mul(sum!, factorial(n)), mul(bracket, pow(z, -n)));
  return n % 2 === 1 ? series : mul(series, -1);
}

/**
 * π·dⁿ/dxⁿ cot(πx) = πⁿ⁺¹·Pₙ(cot πx), cot(πr) for r = x − round(x) (exact)
 * as sin(π(½ − |r|))/sin(πr) (cos πr = sin(π(½ − |r|))): relative near the
 * poles and near its zeros at the half-integers alike.
 */
function cotangentTerm(n: number, x: Tensor): Tensor {
  const r = sub(x, round(x));
  const c = div(sin(mul(sub(0.5, abs(r)), Math.PI)), sin(mul(r, Math.PI)));
  const coefficients = cotangentDerivative(n);
  let p: Tensor | number = coefficients[coefficients.length - 1];
  for (let i = coefficients.length - 2; i >= 0; i--) p = add(mul(p, c), coefficients[i]);
  return mul(p as Tensor, Math.PI ** (n + 1));
}

/**
 * ψ⁽ⁿ⁾(x) for an integer n ≥ 2 on the whole line, as PyTorch's ((−1)ⁿ⁺¹·n!·ζ(n + 1, x)):
 * (−1)ⁿ⁺¹·∞ at 0, the negative integers and −∞, 0 at +∞.
 */
export function polygammaSeries(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`polygamma: the series is for n ≥ 2, got ${formatValue(n)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`polygamma: x must be f32 or f16, got ${x.dtype}`);
  return tidy(() => {
    const xf = x.dtype === 'f32' ? x : cast(x, 'f32');
    const positive = greater(xf, 0);
    // Each side at points of its own (1 − x, and −½ where x > 0), so that neither sends NaN back through the other's gradient.
    const series = positiveSeries(n, where(positive, xf, sub(1, xf)));
    const reflected = sub(n % 2 === 0 ? series : mul(series, -1), cotangentTerm(n, where(positive, -0.5, xf)));
    const pole = (n % 2 === 1 ? 1 : -1) * Infinity;
    const atPole = equal(sub(xf, round(xf)), 0);
    const valued = where(positive, series, where(atPole, pole, where(equal(xf, -Infinity), pole, reflected)));
    return x.dtype === 'f32' ? valued : cast(valued, x.dtype);
  });
}
