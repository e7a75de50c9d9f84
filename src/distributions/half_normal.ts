// The half-normal and half-Cauchy distributions, torch.distributions'
// HalfNormal and HalfCauchy: |X| for X centred at 0, scales' usual priors.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, standardNormal, uniformNoise, type Parameter } from './distribution.js';

/**
 * HalfNormal(scale): |X| for X ~ Normal(0, scale), density
 * √2/(scale·√π)·e^(−x²/(2·scale²)) on x ≥ 0 (−∞ below). rsample is
 * scale·|ε| for ε ~ N(0, 1); cdf through erf, icdf through erfinv.
 */
export class HalfNormal extends Distribution {
  /** The scale of the normal folded (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;

  constructor(scale: Parameter) {
    const { tensors, shape, owned } = parameters('HalfNormal', { scale });
    super('HalfNormal', shape, [], owned);
    [this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.scale.mul(standardNormal('HalfNormal.rsample', s, this.scale).abs()));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const inside = v.div(this.scale).square().mul(-0.5).sub(this.scale.log()).add(0.5 * Math.log(2 / Math.PI));
      return ops.where(v.less(0), -Infinity, inside);
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.div(this.scale.mul(Math.SQRT2)).erf().relu());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('HalfNormal.icdf', p);
    return tidy(() => this.scale.mul(Math.SQRT2).mul(p.erfinv()));
  }

  /** ½·log(π·scale²/2) + ½. */
  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.log().add(0.5 * Math.log(Math.PI / 2) + 0.5)));
  }

  /** scale·√(2/π). */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.scale.mul(Math.sqrt(2 / Math.PI))));
  }

  override get mode(): Tensor {
    return tidy(() => this.batched(this.scale.mul(0)));
  }

  /** scale²·(1 − 2/π). */
  override get variance(): Tensor {
    return tidy(() => this.batched(this.scale.square().mul(1 - 2 / Math.PI)));
  }
}

/**
 * HalfCauchy(scale): |X| for X ~ Cauchy(0, scale), density
 * 2/(π·scale·(1 + (x/scale)²)) on x ≥ 0 (−∞ below). Its mean and variance
 * are ∞, as PyTorch's. rsample is scale·tan(π·u/2).
 */
export class HalfCauchy extends Distribution {
  /** The scale of the Cauchy folded (> 0): the median. As given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;

  constructor(scale: Parameter) {
    const { tensors, shape, owned } = parameters('HalfCauchy', { scale });
    super('HalfCauchy', shape, [], owned);
    [this.scale] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.scale.mul(uniformNoise('HalfCauchy.rsample', s, this.scale).mul(Math.PI / 2).tan()));
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const inside = v.div(this.scale).square().log1p().add(this.scale.log()).neg().add(Math.log(2 / Math.PI));
      return ops.where(v.less(0), -Infinity, inside);
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.div(this.scale).atan().mul(2 / Math.PI).relu());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('HalfCauchy.icdf', p);
    return tidy(() => this.scale.mul(p.mul(Math.PI / 2).tan()));
  }

  /** log(2π·scale). */
  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.log().add(Math.log(2 * Math.PI))));
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(this.scale.mul(0).add(Infinity)));
  }

  override get mode(): Tensor {
    return tidy(() => this.batched(this.scale.mul(0)));
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(this.scale.mul(0).add(Infinity)));
  }
}
