// Bessel functions of the first and second kinds J₀, J₁, Y₀ and Y₁ in the
// manner of Cephes (fitted approximations below a seam, Hankel's asymptotic
// form above), with coefficients of our own: Chebyshev series interpolated
// at 40 or 48 Chebyshev points from float64 values (for J the power series
// below 2, above it the integral (1/π)∫₀^π cos(nθ − x sin θ) dθ by the
// trapezoid rule, exact for it; for Y the power series, DLMF 10.8.1-2) and
// cut where their terms fall below 5e-11, each written to the digits that
// fix its f32 (the ops read it as one). On [0, 4] J's first zero j is
// factored out, Jₙ = xⁿ·(x − j)(x + j)·R(x²/8 − 1) with j split into two
// f32s, so the result is relative there, through the zero; Y's logarithm is
// taken out, Y₀ = (2/π)·log x·J₀ + S(x²/8 − 1) and Y₁ = (2/π)·(log x·J₁ − 1/x)
// + x·S(x²/8 − 1). On [4, 8] and [8, 16] series in x itself (in x² the f32
// rounding of x² cost 1e-6); from 16 on Hankel's form (DLMF 10.17.3-4)
// Jₙ ~ √(2/πx)·(P cos ω − Q sin ω), Yₙ ~ √(2/πx)·(P sin ω + Q cos ω),
// ω = x − nπ/2 − π/4, P and Q series in 1/x, ten terms (within 6e-11·x^−½).
// Near the zeros past 4 (and Y's below) the result is absolute, to ~1e-7
// of the envelope, as Cephes' single-precision j0f, y0f… are.
import type { Tensor } from '../tensor.js';
import { abs, add, clip, cos, div, equal, greater, less, log, maximum, mul, sign, sin, sqrt, square, sub, where } from '../ops/elementwise.js';
import { chebyshev, inF32 } from './float.js';

const SEAM = 16;
const HANKEL_TERMS = 10;
/** J₀'s first zero as two f32s, and J₀/(x² − j²) on x² ∈ [0, 16] in t = x²/8 − 1 (the first coefficient halved, as Clenshaw's sum takes it). */
const J0_ZERO = [2.4048254, 1.08705905e-7];
const J0_FACTORED = [
  -0.1945057, 0.066429643, -0.008615587, 0.00059107145, -0.000025168004, 7.312252e-7,
  -1.5436848e-8, 2.476651e-10,
];
/** J₀ on [4, 8] in t = (x − 6)/2, and on [8, 16] in t = (x − 12)/4. */
const J0_4_8 = [
  0.0075548564, 0.34617305, -0.13116418, -0.064425888, 0.015161046, 0.0027065572,
  -0.0005330963, -0.00005405177, 0.000009402908, 6.437633e-7, -1.0108811e-7, -5.1289098e-9,
  7.3615074e-10,
];
const J0_8_16 = [
  -0.03327571, -0.02729738, -0.015754757, -0.19710506, 0.03883966, 0.056842406,
  -0.008859041, -0.006046559, 0.00082936187, 0.0003436732, -0.000042891028, -0.000012321845,
  0.0000014204089, 3.0639567e-7, -3.2906808e-8, -5.6186201e-9, 5.6551313e-10, 7.932769e-11,
];
/** J₁'s first zero, and J₁/(x·(x² − j²)) on x² ∈ [0, 16]. */
const J1_ZERO = [3.831706, -7.685059e-8];
const J1_FACTORED = [
  -0.0444618668, 0.010705712, -0.0010581244139786442, 0.00005846916, -0.0000020819866, 5.1954495e-8,
  -9.609545e-10,
];
const J1_4_8 = [
  -0.16605555, 0.20480854, 0.1801175, -0.057519828, -0.0131601614, 0.0031243568,
  0.00037262454, -0.00007422116, -0.0000057378315, 0.0000010021014, 5.603847e-8,
  -8.779694e-9, -3.79538357e-10, 5.4113326e-11,
];
const J1_8_16 = [
  0.18688251, -0.038458728, 0.17323382, -0.054213485, -0.12242377, 0.023465833,
  0.019682248, -0.0031112889, -0.0014807093, 0.000206158575, 0.00006582005, -0.000008296563,
  -0.000001950098, 2.258904e-7, 4.147374e-8, -4.4572507e-9, -6.659126e-10, 6.6853385e-11,
];

