// The inverse gamma distribution, torch.distributions.InverseGamma: 1/X for
// X ~ Gamma, the conjugate prior of a normal's variance.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { gammaincc } from '../special/gamma.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, type Parameter } from './distribution.js';
import { Gamma, reparameterisedLogGamma } from './gamma.js';

/**
 * InverseGamma(concentration, rate): 1/X for X ~ Gamma(α, β), density
 * βᵅ·x^(−α−1)·e^(−β/x)/Γ(α) on x > 0 (β is X's rate, so it scales 1/X up).
 * rsample as 1/X, reparameterised as Gamma's (implicitly in α); cdf
 * Q(α, β/x) through tm.special.gammaincc. The mean is ∞ for α ≤ 1 and the
 * variance for α ≤ 2, as PyTorch's.
 */
export class InverseGamma extends Distribution {
  /** α (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration: Tensor;
  /** β (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly rate: Tensor;
  /** The Gamma(α, β) of 1/X, on the same tensors. */
  readonly base: Gamma;

  constructor(concentration: Parameter, rate: Parameter) {
    const { tensors, shape, owned } = parameters('InverseGamma', { concentration, rate });
    super('InverseGamma', shape, [], owned);
    [this.concentration, this.rate] = tensors;
    this.base = new Gamma(this.concentration, this.rate);
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    // β/G as e^(log β − log G), G ~ Gamma(α, 1): no G cut off at the least normal value (nor β/G at 0) first.
    return tidy(() => this.rate.log().sub(reparameterisedLogGamma('InverseGamma.rsample', this.concentration, s)).exp());
  }

  /** α·log β − log Γ(α) − (α + 1)·log x − β/x. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [a, b] = [this.concentration, this.rate];
      return ops.xlogy(a, b).sub(a.lgamma()).sub(ops.xlogy(a.add(1), v)).sub(b.div(v));
    });
  }

  /**
   * P(1/X ≥ 1/x) = Q(α, β/x); 0 at and below 0 and where β/x > 2α + 200
   * (where Q is below f32's least subnormal anyway), 1 where β/x underflows
   * to 0 (x = ∞ among them): no gradient there is ∞·0 (β/x² overflowing
   * against a density of 0).
   */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      const z = this.rate.div(v);
      const inside = ops.logicalAnd(ops.logicalAnd(v.greater(0), z.greater(0)), z.lessEqual(this.concentration.mul(2).add(200)));
      const cdf = gammaincc(this.concentration, this.rate.div(ops.where(inside, v, this.rate)));
      return ops.where(inside, cdf, ops.logicalAnd(v.greater(0), z.equal(0)).cast(cdf.dtype));
    });
  }

  /** α + log β + log Γ(α) − (1 + α)·ψ(α). */
  override entropy(): Tensor {
    return tidy(() => {
      const a = this.concentration;
      return this.batched(a.add(this.rate.log()).add(a.lgamma()).sub(a.add(1).mul(a.digamma())));
    });
  }

  /** β/(α − 1) for α > 1, ∞ otherwise. */
  override get mean(): Tensor {
    return tidy(() => this.batched(ops.where(this.concentration.greater(1), this.rate.div(this.concentration.sub(1)), Infinity)));
  }

  /** β/(α + 1). */
  override get mode(): Tensor {
    return tidy(() => this.batched(this.rate.div(this.concentration.add(1))));
  }

  /** β²/((α − 1)²·(α − 2)) for α > 2, ∞ otherwise. */
  override get variance(): Tensor {
    return tidy(() => {
      const a = this.concentration;
      const finite = this.rate.square().div(a.sub(1).square().mul(a.sub(2)));
      return this.batched(ops.where(a.greater(2), finite, Infinity));
    });
  }
}
