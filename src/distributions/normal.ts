// The normal (Gaussian) distribution, torch.distributions.Normal.
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, standardNormal, type Parameter } from './distribution.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Normal(loc, scale): mean `loc`, standard deviation `scale` (> 0), tensors
 * or numbers broadcast together into the batch shape. rsample is loc + scale·ε
 * for ε ~ N(0, 1); cdf through erf, icdf through erfinv.
 */
export class Normal extends Distribution {
  /** The mean, as given (a reference), or a scalar tensor made from a number. */
  readonly loc: Tensor;
  /** The standard deviation, as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;

  constructor(loc: Parameter, scale: Parameter) {
    const { tensors, shape, owned } = parameters('Normal', { loc, scale });
    super('Normal', shape, [], owned);
    [this.loc, this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.loc.add(standardNormal('Normal.rsample', s, this.loc).mul(this.scale)));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => v.sub(this.loc).div(this.scale).square().mul(-0.5).sub(this.scale.log()).sub(HALF_LOG_2PI));
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.sub(this.loc).div(this.scale.mul(Math.SQRT2)).erf().add(1).mul(0.5));
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Normal.icdf', p);
    return tidy(() => this.loc.add(this.scale.mul(p.mul(2).sub(1).erfinv().mul(Math.SQRT2))));
  }

  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.log().add(0.5 + HALF_LOG_2PI)));
  }

  override get mean(): Tensor {
    return this.batched(this.loc);
  }

  override get mode(): Tensor {
    return this.batched(this.loc);
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(this.scale.square()));
  }

  override get stddev(): Tensor {
    return this.batched(this.scale);
  }
}
