// TransformedDistribution, torch.distributions.TransformedDistribution: a
// base distribution pushed through a chain of transforms, its density by
// the change of variables.
import { tidy } from '../engine.js';
import { ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { Tensor } from '../tensor.js';
import { Distribution, checkProbability, sumRightmost } from './distribution.js';
import { checkShape, sameShape } from '../shape.js';
import { ComposeTransform, Transform } from './transforms.js';

/**
 * TransformedDistribution(base, transforms): Y = fₙ(… f₁(X)) for X ~ base.
 * logProb(y) = base.logProb(x) − Σ log |det ∂fᵢ| along the inverse chain;
 * cdf and icdf pass through the chain (flipped where a map decreases);
 * sample and rsample map base's draws (rsample needs base's). The shapes
 * are PyTorch's: the chain's forwardShape of base's shape (a
 * StickBreakingTransform adds an entry to the event), the event spanning
 * the chain's output event axes and any of base's event axes beyond its
 * input's; a transform spanning more axes than base's event reads base's
 * last batch axes as event axes, as Independent does (their count is
 * reinterpretedBatchDims). No mean, variance or entropy (none in closed
 * form in general, as PyTorch's). Keeps base and the transforms by
 * reference (dispose frees neither).
 */
export class TransformedDistribution extends Distribution {
  readonly base: Distribution;
  /** The maps, applied first to last. */
  readonly transforms: readonly Transform[];
  /** How many of base's last batch axes the maps read as event axes (PyTorch wraps base in an Independent of as many). */
  readonly reinterpretedBatchDims: number;
  /** The axes before base's draws that the maps' parameters add (an affine map's wider loc): drawn as more of base's. */
  readonly #widened: readonly number[];

  /** @param name The class's name in errors (LogisticNormal's, for it). */
  constructor(base: Distribution, transforms: Transform | readonly Transform[], name = 'TransformedDistribution') {
    if (!(base instanceof Distribution)) throw new ValueError(`${name}: base must be a distribution, got ${formatValue(base)}`);
    const chain = transforms instanceof Transform ? [transforms] : transforms;
    if (!Array.isArray(chain)) throw new ValueError(`${name}: transforms must be a transform or an array of them, got ${formatValue(transforms)}`);
    chain.forEach((t, i) => {
      if (!(t instanceof Transform)) throw new ValueError(`${name}: transforms[${i}] must be a transform, got ${formatValue(t)}`);
    });
    const composed = new ComposeTransform(chain);
    const shape = [...base.batchShape, ...base.eventShape];
    const baseEvent = base.eventShape.length;
    if (composed.domainEventDims > shape.length) {
      // The first map that needs more axes of base's draws than they have (counted back through the maps before it).
      for (const [i, t] of chain.entries()) {
        const need = chain.slice(0, i).reduceRight((e, p) => Math.max(e + p.domainEventDims - p.codomainEventDims, p.domainEventDims), t.domainEventDims);
        if (need > shape.length) throw new ValueError(`${name}: ${t.name} spans ${need} axes, more than ${base.name}'s ${shape.length}`);
      }
    }
    const forward = composed.forwardShape(shape);
    const expanded = composed.inverseShape(forward);
    const extra = expanded.length - shape.length;
    if (extra < 0 || !sameShape(expanded.slice(extra), shape)) {
      throw new ValueError(`${name}: the transforms widen ${base.name}'s axes ${formatShape(shape)} to ${formatShape(expanded)}; give ${base.name} parameters of that shape`);
    }
    const eventRank = composed.codomainEventDims + Math.max(baseEvent - composed.domainEventDims, 0);
    super(name, forward.slice(0, forward.length - eventRank), forward.slice(forward.length - eventRank));
    this.base = base;
    this.transforms = Object.freeze([...chain]);
    this.reinterpretedBatchDims = Math.max(composed.domainEventDims - baseEvent, 0);
    this.#widened = Object.freeze(expanded.slice(0, extra));
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = checkShape(shape, `${this.name}.sample`);
    return tidy(() => this.#forward(this.base.sample([...s, ...this.#widened])));
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = checkShape(shape, `${this.name}.rsample`);
    return tidy(() => this.#forward(this.base.rsample([...s, ...this.#widened])));
  }

  /**
   * base.logProb(x) − Σ log |det ∂fᵢ|, walking y back through the inverses,
   * each term summed over the event axes it leaves (counted back through
   * the maps that add or drop axes, as PyTorch's).
   */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      let eventRank = this.eventShape.length;
      let y = v;
      let total: Tensor | undefined;
      for (const t of [...this.transforms].reverse()) {
        const x = t.inverse(y);
        eventRank += t.domainEventDims - t.codomainEventDims;
        const term = sumRightmost(t.logAbsDetJacobian(x, y), eventRank - t.domainEventDims);
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
