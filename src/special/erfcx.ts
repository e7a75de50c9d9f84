// erfcx(x) = e^(x²)·erfc(x), the scaled complementary error function, which
// stays finite (~1/(x√π)) where erfc underflows.
//
// - Below x = 2: e^(x²)·erfc(x) as it stands (erfc is relative to itself in
//   its tail, and e^(x²) ≤ e⁴ loses no more than its own rounding).
// - From 2 to 10⁴: Laplace's continued fraction in its even form,
//   erfcx(x) = (x/√π) / (x² + ½ − (1·2/4) / (x² + 5/2 − (3·4/4) / (x² + 9/2 − …))),
//   eight levels, evaluated from the bottom up: 7.5e-9 at x = 2, less beyond.
// - Past 10⁴: 1/(x√π), whose next term, −1/(2x²), is below 5e-9 there (and
//   x² would overflow f32 past 1.8e19).
// - Below 0: 2e^(x²) − erfcx(−x), overflowing to ∞ below −9.4 as the function does.
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { add, clip, div, erfc, exp, greater, less, mul, neg, sub, where } from '../ops/elementwise.js';
import { isNaN } from '../ops/logical.js';
import { inF32 } from './float.js';

const FRACTION_FROM = 2;
const ASYMPTOTE_FROM = 1e4;
const LEVELS = 8;
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/** erfcx(z) for z ≥ 0. */
function nonNegative(z: Tensor): Tensor {
  const low = clip(z, 0, FRACTION_FROM);
  const direct = mul(exp(mul(low, low)), erfc(low));
  const mid = clip(z, FRACTION_FROM, ASYMPTOTE_FROM);
  const square = mul(mid, mid);
  let denominator: Tensor = add(square, 0.5 + 2 * LEVELS);
  for (let k = LEVELS; k >= 1; k--) denominator = sub(add(square, 0.5 + 2 * (k - 1)), div(((2 * k - 1) * 2 * k) / 4, denominator));
  const fraction = div(mul(mid, INV_SQRT_PI), denominator);
  const asymptote = div(INV_SQRT_PI, clip(z, ASYMPTOTE_FROM, Infinity));
  return where(less(z, FRACTION_FROM), direct, where(greater(z, ASYMPTOTE_FROM), asymptote, fraction));
}

function erfcxOf(x: Tensor): Tensor {
  const negative = clip(x, -Infinity, 0);
  const reflected = sub(mul(exp(mul(negative, negative)), 2), nonNegative(neg(negative)));
  return where(less(x, 0), reflected, where(isNaN(x), NaN, nonNegative(x)));
}

/**
 * e^(x²)·erfc(x), the scaled complementary error function
 * (torch.special.erfcx, scipy.special.erfcx): 1 at 0, ~1/(x√π) for large x
 * (0 at +∞), ~2e^(x²) for negative x (∞ below −9.4 and at −∞); relative to
 * itself where it is finite. Its gradient is 2x·erfcx(x) − 2/√π.
 */
export function erfcx(x: Tensor): Tensor {
  return inF32('erfcx', ['x'], [x], (xf) => {
    const y = noGrad(() => erfcxOf(xf));
    return record(y, 'erfcx', [xf], [xf, y], (dy, [sx, sy]) => [mul(dy, sub(mul(mul(sx, sy), 2), 2 * INV_SQRT_PI))]);
  });
}
