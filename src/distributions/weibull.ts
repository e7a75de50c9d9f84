// The Weibull distribution, torch.distributions.Weibull: lifetimes whose
// failure rate grows (concentration > 1) or falls (< 1) with age.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';
import { EULER_GAMMA } from './gumbel.js';

/**
 * Weibull(scale, concentration): density (k/λ)·(x/λ)^(k−1)·e^(−(x/λ)^k) on
 * x ≥ 0 (λ the scale, k the concentration, PyTorch's order). rsample is the
 * icdf of uniform noise, λ·(−log(1 − u))^(1/k); the moments through
 * tm.lgamma.
 */
export class Weibull extends Distribution {
  /** λ (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;
  /** k (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration: Tensor;

  constructor(scale: Parameter, concentration: Parameter) {
    const { tensors, shape, owned } = parameters('Weibull', { scale, concentration });
    super('Weibull', shape, [], owned);
    [this.scale, this.concentration] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const exponential = uniformNoise('Weibull.rsample', s, this.scale).neg().log1p().neg();
      return this.scale.mul(exponential.pow(ops.div(1, this.concentration)));
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [l, k] = [this.scale, this.concentration];
      const z = v.div(l);
      return k.div(l).log().add(ops.xlogy(k.sub(1), z)).sub(z.pow(k));
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => v.div(this.scale).pow(this.concentration).neg().expm1().neg());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Weibull.icdf', p);
    return tidy(() => this.scale.mul(p.neg().log1p().neg().pow(ops.div(1, this.concentration))));
  }

  /** γ·(1 − 1/k) + log(λ/k) + 1. */
  override entropy(): Tensor {
    return tidy(() => {
      const k = this.concentration;
      return this.batched(ops.sub(1, ops.div(1, k)).mul(EULER_GAMMA).add(this.scale.div(k).log()).add(1));
    });
  }

  /** λ·Γ(1 + 1/k). */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.scale.mul(ops.div(1, this.concentration).add(1).lgamma().exp())));
  }

  /** λ·((k − 1)/k)^(1/k) where k > 1, else 0. */
  override get mode(): Tensor {
    return tidy(() => {
      const k = this.concentration;
      return this.batched(this.scale.mul(k.sub(1).div(k).relu().pow(ops.div(1, k))));
    });
  }

  /** λ²·(Γ(1 + 2/k) − Γ(1 + 1/k)²). */
  override get variance(): Tensor {
    return tidy(() => {
      const k = this.concentration;
      const once = ops.div(1, k).add(1).lgamma();
      const twice = ops.div(2, k).add(1).lgamma();
      return this.batched(this.scale.square().mul(twice.exp().sub(once.mul(2).exp())));
    });
  }
}
