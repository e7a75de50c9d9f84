// The Hurwitz zeta function ζ(x, q) = Σₖ (q + k)⁻ˣ (torch.special.zeta,
// scipy.special.zeta) by Euler–Maclaurin summation: the first TERMS terms,
// then from w = q + TERMS on the integral w¹⁻ˣ/(x − 1), half the next term
// and B₂…B₁₆'s corrections B₂ⱼ/(2j)!·x(x + 1)…(x + 2j − 2)·w^(1−x−2j). With
// w ≥ 12 each correction is below the one before by about ((x + 2j)/2πw)²,
// and the remainder is far below f32's last bit of the sum for every x
// (past x ≈ 45, w⁻ˣ underflows and the head alone is the sum).
import { ValueError } from '../errors.js';
import { sumToShape } from '../ops/reduce.js';
import { broadcastShapes } from '../shape.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { add, div, equal, floor, less, lessEqual, minimum, mul, neg, pow, square, sub, where } from '../ops/elementwise.js';
import { inF32 } from './float.js';

const TERMS = 12;
/** B₂ⱼ/(2j)! for j = 1…8. */
const BERNOULLI_OVER_FACTORIAL = [
  1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160, -691 / 1307674368000, 1 / 74724249600, -3617 / 10670622842880000,
];
/** The corrections' x is clamped here: past it w⁻ˣ is 0 in f32 and only the bracket's finiteness counts (∞·0 would be NaN). */
const CORRECTION_X_LIMIT = 100;

/**
 * bᵉ as (b^(e/2))²: where a term is an f32 subnormal and the sum is not (q ≈ 1e4,
 * x ≈ 10), webgpu's pow flushes it to 0, but the product of two normal
 * halves is rounded into the subnormals. Where the half overflows (or
 * underflows) so does the whole.
 */
function powBySquare(b: Tensor, e: Tensor): Tensor {
  return square(pow(b, mul(e, 0.5)));
}

function hurwitz(x: Tensor, q: Tensor): Tensor {
  const minusX = neg(x);
  let head = powBySquare(q, minusX);
  for (let k = 1; k < TERMS; k++) head = add(head, powBySquare(add(q, k), minusX));
  const w = add(q, TERMS);
  const xc = minimum(x, CORRECTION_X_LIMIT);
  const inverseW = div(1, w);
  const inverseW2 = mul(inverseW, inverseW);
  // w/(x − 1) + ½ + Σⱼ B₂ⱼ/(2j)!·(x)₂ⱼ₋₁·w^(1−2j), the rising factorial grown term by term.
  let rising = mul(xc, inverseW); // (x)₁·w⁻¹
  let bracket = add(div(w, sub(xc, 1)), 0.5);
  for (let j = 1; j <= BERNOULLI_OVER_FACTORIAL.length; j++) {
    if (j > 1) rising = mul(rising, mul(mul(add(xc, 2 * j - 3), add(xc, 2 * j - 2)), inverseW2));
    bracket = add(bracket, mul(rising, BERNOULLI_OVER_FACTORIAL[j - 1]));
  }
  // w¹⁻ˣ·(bracket/w) rather than w⁻ˣ·bracket: where the sum is an f32 subnormal, w⁻ˣ would be w times
  // further into them (fewer digits) before the bracket (≈ w/(x − 1)) scales it back. At q = ∞ the sum is 0.
  let y = where(equal(q, Infinity), 0, add(head, mul(powBySquare(w, sub(1, x)), mul(bracket, inverseW))));
  y = where(lessEqual(q, 0), where(equal(q, floor(q)), Infinity, NaN), y);
  y = where(equal(x, 1), Infinity, y);
  return where(less(x, 1), NaN, y);
}

/**
 * ζ(x, q) = Σₖ₌₀^∞ (q + k)⁻ˣ, the Hurwitz zeta function (torch.special.zeta,
 * scipy.special.zeta; ζ(x, 1) is Riemann's), x and q broadcast (tensors or
 * numbers), for x > 1 and q > 0 (0 at q = ∞): ∞ at x = 1 and at q = 0, −1, −2, …, NaN
 * for x < 1. At other q < 0 it is NaN (PyTorch sums the series there when x
 * is an integer). The gradient with respect to q is −x·ζ(x + 1, q); with
 * respect to x there is none (backward throws), as in PyTorch.
 */
export function zeta(x: TensorLike, q: TensorLike): Tensor {
  return inF32('zeta', ['x', 'q'], [x, q], (xf, qf) => {
    broadcastShapes('zeta', xf.shape, qf.shape);
    const y = noGrad(() => hurwitz(xf, qf));
    return record(y, 'zeta', [xf, qf], [xf, qf], (dy, [sx, sq], needs) => {
      if (needs[0]) throw new ValueError('zeta: no gradient with respect to x (PyTorch has none either); detach x, or give it as a number');
      return [null, sumToShape(mul(dy, neg(mul(sx, zeta(add(sx, 1), sq)))), sq.shape)];
    });
  });
}
