// The logistic-normal distribution on the simplex,
// torch.distributions.LogisticNormal: a Normal pushed through the
// stick-breaking map (Aitchison's additive logistic normal, its last
// coordinate the reference), a stand-in for a Dirichlet that is
// reparameterised by a Gaussian and so has cheap rsample gradients.
import type { Tensor } from '../tensor.js';
import { parameters, type Parameter } from './distribution.js';
import { Normal } from './normal.js';
import { TransformedDistribution } from './transformed.js';
import { StickBreakingTransform } from './vector_transforms.js';

/**
 * LogisticNormal(loc, scale): X ~ Normal(loc, scale) over R^(K−1) (the
 * parameters' last axis, broadcast together), pushed through
 * StickBreakingTransform onto the simplex in R^K: batch shape the
 * parameters' less their last axis, event shape [K]. log(y / (1 − cumsum y))
 * less the stick-breaking offsets recovers X. A scalar loc and scale are one
 * vector of one entry (K = 2), as PyTorch's expands them. logProb is the
 * Normal's density at X less the map's log-determinant; sample and rsample
 * map Normal draws; no mean, variance or entropy in closed form (PyTorch's
 * has none either).
 */
export class LogisticNormal extends TransformedDistribution {
  /** The base Normal's mean [..., K − 1]: the parameter as given (a reference), a view of it of shape [1] if it was a scalar, or a tensor made from a number. */
  readonly loc: Tensor;
  /** The base Normal's standard deviation, as loc. */
  readonly scale: Tensor;
  /** The tensors made here (from numbers, and the [1] views of scalars), which dispose frees. */
  readonly #made: readonly Tensor[];

  constructor(loc: Parameter, scale: Parameter) {
    const name = 'LogisticNormal';
    const { tensors, shape, owned } = parameters(name, { loc, scale });
    // A scalar batch is one vector of one entry, as PyTorch's expand([1]).
    const views = shape.length === 0 ? tensors.map((t) => t.reshape([1])) : [];
    const [l, s] = views.length > 0 ? views : tensors;
    super(new Normal(l, s), new StickBreakingTransform(), name);
    this.loc = l;
    this.scale = s;
    this.#made = [...owned, ...views];
  }

  override dispose(): void {
    super.dispose();
    this.base.dispose();
    for (const t of this.#made) if (!t.isDisposed) t.dispose();
  }
}