/** Y₀ − (2/π)·log x·J₀ on x² ∈ [0, 16] in t = x²/8 − 1, and Y₀ on [4, 8] and [8, 16] in x. */
const Y0_REGULAR = [
  0.69448289, 0.16519852, -0.214248186, 0.038336218, -0.0031103538, 0.00014771107,
  -0.000004645758, 1.0430443e-7, -1.7591281e-9,
];
const Y0_4_8 = [
  -0.15493487, 0.17123765, 0.19533403, -0.0541133, -0.0149783865, 0.003181147,
  0.00040843787, -0.00007541643, -0.0000063320167, 0.0000010439807, 5.7737683e-8,
  -8.6326953e-9, -4.6411202e-10, 6.533451e-11,
];
const Y0_8_16 = [
  0.18764424, -0.03715891, 0.17202672, -0.045326428, -0.12506634, 0.02139464,
  0.020356564, -0.002957452, -0.001539294, 0.00020088292, 0.0000684513, -0.0000081991953,
  -0.000002025112, 2.2514242e-7, 4.2971062e-8, -4.466175e-9, -6.9160105e-10, 6.355185e-11,
];
/** (Y₁ − (2/π)·(log x·J₁ − 1/x))/x on x² ∈ [0, 16], and Y₁ on [4, 8] and [8, 16]. */
const Y1_REGULAR = [
  0.062084478, 0.1691021, -0.051796674, 0.0058338093, -0.00035291824, 0.000013464127,
  -3.551084e-7, 6.877129e-9, -1.0207985e-10,
];
const Y1_4_8 = [
  -0.024284871, -0.33315506, 0.14695278, 0.057513003, -0.015387122, -0.0024005429,
  0.00051861327, 0.00005008432, -0.000009301716, -5.718123e-7, 9.4110088e-8, 5.5645507e-9,
  -8.49558e-10,
];
const Y1_8_16 = [
  0.04257327, 0.022863036, 0.0239938135, 0.19488976, -0.043995828, -0.055242916,
  0.009490774, 0.005826775, -0.000860308, -0.00033040117, 0.0000436651, 0.000011855329,
  -0.0000014304875, -2.9536187e-7, 3.2921785e-8, 5.430954e-9, -5.6111716e-10, -7.38354e-11,
];
const TWO_OVER_PI = 2 / Math.PI;

/** [P, Q] of Hankel's expansion of Jₙ at z ≥ 16: P = Σ (−1)ᵏ·a₂ₖ(n)·z⁻²ᵏ, Q = Σ (−1)ᵏ·a₂ₖ₊₁(n)·z⁻²ᵏ⁻¹, aₖ(n) = Πⱼ₌₁…ₖ (4n² − (2j − 1)²)/(k!·8ᵏ). */
function hankel(n: 0 | 1, z: Tensor): [Tensor, Tensor] {
  const a = [1];
  for (let k = 1; k < HANKEL_TERMS; k++) a.push((a[k - 1] * (4 * n * n - (2 * k - 1) ** 2)) / (8 * k));
  const inverse = div(1, z);
  const inverseSquare = square(inverse);
  let p: Tensor | number = 0;
  let q: Tensor | number = 0;
  for (let k = HANKEL_TERMS - 1; k >= 0; k--) {
    const signed = (Math.floor(k / 2) % 2 ? -1 : 1) * a[k];
    if (k % 2 === 0) p = add(mul(p, inverseSquare), signed);
    else q = add(mul(q, inverseSquare), signed);
  }
  return [p as Tensor, mul(q as Tensor, inverse)];
}

type Kind = 'J' | 'Y';

/**
 * Jₙ(|x|) = (P·(√2 cos ω) − Q·(√2 sin ω))/√(πz), Yₙ = (P·(√2 sin ω) +
 * Q·(√2 cos ω))/√(πz), with √2 cos ω and √2 sin ω from sin z and cos z
 * (exact arguments: z − π/4 would round at large z).
 */
function asymptotic(kind: Kind, n: 0 | 1, magnitude: Tensor): Tensor {
  const z = maximum(magnitude, SEAM);
  const [p, q] = hankel(n, z);
  const s = sin(z);
  const c = cos(z);
  // ω = z − π/4: √2 cos ω = c + s, √2 sin ω = s − c; ω = z − 3π/4: s − c and −(s + c).
  const [cosine, sine] = n === 0 ? [add(c, s), sub(s, c)] : [sub(s, c), mul(add(s, c), -1)];
  const combined = kind === 'J' ? sub(mul(p, cosine), mul(q, sine)) : add(mul(p, sine), mul(q, cosine));
  return div(combined, sqrt(mul(z, Math.PI)));
}

/** (x − j)(x + j)·R(x²/8 − 1) for |x| clipped to [0, 4], j given as two f32s (x − j exact near it). */
function factored(magnitude: Tensor, zero: readonly number[], coefficients: readonly number[]): Tensor {
  const x = clip(magnitude, 0, 4);
  const toZero = sub(sub(x, zero[0]), zero[1]);
  return mul(mul(toZero, add(x, zero[0] + zero[1])), chebyshev(coefficients, sub(mul(square(x), 1 / 8), 1)));
}

