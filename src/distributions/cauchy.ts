// The Cauchy distribution, torch.distributions.Cauchy.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';

/**
 * Cauchy(loc, scale): density 1 / (π·scale·(1 + ((x − loc)/scale)²)). It has
 * no mean and no variance: `mean` is NaN and `variance` ∞, as PyTorch's.
 * rsample is loc + scale·tan(π·(u − ½)).
 */
export class Cauchy extends Distribution {
  /** The location (median and mode), as given (a reference), or a scalar tensor made from a number. */
  readonly loc: Tensor;
  /** The half width at half maximum (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;

  constructor(loc: Parameter, scale: Parameter) {
    const { tensors, shape, owned } = parameters('Cauchy', { loc, scale });
    super('Cauchy', shape, [], owned);
    [this.loc, this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.loc.add(this.scale.mul(uniformNoise('Cauchy.rsample', s, this.loc).sub(0.5).mul(Math.PI).tan())));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => v.sub(this.loc).div(this.scale).square().log1p().add(this.scale.log()).add(Math.log(Math.PI)).neg());
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.sub(this.loc).div(this.scale).atan().div(Math.PI).add(0.5));
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Cauchy.icdf', p);
    return tidy(() => this.loc.add(this.scale.mul(p.sub(0.5).mul(Math.PI).tan())));
  }

  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.mul(4 * Math.PI).log()));
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(ops.zerosLike(this.loc).add(NaN)));
  }

  override get mode(): Tensor {
    return this.batched(this.loc);
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(ops.zerosLike(this.loc).add(Infinity)));
  }
}
