// The continuous uniform distribution, torch.distributions.Uniform.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';

/**
 * Uniform(low, high): uniform on [low, high), tensors or numbers broadcast
 * together. logProb is −log(high − low) inside and −∞ outside (as
 * PyTorch's); rsample is low + (high − low)·u for u ~ U[0, 1).
 */
export class Uniform extends Distribution {
  /** The lower end, as given (a reference), or a scalar tensor made from a number. */
  readonly low: Tensor;
  /** The upper end, as given (a reference), or a scalar tensor made from a number. */
  readonly high: Tensor;

  constructor(low: Parameter, high: Parameter) {
    const { tensors, shape, owned } = parameters('Uniform', { low, high });
    super('Uniform', shape, [], owned);
    [this.low, this.high] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.low.add(uniformNoise('Uniform.rsample', s, this.low).mul(this.high.sub(this.low))));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const inside = this.low.lessEqual(v).mul(this.high.greater(v));
      return ops.where(inside, this.high.sub(this.low).log().neg(), -Infinity);
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.sub(this.low).div(this.high.sub(this.low)).clip(0, 1));
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Uniform.icdf', p);
    return tidy(() => this.low.add(p.mul(this.high.sub(this.low))));
  }

  override entropy(): Tensor {
    return tidy(() => this.batched(this.high.sub(this.low).log()));
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(this.low.add(this.high).mul(0.5)));
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(this.high.sub(this.low).square().div(12)));
  }
}