/** A series in x on [lo, hi], |x| clipped to it. */
function piece(magnitude: Tensor, lo: number, hi: number, coefficients: readonly number[]): Tensor {
  return chebyshev(coefficients, div(sub(clip(magnitude, lo, hi), (lo + hi) / 2), (hi - lo) / 2));
}

const PIECES: Record<Kind, [readonly number[], readonly number[]][]> = {
  J: [[J0_4_8, J0_8_16], [J1_4_8, J1_8_16]],
  Y: [[Y0_4_8, Y0_8_16], [Y1_4_8, Y1_8_16]],
};

/** Jₙ(|x|) or Yₙ(|x|) for |x| ≥ 4 (the pieces in x and the asymptotic form), |x| = ∞ 0. */
function outer(kind: Kind, n: 0 | 1, magnitude: Tensor): Tensor {
  const [middle, far] = PIECES[kind][n];
  const y = where(less(magnitude, 8), piece(magnitude, 4, 8, middle), where(less(magnitude, SEAM), piece(magnitude, 8, SEAM, far), asymptotic(kind, n, magnitude)));
  return where(equal(magnitude, Infinity), 0, y);
}

/** J₀(|x|) below 4: 1 − x²/4 below 2⁻¹⁰ (the next term is under an ulp, and J₀(0) is 1 exactly), else the factored series. */
function j0Near(magnitude: Tensor): Tensor {
  return where(less(magnitude, 2 ** -10), sub(1, mul(square(clip(magnitude, 0, 1)), 0.25)), factored(magnitude, J0_ZERO, J0_FACTORED));
}

/** t = x²/8 − 1 of x clipped to [0, 4]. */
function nearArgument(x: Tensor): Tensor {
  return sub(mul(square(clip(x, 0, 4)), 1 / 8), 1);
}

/**
 * J₀(x), the Bessel function of the first kind of order 0
 * (torch.special.bessel_j0, scipy.special.j0): even, 1 at 0, 0 at ±∞,
 * ~√(2/π|x|)·cos(|x| − π/4) for large |x|; relative below 4, past it within
 * ~1e-7 of its envelope (see the file's note). Differentiable through its
 * ops (J₀′ = −J₁).
 */
export function besselJ0(x: Tensor): Tensor {
  return inF32('besselJ0', ['x'], [x], (xf) => {
    const magnitude = abs(xf);
    return where(less(magnitude, 4), j0Near(magnitude), outer('J', 0, magnitude));
  });
}

/**
 * J₁(x), of order 1 (torch.special.bessel_j1, scipy.special.j1): odd, x/2
 * near 0 (relative below 4, subnormals too), 0 at ±∞. Differentiable through
 * its ops (J₁′ = J₀ − J₁/x).
 */
export function besselJ1(x: Tensor): Tensor {
  return inF32('besselJ1', ['x'], [x], (xf) => {
    const magnitude = abs(xf);
    return where(less(magnitude, 4), mul(xf, factored(magnitude, J1_ZERO, J1_FACTORED)), mul(sign(xf), outer('J', 1, magnitude)));
  });
}

/**
 * Y₀(x), the Bessel function of the second kind of order 0
 * (torch.special.bessel_y0, scipy.special.y0): −∞ at 0, NaN below 0 (and
 * at −∞), 0 at +∞, (2/π)·log x near 0. Within ~1e-7 of its envelope near its
 * zeros (see the file's note). Differentiable through its ops (Y₀′ = −Y₁).
 */
export function besselY0(x: Tensor): Tensor {
  return inF32('besselY0', ['x'], [x], (xf) => {
    const magnitude = abs(xf);
    const near = clip(xf, 0, 4);
    const y = where(less(magnitude, 4), add(mul(mul(log(near), TWO_OVER_PI), j0Near(near)), chebyshev(Y0_REGULAR, nearArgument(near))), outer('Y', 0, magnitude));
    return where(less(xf, 0), NaN, y);
  });
}

/**
 * Y₁(x), of order 1 (torch.special.bessel_y1, scipy.special.y1): −∞ at 0,
 * ~−2/(πx) near it, NaN below 0, 0 at +∞. Differentiable through its ops
 * (Y₁′ = Y₀ − Y₁/x).
 */
export function besselY1(x: Tensor): Tensor {
  return inF32('besselY1', ['x'], [x], (xf) => {
    const magnitude = abs(xf);
    // x > 0 below 4 (elsewhere 1, a point the other branches' gradients can pass through).
    const near = where(greater(xf, 0), clip(xf, 0, 4), 1);
    const logarithmic = mul(sub(mul(log(near), mul(near, factored(near, J1_ZERO, J1_FACTORED))), div(1, near)), TWO_OVER_PI);
    const y = where(less(magnitude, 4), add(logarithmic, mul(near, chebyshev(Y1_REGULAR, nearArgument(near)))), outer('Y', 1, magnitude));
    return where(less(xf, 0), NaN, where(equal(xf, 0), -Infinity, y));
  });
}
