// Student's t distribution, torch.distributions.StudentT: a normal whose
// variance is itself uncertain, with heavier tails for fewer degrees of
// freedom (robust regression's likelihood).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, standardNormal, type Parameter } from './distribution.js';
import { incompleteBeta } from '../special/beta.js';
import { reparameterisedLogGamma } from './gamma.js';

const HALF_LOG_PI = 0.5 * Math.log(Math.PI);
/** log Γ(½) = ½·log π. */
const LGAMMA_HALF = HALF_LOG_PI;

/**
 * StudentT(df, loc = 0, scale = 1): density
 * Γ((ν+1)/2) / (Γ(ν/2)·√(νπ)·σ) · (1 + y²/ν)^(−(ν+1)/2), y = (x − loc)/σ.
 * sample and rsample as loc + σ·ε/√(χ²/ν), ε ~ N(0, 1) and χ² ~ Chi2(ν)
 * (Marsaglia–Tsang; rsample's gradient in ν through χ² implicit, as Gamma's). cdf
 * through the incomplete beta function (differentiable in ν too). The mean is NaN for ν ≤ 1, the variance ∞ for 1 < ν ≤ 2 and NaN for
 * ν ≤ 1, as PyTorch's.
 */
export class StudentT extends Distribution {
  /** ν, the degrees of freedom (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly df: Tensor;
  readonly loc: Tensor;
  /** σ (> 0). */
  readonly scale: Tensor;

  constructor(df: Parameter, loc: Parameter = 0, scale: Parameter = 1) {
    const { tensors, shape, owned } = parameters('StudentT', { df, loc, scale });
    super('StudentT', shape, [], owned);
    [this.df, this.loc, this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      // 1/√(χ²/ν) as e^(−(log 2G − log ν)/2), G ~ Gamma(ν/2): finite with its gradient where a small ν's G underflows.
      const logChi2 = reparameterisedLogGamma('StudentT.rsample', this.df.mul(0.5), s).add(Math.LN2);
      const t = standardNormal('StudentT.rsample', s, this.df).mul(logChi2.sub(this.df.log()).mul(-0.5).exp());
      return this.loc.add(this.scale.mul(t));
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const nu = this.df;
      const y = v.sub(this.loc).div(this.scale);
      const norm = this.scale.log().add(nu.log().mul(0.5)).add(HALF_LOG_PI).add(nu.mul(0.5).lgamma()).sub(nu.add(1).mul(0.5).lgamma());
      return nu.add(1).mul(-0.5).mul(y.square().div(nu).log1p()).sub(norm);
    });
  }

  /**
   * ½·I_z(ν/2, ½) below the location and 1 less it above, z = ν/(ν + y²):
   * the chance of a value at least |y| scales out on one side.
   */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      const nu = this.df;
      const y = v.sub(this.loc).div(this.scale);
      const spread = nu.add(y.square());
      const tail = incompleteBeta('StudentT.cdf', false, nu.mul(0.5), 0.5, nu.div(spread), y.square().div(spread)).mul(0.5);
      return ops.where(y.greater(0), ops.sub(1, tail), tail);
    });
  }

  /** log σ + (ν+1)/2·(ψ((ν+1)/2) − ψ(ν/2)) + ½·log ν + log B(ν/2, ½). */
  override entropy(): Tensor {
    return tidy(() => {
      const nu = this.df;
      const [half, halfUp] = [nu.mul(0.5), nu.add(1).mul(0.5)];
      const logBeta = half.lgamma().add(LGAMMA_HALF).sub(halfUp.lgamma());
      return this.batched(this.scale.log().add(halfUp.mul(halfUp.digamma().sub(half.digamma()))).add(nu.log().mul(0.5)).add(logBeta));
    });
  }

  /** loc for ν > 1, NaN otherwise. */
  override get mean(): Tensor {
    return tidy(() => this.batched(ops.where(this.df.greater(1), this.loc, NaN)));
  }

  override get mode(): Tensor {
    return this.batched(this.loc);
  }

  /** σ²·ν/(ν − 2) for ν > 2, ∞ for 1 < ν ≤ 2, NaN for ν ≤ 1. */
  override get variance(): Tensor {
    return tidy(() => {
      const nu = this.df;
      const finite = this.scale.square().mul(nu).div(nu.sub(2));
      return this.batched(ops.where(nu.greater(2), finite, ops.where(nu.greater(1), Infinity, NaN)));
    });
  }
}
