// tm.linalg.solve and tm.linalg.inv: X = A⁻¹·B through A's LU factors with
// partial pivoting (the luFactor and luSolve kernels), as
// torch.linalg.solve, batch axes broadcasting between A and B.
import { backendFor, tidy } from '../../engine.js';
import { ShapeError, formatShape } from '../../errors.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { promoteTypes } from '../../dtype.js';
import { sameShape, sizeOf } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { eye } from '../creation.js';
import { equal, neg } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { broadcastTo, expandDims, squeeze } from '../movement.js';
import { sumToShape } from '../reduce.js';
import { computed, onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkFloat, checkSquare, diagonal, firstFailure, inF32, luFactors, matrixTranspose, refuseSingular, toBatch } from './matrices.js';
import { linalgOf } from '../../backends/linalg.js';

/**
 * X = A⁻¹·B for f32 A [..., n, n] and B [..., n, k], A's batch axes
 * broadcasting to B's: A is factored at its own batch shape, once however
 * many right-hand sides share a matrix, `check` (by default: refusing a
 * singular A where its factors can be read at once; a check given instead
 * refuses nothing in the gradient either) sees those factors,
 * and they are broadcast to B's batch for the solve. Its gradient: dB =
 * A⁻ᵀ·dX (a solve with Aᵀ), dA = −dB·Xᵀ summed over the broadcast axes.
 */
export function solveMatrices(op: string, a: Tensor, b: Tensor, check?: (lu: Tensor) => void): Tensor {
  const backend = a.dataRef(op).backend;
  const { lu, pivots } = luFactors(op, a);
  try {
    if (check) check(lu);
    else refuseSingular(op, lu);
    const [n, k] = b.shape.slice(-2);
    const batchShape = b.shape.slice(0, -2);
    const batch = sizeOf(batchShape);
    const x = tidy(() => {
      const factors = toBatch(lu, batchShape);
      const swaps = sameShape(pivots.shape, [...batchShape, n]) ? pivots : broadcastTo(pivots, [...batchShape, n]);
      return computed(op, backend, b.shape, 'f32', () =>
        linalgOf(backend).luSolve({ ...factors.info(op), shape: [batch, n, n] }, { ...swaps.info(op), shape: [batch, n] }, { ...b.info(op), shape: [batch, n, k] }));
    });
    return record(x, op, [a, b], [a, x], (dx, [sa, sx], needs) => {
      // An *_ex solve refused nothing going forward, and its gradient refuses nothing either: a singular A's is ±∞ or NaN, as PyTorch's.
      const db = solveMatrices(op, matrixTranspose(sa), dx, check ? () => {} : undefined);
      return [needs[0] ? sumToShape(neg(matmul(db, sx, { transposeB: true })), sa.shape) : null, db];
    });
  } finally {
    lu.dispose();
    pivots.dispose();
  }
}

/**
 * How B stands to the unknown X: a vector or a batch of them (A·x = b), a
 * matrix on the left (A·X = B) or on the right (X·A = B, solved as
 * Aᵀ·Xᵀ = Bᵀ).
 */
type Form = 'vector' | 'left' | 'right';

/** solve's and solveEx's options, torch.linalg's. */
export interface SolveOptions {
  /** Solve A·X = B (true, the default) or X·A = B (false: B a matrix [..., k, n], as torch asks). */
  left?: boolean;
}

const OPTIONS: OptionNames<SolveOptions> = { left: 'boolean' };

/**
 * A and B broadcast to one batch shape, solved in `form`, B's dtype
 * promoted with A's; with `info`, also LAPACK's info of A's factors (of
 * Aᵀ's, for the right), at A's own batch shape.
 */
function solveBroadcast(op: string, a: Tensor, b: Tensor, form: Form, withInfo = false): { x: Tensor; info?: Tensor } {
  const n = a.shape[a.rank - 1];
  return tidy(() => {
    const columns = form === 'vector' ? expandDims(b, -1) : form === 'right' ? matrixTranspose(b) : b;
    if (columns.shape[columns.rank - 2] !== n) {
      const where = form === 'right' ? `${n} columns (its last axis) to solve X·A = B` : `${n} rows (its ${form === 'vector' ? 'last' : 'second-to-last'} axis) to solve`;
      throw new ShapeError(`${op}: B ${formatShape(b.shape)} does not match A ${formatShape(a.shape)}: B needs ${where} with A's ${n} × ${n} matrices`);
    }
    const batch = broadcastBatch(op, a, columns, { A: a.shape, B: b.shape });
    let info: Tensor | undefined;
    const check = withInfo ? (lu: Tensor) => void (info = singularAt(op, lu)) : undefined;
    const x = solveMatrices(op, inF32(form === 'right' ? matrixTranspose(a) : a), toBatch(inF32(columns), batch), check);
    return { x: castTo(form === 'vector' ? squeeze(x, -1) : form === 'right' ? matrixTranspose(x) : x, promoteTypes(a.dtype, b.dtype)), info };
  });
}

