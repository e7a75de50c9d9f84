// The Airy function Ai (torch.special.airy_ai, scipy.special.airy's first
// value), the solution of y″ = x·y that decays as x → ∞. Between −8 and 8 it
// is four Chebyshev series with coefficients of our own (fitted at
// Chebyshev points to mpmath's airyai at 40 digits, each cut where its
// error falls below 2e-9 of the piece's scale): Ai itself on [−8, −4],
// [−4, 0] and [0, 2], and on [2, 8] the smooth G = 2√π·x^¼·e^ζ·Ai(x), ζ =
// ⅔x^{3/2}, with e^−ζ put back (Ai falls to 5e-8 by 8: a series in Ai there
// would be relative to nothing). Past ±8, where ζ ≥ 15, the asymptotic
// expansions (DLMF 9.7.5 and 9.7.9) with the terms uₖ·ζ⁻ᵏ to k = 8, whose
// remainder is below 1e-9: Ai(x) ~ e^−ζ/(2√π·x^¼)·Σ (−1)ᵏuₖζ⁻ᵏ and Ai(−x)
// ~ (sin(ζ + π/4)·P − cos(ζ + π/4)·Q)/(√π·x^¼). Where Ai oscillates the
// result is absolute, ~1e-7 + ζ·2⁻²³ of the envelope: f32's rounding of the
// phase ζ (2e-6 at −12, 4e-4 at −800, all of it by −10⁵, as for any f32
// evaluation, PyTorch's too); where it decays, relative, into f32's
// subnormals (0 past x ≈ 26).
import type { Tensor } from '../tensor.js';
import { abs, add, clip, cos, div, equal, greater, less, maximum, mul, neg, sin, sqrt, sub, where } from '../ops/elementwise.js';
import { isNaN } from '../ops/logical.js';
import { chebyshev, expIntoSubnormals, inF32, polynomial } from './float.js';

/** Chebyshev series (c₀ doubled, as chebyshev takes it) of Ai on [−8, −4], [−4, 0] and [0, 2], and of G on [2, 8]. */
const NEG_8_4 = [
  0.15832044, 0.0112603372, 0.054799352, -0.062006887, -0.265675672, 0.0607842147, 0.0786777848, -0.0221095517, -0.00881409496,
  0.00358712789, 0.000355202704, -0.000310356698, 1.41834219e-5, 1.52539453e-5, -2.39449904e-6, -3.79245056e-7, 1.31075539e-7,
  -8.80851179e-10, -4.01731088e-9,
];
const NEG_4_0 = [
  0.228955173, 0.421277884, -0.0277345971, -0.233657961, 0.0693955956, 0.024461772, -0.0147664377, 0.000802388978, 0.00102302957,
  -0.000251493121, -1.21524769e-5, 1.44689129e-5, -1.86545366e-6, -2.5993579e-7, 1.03415845e-7, -6.94875657e-9, -1.94031048e-9,
];
const POS_0_2 = [
  0.33229751, -0.160200644, 0.0298508627, -3.59282101e-5, -0.00101487719, 0.000186504301, -9.02320753e-6, -1.87190709e-6,
  3.76330618e-7, -2.25425044e-8, -1.49733854e-9,
];
const POS_2_8 = [
  1.97517521, 0.0110100873, -0.00412531918, 0.00144196025, -0.000485145403, 0.000159390149, -5.15463315e-5, 1.64910768e-5,
  -5.23685979e-6, 1.65458562e-6, -5.21014168e-7, 1.63720134e-7, -5.13844266e-8, 1.61080538e-8, -5.01009991e-9, 1.43151101e-9,
];

/** uₖ = (2k + 1)(2k + 3)⋯(6k − 1)/(216ᵏ·k!), DLMF 9.7.2, k = 0…8. */
const U = [1];
for (let k = 1; k <= 8; k++) {
  let product = 1;
  for (let j = 2 * k + 1; j < 6 * k; j += 2) product *= j;
  let factorial = 1;
  for (let j = 2; j <= k; j++) factorial *= j;
  U.push(product / (216 ** k * factorial));
}
const alternating = (ks: number[]) => ks.map((k, i) => (i % 2 ? -U[k] : U[k]));

