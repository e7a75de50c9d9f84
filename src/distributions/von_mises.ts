// The von Mises distribution on the circle, torch.distributions.VonMises,
// and its draws by Best and Fisher's rejection method (1979).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { i0e, i1e } from '../special/bessel.js';
import { piecewise, polynomial } from '../special/float.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, uniformNoise, type Parameter } from './distribution.js';

/**
 * Rounds of Best–Fisher proposals made for every draw. Each is accepted with
 * probability ≥ 0.658 (the least, as κ → ∞), so all of them are rejected
 * with probability below 0.342³² ≈ 1·10⁻¹⁵.
 */
const ROUNDS = 32;

/** The least κ the sampler works with, per dtype: see bestFisherAngles. */
const SMALLEST_CONCENTRATION = { f32: 2 ** -60, f16: 2 ** -12 } as const;

/** From this κ on, 1 − I₁(κ)/I₀(κ) comes from its asymptotic series: the ratio, near 1, would cancel. */
const SERIES_FROM = 12;

/**
 * 1 − I₁(κ)/I₀(κ) = Σₖ cₖ/κᵏ (the quotient of Hankel's expansions of I₁ and
 * I₀): from κ = 12 the ten terms are within 2·10⁻⁷ of it, relative.
 */
const SERIES = [0, 1 / 2, 1 / 8, 1 / 8, 25 / 128, 13 / 32, 1073 / 1024, 103 / 32, 375733 / 32768, 23797 / 512];

/**
 * 1 − A(κ), A = I₁/I₀ the mean resultant length: from the scaled Bessel
 * functions below 12 and the series from there, where A is within 5% of 1
 * and f32's rounding of it would be most of the difference.
 */
function oneMinusResultant(kappa: Tensor): Tensor {
  return tidy(() => piecewise(kappa.less(SERIES_FROM), kappa, (small) => ops.sub(1, ops.div(i1e(small), i0e(small))), SERIES_FROM,
    (large) => polynomial(ops.div(1, large), SERIES), SERIES_FROM));
}

/**
 * Angles θ ∈ [0, π] from the wrapped Cauchy envelope, by Best and Fisher's
 * algorithm, written so that f32 keeps every quantity it compares: with
 * τ = 1 + √(1 + 4κ²) and ρ = 2κ/(τ + √(2τ)) (the textbook (τ − √(2τ))/2κ
 * without its cancellation at small κ), r = (1 + ρ²)/2ρ enters only as
 * r − 1 = (1 − ρ)²/2ρ and r + 1 = (1 + ρ)²/2ρ, so that for z = cos πu the
 * proposal's 1 − f = (r − 1)(1 − z)/(r + z) and c = κ(r − f) =
 * κ(r − 1)(r + 1)/(r + z) hold their digits at large κ, where f is within
 * 10⁻⁶ of 1; θ = acos f is then 2·asin √((1 − f)/2). The rounds run for
 * every draw at once, the first accepted taken, so no parameter is read
 * back; after ROUNDS rejections (10⁻¹⁵) θ is 0, the mode.
 */
function bestFisherAngles(where: string, kappa: Tensor, shape: readonly number[]): Tensor {
  return tidy(() => {
    // κ = 0 would make ρ = 0 and r infinite; a κ this small draws uniformly just as well, and keeps ρ = κ/2 a normal
    // number (a GPU may flush a subnormal ρ to 0) and r ± 1 ≈ 1/κ finite.
    const k = ops.broadcastTo(ops.maximum(kappa, SMALLEST_CONCENTRATION[kappa.dtype as 'f32' | 'f16']), shape);
    const s = ops.hypot(1, k.mul(2));
    const tau = s.add(1);
    const root = tau.mul(2).sqrt();
    const rho = k.mul(2).div(tau.add(root));
    // 1 − ρ = (1 + 1/(s + 2κ) + √(2τ))/(τ + √(2τ)), since τ − 2κ = 1 + 1/(s + 2κ).
    const oneMinusRho = ops.div(1, s.add(k.mul(2))).add(1).add(root).div(tau.add(root));
    const rMinusOne = oneMinusRho.square().div(rho.mul(2));
    const rPlusOne = rho.add(1).square().div(rho.mul(2));
    let oneMinusF: Tensor = ops.zerosLike(k);
    // Backwards, so that the first accepted round is the last to be written.
    for (let round = ROUNDS - 1; round >= 0; round--) {
      const halfAngle = uniformNoise(where, shape, kappa).mul(Math.PI / 2);
      const oneMinusZ = halfAngle.sin().square().mul(2);
      const onePlusZ = halfAngle.cos().square().mul(2);
      const rPlusZ = rMinusOne.add(onePlusZ);
      const proposal = rMinusOne.mul(oneMinusZ).div(rPlusZ);
      const c = k.mul(rMinusOne).mul(rPlusOne).div(rPlusZ);
      const u = uniformNoise(where, shape, kappa);
      const accepted = ops.logicalOr(c.mul(ops.sub(2, c)).greater(u), c.div(u).log().add(1).sub(c).greaterEqual(0));
      oneMinusF = ops.where(accepted, proposal, oneMinusF);
    }
    return ops.minimum(oneMinusF.mul(0.5), 1).sqrt().asin().mul(2);
  });
}

