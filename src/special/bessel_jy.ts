// Bessel functions of the first and second kinds J₀, J₁, Y₀ and Y₁ in the
// manner of Cephes (fitted approximations below a seam, Hankel's asymptotic
// form above), with coefficients of our own: Chebyshev series interpolated
// at 40 or 48 Chebyshev points from float64 values (for J the power series
// below 2, above it the integral (1/π)∫₀^π cos(nθ − x sin θ) dθ by the
// trapezoid rule, exact for it; for Y the power series, DLMF 10.8.1-2) and
// cut where their terms fall below 5e-11. On [0, 4] J's first zero j is
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
import { inF32 } from './float.js';

const SEAM = 16;
const HANKEL_TERMS = 10;
/** J₀'s first zero as two f32s, and J₀/(x² − j²) on x² ∈ [0, 16] in t = x²/8 − 1 (the first coefficient halved, as Clenshaw's sum takes it). */
const J0_ZERO = [2.404825448989868, 1.087059047222283e-7];
const J0_FACTORED = [
  -0.19450570642865103, 0.06642964278336552, -0.008615586662099101, 0.0005910714537022216, -0.000025168004276943102, 7.312252065419523e-7,
  -1.543684842869597e-8, 2.4766512174423384e-10,
];
/** J₀ on [4, 8] in t = (x − 6)/2, and on [8, 16] in t = (x − 12)/4. */
const J0_4_8 = [
  0.007554856394329072, 0.34617305261767317, -0.1311641818957851, -0.06442588820760548, 0.01516104610240115, 0.002706557194354096,
  -0.0005330963192916177, -0.00005405176736022338, 0.000009402908193105, 6.437633339994216e-7, -1.0108811187662751e-7, -5.128909766801322e-9,
  7.361507445291515e-10,
];
const J0_8_16 = [
  -0.033275707151339984, -0.027297378676885656, -0.015754757420960136, -0.19710506126796457, 0.03883965942140536, 0.05684240629174692,
  -0.008859040747025685, -0.00604655909671516, 0.0008293618666672999, 0.00034367317911042247, -0.00004289102762509873, -0.000012321845375787057,
  0.000001420408902379211, 3.063956668288477e-7, -3.290680810943044e-8, -5.618620147844015e-9, 5.655131305367286e-10, 7.932769140646852e-11,
];
/** J₁'s first zero, and J₁/(x·(x² − j²)) on x² ∈ [0, 16]. */
const J1_ZERO = [3.8317060470581055, -7.685059300044372e-8];
const J1_FACTORED = [
  -0.044461866809272485, 0.01070571201913632, -0.0010581244139786442, 0.00005846915950109243, -0.0000020819866136268655, 5.195449548980879e-8,
  -9.609545291444642e-10,
];
const J1_4_8 = [
  -0.16605554942664363, 0.20480853613359648, 0.1801175031910296, -0.057519827657973754, -0.013160161431786535, 0.0031243567516308127,
  0.0003726245399841126, -0.00007422116411938638, -0.000005737831537397838, 0.0000010021014256872407, 5.603847000786496e-8,
  -8.779694428360149e-9, -3.7953835733961494e-10, 5.411332608858584e-11,
];
const J1_8_16 = [
  0.18688251309499967, -0.03845872807232608, 0.17323382375655674, -0.05421348549328617, -0.12242376814539009, 0.023465833349524585,
  0.01968224758397746, -0.0031112888915526492, -0.0014807092545255918, 0.0002061585751170885, 0.00006582005147130869, -0.000008296563008686197,
  -0.0000019500980960677114, 2.2589040588744114e-7, 4.1473738670213166e-8, -4.457250695847718e-9, -6.659126039939197e-10, 6.685338509634005e-11,
];

/** Y₀ − (2/π)·log x·J₀ on x² ∈ [0, 16] in t = x²/8 − 1, and Y₀ on [4, 8] and [8, 16] in x. */
const Y0_REGULAR = [
  0.6944828862194986, 0.1651985175464827, -0.2142481856970889, 0.03833621825063135, -0.0031103538122858954, 0.00014771106677570548,
  -0.000004645758235617692, 1.0430443170492131e-7, -1.7591280702944355e-9,
];
const Y0_4_8 = [
  -0.15493487092973898, 0.17123764796084906, 0.1953340339010137, -0.05411329962255768, -0.01497838652941001, 0.0031811470307787555,
  0.00040843786731834653, -0.00007541642612414207, -0.000006332016724845708, 0.0000010439807154631723, 5.773768330585502e-8,
  -8.632695348495534e-9, -4.641120216729762e-10, 6.533450863654977e-11,
];
const Y0_8_16 = [
  0.1876442424007119, -0.03715891183365874, 0.1720267200490669, -0.045326427603276355, -0.12506633610110648, 0.021394640954132817,
  0.020356563606011766, -0.0029574521325098717, -0.0015392939964248842, 0.00020088291677640308, 0.00006845130065290597, -0.000008199195306334006,
  -0.0000020251121301481656, 2.2514241719330993e-7, 4.29710615921138e-8, -4.4661751507727816e-9, -6.916010518905521e-10, 6.355185012500246e-11,
];
/** (Y₁ − (2/π)·(log x·J₁ − 1/x))/x on x² ∈ [0, 16], and Y₁ on [4, 8] and [8, 16]. */
const Y1_REGULAR = [
  0.062084477675385795, 0.16910210134342618, -0.05179667434810793, 0.005833809337830853, -0.00035291823879851636, 0.000013464126933603048,
  -3.5510841106811687e-7, 6.877129110627323e-9, -1.0207984874055498e-10,
];
const Y1_4_8 = [
  -0.02428487098057539, -0.333155064566805, 0.1469527769802719, 0.05751300323522244, -0.0153871218873979, -0.002400542882410754,
  0.000518613266504373, 0.00005008432150741676, -0.000009301716356923765, -5.718122847396071e-7, 9.41100875909151e-8, 5.564550697538066e-9,
  -8.495579610171925e-10,
];
const Y1_8_16 = [
  0.042573269401500996, 0.02286303617571774, 0.023993813475821774, 0.19488975621233162, -0.04399582794047192, -0.05524291599844753,
  0.009490774439191876, 0.005826774816149482, -0.000860308026283675, -0.00033040116959320967, 0.000043665099079328675, 0.000011855329134859843,
  -0.0000014304874994275814, -2.953618653105579e-7, 3.2921784616733264e-8, 5.430953811669248e-9, -5.611171585243971e-10, -7.383540538234239e-11,
];
const TWO_OVER_PI = 2 / Math.PI;

/** Σ′ cₖ·Tₖ(t) by Clenshaw's recurrence. */
function chebyshev(c: readonly number[], t: Tensor): Tensor {
  let b1: Tensor | number = 0;
  let b2: Tensor | number = 0;
  const twoT = mul(t, 2);
  for (let k = c.length - 1; k >= 1; k--) {
    const b = add(sub(mul(twoT, b1), b2), c[k]);
    b2 = b1;
    b1 = b;
  }
  return add(sub(mul(t, b1), b2), c[0] / 2);
}

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
