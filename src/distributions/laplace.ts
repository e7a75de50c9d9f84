// The Laplace (double exponential) distribution, torch.distributions.Laplace.
import { tidy } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';

/**
 * Laplace(loc, scale): density e^(−|x − loc|/scale) / (2·scale). rsample is
 * the icdf of uniform noise, loc − scale·sign(u)·log(1 − |u|) for u in (−1, 1).
 */
export class Laplace extends Distribution {
  /** The location (mean, median and mode), as given (a reference), or a scalar tensor made from a number. */
  readonly loc: Tensor;
  /** The scale (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;

  constructor(loc: Parameter, scale: Parameter) {
    const { tensors, shape, owned } = parameters('Laplace', { loc, scale });
    super('Laplace', shape, [], owned);
    [this.loc, this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    // u = −1 exactly would give log 0: the noise starts one step of the dtype above it (as PyTorch's eps).
    return tidy(() => {
      const u = uniformNoise('Laplace.rsample', s, this.loc, -1 + (this.loc.dtype === 'f16' ? 2 ** -11 : 2 ** -24), 1);
      return this.loc.sub(this.scale.mul(u.sign()).mul(u.abs().neg().log1p()));
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => v.sub(this.loc).abs().div(this.scale).neg().sub(this.scale.mul(2).log()));
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      const d = v.sub(this.loc);
      return d.sign().mul(d.abs().div(this.scale).neg().expm1()).mul(-0.5).add(0.5);
    });
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Laplace.icdf', p);
    return tidy(() => {
      const t = p.sub(0.5);
      return this.loc.sub(this.scale.mul(t.sign()).mul(t.abs().mul(-2).log1p()));
    });
  }

  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.mul(2).log().add(1)));
  }

  override get mean(): Tensor {
    return this.batched(this.loc);
  }

  override get mode(): Tensor {
    return this.batched(this.loc);
  }

  /** 2·scale². */
  override get variance(): Tensor {
    return tidy(() => this.batched(this.scale.square().mul(2)));
  }

  /** √2·scale. */
  override get stddev(): Tensor {
    return tidy(() => this.batched(this.scale.mul(Math.SQRT2)));
  }
}
