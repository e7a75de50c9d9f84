// tm.linalg.solveTriangular: X = A⁻¹·B (or B·A⁻¹) for a triangular A, as
// torch.linalg.solve_triangular, by substitution in the backend's
// triangularSolve kernel (cblas_strsm on native). That kernel solves from the
// left only: X·A = B is Aᵀ·Xᵀ = Bᵀ, two transposes around it, A's triangle
// flipping with them. A kernel of its own rather than luSolve on a triangular
// A with no pivots: luSolve's forward pass assumes a unit lower triangle,
// and a lower A would have to be reversed along both axes to look upper.
import { backendFor, tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { sizeOf } from '../../shape.js';
import { record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { neg } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { tril, triu } from '../triangular.js';
import { computed } from '../util.js';
import { broadcastBatch, castTo, checkMatrix, checkSquare, inF32, matrixTranspose, toBatch } from './matrices.js';
import { linalgOf } from '../../backends/linalg.js';

/** solveTriangular's options. */
export interface SolveTriangularOptions {
  /** Required, as torch's: A is upper triangular (true) or lower (false); the other triangle is not read. */
  upper: boolean;
  /** Solve A·X = B (true, the default) or X·A = B (false). */
  left?: boolean;
  /** A's diagonal taken as all ones and not read (default false). */
  unitriangular?: boolean;
}

const SOLVE_TRIANGULAR_OPTIONS: OptionNames<SolveTriangularOptions> = { upper: 'boolean', left: 'boolean', unitriangular: 'boolean' };

/**
 * X = A⁻¹·B for f32 A [..., n, n] read as its upper or lower triangle (its
 * diagonal 1 where `unit`) and B [..., n, k] of one batch shape. Its
 * gradient: dB = A⁻ᵀ·dX (a solve with Aᵀ, of the other triangle), dA =
 * −dB·Xᵀ on A's triangle only (its strict one where the diagonal is taken
 * as 1), the entries A's value depends on.
 */
export function solveTriangularMatrices(op: string, a: Tensor, b: Tensor, upper: boolean, unit: boolean): Tensor {
  const backend = a.dataRef(op).backend;
  const [n, k] = b.shape.slice(-2);
  const batch = sizeOf(b.shape.slice(0, -2));
  const x = computed(op, backend, b.shape, 'f32', () =>
    linalgOf(backend).triangularSolve({ ...a.info(op), shape: [batch, n, n] }, { ...b.info(op), shape: [batch, n, k] }, upper, unit));
  return record(x, op, [a, b], [a, x], (dx, [sa, sx], needs) => {
    const db = solveTriangularMatrices(op, matrixTranspose(sa), dx, !upper, unit);
    if (!needs[0]) return [null, db];
    const full = neg(matmul(db, sx, { transposeB: true }));
    const offset = unit ? 1 : 0;
    return [upper ? triu(full, offset) : tril(full, -offset), db];
  });
}

/**
 * The solution X of A·X = B, or of X·A = B where `left` is false, for a
 * triangular A [..., n, n] (torch.linalg.solve_triangular,
 * scipy.linalg.solve_triangular): `upper` says which triangle of A is read
 * (required, as torch's), the other is not; `unitriangular` takes A's
 * diagonal as ones, unread. B is [..., n, k] (or [..., k, n] from the
 * right); batch axes broadcast. By substitution in f32 (f16 cast in and the
 * result back). A zero on A's diagonal gives ±∞ or NaN, as torch's does.
 * Differentiable in A (its triangle) and B.
 */
export function solveTriangular(A: Tensor, B: Tensor, options: SolveTriangularOptions): Tensor {
  const n = checkSquare('solveTriangular', A);
  checkMatrix('solveTriangular', B, 'B');
  const { upper, left = true, unitriangular = false } = checkOptions('solveTriangular', options, SOLVE_TRIANGULAR_OPTIONS);
  if (upper === undefined) {
    throw new ValueError(`solveTriangular: options must say which triangle of A to read, { upper: true } or { upper: false } (torch's upper has no default either), got ${formatValue(options)}`);
  }
  const rows = B.shape[B.rank - (left ? 2 : 1)];
  if (rows !== n) {
    const axis = left ? 'rows (its second-to-last axis)' : 'columns (its last axis)';
    throw new ShapeError(`solveTriangular: B ${formatShape(B.shape)} does not match A ${formatShape(A.shape)}: B needs ${n} ${axis} to solve with A's ${n} × ${n} matrices ${left ? 'from the left' : 'from the right'}`);
  }
  backendFor('solveTriangular', [A.dataRef('solveTriangular'), B.dataRef('solveTriangular')]);
  const batch = broadcastBatch('solveTriangular', A, B);
  return tidy(() => {
    const a = toBatch(inF32(A), batch);
    const b = toBatch(inF32(B), batch);
    const x = left
      ? solveTriangularMatrices('solveTriangular', a, b, upper, unitriangular)
      : matrixTranspose(solveTriangularMatrices('solveTriangular', matrixTranspose(a), matrixTranspose(b), !upper, unitriangular));
    return castTo(x, promoteTypes(A.dtype, B.dtype));
  });
}
