// torch.cholesky_solve and torch.cholesky_inverse: solving with, and
// inverting, a symmetric positive-definite A from its Cholesky factor, as
// Gaussian-process and least-squares code does once A is factored: two
// triangular solves, L⁻¹ then L⁻ᵀ (or Uᵀ⁻¹ then U⁻¹ for A = UᵀU), each
// differentiable, so these are too.
import { tidy } from '../../engine.js';
import { ShapeError, formatShape } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { checkOptions, type OptionNames } from '../../options.js';
import type { Tensor } from '../../tensor.js';
import { eye } from '../creation.js';
import { broadcastTo } from '../movement.js';
import { onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkMatrix, checkSquare, inF32, matrixTranspose, toBatch } from './matrices.js';
import { solveTriangularMatrices } from './solve_triangular.js';

/** choleskySolve's and choleskyInverse's options. */
export interface CholeskyFactorOptions {
  /** The factor is upper triangular, A = UᵀU (default false: lower, A = L·Lᵀ, as cholesky gives it). Only that triangle is read. */
  upper?: boolean;
}

const OPTIONS: OptionNames<CholeskyFactorOptions> = { upper: 'boolean' };

/** A⁻¹·b for A = L·Lᵀ (or UᵀU) from f32 factor [..., n, n] and b [..., n, k] of one batch shape. */
function solveWithFactor(op: string, factor: Tensor, b: Tensor, upper: boolean): Tensor {
  // With L lower: L·Y = B, then Lᵀ·X = Y. With U upper: Uᵀ·Y = B, then U·X = Y. Either way the first solve is with the lower of the two.
  const lower = upper ? matrixTranspose(factor) : factor;
  const y = solveTriangularMatrices(op, lower, b, false, false);
  return solveTriangularMatrices(op, matrixTranspose(lower), y, true, false);
}

/**
 * The solution X of A·X = B from A's Cholesky factor (torch.cholesky_solve,
 * scipy.linalg.cho_solve), with torch's argument order: B [..., n, k], L
 * [..., n, n] lower triangular with A = L·Lᵀ (or upper, A = UᵀU, with `{
 * upper: true }`), only its triangle read; batch axes broadcast. In f32
 * (f16 cast in and the result back). A zero on the factor's diagonal gives
 * ±∞ or NaN. Differentiable in B and in the factor's triangle.
 */
export function choleskySolve(B: Tensor, L: Tensor, options: CholeskyFactorOptions = {}): Tensor {
  const op = 'choleskySolve';
  const n = checkSquare(op, L, 'L');
  checkMatrix(op, B, 'B');
  const { upper = false } = checkOptions(op, options, OPTIONS);
  if (B.shape[B.rank - 2] !== n) {
    throw new ShapeError(`${op}: B ${formatShape(B.shape)} does not match L ${formatShape(L.shape)}: B needs ${n} rows (its second-to-last axis) to solve with ${n} × ${n} factors`);
  }
  const batch = broadcastBatch(op, L, B, { A: L.shape, B: B.shape });
  return tidy(() => castTo(solveWithFactor(op, toBatch(inF32(L), batch), toBatch(inF32(B), batch), upper), promoteTypes(L.dtype, B.dtype)));
}

/**
 * A⁻¹ from A's Cholesky factor L [..., n, n] (torch.cholesky_inverse): A =
 * L·Lᵀ, or UᵀU with `{ upper: true }`; symmetric, as A⁻¹ is. choleskySolve
 * of the identity. Differentiable in the factor's triangle.
 */
export function choleskyInverse(L: Tensor, options: CholeskyFactorOptions = {}): Tensor {
  const op = 'choleskyInverse';
  const n = checkSquare(op, L, 'L');
  const { upper = false } = checkOptions(op, options, OPTIONS);
  return tidy(() => {
    const factor = inF32(L);
    const identity = broadcastTo(onBackendOf(op, L, () => eye(n)), factor.shape);
    return castTo(solveWithFactor(op, factor, identity, upper), L.dtype);
  });
}
