// The exponential distribution, torch.distributions.Exponential.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';

/**
 * Exponential(rate): density rate·e^(−rate·x) on x ≥ 0. rsample is
 * −log(1 − u)/rate for u ~ U[0, 1). Values below 0 are not checked (PyTorch
 * checks them only with validate_args): logProb and cdf give the formulas' values there.
 */
export class Exponential extends Distribution {
  /** The rate (> 0, 1/mean), as given (a reference), or a scalar tensor made from a number. */
  readonly rate: Tensor;

  constructor(rate: Parameter) {
    const { tensors, shape, owned } = parameters('Exponential', { rate });
    super('Exponential', shape, [], owned);
    [this.rate] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => uniformNoise('Exponential.rsample', s, this.rate).neg().log1p().neg().div(this.rate));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => this.rate.log().sub(this.rate.mul(v)));
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => this.rate.mul(v).neg().expm1().neg());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Exponential.icdf', p);
    return tidy(() => p.neg().log1p().neg().div(this.rate));
  }

  override entropy(): Tensor {
    return tidy(() => this.batched(ops.sub(1, this.rate.log())));
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(ops.div(1, this.rate)));
  }

  override get mode(): Tensor {
    return tidy(() => this.batched(ops.zerosLike(this.rate)));
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(ops.div(1, this.rate.square())));
  }

  override get stddev(): Tensor {
    return tidy(() => this.batched(ops.div(1, this.rate)));
  }
}
