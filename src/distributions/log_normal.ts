// The log-normal distribution, torch.distributions.LogNormal: exp of a Normal.
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, type Parameter } from './distribution.js';
import { Normal } from './normal.js';

/**
 * LogNormal(loc, scale): X = e^Y for Y ~ Normal(loc, scale) (`loc` and
 * `scale` are Y's, not X's mean and deviation). rsample is e^(loc + scale·ε).
 */
export class LogNormal extends Distribution {
  /** The mean of log X, as given (a reference), or a scalar tensor made from a number. */
  readonly loc: Tensor;
  /** The standard deviation of log X, as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;
  /** The Normal of log X, on the same tensors. */
  readonly base: Normal;

  constructor(loc: Parameter, scale: Parameter) {
    const { tensors, shape, owned } = parameters('LogNormal', { loc, scale });
    super('LogNormal', shape, [], owned);
    [this.loc, this.scale] = tensors;
    this.base = new Normal(this.loc, this.scale);
  }

  override rsample(shape: readonly number[] = []): Tensor {
    this.drawShape('rsample', shape);
    return tidy(() => this.base.rsample(shape).exp());
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const y = v.log();
      return this.base.logProb(y).sub(y);
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => this.base.cdf(v.log()));
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('LogNormal.icdf', p);
    return tidy(() => this.base.icdf(p).exp());
  }

  override entropy(): Tensor {
    return tidy(() => this.base.entropy().add(this.loc));
  }

  /** e^(loc + scale²/2). */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.loc.add(this.scale.square().mul(0.5)).exp()));
  }

  /** e^(loc − scale²). */
  override get mode(): Tensor {
    return tidy(() => this.batched(this.loc.sub(this.scale.square()).exp()));
  }

  /** (e^(scale²) − 1)·e^(2·loc + scale²). */
  override get variance(): Tensor {
    return tidy(() => {
      const s2 = this.scale.square();
      return this.batched(s2.expm1().mul(this.loc.mul(2).add(s2).exp()));
    });
  }
}
