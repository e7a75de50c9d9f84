// ψ⁽ⁿ⁾(x) for n ≥ 2 as ops (digamma and trigamma have kernels): the series
// ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹·n!·Σₖ (x + k)⁻⁽ⁿ⁺¹⁾, its first M = 12 + n terms added
// one by one and the rest, from z = x + M on, by the asymptotic expansion
// (−1)ⁿ⁺¹·z⁻ⁿ·[(n−1)! + n!/(2z) + Σⱼ B₂ⱼ·(2j+n−1)!/(2j)!·z⁻²ʲ]. With z ≥ 12 + n
// each Bernoulli term is below the one before by (n + 2j)/(2πz) squared or
// so, and ten of them leave f32's last bit alone. A chain of elementwise
// ops (one fused kernel on webgpu), differentiable through autograd: its
// gradient is the next polygamma's.
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { add, greater, mul, pow, where } from './elementwise.js';

/** B₂, B₄, …, B₂₀. */
const BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330];

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** ψ⁽ⁿ⁾(x) for an integer n ≥ 2, x > 0 (NaN at x ≤ 0, where the series would need as many terms as x is far below 0). */
export function polygammaSeries(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 2) throw new ValueError(`polygamma: the series is for n ≥ 2, got ${formatValue(n)}`);
  if (!isFloat(x.dtype)) throw new DTypeError(`polygamma: x must be f32 or f16, got ${x.dtype}`);
  return tidy(() => {
    const xf = x.dtype === 'f32' ? x : cast(x, 'f32');
    const terms = 12 + n;
    let sum: Tensor | null = null;
    for (let k = 0; k < terms; k++) {
      const term = pow(add(xf, k), -(n + 1));
      sum = sum ? add(sum, term) : term;
    }
    const z = add(xf, terms);
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
    const signed = n % 2 === 1 ? series : mul(series, -1);
    const valued = where(greater(xf, 0), signed, NaN);
    return x.dtype === 'f32' ? valued : cast(valued, x.dtype);
  });
}
