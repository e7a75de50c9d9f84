// The gamma distribution, torch.distributions.Gamma, and its draws by
// Marsaglia and Tsang's rejection method (2000), shared with Beta,
// Dirichlet, Chi2 and StudentT, reparameterised implicitly (Figurnov et
// al., 2018): a rejection sampler's draw is no smooth function of its
// parameter, but the draw's level u = F(x; α) under its own cdf is uniform
// whatever α is, so x moves with α as the quantile F⁻¹(u; α) at that fixed u.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { sumToShape } from '../ops/reduce.js';
import { gammainc, gammaQuantileLogSlope } from '../special/gamma.js';
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, standardNormal, uniformNoise, type Parameter } from './distribution.js';

/**
 * Rounds of Marsaglia–Tsang proposals made for every draw. Each is accepted
 * with probability ≥ 0.95 (the least, at shape 1), so all of them are
 * rejected with probability below 0.05¹² ≈ 2·10⁻¹⁶.
 */
const ROUNDS = 12;

/** Each float dtype's least positive normal value. */
export const TINY = { f32: 2 ** -126, f16: 2 ** -14 } as const;

/**
 * Draws of Gamma(α, 1) for each entry of α broadcast to `shape`, out of the
 * graph, or their logs. Marsaglia–Tsang for shape a = α (α + 1 below 1): d = a − ⅓, c =
 * 1/√(9d), x ~ N(0, 1), v = (1 + c·x)³, accepted where v > 0 and log u <
 * x²/2 + d − d·v + d·log v, the draw d·v; below 1, times u^(1/α). The
 * rejection loop runs as ROUNDS proposals for every draw at once, the first
 * accepted taken, so that the parameters are never read back (a GPU keeps
 * them) and every draw comes from the seeded randn and rand. After ROUNDS
 * rejections (2·10⁻¹⁶) the draw is d, the distribution's middle. NaN where
 * α ≤ 0.
 */
function gammaDraws(where: string, alpha: Tensor, shape: readonly number[], logs: boolean): Tensor {
  return noGrad(() => tidy(() => {
    const a = ops.broadcastTo(alpha, shape);
    const small = a.less(1);
    const boosted = ops.where(small, a.add(1), a);
    const d = boosted.sub(1 / 3);
    const c = ops.div(1, d.mul(9).sqrt());
    let draw = d;
    // Backwards, so that the first accepted round is the last to be written.
    for (let round = ROUNDS - 1; round >= 0; round--) {
      const x = standardNormal(where, shape, alpha);
      const logU = ops.sub(1, uniformNoise(where, shape, alpha)).log();
      const v = c.mul(x).add(1).pow(3);
      const bound = x.square().mul(0.5).add(d).sub(d.mul(v)).add(d.mul(v.log()));
      // log v is NaN where v ≤ 0, and the comparison then false: rejected.
      draw = ops.where(logU.less(bound), d.mul(v), draw);
    }
    // Gamma(α) = Gamma(α + 1)·u^(1/α): u in (0, 1] (u = 0 would give 0, outside the support).
    const u = ops.sub(1, uniformNoise(where, shape, alpha));
    const drawn = logs
      ? ops.where(small, draw.log().add(u.log().div(a)), draw.log())
      // u^(1/α) of a small α can underflow to 0: the draw is kept at the dtype's least normal value, as PyTorch's.
      : ops.maximum(ops.where(small, draw.mul(u.pow(ops.div(1, a))), draw), TINY[alpha.dtype as 'f32' | 'f16']);
    return ops.where(a.greater(0), drawn, NaN);
  }));
}

/** Draws of Gamma(α, 1) (gammaDraws'), at least the dtype's least normal value, out of the graph. */
export function standardGamma(where: string, alpha: Tensor, shape: readonly number[]): Tensor {
  return gammaDraws(where, alpha, shape, false);
}

/** ∂x/∂α of draws x (log x given too) of Gamma(α, 1), computed in f32 and returned in dy's dtype. */
function drawSlope(alpha: Tensor, x: Tensor, logX: Tensor, like: Tensor): Tensor {
  const a32 = alpha.cast('f32');
  const x32 = x.cast('f32');
  return gammaQuantileLogSlope(a32, x32, logX.cast('f32')).mul(x32).cast(like.dtype);
}

