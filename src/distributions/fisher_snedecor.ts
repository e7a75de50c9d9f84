// Snedecor's F distribution, torch.distributions.FisherSnedecor: the ratio
// of two chi-squared variables each over its degrees of freedom (an
// analysis of variance's statistic).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { incompleteBeta } from '../special/beta.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, type Parameter } from './distribution.js';
import { TINY, reparameterisedLogGamma } from './gamma.js';

/**
 * FisherSnedecor(df1, df2): (U₁/d₁)/(U₂/d₂) for U ~ Chi2(d), density
 * (d₁/d₂)^(d₁/2)·x^(d₁/2 − 1)·(1 + d₁x/d₂)^(−(d₁+d₂)/2)/B(d₁/2, d₂/2) on
 * x > 0. rsample as that ratio of Gamma(d/2) draws, reparameterised as
 * Gamma's (implicitly in each d) and kept at least the dtype's least normal
 * value, as PyTorch's; cdf I_z(d₁/2, d₂/2) at z = d₁x/(d₁x + d₂) (which
 * PyTorch lacks), through the incomplete beta function. The mean is NaN for
 * d₂ ≤ 2, the variance for d₂ ≤ 4, the mode for d₁ ≤ 2, as PyTorch's.
 */
export class FisherSnedecor extends Distribution {
  /** d₁, the numerator's degrees of freedom (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly df1: Tensor;
  /** d₂, the denominator's degrees of freedom (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly df2: Tensor;

  constructor(df1: Parameter, df2: Parameter) {
    const { tensors, shape, owned } = parameters('FisherSnedecor', { df1, df2 });
    super('FisherSnedecor', shape, [], owned);
    [this.df1, this.df2] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      // (G₁/(d₁/2))/(G₂/(d₂/2)), G ~ Gamma(d/2) (U/d for U ~ Chi2(d)), taken in log space so that small d's draws and
      // gradients survive; kept at least the least normal value, as PyTorch's.
      const numerator = reparameterisedLogGamma('FisherSnedecor.rsample', this.df1.mul(0.5), s);
      const denominator = reparameterisedLogGamma('FisherSnedecor.rsample', this.df2.mul(0.5), s);
      return numerator.sub(denominator).add(this.df2.log()).sub(this.df1.log()).exp().clip(TINY[this.df1.dtype as 'f32' | 'f16'], null);
    });
  }

  /** log B(d₁/2, d₂/2)'s negative + (d₁/2)·log(d₁/d₂) + (d₁/2 − 1)·log x − ((d₁ + d₂)/2)·log(1 + d₁x/d₂). */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [a, b] = [this.df1.mul(0.5), this.df2.mul(0.5)];
      const ratio = this.df1.div(this.df2);
      const logBeta = a.lgamma().add(b.lgamma()).sub(a.add(b).lgamma());
      return a.mul(ratio.log()).add(ops.xlogy(a.sub(1), v)).sub(a.add(b).mul(ratio.mul(v).log1p())).sub(logBeta);
    });
  }

  /**
   * I_z(d₁/2, d₂/2), z = r/(1 + r), r = d₁x/d₂, with 1 − z = 1/(1 + r) given
   * apart (each written with 1/r where r > 1, so nothing overflows); 0 at and
   * below 0, 1 where r overflows (x = ∞ among them), so that no gradient
   * there is ∞·0.
   */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      // r from finite positive values only: d₁·∞ would send ∞·0 = NaN back to d₁ through the masked branch.
      const finite = ops.logicalAnd(v.greater(0), v.less(Infinity));
      const r = this.df1.mul(ops.where(finite, v, 1)).div(this.df2);
      const inside = ops.logicalAnd(finite, r.less(Infinity));
      const safe = ops.where(inside, r, 1);
      const small = safe.less(1);
      const [lower, upper] = [ops.where(small, safe, 1), ops.where(small, 1, safe)];
      const inverse = ops.div(1, upper);
      const z = ops.where(small, lower.div(lower.add(1)), ops.div(1, inverse.add(1)));
      const complement = ops.where(small, ops.div(1, lower.add(1)), inverse.div(inverse.add(1)));
      const cdf = incompleteBeta('FisherSnedecor.cdf', false, this.df1.mul(0.5), this.df2.mul(0.5), z, complement);
      return ops.where(inside, cdf, v.greater(0).cast(cdf.dtype));
    });
  }

  /** log(d₂/d₁) + log B(a, b) + (1 − a)·ψ(a) − (1 + b)·ψ(b) + (a + b)·ψ(a + b), a = d₁/2, b = d₂/2 (a scaled beta prime's). */
  override entropy(): Tensor {
    return tidy(() => {
      const [a, b] = [this.df1.mul(0.5), this.df2.mul(0.5)];
      const total = a.add(b);
      const logBeta = a.lgamma().add(b.lgamma()).sub(total.lgamma());
      const digammas = ops.sub(1, a).mul(a.digamma()).sub(b.add(1).mul(b.digamma())).add(total.mul(total.digamma()));
      return this.batched(this.df2.div(this.df1).log().add(logBeta).add(digammas));
    });
  }

  /** d₂/(d₂ − 2) for d₂ > 2, NaN otherwise. */
  override get mean(): Tensor {
    return tidy(() => this.batched(ops.where(this.df2.greater(2), this.df2.div(this.df2.sub(2)), NaN)));
  }

  /** (d₁ − 2)/d₁ · d₂/(d₂ + 2) for d₁ > 2, NaN otherwise. */
  override get mode(): Tensor {
    return tidy(() => {
      const [d1, d2] = [this.df1, this.df2];
      return this.batched(ops.where(d1.greater(2), d1.sub(2).div(d1).mul(d2.div(d2.add(2))), NaN));
    });
  }

  /** 2d₂²·(d₁ + d₂ − 2)/(d₁·(d₂ − 2)²·(d₂ − 4)) for d₂ > 4, NaN otherwise. */
  override get variance(): Tensor {
    return tidy(() => {
      const [d1, d2] = [this.df1, this.df2];
      const finite = d2.square().mul(2).mul(d1.add(d2).sub(2)).div(d1.mul(d2.sub(2).square()).mul(d2.sub(4)));
      return this.batched(ops.where(d2.greater(4), finite, NaN));
    });
  }
}
