// The Dirichlet distribution, torch.distributions.Dirichlet: probability
// vectors (topic mixtures, a Categorical's conjugate prior).
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, type Parameter } from './distribution.js';
import { TINY, reparameterisedLogGamma } from './gamma.js';

/**
 * Dirichlet(concentration [..., K]): density Π x_k^(α_k − 1) / B(α) on the
 * simplex (x_k > 0, Σ x_k = 1), B(α) = Π Γ(α_k) / Γ(Σ α_k); event shape
 * [K], batch shape the rest. sample and rsample as independent Gamma(α_k)
 * draws over their sum (Marsaglia–Tsang, rsample's gradient in α implicit,
 * as Gamma's), each kept at least the dtype's least normal value.
 */
export class Dirichlet extends Distribution {
  /** α [..., K] (each > 0), as given (a reference). */
  readonly concentration: Tensor;

  constructor(concentration: Parameter) {
    const { tensors, owned } = parameters('Dirichlet', { concentration });
    const [alpha] = tensors;
    if (alpha.rank < 1) {
      for (const t of owned) t.dispose();
      throw new ShapeError(`Dirichlet: concentration must have a last axis of the K categories, got ${formatShape(alpha.shape)}`);
    }
    super('Dirichlet', alpha.shape.slice(0, -1), alpha.shape.slice(-1), owned);
    this.concentration = alpha;
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      // Normalised in log space (a softmax of the log-draws), so that small concentrations' draws and gradients survive.
      const logG = reparameterisedLogGamma('Dirichlet.rsample', this.concentration, s);
      return ops.softmax(logG, -1).clip(TINY[this.concentration.dtype as 'f32' | 'f16'], null);
    });
  }

  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const a = this.concentration;
      return ops.xlogy(a.sub(1), v).sum(-1).add(a.sum(-1).lgamma()).sub(a.lgamma().sum(-1));
    });
  }

  /** log B(α) + (α₀ − K)·ψ(α₀) − Σ (α_k − 1)·ψ(α_k), α₀ = Σ α_k. */
  override entropy(): Tensor {
    return tidy(() => {
      const a = this.concentration;
      const a0 = a.sum(-1);
      const k = a.shape[a.rank - 1];
      const logBeta = a.lgamma().sum(-1).sub(a0.lgamma());
      return this.batched(logBeta.add(a0.sub(k).mul(a0.digamma())).sub(a.sub(1).mul(a.digamma()).sum(-1)));
    });
  }

  /** α / α₀. */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.concentration.div(this.concentration.sum(-1, { keepDims: true })), this.eventShape));
  }

  /** α(α₀ − α) / (α₀²·(α₀ + 1)). */
  override get variance(): Tensor {
    return tidy(() => {
      const a = this.concentration;
      const a0 = a.sum(-1, { keepDims: true });
      return this.batched(a.mul(a0.sub(a)).div(a0.square().mul(a0.add(1))), this.eventShape);
    });
  }

  /** (α − 1)/(α₀ − K) where every α_k > 1, as PyTorch's; NaN elsewhere. */
  override get mode(): Tensor {
    return tidy(() => {
      const a = this.concentration;
      const k = a.shape[a.rank - 1];
      const inside = a.sub(1).div(a.sum(-1, { keepDims: true }).sub(k));
      return this.batched(ops.where(a.greater(1).all(-1, { keepDims: true }), inside, NaN), this.eventShape);
    });
  }
}
