// MixtureSameFamily, torch.distributions.MixtureSameFamily: a weighted
// mixture of K distributions of one family (a mixture density network's
// output, a Gaussian mixture model).
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Categorical } from './categorical.js';
import { Distribution } from './distribution.js';

/**
 * MixtureSameFamily(mixture, components): pick component k with
 * probability mixture's p[k], then draw from it. `mixture` is a
 * Categorical over K classes, `components` a distribution whose batch
 * shape ends with K (its last batch axis indexes the components; the rest
 * broadcasts against the mixture's batch). Event shape: the components'.
 * logProb is log Σ pₖ·fₖ(x) (a logsumexp), cdf Σ pₖ·Fₖ(x) (scalar events),
 * mean Σ pₖ·μₖ, variance by the law of total variance. sample draws every
 * component and keeps the picked one; no rsample or entropy (PyTorch has
 * neither). Keeps both distributions by reference.
 */
export class MixtureSameFamily extends Distribution {
  readonly mixture: Categorical;
  readonly components: Distribution;

  constructor(mixture: Categorical, components: Distribution) {
    const name = 'MixtureSameFamily';
    if (!(mixture instanceof Categorical) || mixture.eventShape.length > 0) {
      throw new ValueError(`${name}: mixture must be a Categorical, got ${mixture instanceof Distribution ? mixture.name : formatValue(mixture)}`);
    }
    if (!(components instanceof Distribution)) throw new ValueError(`${name}: components must be a distribution, got ${formatValue(components)}`);
    const k = mixture.numClasses;
    const batch = components.batchShape;
    if (batch.length === 0 || batch[batch.length - 1] !== k) {
      throw new ShapeError(`${name}: the components' batch shape ${formatShape(batch)} must end with the mixture's ${k} classes`);
    }
    let shape: number[];
    try {
      shape = broadcastShapes(name, mixture.batchShape, batch.slice(0, -1));
    } catch {
      throw new ShapeError(`${name}: the mixture's batch shape ${formatShape(mixture.batchShape)} and the components' ${formatShape(batch.slice(0, -1))} (less the component axis) cannot be broadcast together`);
    }
    super(name, shape, components.eventShape);
    this.mixture = mixture;
    this.components = components;
  }

  /** The component axis of a component member's result: the last before the event's. */
  get #axis(): number {
    return -1 - this.eventShape.length;
  }

  /** The mixture's weights, shaped to multiply a component member's result [..., K, ...event]. */
  #weights(): Tensor {
    return tidy(() => {
      const w = this.mixture.probs;
      return w.reshape([...w.shape, ...this.eventShape.map(() => 1)]);
    });
  }

  override sample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('sample', shape);
    const k = this.mixture.numClasses;
    const eventRank = this.eventShape.length;
    return tidy(() => {
      const batch = s.slice(0, s.length - eventRank);
      const draws = ops.broadcastTo(this.components.sample(shape), [...batch, k, ...this.eventShape]);
      const picked = ops.broadcastTo(this.mixture.sample(shape), batch);
      const index = ops.broadcastTo(picked.reshape([...batch, 1, ...this.eventShape.map(() => 1)]), [...batch, 1, ...this.eventShape]);
      return ops.takeAlongAxis(draws, index, this.#axis).squeeze(this.#axis);
    });
  }

  /** log Σₖ pₖ·fₖ(x), x broadcast against each component. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value, 'any');
    return tidy(() => ops.logsumexp(this.components.logProb(v.expandDims(this.#axis)).add(this.mixture.logits), -1));
  }

  /** Σₖ pₖ·Fₖ(x). */
  override cdf(value: Tensor): Tensor {
    const v = this.checkValue('cdf', value);
    return tidy(() => this.components.cdf(v.expandDims(-1)).mul(this.mixture.probs).sum(-1));
  }

  /** Σₖ pₖ·μₖ. */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.components.mean.mul(this.#weights()).sum(this.#axis), this.eventShape));
  }

  /** Σₖ pₖ·σₖ² + Σₖ pₖ·(μₖ − μ)²: the components' spread and the spread of their means. */
  override get variance(): Tensor {
    return tidy(() => {
      const w = this.#weights();
      const means = this.components.mean;
      const mean = means.mul(w).sum(this.#axis, { keepDims: true });
      const within = this.components.variance.mul(w).sum(this.#axis);
      const between = means.sub(mean).square().mul(w).sum(this.#axis);
      return this.batched(within.add(between), this.eventShape);
    });
  }
}
