// The multivariate normal distribution, torch.distributions.MultivariateNormal,
// held as the lower Cholesky factor L of its covariance (Σ = L·Lᵀ).
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { Distribution, parameters, standardNormal } from './distribution.js';

/** How a MultivariateNormal's spread is given: exactly one of the three, each [..., n, n]. */
export type MultivariateNormalSpread = { covariance: Tensor } | { scaleTril: Tensor } | { precision: Tensor };

const SPREADS = ['covariance', 'scaleTril', 'precision'] as const;
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * The lower factor L with L·Lᵀ = P⁻¹, as PyTorch's _precision_to_scale_tril:
 * P with both axes reversed (J·P·J) is factored, J·L_f·J = U is upper with
 * P = U·Uᵀ, so P⁻¹ = U⁻ᵀ·U⁻¹ and L = (Uᵀ)⁻¹, one triangular solve.
 */
function precisionToScaleTril(precision: Tensor): Tensor {
  return tidy(() => {
    const n = precision.shape[precision.rank - 1];
    const reversed = [-2, -1];
    const lowerOfReversed = ops.linalg.cholesky(precision.flip(reversed));
    const upperTransposed = lowerOfReversed.flip(reversed).transpose(swapLast(precision.rank));
    return ops.linalg.solveTriangular(upperTransposed, ops.eye(n, { dtype: precision.dtype }), { upper: false });
  });
}

/** The permutation that swaps the last two of `rank` axes. */
function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/**
 * The one matrix a `{ covariance } | { scaleTril } | { precision }` option
 * gives, checked (a float tensor; exactly one of the three; no other key),
 * as MultivariateNormal and Wishart take it.
 */
