// Scaled modified Bessel functions and the spherical Bessel function j₀.
// i0e and i1e are e^−|x|·Iₙ(x) from i0 and i1 up to |x| = 12 and Hankel's
// asymptotic expansion Iₙ(z)·e⁻ᶻ ~ (2πz)^−½·Σₖ (−1)ᵏ·aₖ(n)·z⁻ᵏ,
// aₖ(n) = Πⱼ₌₁…ₖ (4n² − (2j − 1)²)/(k!·8ᵏ) (DLMF 10.40.1), from there on,
// where Iₙ itself overflows f32 past 91.9: at z = 12 its terms fall by
// (2k − 1)²/8kz, and the fourteen taken leave a remainder below 1e-10.
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import {
  abs, add, clip, div, equal, exp, i0, i1, less, maximum, mul, neg, sign, sin, sqrt, square, sub, where,
} from '../ops/elementwise.js';
import { inF32, polynomial } from './float.js';

const ASYMPTOTIC_FROM = 12;
const ASYMPTOTIC_TERMS = 14;

/** (−1)ᵏ·aₖ(n) for k = 0…ASYMPTOTIC_TERMS − 1. */
function hankelCoefficients(n: 0 | 1): number[] {
  const c = [1];
  for (let k = 1; k < ASYMPTOTIC_TERMS; k++) c.push((-c[k - 1] * (4 * n * n - (2 * k - 1) ** 2)) / (8 * k));
  return c;
}

/** e^−|x|·Iₙ(|x|) for |x| ≥ 12 (x clamped there first). */
function asymptotic(n: 0 | 1, magnitude: Tensor): Tensor {
  const z = maximum(magnitude, ASYMPTOTIC_FROM);
  const inverse = div(1, z);
  return div(polynomial(inverse, hankelCoefficients(n)), sqrt(mul(z, 2 * Math.PI)));
}

function i0eOf(x: Tensor): Tensor {
  const magnitude = abs(x);
  return where(less(magnitude, ASYMPTOTIC_FROM), mul(exp(neg(magnitude)), i0(x)), asymptotic(0, magnitude));
}

function i1eOf(x: Tensor): Tensor {
  const magnitude = abs(x);
  return where(less(magnitude, ASYMPTOTIC_FROM), mul(exp(neg(magnitude)), i1(x)), mul(sign(x), asymptotic(1, magnitude)));
}

/**
 * e^−|x|·I₀(x), the exponentially scaled modified Bessel function of order 0
 * (torch.special.i0e, scipy.special.i0e): finite where i0 overflows, ~1/√(2π|x|)
 * for large |x|, 0 at ±∞. Its gradient is i1e(x) − sign(x)·i0e(x).
 */
export function i0e(x: Tensor): Tensor {
  return inF32('i0e', ['x'], [x], (xf) => {
    const y = noGrad(() => i0eOf(xf));
    return record(y, 'i0e', [xf], [xf, y], (dy, [sx, sy]) => [mul(dy, sub(i1e(sx), mul(sign(sx), sy)))]);
  });
}

/**
 * e^−|x|·I₁(x), of order 1 (torch.special.i1e, scipy.special.i1e): odd, ±0 at
 * ±∞. Its gradient is i0e(x) − i1e(x)·(sign(x) + 1/x), ½ at 0.
 */
export function i1e(x: Tensor): Tensor {
  return inF32('i1e', ['x'], [x], (xf) => {
    const y = noGrad(() => i1eOf(xf));
    return record(y, 'i1e', [xf], [xf, y], (dy, [sx, sy]) => [
      mul(dy, where(equal(sx, 0), 0.5, sub(i0e(sx), mul(sy, add(sign(sx), div(1, sx)))))),
    ]);
  });
}

/** (−1)ᵏ/(2k + 1)! for k = 0…6: sin(x)/x's Taylor series, within f32's last bit for |x| < ½. */
const SINC_TAYLOR = [1, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800, 1 / 6227020800];

/**
 * j₀(x) = sin(x)/x, the spherical Bessel function of the first kind of order
 * 0 (torch.special.spherical_bessel_j0, scipy.special.spherical_jn(0, x)): 1 at
 * 0 (its Taylor series below |x| = ½), 0 at ±∞, as PyTorch's. Differentiable
 * through its ops ((x·cos x − sin x)/x², 0 at 0; NaN at ±∞).
 */
export function sphericalBesselJ0(x: Tensor): Tensor {
  return inF32('sphericalBesselJ0', ['x'], [x], (xf) => {
    const near = less(abs(xf), 0.5);
    const small = square(clip(xf, -0.5, 0.5));
    const away = where(near, 1, xf);
    const y = where(near, polynomial(small, SINC_TAYLOR), div(sin(away), away));
    return where(equal(abs(xf), Infinity), 0, y);
  });
}
