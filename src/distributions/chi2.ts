// The chi-squared distribution, torch.distributions.Chi2: the sum of df
// squared standard normals, Gamma(df/2, ½).
import { tidy } from '../engine.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, type Parameter } from './distribution.js';
import { gammainc } from '../special/gamma.js';
import { positiveCdf, reparameterisedGamma } from './gamma.js';

/**
 * Chi2(df): density x^(df/2 − 1)·e^(−x/2) / (2^(df/2)·Γ(df/2)) on x > 0,
 * Gamma(df/2, ½)'s. df is read at each call (not halved once), so a trained
 * df is seen as it is. sample and rsample by Marsaglia–Tsang, rsample's
 * gradient in df implicit (as Gamma's); cdf through tm.special.gammainc.
 */
export class Chi2 extends Distribution {
  /** The degrees of freedom (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly df: Tensor;

  constructor(df: Parameter) {
    const { tensors, shape, owned } = parameters('Chi2', { df });
    super('Chi2', shape, [], owned);
    [this.df] = tensors;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => reparameterisedGamma('Chi2.rsample', this.df.mul(0.5), s).mul(2));
  }

  /** (df/2 − 1)·log x − x/2 − (df/2)·log 2 − log Γ(df/2). */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const a = this.df.mul(0.5);
      return ops.xlogy(a.sub(1), v).sub(v.mul(0.5)).sub(a.mul(Math.LN2)).sub(a.lgamma());
    });
  }

  /** P(df/2, x/2), the regularised lower incomplete gamma function; 0 at and below 0. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => positiveCdf(v, (x) => gammainc(this.df.mul(0.5), x.mul(0.5))));
  }

  /** df/2 + log 2 + log Γ(df/2) + (1 − df/2)·ψ(df/2). */
  override entropy(): Tensor {
    return tidy(() => {
      const a = this.df.mul(0.5);
      return this.batched(a.add(Math.LN2).add(a.lgamma()).add(ops.sub(1, a).mul(a.digamma())));
    });
  }

  override get mean(): Tensor {
    return this.batched(this.df);
  }

  /** df − 2 where df ≥ 2, else 0. */
  override get mode(): Tensor {
    return tidy(() => this.batched(this.df.sub(2).relu()));
  }

  override get variance(): Tensor {
    return tidy(() => this.batched(this.df.mul(2)));
  }
}