/**
 * The solution X of A·X = B (torch.linalg.solve, np.linalg.solve) for A
 * [..., n, n] and B a batch of matrices [..., n, k] or of vectors [..., n]:
 * B is a vector (or a batch of them) when it has one axis, or one fewer than
 * A with A's shape less its last axis; batch axes broadcast. `{ left: false
 * }` solves X·A = B for B [..., k, n] instead (a matrix: torch's rule).
 * Computed in f32 by LU with partial pivoting (f16 cast in and the result
 * back). A singular A is an error on js and native, naming the matrix; on
 * webgpu, which reads nothing back, its solutions are ±∞ or NaN (solveEx
 * says so on every backend). Differentiable in A and B.
 */
export function solve(A: Tensor, B: Tensor, options: SolveOptions = {}): Tensor {
  return solveBroadcast('solve', A, B, formOf('solve', A, B, options)).x;
}

/** Checks solve's operands and options; how B stands to X. */
function formOf(op: string, A: Tensor, B: Tensor, options: SolveOptions): Form {
  checkSquare(op, A);
  const b = checkFloat(op, B, 'B');
  const { left = true } = checkOptions(op, options, OPTIONS);
  if (b.rank < 1) throw new ShapeError(`${op}: B must be a vector or a matrix (or a batch of them), got a scalar with A ${formatShape(A.shape)}`);
  backendFor(op, [A.dataRef(op), b.dataRef(op)]);
  const batchOfVectors = b.rank === A.rank - 1 && sameShape(b.shape, A.shape.slice(0, -1));
  if (!left) {
    if (b.rank < 2 || batchOfVectors) throw new ShapeError(`${op}: B ${formatShape(b.shape)} must be a matrix [..., k, n] to solve X·A = B (left: false), as torch asks (a vector, or a batch of them shaped as A less its last axis, is refused)`);
    return 'right';
  }
  return b.rank === 1 || batchOfVectors ? 'vector' : 'left';
}

/** The info of an *_ex solve: per matrix, 0, or k + 1 for the first zero on U's diagonal (U[k, k] = 0: A singular), as LAPACK's getrf's. */
function singularAt(op: string, lu: Tensor): Tensor {
  return noGrad(() => tidy(() => firstFailure(op, equal(diagonal(op, lu), 0))));
}

/** solveEx's result. */
export interface SolveEx {
  /** solve's X: ±∞ and NaN where A is singular. */
  result: Tensor;
  /**
   * i32 [...], A's batch shape: 0, or k + 1 for the first zero pivot U[k, k]
   * of A's LU factors (Aᵀ's for `{ left: false }`): A singular.
   */
  info: Tensor;
}

/**
 * solve with, per matrix of A, LAPACK's info instead of an error
 * (torch.linalg.solve_ex): 0 where A is invertible, else k + 1 for the
 * first step k of its LU factorization with no nonzero pivot. Zero or not
 * is PyTorch's answer; the step of a singular A can differ, since PyTorch
 * factors Aᵀ of a row-major A (a copy it saves) and tmnn A itself, and on
 * js, whose loops run in float64, a matrix singular only in f32 rounding
 * is not. A singular A is no error: its X holds ±∞ or NaN. Worked out on
 * the backend, nothing read back, so it is the way to learn on webgpu
 * whether A was singular. Differentiable as solve is.
 */
export function solveEx(A: Tensor, B: Tensor, options: SolveOptions = {}): SolveEx {
  const { x, info } = solveBroadcast('solveEx', A, B, formOf('solveEx', A, B, options), true);
  return { result: x, info: info as Tensor };
}

/** invEx's result. */
export interface InvEx {
  /** inv's A⁻¹: ±∞ and NaN where A is singular. */
  inverse: Tensor;
  /** i32 [...] (A's batch shape): 0, or k + 1 for the first zero pivot U[k, k] of A's LU factors (A singular), as solveEx's. */
  info: Tensor;
}

/** inv with LAPACK's info instead of an error for a singular A (torch.linalg.inv_ex): see solveEx. Differentiable as inv is. */
export function invEx(A: Tensor): InvEx {
  const n = checkSquare('invEx', A);
  return tidy(() => {
    const { x, info } = solveBroadcast('invEx', A, onBackendOf('invEx', A, () => eye(n, { dtype: A.dtype })), 'left', true);
    return { inverse: x, info: info as Tensor };
  });
}

/** The inverse of each matrix of A [..., n, n] (torch.linalg.inv): solve(A, I), its errors and gradient those of solve. */
export function inv(A: Tensor): Tensor {
  checkSquare('inv', A);
  return inverse('inv', A);
}

/** The inverse of each matrix of a checked A [..., n, n], a singular one refused in `op`'s name (det's gradient needs A⁻¹ too). */
export function inverse(op: string, A: Tensor): Tensor {
  const n = A.shape[A.rank - 1];
  return tidy(() => solveBroadcast(op, A, onBackendOf(op, A, () => eye(n, { dtype: A.dtype })), 'left').x);
}
