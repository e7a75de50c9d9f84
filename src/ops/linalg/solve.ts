// tm.linalg.solve and tm.linalg.inv: X = A⁻¹·B through A's LU factors with
// partial pivoting (the luFactor and luSolve kernels), as
// torch.linalg.solve, batch axes broadcasting between A and B.
import { backendFor, tidy } from '../../engine.js';
import { ShapeError, formatShape } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { sameShape, sizeOf } from '../../shape.js';
import { record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { eye } from '../creation.js';
import { neg } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { expandDims, squeeze } from '../movement.js';
import { computed, onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkFloat, checkSquare, inF32, luFactors, matrixTranspose, refuseSingular, toBatch } from './matrices.js';
import { linalgOf } from '../../backends/linalg.js';

/**
 * X = A⁻¹·B for f32 A [..., n, n] and B [..., n, k] of one batch shape,
 * refusing a singular A where its factors can be read at once. Its
 * gradient: dB = A⁻ᵀ·dX (a solve with Aᵀ), dA = −dB·Xᵀ.
 */
export function solveMatrices(op: string, a: Tensor, b: Tensor): Tensor {
  const backend = a.dataRef(op).backend;
  const { lu, pivots } = luFactors(op, a);
  try {
    refuseSingular(op, lu);
    const [n, k] = b.shape.slice(-2);
    const batch = sizeOf(b.shape.slice(0, -2));
    const x = computed(op, backend, b.shape, 'f32', () =>
      linalgOf(backend).luSolve({ ...lu.info(op), shape: [batch, n, n] }, { ...pivots.info(op), shape: [batch, n] }, { ...b.info(op), shape: [batch, n, k] }));
    return record(x, op, [a, b], [a, x], (dx, [sa, sx], needs) => {
      const at = matrixTranspose(sa);
      const db = solveMatrices(op, at, dx);
      return [needs[0] ? neg(matmul(db, sx, { transposeB: true })) : null, db];
    });
  } finally {
    lu.dispose();
    pivots.dispose();
  }
}

/** A and B (B with its column axis, for a batch of vectors) broadcast to one batch shape, solved, B's dtype promoted with A's. */
function solveBroadcast(op: string, a: Tensor, b: Tensor, vector: boolean): Tensor {
  const n = a.shape[a.rank - 1];
  return tidy(() => {
    const columns = vector ? expandDims(b, -1) : b;
    if (columns.shape[columns.rank - 2] !== n) {
      throw new ShapeError(`${op}: B ${formatShape(b.shape)} does not match A ${formatShape(a.shape)}: B needs ${n} rows (its ${vector ? 'last' : 'second-to-last'} axis) to solve with A's ${n} × ${n} matrices`);
    }
    const batch = broadcastBatch(op, a, columns, { A: a.shape, B: b.shape });
    const x = solveMatrices(op, toBatch(inF32(a), batch), toBatch(inF32(columns), batch));
    return castTo(vector ? squeeze(x, -1) : x, promoteTypes(a.dtype, b.dtype));
  });
}

/**
 * The solution X of A·X = B (torch.linalg.solve, np.linalg.solve) for A
 * [..., n, n] and B a batch of matrices [..., n, k] or of vectors [..., n]:
 * B is a vector (or a batch of them) when it has one axis, or one fewer than
 * A with A's shape less its last axis; batch axes broadcast. Computed in f32
 * by LU with partial pivoting (f16 cast in and the result back). A singular
 * A is an error on js and native, naming the matrix; on webgpu, which reads
 * nothing back, its solutions are ±∞ or NaN. Differentiable in A and B.
 */
export function solve(A: Tensor, B: Tensor): Tensor {
  checkSquare('solve', A);
  const b = checkFloat('solve', B, 'B');
  if (b.rank < 1) throw new ShapeError(`solve: B must be a vector or a matrix (or a batch of them), got a scalar with A ${formatShape(A.shape)}`);
  backendFor('solve', [A.dataRef('solve'), b.dataRef('solve')]);
  const vector = b.rank === 1 || (b.rank === A.rank - 1 && sameShape(b.shape, A.shape.slice(0, -1)));
  return solveBroadcast('solve', A, b, vector);
}

/** The inverse of each matrix of A [..., n, n] (torch.linalg.inv): solve(A, I), its errors and gradient those of solve. */
export function inv(A: Tensor): Tensor {
  checkSquare('inv', A);
  return inverse('inv', A);
}

/** The inverse of each matrix of a checked A [..., n, n], a singular one refused in `op`'s name (det's gradient needs A⁻¹ too). */
export function inverse(op: string, A: Tensor): Tensor {
  const n = A.shape[A.rank - 1];
  return tidy(() => solveBroadcast(op, A, onBackendOf(op, A, () => eye(n, { dtype: A.dtype })), false));
}