const SEAM = 8;
const SQRT_PI = Math.sqrt(Math.PI);

/** A Chebyshev series on [lo, hi] at x clipped to it. */
function piece(x: Tensor, lo: number, hi: number, c: readonly number[]): Tensor {
  return chebyshev(c, div(sub(clip(x, lo, hi), (lo + hi) / 2), (hi - lo) / 2));
}

/** ζ = ⅔·z^{3/2} and z^¼ for z > 0. */
function zetaAndRoot(z: Tensor): [Tensor, Tensor] {
  const root = sqrt(z);
  return [mul(mul(z, root), 2 / 3), sqrt(root)];
}

/** Ai(x) for x ≥ 2: e^−ζ/(2√π·x^¼) times G's series up to 8, the asymptotic sum past it. x clipped to [2, ∞). */
function decaying(x: Tensor): Tensor {
  // where, not maximum: at x = 2 maximum would split the gradient between its two arguments.
  const z = where(less(x, 2), 2, x);
  const [zeta, root] = zetaAndRoot(z);
  const sum = where(less(z, SEAM), piece(z, 2, SEAM, POS_2_8), polynomial(div(1, maximum(zeta, 1)), alternating([0, 1, 2, 3, 4, 5, 6, 7, 8])));
  return div(mul(expIntoSubnormals(neg(zeta)), sum), mul(root, 2 * SQRT_PI));
}

/** Ai(−z) for z = −x ≥ 8 (clipped to it): (sin(ζ + π/4)·P − cos(ζ + π/4)·Q)/(√π·z^¼), the two from sin ζ and cos ζ. */
function oscillating(x: Tensor): Tensor {
  const z = where(greater(x, -SEAM), SEAM, neg(x));
  const [zeta, root] = zetaAndRoot(z);
  const inverse = div(1, zeta);
  const inverseSquare = mul(inverse, inverse);
  const p = polynomial(inverseSquare, alternating([0, 2, 4, 6, 8]));
  const q = mul(inverse, polynomial(inverseSquare, alternating([1, 3, 5, 7])));
  const [s, c] = [sin(zeta), cos(zeta)];
  // √2·sin(ζ + π/4) = s + c, √2·cos(ζ + π/4) = c − s.
  return div(sub(mul(add(s, c), p), mul(sub(c, s), q)), mul(root, Math.SQRT2 * SQRT_PI));
}

/**
 * Ai(x), the Airy function of the first kind (torch.special.airy_ai,
 * scipy.special.airy(x)[0]): 0.3550 at 0, oscillating with falling
 * amplitude (zeros at −2.338, −4.088, …) for x < 0 and decaying as
 * e^−⅔x^{3/2} for x > 0. 0 at ±∞, its limits (PyTorch gives NaN there),
 * NaN at NaN. In f32 (f16 in, f16 out). Differentiable through its ops
 * (Ai′ to ~1e-6; PyTorch's airy_ai has no gradient).
 */
export function airyAi(x: Tensor): Tensor {
  return inF32('airyAi', ['x'], [x], (given) => {
    // ±∞ evaluated as 0 and replaced after: through the series they would leave 0·∞ in the gradient.
    const infinite = equal(abs(given), Infinity);
    const xf = where(infinite, 0, given);
    const middle = where(less(xf, -4), piece(xf, -8, -4, NEG_8_4), where(less(xf, 0), piece(xf, -4, 0, NEG_4_0), piece(xf, 0, 2, POS_0_2)));
    const y = where(less(xf, -SEAM), oscillating(xf), where(less(xf, 2), middle, decaying(xf)));
    return where(isNaN(xf), NaN, where(infinite, 0, y));
  });
}