/**
 * VonMises(loc, concentration): the circular normal, density
 * e^(κ·cos(x − μ))/(2π·I₀(κ)) on the circle, loc μ any angle and
 * concentration κ ≥ 0 (0 is uniform; large κ nears Normal(μ, 1/√κ)).
 * logProb is periodic, as PyTorch's; draws lie in [−π, π]. `mean` and
 * `mode` are loc, `variance` the circular variance 1 − I₁(κ)/I₀(κ) (as
 * PyTorch's), entropy log(2π·I₀(κ)) − κ·I₁(κ)/I₀(κ). Draws by Best–Fisher
 * rejection in the parameters' dtype, out of the graph; no rsample and no
 * cdf (as PyTorch's).
 */
export class VonMises extends Distribution {
  /** The mean direction μ (an angle in radians), as given (a reference), or a scalar tensor made from a number. */
  readonly loc: Tensor;
  /** κ (≥ 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration: Tensor;

  constructor(loc: Parameter, concentration: Parameter) {
    const { tensors, shape, owned } = parameters('VonMises', { loc, concentration });
    super('VonMises', shape, [], owned);
    [this.loc, this.concentration] = tensors;
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    return noGrad(() => tidy(() => {
      const theta = bestFisherAngles('VonMises.sample', this.concentration, s);
      const signed = ops.where(uniformNoise('VonMises.sample', s, this.loc).less(0.5), theta.neg(), theta);
      return ops.remainder(signed.add(this.loc).add(Math.PI), 2 * Math.PI).sub(Math.PI);
    }));
  }

  /** κ·(cos(x − μ) − 1) − log(2π·e^−κ·I₀(κ)), the cosine's difference from 1 as −2·sin²((x − μ)/2) (no cancellation near μ). */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const gap = v.sub(this.loc).mul(0.5).sin().square().mul(-2);
      return this.concentration.mul(gap).sub(this.#logNormalizer());
    });
  }

  /** log(2π·e^−κ·I₀(κ)) + κ·(1 − I₁(κ)/I₀(κ)). */
  override entropy(): Tensor {
    return tidy(() => this.batched(this.#logNormalizer().add(this.concentration.mul(oneMinusResultant(this.concentration)))));
  }

  override get mean(): Tensor {
    return this.batched(this.loc);
  }

  override get mode(): Tensor {
    return this.batched(this.loc);
  }

  /** The circular variance 1 − I₁(κ)/I₀(κ), not the variance of the angle on a line. */
  override get variance(): Tensor {
    return tidy(() => this.batched(oneMinusResultant(this.concentration)));
  }

  /**
   * log(2π·I₀(κ)) − κ: below 12 as log I₀(κ) − κ, whose gradient at κ = 0
   * is the one-sided −1 (i0e's is 0 there, its sign(0) being 0), from 12
   * through the scaled function (I₀ overflows f32 past κ ≈ 92).
   */
  #logNormalizer(): Tensor {
    const kappa = this.concentration;
    return tidy(() => piecewise(kappa.less(SERIES_FROM), kappa, (small) => ops.i0(small).log().sub(small), 0, (large) => i0e(large).log(), SERIES_FROM)
      .add(Math.log(2 * Math.PI)));
  }
}