export function givenSpread(name: string, spread: MultivariateNormalSpread): { kind: (typeof SPREADS)[number]; matrix: Tensor } {
  if (spread === null || typeof spread !== 'object') {
    throw new ValueError(`${name}: expects { covariance }, { scaleTril } or { precision }, got ${formatValue(spread)}`);
  }
  const given = SPREADS.filter((k) => (spread as Record<string, unknown>)[k] !== undefined);
  const unknown = Object.keys(spread).filter((k) => !(SPREADS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ValueError(`${name}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')}; expects covariance, scaleTril or precision`);
  if (given.length !== 1) {
    throw new ValueError(`${name}: give exactly one of covariance, scaleTril and precision, got ${given.length === 0 ? 'none' : given.join(' and ')}`);
  }
  const kind = given[0];
  const matrix = (spread as Record<string, Tensor>)[kind];
  checkTensor(name, matrix, kind);
  const [m] = parameters(name, { [kind]: matrix }).tensors;
  return { kind, matrix: m };
}

/** The lower Cholesky factor of the covariance a spread's matrix gives: the matrix itself for scaleTril, else a new tensor. */
export function spreadScaleTril(kind: (typeof SPREADS)[number], matrix: Tensor): Tensor {
  return kind === 'scaleTril' ? matrix : kind === 'covariance' ? ops.linalg.cholesky(matrix) : precisionToScaleTril(matrix);
}

/**
 * What MultivariateNormal and LowRankMultivariateNormal share: a mean loc
 * [..., n] and a covariance Σ that each holds factored its own way, read
 * through halfLogDet and mahalanobis, from which logProb and entropy follow.
 */
export abstract class GaussianVector extends Distribution {
  /** The mean [..., n], as given (a reference). */
  abstract readonly loc: Tensor;

  /** The dimension n. */
  get dimension(): number {
    return this.eventShape[0];
  }

  /** −½·(n·log 2π + (x − loc)ᵀ·Σ⁻¹·(x − loc)) − ½·log det Σ. */
  override logProb(value: Tensor): Tensor {
    const v = this.checkValue('logProb', value);
    return tidy(() => this.mahalanobis(v.sub(this.loc)).add(this.dimension * LOG_2PI).mul(-0.5).sub(this.halfLogDet()));
  }

  /** ½·n·(1 + log 2π) + ½·log det Σ. */
  override entropy(): Tensor {
    return tidy(() => this.batched(this.halfLogDet().add(0.5 * this.dimension * (1 + LOG_2PI))));
  }

  override get mean(): Tensor {
    return this.batched(this.loc, this.eventShape);
  }

  override get mode(): Tensor {
    return this.batched(this.loc, this.eventShape);
  }

  /** ½·log det Σ [...its batch axes]. */
  abstract halfLogDet(): Tensor;

  /** (x − loc)ᵀ·Σ⁻¹·(x − loc) for differences [..., n] (batch axes broadcasting): [...]. */
  abstract mahalanobis(difference: Tensor): Tensor;

  /** [n, n], the shape of the matrices a member builds. */
  protected matrixShape(): number[] {
    return [this.dimension, this.dimension];
  }
}

/**
 * MultivariateNormal(loc [..., n], { covariance } | { scaleTril } | {
 * precision }): the normal of mean loc and covariance Σ, the matrix's batch
 * axes broadcasting against loc's. Held as Σ's lower Cholesky factor L
 * (`scaleTril`: the one given, by reference, or one this distribution
 * computes through tm.linalg.cholesky and owns). Its event shape is [n].
 * logProb is −½·(n·log 2π + |L⁻¹(x − loc)|²) − Σ log Lᵢᵢ; rsample is loc + L·ε.
 */
export class MultivariateNormal extends GaussianVector {
  /** The mean [..., n], as given (a reference). */
  readonly loc: Tensor;
  /** Σ's lower Cholesky factor [..., n, n]: the one given, or derived (owned, freed by dispose). */
  readonly scaleTril: Tensor;

  constructor(loc: Tensor, spread: MultivariateNormalSpread) {
    const { kind, matrix: m } = givenSpread('MultivariateNormal', spread);
    checkTensor('MultivariateNormal', loc, 'loc');
    // Checked apart: loc's event axis and the matrix's two do not broadcast against each other as a whole.
    const [l] = parameters('MultivariateNormal', { loc }).tensors;
    if (l.dtype !== m.dtype) throw new DTypeError(`MultivariateNormal: loc is ${l.dtype} and ${kind} ${m.dtype}; give them one dtype`);
    if (l.rank < 1) throw new ShapeError(`MultivariateNormal: loc must be a vector [..., n], got ${formatShape(l.shape)}`);
    const n = l.shape[l.rank - 1];
    if (m.rank < 2 || m.shape[m.rank - 1] !== n || m.shape[m.rank - 2] !== n) {
      throw new ShapeError(`MultivariateNormal: ${kind} ${formatShape(m.shape)} must be [..., ${n}, ${n}] for loc ${formatShape(l.shape)}`);
    }
    let batchShape: number[];
    try {
      batchShape = broadcastShapes('MultivariateNormal', l.shape.slice(0, -1), m.shape.slice(0, -2));
    } catch {
      throw new ShapeError(`MultivariateNormal: the batch axes of loc ${formatShape(l.shape)} and ${kind} ${formatShape(m.shape)} cannot be broadcast together`);
    }
    const scaleTril = spreadScaleTril(kind, m);
    super('MultivariateNormal', batchShape, [n], kind === 'scaleTril' ? [] : [scaleTril]);
    this.loc = l;
    this.scaleTril = scaleTril;
  }

  /** Σ = L·Lᵀ [...batchShape, n, n] (a new tensor). */
  get covariance(): Tensor {
    return tidy(() => this.batched(this.scaleTril.matmul(this.scaleTril, { transposeB: true }), this.matrixShape()));
  }

  override rsample(shape: readonly number[] = []): Tensor {
    const s = this.drawShape('rsample', shape);
    return tidy(() => {
      const noise = standardNormal('MultivariateNormal.rsample', [...s, 1], this.loc);
      return this.loc.add(this.scaleTril.matmul(noise).squeeze(-1));
    });
  }

  /** Σ's diagonal: each row of L's squares summed. */
  override get variance(): Tensor {
    return tidy(() => this.batched(this.scaleTril.square().sum(-1), this.eventShape));
  }

  /** ½·log det Σ = Σ log Lᵢᵢ [...L's batch axes]. */
  override halfLogDet(): Tensor {
    return tidy(() => this.scaleTril.diagonal({ axis1: -2, axis2: -1 }).log().sum(-1));
  }

  /** |L⁻¹·d|² for differences d [..., n], by one triangular solve (batch axes broadcasting): [...]. */
  override mahalanobis(d: Tensor): Tensor {
    return tidy(() => {
      return ops.linalg.solveTriangular(this.scaleTril, d.expandDims(-1), { upper: false }).square().sum([-2, -1]);
    });
  }
}
