// The multivariate normal of low-rank-plus-diagonal covariance,
// torch.distributions.LowRankMultivariateNormal: Σ = W·Wᵀ + diag(D), every
// member in O(n·r²) through the r × r capacitance matrix (Woodbury's identity
// and the matrix determinant lemma), never factoring the n × n Σ.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, formatShape } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { parameters, standardNormal } from './distribution.js';
import { GaussianVector } from './multivariate_normal.js';

/**
 * LowRankMultivariateNormal(loc [..., n], covFactor W [..., n, r], covDiag
 * D [..., n]): the normal of mean loc and covariance Σ = W·Wᵀ + diag(D), D
 * positive, the three's batch axes broadcasting together. It holds the lower
 * Cholesky factor of the capacitance matrix C = I + Wᵀ·D⁻¹·W (r × r; owned,
 * freed by dispose), from which logProb (|x − loc|²_Σ⁻¹ = |x − loc|²_D⁻¹ −
 * |L_C⁻¹·Wᵀ·D⁻¹·(x − loc)|², log det Σ = log det C + Σ log D) and entropy
 * cost O(n·r²); rsample is loc + W·ε_r + √D·ε_n. `covariance`, `precision`
 * (Woodbury) and `scaleTril` build the n × n matrices on request.
 */
export class LowRankMultivariateNormal extends GaussianVector {
  /** The mean [..., n], as given (a reference). */
  readonly loc: Tensor;
  /** W [..., n, r], as given (a reference). */
  readonly covFactor: Tensor;
  /** D [..., n] (positive), as given (a reference). */
  readonly covDiag: Tensor;
  /** The lower Cholesky factor of C = I + Wᵀ·D⁻¹·W [..., r, r] (owned, freed by dispose). */
  readonly capacitanceTril: Tensor;

  constructor(loc: Tensor, covFactor: Tensor, covDiag: Tensor) {
    const name = 'LowRankMultivariateNormal';
    checkTensor(name, loc, 'loc');
    checkTensor(name, covFactor, 'covFactor');
    checkTensor(name, covDiag, 'covDiag');
    // Checked one by one: their event axes do not broadcast against each other as a whole.
    const [l] = parameters(name, { loc }).tensors;
    const [w] = parameters(name, { covFactor }).tensors;
    const [d] = parameters(name, { covDiag }).tensors;
    for (const [key, t] of [['covFactor', w], ['covDiag', d]] as const) {
      if (t.dtype !== l.dtype) throw new DTypeError(`${name}: loc is ${l.dtype} and ${key} ${t.dtype}; give them one dtype`);
    }
    if (l.rank < 1) throw new ShapeError(`${name}: loc must be a vector [..., n], got ${formatShape(l.shape)}`);
    const n = l.shape[l.rank - 1];
    if (w.rank < 2 || w.shape[w.rank - 2] !== n) {
      throw new ShapeError(`${name}: covFactor ${formatShape(w.shape)} must be [..., ${n}, rank] for loc ${formatShape(l.shape)}`);
    }
    if (d.rank < 1 || d.shape[d.rank - 1] !== n) {
      throw new ShapeError(`${name}: covDiag ${formatShape(d.shape)} must be [..., ${n}] for loc ${formatShape(l.shape)}`);
    }
    let batchShape: number[];
    try {
      batchShape = broadcastShapes(name, broadcastShapes(name, l.shape.slice(0, -1), w.shape.slice(0, -2)), d.shape.slice(0, -1));
    } catch {
      throw new ShapeError(`${name}: the batch axes of loc ${formatShape(l.shape)}, covFactor ${formatShape(w.shape)} and covDiag ${formatShape(d.shape)} cannot be broadcast together`);
    }
    const rank = w.shape[w.rank - 1];
    const capacitanceTril = tidy(() => {
      const scaled = w.div(d.expandDims(-1));
      return ops.linalg.cholesky(ops.eye(rank, { dtype: w.dtype }).add(scaled.matmul(w, { transposeA: true })));
    });
    super(name, batchShape, [n], [capacitanceTril]);
    this.loc = l;
    this.covFactor = w;
    this.covDiag = d;
    this.capacitanceTril = capacitanceTril;
  }

  /** Σ = W·Wᵀ + diag(D) [...batchShape, n, n] (a new tensor). */
  get covariance(): Tensor {
    return tidy(() => this.batched(this.covFactor.matmul(this.covFactor, { transposeB: true }).add(ops.diagEmbed(this.covDiag)), this.matrixShape()));
  }

  /** Σ⁻¹ = D⁻¹ − D⁻¹·W·C⁻¹·Wᵀ·D⁻¹ (Woodbury) [...batchShape, n, n] (a new tensor). */
  get precision(): Tensor {
    return tidy(() => {
      const inverseD = ops.div(1, this.covDiag);
      // A = L_C⁻¹·Wᵀ·D⁻¹ [..., r, n], so that D⁻¹·W·C⁻¹·Wᵀ·D⁻¹ = Aᵀ·A.
      const a = ops.linalg.solveTriangular(this.capacitanceTril, ops.swapaxes(this.covFactor.mul(inverseD.expandDims(-1)), -2, -1), { upper: false });
      return this.batched(ops.diagEmbed(inverseD).sub(a.matmul(a, { transposeA: true })), this.matrixShape());
    });
  }

  /** Σ's lower Cholesky factor [...batchShape, n, n] (a new tensor; O(n³), as PyTorch's). */
  get scaleTril(): Tensor {
    return tidy(() => ops.linalg.cholesky(this.covariance));
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    const rank = this.covFactor.shape[this.covFactor.rank - 1];
    return tidy(() => {
      const lowRank = this.covFactor.matmul(standardNormal('LowRankMultivariateNormal.rsample', [...s.slice(0, -1), rank, 1], this.loc)).squeeze(-1);
      const diagonal = this.covDiag.sqrt().mul(standardNormal('LowRankMultivariateNormal.rsample', s, this.loc));
      return this.loc.add(lowRank).add(diagonal);
    });
  }

  /** Σ's diagonal: each row of W's squares summed, plus D. */
  override get variance(): Tensor {
    return tidy(() => this.batched(this.covFactor.square().sum(-1).add(this.covDiag), this.eventShape));
  }

  /** ½·log det Σ = Σ log (L_C)ᵢᵢ + ½·Σ log Dⱼ (the matrix determinant lemma) [...batch axes]. */
  override halfLogDet(): Tensor {
    return tidy(() => this.capacitanceTril.diagonal({ axis1: -2, axis2: -1 }).log().sum(-1).add(this.covDiag.log().sum(-1).mul(0.5)));
  }

  /** (x − loc)ᵀ·Σ⁻¹·(x − loc) for differences [..., n]: |d|²_D⁻¹ − |L_C⁻¹·Wᵀ·D⁻¹·d|² (Woodbury). */
  override mahalanobis(difference: Tensor): Tensor {
    return tidy(() => {
      const scaled = difference.div(this.covDiag);
      const projected = this.covFactor.matmul(scaled.expandDims(-1), { transposeA: true });
      const solved = ops.linalg.solveTriangular(this.capacitanceTril, projected, { upper: false });
      return difference.mul(scaled).sum(-1).sub(solved.square().sum([-2, -1]));
    });
  }
}