/**
 * standardGamma's draws with a gradient in α: dx/dα = −(∂P/∂α)/(∂P/∂x), P
 * the regularised incomplete gamma function (the draw's cdf), computed in
 * f32 by special/gamma.ts's gammaQuantileLogSlope within 6e-7 for any α.
 * Its mean over draws is d E[x]/dα = 1, as a pathwise gradient's must be,
 * but where draws are held at the least normal value (α ≲ 0.01 in f32),
 * which biases it, as PyTorch's.
 */
export function reparameterisedGamma(where: string, alpha: Tensor, shape: readonly number[]): Tensor {
  const x = standardGamma(where, alpha, shape);
  return record(x, where, [alpha], [alpha, x], (dy, [a, draw]) => [sumToShape(dy.mul(drawSlope(a, draw, draw.log(), dy)), a.shape)]);
}

/**
 * The logs of Gamma(α, 1) draws with a gradient in α, d log x/dα =
 * x′(α)/x: taken in log space (log(d·v) + log(u)/α below α = 1), so that
 * neither the draw nor its gradient is cut off where a small α's draws
 * leave f32 (Beta's, Dirichlet's and the ratios' draws normalise in log
 * space through it).
 */
export function reparameterisedLogGamma(where: string, alpha: Tensor, shape: readonly number[]): Tensor {
  const logX = gammaDraws(where, alpha, shape, true);
  return record(logX, where, [alpha], [alpha, logX], (dy, [a, l]) => {
    const slope = gammaQuantileLogSlope(a.cast('f32'), l.cast('f32').exp(), l.cast('f32')).cast(dy.dtype);
    return [sumToShape(dy.mul(slope), a.shape)];
  });
}

/**
 * F(x) where x > 0 and 0 elsewhere, F given only positive values (1 where x
 * is not), so that neither its value nor its gradient there is NaN.
 */
export function positiveCdf(x: Tensor, f: (positive: Tensor) => Tensor): Tensor {
  return tidy(() => {
    const positive = x.greater(0);
    return ops.where(positive, f(ops.where(positive, x, 1)), 0);
  });
}

/**
 * Gamma(concentration, rate): density βᵅ·x^(α−1)·e^(−βx)/Γ(α) on x > 0
 * (α the concentration, β the rate), tensors or numbers broadcast together.
 * logProb, entropy and the moments through tm.lgamma and tm.digamma;
 * sample and rsample by Marsaglia–Tsang (standardGamma), rsample's gradient
 * in α implicit (reparameterisedGamma), in β through x/β; cdf through
 * tm.special.gammainc.
 */
export class Gamma extends Distribution {
  /** The shape α (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration: Tensor;
  /** The rate β (> 0, 1/scale), as given (a reference), or a scalar tensor made from a number. */
  readonly rate: Tensor;

  constructor(concentration: Parameter, rate: Parameter) {
    const { tensors, shape, owned } = parameters('Gamma', { concentration, rate });
    super('Gamma', shape, [], owned);
    [this.concentration, this.rate] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    // Held at the least normal value after the rate divides, as PyTorch's.
    return tidy(() => reparameterisedGamma('Gamma.rsample', this.concentration, s).div(this.rate).clip(TINY[this.concentration.dtype as 'f32' | 'f16'], null));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [a, b] = [this.concentration, this.rate];
      return ops.xlogy(a, b).add(ops.xlogy(a.sub(1), v)).sub(b.mul(v)).sub(a.lgamma());
    });
  }

  /** P(α, β·x), the regularised lower incomplete gamma function; 0 at and below 0. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => positiveCdf(v, (x) => gammainc(this.concentration, x.mul(this.rate))));
  }

  /** α − log β + log Γ(α) + (1 − α)·ψ(α). */
  override entropy(): Tensor {
    return tidy(() => {
      const a = this.concentration;
      return this.batched(a.sub(this.rate.log()).add(a.lgamma()).add(ops.sub(1, a).mul(a.digamma())));
    });
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(this.concentration.div(this.rate)));
  }

  /** (α − 1)/β where α ≥ 1, else 0. */
  override get mode(): Tensor {
    return tidy(() => this.batched(this.concentration.sub(1).div(this.rate).relu()));
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(this.concentration.div(this.rate.square())));
  }
}
