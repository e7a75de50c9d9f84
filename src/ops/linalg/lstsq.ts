// tm.linalg.lstsq from a QR decomposition, composed of qr, a triangular
// solve and products, so that its gradient is theirs: A = Q·R with A tall
// (or square) gives X = R⁻¹·Qᵀ·B, the least-squares solution; A wide is
// factored through Aᵀ = Q·R, and X = Q·R⁻ᵀ·B is the solution of least norm.
// QR rather than the normal equations AᵀA·X = AᵀB: those square A's
// condition number, which f32 cannot afford.
import { backendFor, tidy } from '../../engine.js';
import { ShapeError, formatShape } from '../../errors.js';
import { promoteTypes } from '../../dtype.js';
import { sameShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { zeros } from '../creation.js';
import { square, sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { expandDims, squeeze } from '../movement.js';
import { sum } from '../reduce.js';
import { onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkFloat, checkMatrix, inF32, matrixTranspose, toBatch } from './matrices.js';
import { qr } from './qr.js';
import { solveTriangularMatrices } from './solve_triangular.js';

/** lstsq's result. */
export interface Lstsq {
  /** X [..., n, k] (or [..., n] for vectors B), minimizing ‖A·X − B‖ column by column; of least norm where A is wide. */
  solution: Tensor;
  /** ‖A·X − B‖² of each column [..., k] (or [...]) where A is tall (m > n); empty ([0]) otherwise, as torch's gels and gelsd drivers give them (its default CPU driver, gelsy, gives none). */
  residuals: Tensor;
}

/**
 * The least-squares solution X of A·X ≈ B (torch.linalg.lstsq,
 * np.linalg.lstsq) for A [..., m, n] and B a batch of matrices [..., m, k]
 * or of vectors [..., m] (read as solve reads B); batch axes broadcast. A
 * tall or square A (m ≥ n) must have independent columns: X minimizes ‖A·X −
 * B‖. A wide A (m < n) must have independent rows: X is then the solution
 * of A·X = B of least norm. Through A's QR decomposition (Aᵀ's for a wide
 * A), in f32 (f16 cast in and the results back); a rank-deficient A gives ±∞
 * or NaN (torch's default CPU driver, gelsy, handles rank deficiency; its
 * CUDA one, gels, does not either). Differentiable in A and B.
 */
export function lstsq(A: Tensor, B: Tensor): Lstsq {
  const [m, n] = checkMatrix('lstsq', A);
  const b = checkFloat('lstsq', B, 'B');
  if (b.rank < 1) throw new ShapeError(`lstsq: B must be a vector or a matrix (or a batch of them), got a scalar with A ${formatShape(A.shape)}`);
  backendFor('lstsq', [A.dataRef('lstsq'), b.dataRef('lstsq')]);
  const vector = b.rank === 1 || (b.rank === A.rank - 1 && sameShape(b.shape, A.shape.slice(0, -1)));
  return tidy(() => {
    const columns = vector ? expandDims(b, -1) : b;
    if (columns.shape[columns.rank - 2] !== m) {
      throw new ShapeError(`lstsq: B ${formatShape(b.shape)} does not match A ${formatShape(A.shape)}: B needs ${m} rows (its ${vector ? 'last' : 'second-to-last'} axis), as A has`);
    }
    const batch = broadcastBatch('lstsq', A, columns, { A: A.shape, B: b.shape });
    const a = toBatch(inF32(A), batch);
    const rhs = toBatch(inF32(columns), batch);
    let x: Tensor;
    if (m >= n) {
      const { q, r } = qr(a);
      x = solveTriangularMatrices('lstsq', r, matmul(q, rhs, { transposeA: true }), true, false);
    } else {
      const { q, r } = qr(matrixTranspose(a));
      x = matmul(q, solveTriangularMatrices('lstsq', matrixTranspose(r), rhs, false, false));
    }
    const dtype = promoteTypes(A.dtype, b.dtype);
    const residuals = m > n ? sum(square(sub(matmul(a, x), rhs)), -2) : onBackendOf('lstsq', A, () => zeros([0]));
    return { solution: castTo(vector ? squeeze(x, -1) : x, dtype), residuals: castTo(vector && m > n ? squeeze(residuals, -1) : residuals, dtype) };
  });
}
