// The LKJ distribution over correlation matrices, as their Cholesky factors
// (torch.distributions.LKJCholesky): the prior on a covariance's correlation
// structure of Lewandowski, Kurowicka and Joe (2009).
//
// Its density over correlation matrices C is ∝ det(C)^(η−1). For the factor
// L (C = L·Lᵀ, each row of unit length), whose free entries are those below
// the diagonal, the change of variables adds Πᵢ Lᵢᵢ^(d−i−1) (rows from 0), so
// p(L) ∝ Πᵢ Lᵢᵢ^(d−i−3+2η). Row i's entries w below the diagonal lie in the
// unit ball of Rⁱ, Lᵢᵢ = √(1 − |w|²), and the density factorises by rows,
// each ∝ (1 − |w|²)^(βᵢ−1) with βᵢ = η + (d − 1 − i)/2: a vector of uniform
// direction whose squared length is Beta(i/2, βᵢ) (the onion method, LKJ
// §3.2), and whose integral is π^(i/2)·Γ(βᵢ)/Γ(βᵢ + i/2).
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, standardNormal, type Parameter } from './distribution.js';
import { TINY, reparameterisedLogGamma } from './gamma.js';

const LOG_PI = Math.log(Math.PI);

/**
 * LKJCholesky(dim, concentration = 1): the lower Cholesky factors L [dim,
 * dim] of correlation matrices C = L·Lᵀ with density ∝ det(C)^(η−1), η =
 * concentration > 0 (a number, or a tensor that sets the batch shape): η = 1
 * is uniform over correlation matrices, η > 1 favours the identity, η < 1
 * strong correlations. sample and rsample by the onion method (each row a
 * uniform direction scaled by the root of a Beta draw), reparameterised in η
 * (the Beta draws' Gamma draws implicitly, as Gamma's; PyTorch's has no
 * rsample). logProb reads L's diagonal, as PyTorch's, without checking that L
 * is a correlation matrix's factor.
 */
export class LKJCholesky extends Distribution {
  /** η (> 0), as given (a reference), or a scalar tensor made from a number. */
  readonly concentration: Tensor;

  constructor(dim: number, concentration: Parameter = 1) {
    if (!Number.isSafeInteger(dim) || dim < 2) throw new ValueError(`LKJCholesky: dim must be an integer ≥ 2, got ${formatValue(dim)}`);
    if (typeof concentration === 'number' && !(concentration > 0)) throw new ValueError(`LKJCholesky: concentration must be positive, got ${formatValue(concentration)}`);
    const { tensors, shape, owned } = parameters('LKJCholesky', { concentration });
    super('LKJCholesky', shape, [dim, dim], owned);
    [this.concentration] = tensors;
  }

  /** d, the matrices' size. */
  get dimension(): number {
    return this.eventShape[0];
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const d = this.dimension;
      const eta = this.concentration;
      const rows = ops.arange(0, d, 1, { dtype: eta.dtype });
      // |w|² ~ Beta(i/2, βᵢ) for row i ≥ 1, through two log-Gamma draws so that 1 − |w|² keeps its digits near 0.
      // Row 0 holds nothing below the diagonal; its Beta is a stand-in, masked below.
      const half = ops.maximum(rows, 1).mul(0.5);
      const beta = eta.expandDims(-1).add(rows.neg().add(d - 1).mul(0.5));
      const lineShape = s.slice(0, -1);
      const logLength = reparameterisedLogGamma('LKJCholesky.rsample', ops.broadcastTo(half, lineShape), lineShape);
      const logRest = reparameterisedLogGamma('LKJCholesky.rsample', ops.broadcastTo(beta, lineShape), lineShape);
      const dtype = eta.dtype as 'f32' | 'f16';
      const squaredLength = logLength.sub(logRest).sigmoid();
      const diagonalSquared = logRest.sub(logLength).sigmoid().clip(TINY[dtype], null);
      // A uniform direction in each row's first i coordinates: Gaussian noise below the diagonal, normalised (row 0's norm 0 read as 1).
      const noise = ops.tril(standardNormal('LKJCholesky.rsample', s, eta), -1);
      const norm = noise.square().sum(-1, { keepDims: true }).sqrt();
      const direction = noise.div(ops.where(norm.greater(0), norm, 1));
      const below = direction.mul(squaredLength.sqrt().expandDims(-1));
      const diagonal = ops.where(rows.equal(0), 1, diagonalSquared.sqrt());
      return below.add(ops.diagEmbed(diagonal));
    });
  }

  /** Σᵢ₌₁ (d − i − 3 + 2η)·log Lᵢᵢ − Σᵢ₌₁ ((i/2)·log π + log Γ(βᵢ) − log Γ(βᵢ + i/2)), rows i from 0 (see the file's head). */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const d = this.dimension;
      const eta = this.concentration;
      const i = ops.arange(1, d, 1, { dtype: eta.dtype });
      const logDiagonal = v.diagonal({ axis1: -2, axis2: -1 }).slice([...v.shape.slice(0, -2).map(() => 0), 1]).log();
      const exponents = eta.expandDims(-1).mul(2).sub(i).add(d - 3);
      const unnormalised = exponents.mul(logDiagonal).sum(-1);
      const beta = eta.expandDims(-1).add(i.neg().add(d - 1).mul(0.5));
      const logNormaliser = beta.lgamma().sub(beta.add(i.mul(0.5)).lgamma()).add(i.mul(LOG_PI / 2)).sum(-1);
      return unnormalised.sub(logNormaliser);
    });
  }
}
