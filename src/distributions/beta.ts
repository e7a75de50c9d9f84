// The beta distribution, torch.distributions.Beta.
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, type Parameter } from './distribution.js';
import { incompleteBeta } from '../special/beta.js';
import { TINY, reparameterisedLogGamma } from './gamma.js';

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b). */
export function logBeta(a: Tensor, b: Tensor): Tensor {
  return tidy(() => a.lgamma().add(b.lgamma()).sub(a.add(b).lgamma()));
}

/**
 * Beta(concentration1, concentration0): density x^(a−1)·(1 − x)^(b−1)/B(a, b)
 * on (0, 1) (a = concentration1, b = concentration0, PyTorch's order),
 * tensors or numbers broadcast together. logProb, entropy and the moments
 * through tm.lgamma and tm.digamma; sample and rsample as G₁/(G₁ + G₂) for
 * G₁ ~ Gamma(a), G₂ ~ Gamma(b) (Marsaglia–Tsang, rsample's gradients
 * implicit, as Gamma's), kept inside (0, 1) (the dtype's least normal value
 * and largest value below 1, as PyTorch keeps them); cdf through
 * tm.special.betainc.
 */
export class Beta extends Distribution {
  /** a (> 0), the exponent of x, as given (a reference), or a scalar tensor made from a number. */
  readonly concentration1: Tensor;
  /** b (> 0), the exponent of 1 − x, as given (a reference), or a scalar tensor made from a number. */
  readonly concentration0: Tensor;

  constructor(concentration1: Parameter, concentration0: Parameter) {
    const { tensors, shape, owned } = parameters('Beta', { concentration1, concentration0 });
    super('Beta', shape, [], owned);
    [this.concentration1, this.concentration0] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      // G₁/(G₁ + G₂) as σ(log G₁ − log G₂): no draw of a small concentration is cut off at f32's least normal value
      // (nor its gradient, whose 1/(G₁ + G₂)² would overflow there).
      const x = reparameterisedLogGamma('Beta.rsample', this.concentration1, s);
      const y = reparameterisedLogGamma('Beta.rsample', this.concentration0, s);
      // Inside (0, 1), as PyTorch's: one Gamma draw 2⁻²⁴ of the other's (often, for concentrations below 1) rounds the ratio to 1.
      const dtype = this.concentration1.dtype as 'f32' | 'f16';
      return x.sub(y).sigmoid().clip(TINY[dtype], 1 - (dtype === 'f16' ? 2 ** -11 : 2 ** -24));
    });
  }

  /** I_x(a, b), the regularised incomplete beta function; 0 at and below 0, 1 at and above 1. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      // Values outside (0, 1) are read as ½, a value whose gradient is finite, and replaced.
      const inside = ops.logicalAnd(v.greater(0), v.less(1));
      const x = ops.where(inside, v, 0.5);
      const cdf = incompleteBeta('Beta.cdf', false, this.concentration1, this.concentration0, x);
      return ops.where(inside, cdf, v.greaterEqual(1).cast(cdf.dtype));
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      return ops.xlogy(a.sub(1), v).add(ops.xlogy(b.sub(1), ops.sub(1, v))).sub(logBeta(a, b));
    });
  }

  /** log B(a, b) − (a − 1)·ψ(a) − (b − 1)·ψ(b) + (a + b − 2)·ψ(a + b). */
  override entropy(): Tensor {
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      const total = a.add(b);
      return this.batched(
        logBeta(a, b).sub(a.sub(1).mul(a.digamma())).sub(b.sub(1).mul(b.digamma())).add(total.sub(2).mul(total.digamma())),
      );
    });
  }

  /** a/(a + b). */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.concentration1.div(this.concentration1.add(this.concentration0))));
  }

  /** a·b/((a + b)²·(a + b + 1)). */
  override get variance(): Tensor {
    return tidy(() => {
      const [a, b] = [this.concentration1, this.concentration0];
      const total = a.add(b);
      return this.batched(a.mul(b).div(total.square().mul(total.add(1))));
    });
  }
}
