// The geometric distribution, torch.distributions.Geometric: the number of
// failures before the first success of Bernoulli(p) trials.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { softplus, uniformNoise } from './distribution.js';
import { LEAST_UNIFORM } from './gumbel.js';
import { SuccessProbability, probsOrLogits, type ProbsOrLogits } from './probabilities.js';

/**
 * Geometric({ probs } | { logits }): k = 0, 1, 2, … with probability
 * (1 − p)^k·p, p the probability of success (0 < p ≤ 1), given as such or
 * as log-odds. Values are floats, as PyTorch's; sample is the icdf of
 * uniform noise, ⌊log u / log(1 − p)⌋. No rsample.
 */
export class Geometric extends SuccessProbability {
  constructor(parameter: ProbsOrLogits) {
    super('Geometric', probsOrLogits('Geometric', parameter));
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    return noGrad(() => tidy(() => {
      const p = this.probs;
      // u in (0, 1): log 0 would be −∞.
      const u = uniformNoise('Geometric.sample', s, p, LEAST_UNIFORM[p.dtype as 'f32' | 'f16'], 1);
      return u.log().div(p.neg().log1p()).floor();
    }));
  }

  /**
   * k·log(1 − p) + log p: from probs as written (so p = 1 gives 0 failures
   * log 1 = 0 and more −∞), from logits as −k·softplus(l) − softplus(−l),
   * stably; k·log(1 − p) is 0 at k = 0 whatever p.
   */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      if (this.given === 'probs') {
        const p = this.parameter;
        return ops.where(v.equal(0), 0, v.mul(p.neg().log1p())).add(p.log());
      }
      const l = this.parameter;
      return ops.where(v.equal(0), 0, v.mul(softplus(l))).add(softplus(l.neg())).neg();
    });
  }

  /** P(X ≤ k) = 1 − (1 − p)^(⌊k⌋ + 1), 0 below 0. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      const p = this.probs;
      return ops.where(v.less(0), 0, v.floor().add(1).mul(p.neg().log1p()).expm1().neg());
    });
  }

  /** The Bernoulli entropy over p: (−(1 − p)·log(1 − p) − p·log p)/p, as (log(1 + eˡ) − l·p)/p. */
  override entropy(): Tensor {
    return tidy(() => {
      const [l, p] = [this.logits, this.probs];
      return this.batched(softplus(l).sub(l.mul(p)).div(p));
    });
  }

  /** 1/p − 1. */
  override get mean(): Tensor {
    return tidy(() => this.batched(ops.div(1, this.probs).sub(1)));
  }

  override get mode(): Tensor {
    return tidy(() => this.batched(ops.zerosLike(this.parameter)));
  }

  /** (1/p − 1)/p. */
  override get variance(): Tensor {
    return tidy(() => {
      const p = this.probs;
      return this.batched(ops.div(1, p).sub(1).div(p));
    });
  }
}
