// The Kumaraswamy distribution, torch.distributions.Kumaraswamy: a Beta-like
// law on (0, 1) whose cdf is in closed form, so it has rsample (a
// variational posterior for a Beta's place, as in stick-breaking VAEs).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, checkProbability, parameters, uniformNoise, type Parameter } from './distribution.js';
import { EULER_GAMMA, LEAST_UNIFORM } from './gumbel.js';

/** b·B(1 + m/a, b), the m-th moment, through log Γ. */
function moment(a: Tensor, b: Tensor, m: number): Tensor {
  return tidy(() => {
    const shifted = ops.div(m, a).add(1);
    return b.log().add(shifted.lgamma()).add(b.lgamma()).sub(shifted.add(b).lgamma()).exp();
  });
}

/**
 * Kumaraswamy(concentration1, concentration0): density
 * a·b·x^(a−1)·(1 − x^a)^(b−1) on (0, 1) (a = concentration1, b =
 * concentration0, PyTorch's order). rsample is the icdf of uniform noise,
 * (1 − (1 − u)^(1/b))^(1/a); the moments b·B(1 + m/a, b) through tm.lgamma.
 */
export class Kumaraswamy extends Distribution {
  /** a (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration1: Tensor;
  /** b (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration0: Tensor;

  constructor(concentration1: Parameter, concentration0: Parameter) {
    const { tensors, shape, owned } = parameters('Kumaraswamy', { concentration1, concentration0 });
    super('Kumaraswamy', shape, [], owned);
    [this.concentration1, this.concentration0] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      // u kept above 0: a draw of exactly 0 or 1 lies outside the support, where logProb is infinite.
      const u = uniformNoise('Kumaraswamy.rsample', s, this.concentration1, LEAST_UNIFORM[this.concentration1.dtype as 'f32' | 'f16'], 1);
      return this.quantile(u);
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      const powered = v.pow(a);
      return a.log().add(b.log()).add(ops.xlogy(a.sub(1), v)).add(ops.xlogy(b.sub(1), ops.sub(1, powered)));
    });
  }

  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => ops.sub(1, ops.sub(1, v.pow(this.concentration1)).pow(this.concentration0)));
  }

  override icdf(p: Tensor): Tensor {
    return this.quantile(checkProbability('Kumaraswamy.icdf', p));
  }

  /** (1 − 1/b) + (1 − 1/a)·H_b − log(a·b), H_b = ψ(b + 1) + γ the b-th harmonic number. */
  override entropy(): Tensor {
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      const harmonic = b.add(1).digamma().add(EULER_GAMMA);
      return this.batched(ops.sub(1, ops.div(1, b)).add(ops.sub(1, ops.div(1, a)).mul(harmonic)).sub(a.mul(b).log()));
    });
  }

  override get mean(): Tensor {
    return tidy(() => this.batched(moment(this.concentration1, this.concentration0, 1)));
  }

  /** ((a − 1)/(a·b − 1))^(1/a) where a ≥ 1 and b ≥ 1 (not both 1), as PyTorch's; NaN elsewhere. */
  override get mode(): Tensor {
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      const inside = a.sub(1).div(a.mul(b).sub(1)).pow(ops.div(1, a));
      return this.batched(ops.where(ops.logicalAnd(a.greaterEqual(1), b.greaterEqual(1)), inside, NaN));
    });
  }

  /** b·B(1 + 2/a, b) − mean². */
  override get variance(): Tensor {
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      return this.batched(moment(a, b, 2).sub(moment(a, b, 1).square()));
    });
  }

  /** (1 − (1 − p)^(1/b))^(1/a). */
  private quantile(p: Tensor): Tensor {
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      return ops.sub(1, ops.sub(1, p).pow(ops.div(1, b))).pow(ops.div(1, a));
    });
  }
}
