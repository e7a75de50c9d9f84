// The negative binomial distribution, torch.distributions.NegativeBinomial:
// successes before the r-th failure of Bernoulli(p) trials, a Poisson whose
// rate is gamma-distributed (which is how it is drawn).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { incompleteBeta } from '../special/beta.js';
import { xlog1py } from '../special/entropy.js';
import type { Tensor } from '../tensor.js';
import { softplus, type Parameter } from './distribution.js';
import { standardGamma } from './gamma.js';
import { poissonDraws } from './poisson.js';
import { SuccessProbability, besideProbsOrLogits, type ProbsOrLogits } from './probabilities.js';

/**
 * NegativeBinomial(totalCount, { probs } | { logits }): k = 0, 1, 2, …
 * successes before the r-th failure, with probability Γ(k + r)/(k!·Γ(r))·
 * pᵏ·(1 − p)^r; r (> 0, not necessarily whole) and p, the probability of
 * success, broadcast together. Values are floats, as PyTorch's. sample
 * draws a Poisson of rate Gamma(r, 1)·p/(1 − p); cdf through the
 * incomplete beta function (PyTorch has none). No rsample or entropy.
 */
export class NegativeBinomial extends SuccessProbability {
  /** r, as given (a reference), or a scalar tensor made from a number. */
  readonly totalCount: Tensor;

  constructor(totalCount: Parameter, parameter: ProbsOrLogits) {
    const checked = besideProbsOrLogits('NegativeBinomial', 'totalCount', totalCount, parameter);
    super('NegativeBinomial', checked);
    this.totalCount = checked.beside;
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    return tidy(() => {
      const odds = this.logits.exp();
      const rate = standardGamma('NegativeBinomial.sample', this.totalCount, s).mul(odds);
      const draws = poissonDraws('NegativeBinomial.sample', rate, s);
      return draws.dtype === this.parameter.dtype ? draws : draws.cast(this.parameter.dtype);
    });
  }

  /**
   * log Γ(k + r) − log k! − log Γ(r) + k·log p + r·log(1 − p) (0 at k = r =
   * 0); from logits, −k·log(1 + e^−l) − r·log(1 + eˡ), stably.
   */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    const r = this.totalCount;
    return tidy(() => {
      const combinations = ops.where(v.add(r).equal(0), 0, v.add(r).lgamma().sub(v.add(1).lgamma()).sub(r.lgamma()));
      const l = this.parameter;
      const powers = this.given === 'probs' ? ops.xlogy(v, l).add(xlog1py(r, l.neg())) : v.mul(softplus(l.neg())).add(r.mul(softplus(l))).neg();
      return combinations.add(powers);
    });
  }

  /** P(X ≤ k) = I_{1−p}(r, ⌊k⌋ + 1); 0 below 0. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      const k = v.floor();
      const counted = k.greaterEqual(0);
      return ops.where(counted, incompleteBeta('NegativeBinomial.cdf', false, this.totalCount, ops.where(counted, k, 0).add(1), this.failureProbs, this.probs), 0);
    });
  }

  /** r·p/(1 − p). */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.totalCount.mul(this.logits.exp())));
  }

  /** ⌊(r − 1)·p/(1 − p)⌋, at least 0. */
  override get mode(): Tensor {
    return tidy(() => this.batched(this.totalCount.sub(1).mul(this.logits.exp()).floor().relu()));
  }

  /** r·p/(1 − p)². */
  override get variance(): Tensor {
    return tidy(() => this.batched(this.totalCount.mul(this.logits.exp()).div(ops.sub(1, this.probs))));
  }
}
