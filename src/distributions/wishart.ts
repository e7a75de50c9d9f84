// The Wishart distribution, torch.distributions.Wishart: the scatter matrix
// Σᵢ xᵢxᵢᵀ of ν draws x ~ N(0, Σ) (ν any real above p − 1), a covariance
// matrix's conjugate prior.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { broadcastShapes } from '../shape.js';
import { multigammaln } from '../special/gamma.js';
import { Tensor } from '../tensor.js';
import { Distribution, standardNormal, type Parameter } from './distribution.js';
import { reparameterisedLogGamma } from './gamma.js';
import { givenSpread, spreadScaleTril, type MultivariateNormalSpread } from './multivariate_normal.js';

const LOG_2 = Math.log(2);

/**
 * Wishart(df, { covariance } | { scaleTril } | { precision }): positive
 * definite p × p matrices X of density
 * |X|^((ν−p−1)/2)·e^(−tr(Σ⁻¹X)/2) / (2^(νp/2)·|Σ|^(ν/2)·Γₚ(ν/2)), ν = df
 * (> p − 1; a number or a tensor whose shape broadcasts against the
 * matrix's batch axes). Held as Σ's lower Cholesky factor L, as
 * MultivariateNormal. Event shape [p, p]. rsample by Bartlett's
 * decomposition, X = (L·A)(L·A)ᵀ with A lower triangular, Aᵢᵢ² ~ Chi2(ν − i)
 * and N(0, 1) below the diagonal, reparameterised (the chi-squared draws
 * implicitly, as Gamma's), so gradients reach ν and Σ. logProb through X's
 * Cholesky factor; entropy, mean νΣ, mode (ν − p − 1)Σ (NaN for ν ≤ p + 1,
 * as PyTorch's) and variance ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ). A number ν ≤ p − 1 is
 * refused; a tensor's is not read back (a GPU keeps it): draws, logProb and
 * entropy are NaN there.
 */
export class Wishart extends Distribution {
  /** ν, the degrees of freedom: as given (a reference), or a scalar tensor made from a number. */
  readonly df: Tensor;
  /** Σ's lower Cholesky factor [..., p, p]: the one given, or derived (owned, freed by dispose). */
  readonly scaleTril: Tensor;

  constructor(df: Parameter, spread: MultivariateNormalSpread) {
    const { kind, matrix } = givenSpread('Wishart', spread);
    if (matrix.rank < 2 || matrix.shape[matrix.rank - 1] !== matrix.shape[matrix.rank - 2]) {
      throw new ShapeError(`Wishart: ${kind} must be square matrices [..., p, p], got ${formatShape(matrix.shape)}`);
    }
    let nu: Tensor;
    const owned: Tensor[] = [];
    const p = matrix.shape[matrix.rank - 1];
    if (typeof df === 'number') {
      if (!Number.isFinite(df)) throw new ValueError(`Wishart: df must be a tensor or a finite number, got ${formatValue(df)}`);
      if (!(df > p - 1)) throw new ValueError(`Wishart: df must be greater than p − 1 = ${p - 1} for ${p} × ${p} matrices, got ${formatValue(df)}`);
      nu = onBackendOf('Wishart', matrix, () => ops.scalar(df, { dtype: matrix.dtype }));
      owned.push(nu);
    } else {
      if (!(df instanceof Tensor)) throw new ValueError(`Wishart: df must be a tensor or a finite number, got ${formatValue(df)}`);
      checkTensor('Wishart', df, 'df');
      if (df.dtype !== matrix.dtype) throw new DTypeError(`Wishart: df is ${df.dtype} and ${kind} ${matrix.dtype}; give them one dtype`);
      nu = df;
    }
    let batchShape: number[];
    try {
      batchShape = broadcastShapes('Wishart', nu.shape, matrix.shape.slice(0, -2));
    } catch {
      for (const t of owned) t.dispose();
      throw new ShapeError(`Wishart: df ${formatShape(nu.shape)} and the batch axes of ${kind} ${formatShape(matrix.shape)} cannot be broadcast together`);
    }
    const scaleTril = spreadScaleTril(kind, matrix);
    if (kind !== 'scaleTril') owned.push(scaleTril);
    super('Wishart', batchShape, [p, p], owned);
    this.df = nu;
    this.scaleTril = scaleTril;
  }

