// The modified Bessel functions of the second kind K₀ and K₁, and their
// exponentially scaled forms eˣ·K₀ and eˣ·K₁, for x > 0.
//
// Up to x = 1, the series (DLMF 10.31.1 with ψ(k + 1) = Hₖ − γ), in t = x²/4:
//   K₀(x) = −(ln(x/2) + γ)·I₀(x) + Σₖ₌₁ Hₖ·tᵏ/(k!)²,
//   K₁(x) = 1/x + ln(x/2)·I₁(x) − (x/4)·Σₖ₌₀ (ψ(k + 1) + ψ(k + 2))·tᵏ/(k!(k + 1)!),
// eight terms (t ≤ ¼: the ninth is below 1e-13), with little cancellation.
//
// From x = 1 on, the integral eˣ·Kᵥ(x) = ∫₀^∞ e^(−x(cosh u − 1))·cosh(νu) du
// with s = √(2x)·sinh(u/2), which makes it a Gaussian times a smooth function:
//   eˣ·K₀(x) = 2∫₀^∞ e^(−s²)/√(s² + 2x) ds,
//   eˣ·K₁(x) = 2∫₀^∞ e^(−s²)·(1 + s²/x)/√(s² + 2x) ds,
// by the trapezoid rule at s = 0, 0.4, …, 4.8. Its error falls as
// e^(−2π·√(2x)/h) (the integrand's poles at s = ±i√(2x)): 2e-9 at x = 1, less
// beyond, and e^(−4.8²) drops the rest of the tail. Written with
// √(s²/x + 2)·√x, nothing overflows however large x is; the unscaled
// functions multiply by e^−x, into f32's subnormals.
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { add, clip, div, equal, exp, greater, i0, i1, less, log, mul, neg, sqrt, sub, where } from '../ops/elementwise.js';
import { isNaN } from '../ops/logical.js';
import { expIntoSubnormals, inF32, polynomial } from './float.js';

const EULER_GAMMA = 0.5772156649015329;
const SERIES_BELOW = 1;
const STEP = 0.4;
const NODES = 13;

/** Hₖ/(k!)² for k = 0…7 (H₀ = 0): K₀'s series. */
const K0_SERIES = [0, 1, 0.375, 0.05092592592592592, 0.0036168981481481477, 0.0001585648148148148, 4.726080246913579e-6, 1.0207455998272324e-7];
/** (ψ(k + 1) + ψ(k + 2))/(k!(k + 1)!) for k = 0…7: K₁'s series. */
const K1_SERIES = [
  -0.15443132980306573, 0.6727843350984671, 0.18157516696085563, 0.01918218983933056, 0.001115359491966528, 4.142247689271143e-5, 1.0715459140911807e-6,
  2.0452860035938777e-8,
];

/** K₀ or K₁ of x in (0, 1] (x clipped there first) by the series. */
function series(order: 0 | 1, x: Tensor): Tensor {
  const near = clip(x, 0, SERIES_BELOW);
  const t = mul(mul(near, near), 0.25);
  // ln x − ln 2, not ln(x/2): x/2 of the smallest subnormal rounds to 0.
  const logHalf = sub(log(near), Math.LN2);
  if (order === 0) return add(mul(neg(add(logHalf, EULER_GAMMA)), i0(near)), polynomial(t, K0_SERIES));
  return sub(add(div(1, near), mul(logHalf, i1(near))), mul(mul(near, 0.25), polynomial(t, K1_SERIES)));
}

/** eˣ·K₀ or eˣ·K₁ of x ≥ 1 (x clipped there first) by the trapezoid rule. */
function integral(order: 0 | 1, x: Tensor): Tensor {
  const far = clip(x, SERIES_BELOW, Infinity);
  const inverse = div(1, far);
  let sum: Tensor | number = 0;
  for (let j = 0; j < NODES; j++) {
    const s2 = (j * STEP) ** 2;
    const weight = (j === 0 ? 0.5 : 1) * Math.exp(-s2);
    const root = sqrt(add(mul(inverse, s2), 2));
    const term = order === 0 ? div(weight, root) : div(add(mul(inverse, s2 * weight), weight), root);
    sum = add(sum, term);
  }
  return mul(sum as Tensor, mul(sqrt(inverse), 2 * STEP));
}

/** Kᵥ(x), or eˣ·Kᵥ(x) where `scaled`: ∞ at 0, NaN below (and at NaN), 0 at ∞. */
function besselK(order: 0 | 1, scaled: boolean, x: Tensor): Tensor {
  const near = less(x, SERIES_BELOW);
  const nearValue = series(order, x);
  const farValue = integral(order, x);
  const value = scaled
    ? where(near, mul(nearValue, exp(clip(x, 0, SERIES_BELOW))), farValue)
    : where(near, nearValue, mul(farValue, expIntoSubnormals(neg(clip(x, SERIES_BELOW, Infinity)))));
  return where(less(x, 0), NaN, where(equal(x, 0), Infinity, where(isNaN(x), NaN, value)));
}

/** K₀′ = −K₁, K₁′ = −K₀ − K₁/x; the scaled forms add themselves (eˣ's derivative). */
function derivative(order: 0 | 1, scaled: boolean, x: Tensor, y: Tensor): Tensor {
  const other = besselK(order === 0 ? 1 : 0, scaled, x);
  const unscaled = order === 0 ? neg(other) : sub(neg(other), div(y, x));
  return where(greater(x, 0), scaled ? add(unscaled, y) : unscaled, NaN);
}

function differentiable(name: string, order: 0 | 1, scaled: boolean, x: Tensor): Tensor {
  return inF32(name, ['x'], [x], (xf) => {
    const y = noGrad(() => besselK(order, scaled, xf));
    return record(y, name, [xf], [xf, y], (dy, [sx, sy]) => [mul(dy, derivative(order, scaled, sx, sy))]);
  });
}

/**
 * K₀(x), the modified Bessel function of the second kind of order 0
 * (torch.special.modified_bessel_k0, scipy.special.k0): ∞ at 0, NaN below
 * 0, ~−ln(x/2) − γ near 0 and ~√(π/2x)·e^−x far out (f32 subnormals past
 * ~85, 0 past ~102). Its gradient is −K₁(x).
 */
export function modifiedBesselK0(x: Tensor): Tensor {
  return differentiable('modifiedBesselK0', 0, false, x);
}

/**
 * K₁(x), of order 1 (torch.special.modified_bessel_k1, scipy.special.k1): ∞
 * at 0, ~1/x near it, NaN below 0. Its gradient is −K₀(x) − K₁(x)/x.
 */
export function modifiedBesselK1(x: Tensor): Tensor {
  return differentiable('modifiedBesselK1', 1, false, x);
}

/**
 * eˣ·K₀(x) (torch.special.scaled_modified_bessel_k0, scipy.special.k0e):
 * finite where K₀ underflows, ~√(π/2x) for large x, 0 at ∞; ∞ at 0, NaN
 * below. Its gradient is eˣ·K₀(x) − eˣ·K₁(x).
 */
export function scaledModifiedBesselK0(x: Tensor): Tensor {
  return differentiable('scaledModifiedBesselK0', 0, true, x);
}

/**
 * eˣ·K₁(x) (torch.special.scaled_modified_bessel_k1, scipy.special.k1e):
 * ∞ at 0, NaN below, 0 at ∞. Its gradient is eˣ·K₁(x)·(1 − 1/x) − eˣ·K₀(x).
 */
export function scaledModifiedBesselK1(x: Tensor): Tensor {
  return differentiable('scaledModifiedBesselK1', 1, true, x);
}
