// The Pareto distribution, torch.distributions.Pareto: heavy-tailed sizes
// above a least one (incomes, file sizes).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';

/**
 * Pareto(scale, alpha): density α·xₘ^α / x^(α+1) on x ≥ xₘ (xₘ the scale).
 * The mean is ∞ for α ≤ 1 and the variance ∞ for α ≤ 2, as PyTorch's.
 * rsample is the icdf of uniform noise, xₘ·(1 − u)^(−1/α).
 */
export class Pareto extends Distribution {
  /** xₘ (> 0), the least value, as given (a reference), or a scalar tensor made from a number. */
  readonly scale: Tensor;
  /** α (> 0), the tail index, as given (a reference), or a scalar tensor made from a number. */
  readonly alpha: Tensor;

  constructor(scale: Parameter, alpha: Parameter) {
    const { tensors, shape, owned } = parameters('Pareto', { scale, alpha });
    super('Pareto', shape, [], owned);
    [this.scale, this.alpha] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => this.scale.mul(uniformNoise('Pareto.rsample', s, this.scale).neg().log1p().div(this.alpha).neg().exp()));
  }

  /** log α + α·log xₘ − (α + 1)·log x, and −∞ below xₘ. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [m, a] = [this.scale, this.alpha];
      const inside = a.log().add(a.mul(m.log())).sub(a.add(1).mul(v.log()));
      return ops.where(v.less(m), -Infinity, inside);
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => ops.sub(1, this.scale.div(v).pow(this.alpha)).relu());
  }

  override icdf(p: Tensor): Tensor {
    checkProbability('Pareto.icdf', p);
    return tidy(() => this.scale.mul(p.neg().log1p().div(this.alpha).neg().exp()));
  }

  /** log(xₘ/α) + 1/α + 1. */
  override entropy(): Tensor {
    return tidy(() => this.batched(this.scale.div(this.alpha).log().add(ops.div(1, this.alpha)).add(1)));
  }

  /** α·xₘ/(α − 1) for α > 1, else ∞. */
  override get mean(): Tensor {
    return tidy(() => {
      const a = this.alpha;
      return this.batched(ops.where(a.greater(1), a.mul(this.scale).div(a.sub(1)), Infinity));
    });
  }

  override get mode(): Tensor {
    return this.batched(this.scale);
  }

  /** xₘ²·α/((α − 1)²·(α − 2)) for α > 2, else ∞. */
  override get variance(): Tensor {
    return tidy(() => {
      const a = this.alpha;
      return this.batched(ops.where(a.greater(2), this.scale.square().mul(a).div(a.sub(1).square().mul(a.sub(2))), Infinity));
    });
  }
}
