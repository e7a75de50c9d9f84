// tm.linalg.lstsq, composed of decompositions, triangular solves and
// products, so that its gradient is theirs. Two drivers, LAPACK's names:
// 'gels', through QR: A = Q·R with A tall (or square) gives X = R⁻¹·Qᵀ·B,
// the least-squares solution; A wide is factored through Aᵀ = Q·R, and X =
// Q·R⁻ᵀ·B is the solution of least norm (full rank only). 'gelsd', through
// the SVD: X = V·Σ⁺·Uᵀ·B, the least-norm least-squares solution of any
// rank, singular values at or below rcond·σ_max counted as zero (numpy's
// lstsq). Neither goes through the normal equations AᵀA·X = AᵀB: those
// square A's condition number, which f32 cannot afford.
import { backendFor, tidy } from '../../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../../errors.js';
import { checkOptions } from '../../options.js';
import { epsilonOf, promoteTypes } from '../../dtype.js';
import { sameShape } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { zeros } from '../creation.js';
import { mul, square, sub } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { expandDims, squeeze } from '../movement.js';
import { sum } from '../reduce.js';
import { onBackendOf } from '../util.js';
import { broadcastBatch, castTo, checkFloat, checkMatrix, inF32, matrixTranspose, toBatch } from './matrices.js';
import { qr } from './qr.js';
import { counted, pseudoReciprocal, rankOf } from './norms.js';
import { solveTriangularMatrices } from './solve_triangular.js';
import { decomposeSvd } from './svd.js';

/** lstsq's result. */
export interface Lstsq {
  /** X [..., n, k] (or [..., n] for vectors B), minimizing ‖A·X − B‖ column by column; of least norm where A is wide (and, with 'gelsd', among all minimizers where A lacks rank). */
  solution: Tensor;
  /** ‖A·X − B‖² of each column [..., k] (or [...]) where A is tall (m > n); empty ([0]) otherwise, as torch's gels and gelsd drivers give them (its default CPU driver, gelsy, gives none). */
  residuals: Tensor;
  /** 'gelsd': the effective rank of each matrix [...] (i32), the singular values above rcond·σ_max; empty ([0]) with 'gels', as torch's. */
  rank: Tensor;
  /** 'gelsd': A's singular values [..., min(m, n)], descending; empty ([0]) with 'gels'. */
  singularValues: Tensor;
}

/** LAPACK's names for the two ways (see the top of the file). */
export type LstsqDriver = 'gels' | 'gelsd';

export interface LstsqOptions {
  /**
   * 'gelsd' (the SVD: any rank, numpy's way) or 'gels' (QR: full rank
   * only, a rank-deficient A giving ±∞ or NaN; faster). Default 'gelsd' on
   * the CPU backends and 'gels' on webgpu, whose SVD is slow on large
   * matrices: torch's choice per device (gelsy on CPUs, gels on CUDA).
   */
  driver?: LstsqDriver;
  /** 'gelsd': singular values ≤ rcond·σ_max count as zero. Default eps·max(m, n) of A's dtype, torch's. */
  rcond?: number;
}

const LSTSQ_OPTIONS = { driver: true, rcond: true } as const;

/**
 * The least-squares solution X of A·X ≈ B (torch.linalg.lstsq,
 * np.linalg.lstsq) for A [..., m, n] and B a batch of matrices [..., m, k]
 * or of vectors [..., m] (read as solve reads B); batch axes broadcast. X
 * minimizes ‖A·X − B‖ column by column, and among the X that do (a wide A,
 * or one that lacks rank) has the least norm. `driver: 'gelsd'` (the
 * default on the CPU backends, numpy's way) goes through A's SVD and takes
 * any A; 'gels' (the default on webgpu) through A's QR decomposition (Aᵀ's
 * for a wide A), faster, but A must have full rank: a rank-deficient one
 * gives ±∞ or NaN (torch's gels raises an error where R's diagonal holds
 * an exact 0, and gives huge values where it is nearly singular). In f32 (f16 cast in and the
 * results back). Differentiable in A and B (with 'gelsd', where A has full
 * rank and distinct singular values: the SVD's own condition).
 */
export function lstsq(A: Tensor, B: Tensor, options: LstsqOptions = {}): Lstsq {
  const [m, n] = checkMatrix('lstsq', A);
  const { driver = A.dataRef('lstsq').backend.name === 'webgpu' ? 'gels' : 'gelsd', rcond } = checkOptions('lstsq', options, LSTSQ_OPTIONS);
  if (driver !== 'gels' && driver !== 'gelsd') throw new ValueError(`lstsq: driver must be 'gels' or 'gelsd', got ${formatValue(driver)}`);
  if (rcond !== undefined && !(typeof rcond === 'number' && rcond >= 0 && rcond < Infinity)) throw new ValueError(`lstsq: rcond must be a finite number ≥ 0, got ${formatValue(rcond)}`);
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
    let spectrum: { rank: Tensor; singularValues: Tensor } | null = null;
    if (driver === 'gelsd') {
      ({ x, ...spectrum } = bySvd(a, rhs, rcond ?? epsilonOf(A.dtype) * Math.max(m, n)));
    } else if (m >= n) {
      const { q, r } = qr(a);
      x = solveTriangularMatrices('lstsq', r, matmul(q, rhs, { transposeA: true }), true, false);
    } else {
      const { q, r } = qr(matrixTranspose(a));
      x = matmul(q, solveTriangularMatrices('lstsq', matrixTranspose(r), rhs, false, false));
    }
    const dtype = promoteTypes(A.dtype, b.dtype);
    const residuals = m > n ? sum(square(sub(matmul(a, x), rhs)), -2) : onBackendOf('lstsq', A, () => zeros([0]));
    const none = () => onBackendOf('lstsq', A, () => zeros([0]));
    return {
      solution: castTo(vector ? squeeze(x, -1) : x, dtype),
      residuals: castTo(vector && m > n ? squeeze(residuals, -1) : residuals, dtype),
      rank: spectrum?.rank ?? none(),
      singularValues: spectrum ? castTo(spectrum.singularValues, dtype) : none(),
    };
  });
}

/**
 * X = V·Σ⁺·Uᵀ·B of matrices a [..., m, n] and rhs [..., m, k], Σ⁺ as pinv
 * makes it (the singular values above rcond·σ_max inverted, the others 0);
 * with the rank and the singular values.
 */
function bySvd(a: Tensor, rhs: Tensor, rcond: number): { x: Tensor; rank: Tensor; singularValues: Tensor } {
  const [m, n] = a.shape.slice(-2);
  const batch = a.shape.slice(0, -2);
  if (Math.min(m, n) === 0) {
    return onBackendOf('lstsq', a, () => ({
      x: zeros([...batch, n, rhs.shape[rhs.rank - 1]]),
      rank: zeros(batch, { dtype: 'i32' }),
      singularValues: zeros([...batch, 0]),
    }));
  }
  const { u, s, vh } = decomposeSvd('lstsq', a, true);
  const keep = counted(s, { atol: 0, rtol: rcond });
  const x = matmul(vh, mul(expandDims(pseudoReciprocal(s, keep), -1), matmul(u, rhs, { transposeA: true })), { transposeA: true });
  return { x, rank: rankOf(keep), singularValues: s };
}