  /** p, the matrices' size. */
  get dimension(): number {
    return this.eventShape[0];
  }

  /** Σ = L·Lᵀ [...batchShape, p, p] (a new tensor). */
  get covariance(): Tensor {
    return tidy(() => this.batched(this.covarianceOfFactor(), this.eventShape));
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const p = this.dimension;
      // Aᵢᵢ² ~ Chi2(ν − i) = 2·Gamma((ν − i)/2), Aᵢᵢ as e^((log 2G)/2) (√ of an underflowed G would give an ∞ gradient).
      const halfDf = this.df.expandDims(-1).sub(ops.arange(0, p, 1, { dtype: this.df.dtype })).mul(0.5);
      const diagonal = reparameterisedLogGamma('Wishart.rsample', halfDf, s.slice(0, -1)).add(Math.LN2).mul(0.5).exp();
      const below = ops.tril(standardNormal('Wishart.rsample', s, this.df), -1);
      const factor = this.scaleTril.matmul(below.add(ops.diagEmbed(diagonal)));
      return factor.matmul(factor, { transposeB: true });
    });
  }

  /** ((ν − p − 1)/2)·log|X| − tr(Σ⁻¹X)/2 − (νp/2)·log 2 − ν·Σ log Lᵢᵢ − log Γₚ(ν/2), |X| and tr through X = M·Mᵀ. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => {
      const p = this.dimension;
      const nu = this.df;
      const m = ops.linalg.cholesky(v);
      const logDetX = m.diagonal({ axis1: -2, axis2: -1 }).log().sum(-1).mul(2);
      const trace = ops.linalg.solveTriangular(this.scaleTril, m, { upper: false }).square().sum([-2, -1]);
      const normaliser = nu.mul((p * LOG_2) / 2).add(nu.mul(this.halfLogDet())).add(multigammaln(nu.mul(0.5), p));
      return nu.sub(p + 1).mul(0.5).mul(logDetX).sub(trace.mul(0.5)).sub(normaliser);
    });
  }

  /** (p + 1)/2·log|Σ| + p(p + 1)/2·log 2 + log Γₚ(ν/2) + νp/2 − ((ν − p − 1)/2)·ψₚ(ν/2), ψₚ(a) = Σᵢ<ₚ ψ(a − i/2). */
  override entropy(): Tensor {
    return tidy(() => {
      const p = this.dimension;
      const nu = this.df;
      const half = nu.mul(0.5);
      const digammas = half.expandDims(-1).sub(ops.arange(0, p, 1, { dtype: nu.dtype }).mul(0.5)).digamma().sum(-1);
      const entropy = this.halfLogDet().mul(p + 1).add((p * (p + 1) * LOG_2) / 2).add(multigammaln(half, p)).add(nu.mul(p / 2)).sub(nu.sub(p + 1).mul(0.5).mul(digammas));
      return this.batched(entropy);
    });
  }

  /** νΣ. */
  override get mean(): Tensor {
    return tidy(() => this.batched(this.df.expandDims(-1).expandDims(-1).mul(this.covarianceOfFactor()), this.eventShape));
  }

  /** (ν − p − 1)Σ for ν > p + 1, NaN otherwise. */
  override get mode(): Tensor {
    return tidy(() => {
      const factor = this.df.sub(this.dimension + 1);
      const positive = ops.where(factor.greater(0), factor, NaN);
      return this.batched(positive.expandDims(-1).expandDims(-1).mul(this.covarianceOfFactor()), this.eventShape);
    });
  }

  /** ν(Σᵢⱼ² + ΣᵢᵢΣⱼⱼ), each entry's. */
  override get variance(): Tensor {
    return tidy(() => {
      const sigma = this.covarianceOfFactor();
      const d = sigma.diagonal({ axis1: -2, axis2: -1 });
      const products = d.expandDims(-1).mul(d.expandDims(-2));
      return this.batched(this.df.expandDims(-1).expandDims(-1).mul(sigma.square().add(products)), this.eventShape);
    });
  }

  /** ½·log|Σ| = Σ log Lᵢᵢ [...L's batch axes]. */
  private halfLogDet(): Tensor {
    return this.scaleTril.diagonal({ axis1: -2, axis2: -1 }).log().sum(-1);
  }

  private covarianceOfFactor(): Tensor {
    return this.scaleTril.matmul(this.scaleTril, { transposeB: true });
  }
}
