// TransformedDistribution, torch.distributions.TransformedDistribution: a
// base distribution pushed through a chain of transforms, its density by
// the change of variables.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { Distribution, checkProbability, sumRightmost } from './distribution.js';
import { Transform } from './transforms.js';

/**
 * TransformedDistribution(base, transforms): Y = fₙ(… f₁(X)) for X ~ base.
 * logProb(y) = base.logProb(x) − Σ log |det ∂fᵢ| along the inverse chain;
 * cdf and icdf pass through the chain (flipped where a map decreases);
 * sample and rsample map base's draws (rsample needs base's). A transform
 * spanning more axes than base's event reads base's last batch axes as
 * event axes, as Independent does. No mean, variance or entropy (none in
 * closed form in general, as PyTorch's). Keeps base and the transforms by
 * reference (dispose frees neither).
 */
export class TransformedDistribution extends Distribution {
  readonly base: Distribution;
  /** The maps, applied first to last. */
  readonly transforms: readonly Transform[];

  constructor(base: Distribution, transforms: Transform | readonly Transform[]) {
    const name = 'TransformedDistribution';
    if (!(base instanceof Distribution)) throw new ValueError(`${name}: base must be a distribution, got ${formatValue(base)}`);
    const chain = transforms instanceof Transform ? [transforms] : transforms;
    if (!Array.isArray(chain)) throw new ValueError(`${name}: transforms must be a transform or an array of them, got ${formatValue(transforms)}`);
    chain.forEach((t, i) => {
      if (!(t instanceof Transform)) throw new ValueError(`${name}: transforms[${i}] must be a transform, got ${formatValue(t)}`);
    });
    const shape = [...base.batchShape, ...base.eventShape];
    const eventRank = Math.max(base.eventShape.length, ...chain.map((t) => t.eventDims));
    if (eventRank > shape.length) {
      throw new ValueError(`${name}: ${chain.find((t) => t.eventDims === eventRank)?.name} spans ${eventRank} axes, more than ${base.name}'s ${shape.length}`);
    }
    super(name, shape.slice(0, shape.length - eventRank), shape.slice(shape.length - eventRank));
    this.base = base;
    this.transforms = Object.freeze([...chain]);
  }

  override sample(shape: readonly number[] = []): Tensor {
    return tidy(() => this.#forward(this.base.sample(shape)));
  }

  override rsample(shape: readonly number[] = []): Tensor {
    return tidy(() => this.#forward(this.base.rsample(shape)));
  }

  /** base.logProb(x) − Σ log |det ∂fᵢ|, walking y back through the inverses, each term summed over the event axes it leaves. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    const eventRank = this.eventShape.length;
    return tidy(() => {
      let y = v;
      let total: Tensor | undefined;
      for (const t of [...this.transforms].reverse()) {
        const x = t.inverse(y);
        const term = sumRightmost(t.logAbsDetJacobian(x, y), eventRank - t.eventDims);
        total = total ? total.sub(term) : term.neg();
        y = x;
      }
      const base = sumRightmost(this.base.logProb(y), eventRank - this.base.eventShape.length);
      return total ? base.add(total) : base;
    });
  }

  /** base.cdf at the value mapped back, 1 − it where the chain decreases. */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => {
      let x = v;
      for (const t of [...this.transforms].reverse()) x = t.inverse(x);
      return this.#unflipped(this.base.cdf(x));
    });
  }

  /** The chain applied to base.icdf of p (of 1 − p where the chain decreases). */
  override icdf(p: Tensor): Tensor {
    checkProbability(`${this.name}.icdf`, p);
    return tidy(() => this.#forward(this.base.icdf(this.#unflipped(p))));
  }

  #forward(x: Tensor): Tensor {
    let y = x;
    for (const t of this.transforms) y = t.forward(y);
    return y;
  }

  /** q where the chain increases, 1 − q where it decreases (the product of the maps' signs). */
  #unflipped(q: Tensor): Tensor {
    let sign: number | Tensor = 1;
    for (const t of this.transforms) {
      const s = t.sign();
      sign = typeof s === 'number' && typeof sign === 'number' ? s * sign : ops.mul(s, sign);
    }
    if (typeof sign === 'number') return sign > 0 ? q : ops.sub(1, q);
    return ops.where(sign.greater(0), q, ops.sub(1, q));
  }
}
